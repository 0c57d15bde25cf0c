/**
 * The PostgreSQL user-SQL guard: the real PostgreSQL parser (libpg_query) reads the exact
 * text that will run, and every node of its parse tree must be on the allow-lists in
 * `postgres_allowed.ts`: one SELECT (no INTO, no FOR UPDATE, no data-modifying WITH, no
 * parameters), relations outside the system schemas, and only listed node types,
 * functions, operators and cast types. Anything the walker does not recognise is
 * refused.
 *
 * The parser reads strings with `standard_conforming_strings` on (`'a\'` is the string
 * `a\` followed by a quote); every Kontra connection sets it, so the server reads the
 * text exactly as the guard did.
 * @module
 */
import {
  findInTree,
  functionNotAllowed,
  type TreeStep,
  type UserSqlGuard,
  type UserSqlScope,
} from "../../sql/user_sql.ts";
import {
  ALLOWED_EXPR_KINDS,
  ALLOWED_FUNCTIONS,
  ALLOWED_NODES,
  ALLOWED_OPERATORS,
  ALLOWED_SQL_VALUE_FUNCTIONS,
  ALLOWED_SUBLINKS,
  ALLOWED_TYPES,
  REFUSED_CONSTRUCTS,
  SYSTEM_SCHEMAS,
  TYPED_FIELDS,
} from "./guard_allowed.ts";
import { parsePostgres, ParserCrash } from "./guard_parser.ts";

/** The guard for PostgreSQL sources. */
export const postgresGuard: UserSqlGuard = {
  engine: "PostgreSQL",
  allowedFunctions: [...ALLOWED_FUNCTIONS].sort(),
  check: checkPostgresSql,
  // The schema decides; a table's own name may start with pg_ in a user schema.
  refuseRelation: (path) =>
    path.slice(0, -1).some((name) => isSystemSchema(name.toLowerCase()))
      ? `may not read system catalogs (${path.join(".")})`
      : undefined,
};

/** pg_catalog, information_schema, pg_toast, and every pg_* schema (pg_temp_3, …). */
function isSystemSchema(schema: string): boolean {
  return SYSTEM_SCHEMAS.has(schema) || schema.startsWith("pg_");
}

type Node = Record<string, unknown>;

/** Why `sql` is refused, or undefined when the whole parse tree is allowed. */
async function checkPostgresSql(sql: string, scope: UserSqlScope): Promise<string | undefined> {
  if (sql.trim() === "") return "must be exactly one statement";
  let parsed;
  try {
    parsed = await parsePostgres(sql);
  } catch (error) {
    if (error instanceof ParserCrash && error.tooDeep) {
      return "the SQL is nested too deeply to check";
    }
    throw error;
  }
  if ("error" in parsed) {
    const at = parsed.position > 0 ? ` (at character ${parsed.position})` : "";
    return `not valid PostgreSQL: ${parsed.error}${at}`;
  }
  const statements = parsed.tree.stmts ?? [];
  // A `stmt_location` or `stmt_len` means a semicolon before or after the statement
  // (with only comments beyond it): Kontra nests the text in parentheses, so none may be.
  const [{ stmt_location, stmt_len } = {}] = statements;
  if (statements.length !== 1 || stmt_location || stmt_len) return "must be exactly one statement";
  const statement = statements[0].stmt ?? {};
  const type = Object.keys(statement)[0] ?? "an empty statement";
  if (type !== "SelectStmt") return `must be a SELECT, not ${statementName(type)}`;
  return findInTree(statement, new TreeCheck(scope).visit);
}

/** What a visited object is: a `{Type: body}` wrapper, or the body of a node. */
interface Seen {
  wrapper: boolean;
  type: string;
}

/**
 * One walk over one tree. Parents are visited before their children, so every object's
 * meaning is known from its parent's: a wrapper's body has the wrapper's type, and a
 * field without a wrapper has the type `TYPED_FIELDS` gives it.
 */
class TreeCheck {
  readonly #scope: UserSqlScope;
  readonly #seen = new Map<object, Seen>();

  constructor(scope: UserSqlScope) {
    this.#scope = scope;
  }

  visit = (step: TreeStep): string | undefined => {
    const { node, key, parent } = step;
    const above = parent === undefined ? undefined : this.#seen.get(parent.node);
    if (above?.wrapper) return this.#body(above.type, step);
    const keys = Object.keys(node);
    if (keys.length === 1 && /^[A-Z]/.test(keys[0])) {
      const type = keys[0];
      if (!ALLOWED_NODES.has(type)) return notAllowed(type);
      this.#seen.set(node, { wrapper: true, type });
      return undefined;
    }
    // An empty list entry stands for a missing node (e.g. no column list).
    if (typeof key === "number" && keys.length === 0) return undefined;
    const type = above !== undefined && typeof key === "string"
      ? TYPED_FIELDS[above.type]?.[key]
      : undefined;
    if (type === undefined) return notAllowed(typeof key === "string" ? key : "this construct");
    return this.#body(type, step);
  };

  #body(type: string, step: TreeStep): string | undefined {
    this.#seen.set(step.node, { wrapper: false, type });
    const node = step.node;
    switch (type) {
      case "SelectStmt":
        if (node.intoClause) return notAllowed("intoClause");
        if (Array.isArray(node.lockingClause) && node.lockingClause.length > 0) {
          return notAllowed("LockingClause");
        }
        return undefined;
      case "CommonTableExpr": {
        const query = Object.keys((node.ctequery ?? {}) as Node)[0] ?? "nothing";
        return query === "SelectStmt"
          ? undefined
          : `must be a SELECT, not ${statementName(query)} (in WITH ${String(node.ctename)})`;
      }
      case "FuncCall":
        return checkFunction(names(node.funcname));
      case "A_Expr":
        return checkOperator(String(node.kind), names(node.name));
      case "TypeName":
        return checkType(node);
      case "SQLValueFunction":
        return ALLOWED_SQL_VALUE_FUNCTIONS.has(String(node.op))
          ? undefined
          : functionNotAllowed(String(node.op).replace(/^SVFOP_|_N$/g, "").toLowerCase());
      case "SubLink":
        if (!ALLOWED_SUBLINKS.has(String(node.subLinkType))) {
          return notAllowed(String(node.subLinkType));
        }
        // `x = ANY (SELECT …)` names its operator here.
        return node.operName === undefined ? undefined : checkOperatorName(names(node.operName));
      case "SortBy":
        // `ORDER BY x USING <` names an operator too.
        return node.useOp === undefined ? undefined : checkOperatorName(names(node.useOp));
      case "RangeVar":
        return this.#checkRelation(step);
      default:
        return undefined;
    }
  }

  #checkRelation(step: TreeStep): string | undefined {
    const { catalogname, schemaname, relname } = step.node as Record<string, string | undefined>;
    const name = [catalogname, schemaname, relname].filter((part) => part !== undefined)
      .join(".");
    if (catalogname !== undefined) return `may not read another database (${name})`;
    const schema = schemaname?.toLowerCase();
    // pg_catalog comes first on every search path, so an unqualified pg_* is a catalog.
    if (
      schema === undefined ? relname?.toLowerCase().startsWith("pg_") : isSystemSchema(schema)
    ) {
      return `may not read system catalogs (${schema === undefined ? "pg_catalog." : ""}${name})`;
    }
    if (this.#scope.relations === "non_system") return undefined;
    const dataset = this.#scope.dataset;
    if (schema === undefined && (relname === dataset || this.#cteInScope(step, relname))) {
      return undefined;
    }
    return `may read only the dataset and the query's own WITH queries, not ${name}`;
  }

  /** Whether `name` is a WITH query visible where `step` is (PostgreSQL's scoping). */
  #cteInScope(step: TreeStep, name: string | undefined): boolean {
    let child = step;
    for (let up = step.parent; up !== undefined; child = up, up = up.parent) {
      const seen = this.#seen.get(up.node);
      if (seen === undefined || seen.wrapper) continue;
      if (seen.type === "SelectStmt" && child.key !== "withClause") {
        if (cteNames(up.node.withClause).includes(name ?? "")) return true;
      }
      if (seen.type === "WithClause" && typeof child.key === "number") {
        // Without RECURSIVE a WITH query sees only the ones before it.
        const visible = cteNames(up.node);
        const before = up.node.recursive ? visible : visible.slice(0, child.key);
        if (before.includes(name ?? "")) return true;
      }
    }
    return false;
  }
}

function checkFunction(name: string[]): string | undefined {
  const bare = name.length === 1
    ? name[0]
    : name.length === 2 && name[0] === "pg_catalog"
    ? name[1]
    : undefined;
  return bare !== undefined && ALLOWED_FUNCTIONS.has(bare)
    ? undefined
    : functionNotAllowed(name.join("."));
}

function checkOperator(kind: string, name: string[]): string | undefined {
  return ALLOWED_EXPR_KINDS.has(kind) ? checkOperatorName(name) : notAllowed(kind);
}

function checkOperatorName(name: string[]): string | undefined {
  if (name.length !== 1) return `operator OPERATOR(${name.join(".")}) is not allowed`;
  return ALLOWED_OPERATORS.has(name[0]) ? undefined : `operator ${name[0]} is not allowed`;
}

function checkType(node: Node): string | undefined {
  const name = names(node.names);
  const bare = name.length === 1
    ? name[0]
    : name.length === 2 && name[0] === "pg_catalog"
    ? name[1]
    : undefined;
  const allowed = bare !== undefined && ALLOWED_TYPES.has(bare) && !node.setof && !node.pct_type;
  return allowed ? undefined : `cast to ${name.join(".")} is not allowed`;
}

/** `[{String: {sval: "pg_catalog"}}, {String: {sval: "lower"}}]` → `["pg_catalog", "lower"]`. */
function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => String((item as { String?: { sval?: string } })?.String?.sval ?? "?"));
}

function cteNames(withClause: unknown): string[] {
  const ctes = (withClause as { ctes?: { CommonTableExpr?: { ctename?: string } }[] })?.ctes;
  return (ctes ?? []).map((cte) => cte.CommonTableExpr?.ctename ?? "");
}

function notAllowed(construct: string): string {
  const words = REFUSED_CONSTRUCTS[construct];
  return words === undefined
    ? `may not use ${construct} (not on the PostgreSQL allow-list)`
    : `may not use ${words}`;
}

/** Statement words users know for libpg_query's statement node types. */
const STATEMENT_NAMES: Record<string, string> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
  CopyStmt: "COPY",
  DoStmt: "DO",
  CallStmt: "CALL",
  VariableSetStmt: "SET",
  VariableShowStmt: "SHOW",
  ListenStmt: "LISTEN",
  NotifyStmt: "NOTIFY",
  PrepareStmt: "PREPARE",
  ExecuteStmt: "EXECUTE",
  ExplainStmt: "EXPLAIN",
  TransactionStmt: "a transaction statement",
  CreateTableAsStmt: "CREATE TABLE AS",
  CreateStmt: "CREATE TABLE",
  ViewStmt: "CREATE VIEW",
  DropStmt: "DROP",
  TruncateStmt: "TRUNCATE",
  LockStmt: "LOCK",
  CheckPointStmt: "CHECKPOINT",
};

/** `InsertStmt` → `INSERT`; others by their words (`AlterTableStmt` → `ALTER TABLE`). */
function statementName(type: string): string {
  return STATEMENT_NAMES[type] ??
    type.replace(/Stmt$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
}
