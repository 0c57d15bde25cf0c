/**
 * The DuckDB user-SQL guard: DuckDB's own parser reads the exact text that will run
 * (see duckdb_parser.ts), and every object of its parse tree must be something this
 * walker positively recognises (duckdb_allowed.ts): one SELECT; tables only the
 * dataset or a CTE in scope where it is read; allowed functions, casts and table
 * functions only. An object whose place in the tree is not described here is refused,
 * so syntax a newer DuckDB adds is refused until someone allows it.
 *
 * Each object gets a role from its parent (a `from_table` holds a table reference, a
 * `cast_type` a type, …) before it is visited; the walk is `findInTree`, iterative.
 * @module
 */
import {
  findInTree,
  functionNotAllowed,
  type TreeStep,
  type UserSqlGuard,
  type UserSqlScope,
} from "../user_sql.ts";
import {
  ALLOWED_AGGREGATES,
  ALLOWED_CAST_TYPES,
  ALLOWED_EXPRESSIONS,
  ALLOWED_FUNCTIONS,
  ALLOWED_QUERY_NODES,
  ALLOWED_SUBQUERY_TYPES,
  ALLOWED_TABLE_FUNCTIONS,
  ALLOWED_TABLE_REFS,
  ALLOWED_TYPE_INFO,
  ALLOWED_WINDOW_FUNCTIONS,
  BOUNDED_WIDTH_FUNCTIONS,
  MAX_WIDTH,
  RESERVED_NAME_PREFIXES,
} from "./duckdb_allowed.ts";
import { parseDuckdbSql } from "./duckdb_parser.ts";

type Node = Record<string, unknown>;

/** What an object is, decided by the object that holds it. */
type Role =
  | "statement"
  | "query"
  | "modifier"
  | "order"
  | "cte_map"
  | "cte_entry"
  | "cte"
  | "table"
  | "table_function"
  | "expression"
  | "case_check"
  | "replace_entry"
  | "name"
  | "constant"
  | "type"
  | "type_info";

/** For each role, which property holds which role (properties holding objects only). */
const CHILDREN: Record<Role, Record<string, Role>> = {
  statement: { node: "query" },
  query: {
    modifiers: "modifier",
    cte_map: "cte_map",
    select_list: "expression",
    from_table: "table",
    where_clause: "expression",
    group_expressions: "expression",
    having: "expression",
    qualify: "expression",
    left: "query",
    right: "query",
  },
  modifier: {
    orders: "order",
    limit: "expression",
    offset: "expression",
    distinct_on_targets: "expression",
  },
  order: { expression: "expression" },
  cte_map: { map: "cte_entry" },
  cte_entry: { value: "cte" },
  cte: { query: "statement" },
  table: {
    left: "table",
    right: "table",
    condition: "expression",
    subquery: "statement",
    function: "table_function",
    values: "expression",
  },
  table_function: { children: "expression", order_bys: "modifier" },
  expression: {
    children: "expression",
    filter: "expression",
    order_bys: "modifier",
    left: "expression",
    right: "expression",
    child: "expression",
    input: "expression",
    lower: "expression",
    upper: "expression",
    case_checks: "case_check",
    else_expr: "expression",
    subquery: "statement",
    cast_type: "type",
    partitions: "expression",
    orders: "order",
    arg_orders: "order",
    start_expr: "expression",
    end_expr: "expression",
    offset_expr: "expression",
    default_expr: "expression",
    filter_expr: "expression",
    expr: "expression",
    lhs: "expression",
    replace_list: "replace_entry",
    rename_list: "name",
    qualified_exclude_list: "name",
    exclude_list: "name",
  },
  case_check: { when_expr: "expression", then_expr: "expression" },
  replace_entry: { value: "expression" },
  // Identifiers only ({column, table, …}); nothing below them is evaluated.
  name: { key: "name" },
  // Below a literal's value (see isConstantValue): data only, however nested.
  constant: {},
  type: { type_info: "type_info" },
  type_info: { child_type: "type" },
};

/** The guard DuckDB's dialect uses for `custom_sql_check` on files. */
export const duckdbGuard: UserSqlGuard = {
  engine: "DuckDB",
  allowedFunctions: [
    ...new Set([...ALLOWED_FUNCTIONS, ...ALLOWED_WINDOW_FUNCTIONS, ...ALLOWED_TABLE_FUNCTIONS]),
  ].sort(),
  // Datasources on DuckDB are files: a Kontract never names a relation in it.
  refuseRelation: (path) => `DuckDB reads files, not relations (${path.join(".")})`,
  async check(sql: string, scope: UserSqlScope): Promise<string | undefined> {
    // DuckDB reads only files, where the dataset is the one relation: there is no
    // database of tables for `non_system` to mean, so it is refused outright.
    if (scope.relations !== "dataset_only") return "DuckDB runs user SQL over a dataset only";
    const { statementCount, tree } = await parseDuckdbSql(sql);
    if (tree.error) {
      const message = String(tree.error_message ?? "unknown error");
      if (!message.startsWith("Only SELECT statements")) {
        return `not valid DuckDB SQL: ${message.split("\n")[0]}`;
      }
      if (statementCount === 1) return notASelect(sql);
    }
    if (statementCount !== 1 || tree.statements?.length !== 1) {
      return statementCount === 0 ? "is empty" : "must be exactly one statement";
    }
    return checkTree(tree.statements[0], scope.dataset);
  },
};

/** `must be a SELECT, not INSERT`: the first keyword names what it is, for the message. */
function notASelect(sql: string): string {
  const keyword = sql.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()*/, "").match(/^[A-Za-z]+/);
  const word = keyword?.[0].toUpperCase();
  return word && !["SELECT", "WITH", "FROM", "VALUES", "TABLE"].includes(word)
    ? `must be a SELECT, not ${word}`
    : "must be a SELECT";
}

/** Walks one statement's tree; the first refusal, or undefined. */
function checkTree(statement: Node, dataset: string): string | undefined {
  const roles = new WeakMap<object, Role>([[statement, "statement"]]);
  return findInTree(statement, (step) => {
    const role = roles.get(step.node);
    if (role === undefined) return unsupported(step);
    const reason = checkNode(role, step, roles, dataset);
    if (reason !== undefined) return reason;
    return assignChildren(role, step, roles);
  });
}

/** Gives each object (or array of objects) below `step` its role, or refuses it. */
function assignChildren(
  role: Role,
  step: TreeStep,
  roles: WeakMap<object, Role>,
): string | undefined {
  for (const [key, value] of Object.entries(step.node)) {
    if (value === null || typeof value !== "object") continue;
    const childRole = role === "constant" || isConstantValue(role, step.node, key)
      ? "constant"
      : CHILDREN[role][key];
    const objects = objectsIn(value);
    if (objects.length === 0) continue;
    if (childRole === undefined) return `uses DuckDB syntax the guard does not allow (${key})`;
    for (const object of objects) roles.set(object, childRole);
  }
  return undefined;
}

/** A literal's `value`: data only, however nested (only CONSTANT expressions have one). */
function isConstantValue(role: Role, node: Node, key: string): boolean {
  return role === "expression" && node.class === "CONSTANT" && key === "value";
}

/** The objects in `value`: itself, or the items of (nested) arrays. */
function objectsIn(value: object): object[] {
  if (!Array.isArray(value)) return [value];
  return value.flatMap((item) =>
    item !== null && typeof item === "object" ? objectsIn(item as object) : []
  );
}

function unsupported(step: TreeStep): string {
  return `uses DuckDB syntax the guard does not allow (${String(step.key)})`;
}

function checkNode(
  role: Role,
  step: TreeStep,
  roles: WeakMap<object, Role>,
  dataset: string,
): string | undefined {
  const node = step.node;
  switch (role) {
    case "query":
      return checkQuery(node);
    case "statement":
      return isEmpty(node.named_param_map) ? undefined : "parameters are not allowed";
    case "modifier":
      return checkModifier(node);
    case "cte":
      return isEmpty(node.key_targets) ? undefined : "recursive CTEs are not allowed";
    case "cte_entry":
      return checkCteName(String(node.key));
    case "table":
      return checkTable(step, roles, dataset);
    case "table_function":
      return checkTableFunction(node);
    case "expression":
      return checkExpression(node);
    case "type":
      return checkType(node);
    default:
      return undefined;
  }
}

function checkQuery(node: Node): string | undefined {
  const type = String(node.type);
  if (type === "RECURSIVE_CTE_NODE") return "recursive CTEs are not allowed";
  if (!ALLOWED_QUERY_NODES.has(type)) return `${type} is not allowed`;
  if (node.sample) return "SAMPLE is not allowed";
  return undefined;
}

const MODIFIERS = new Set([
  "ORDER_MODIFIER",
  "LIMIT_MODIFIER",
  "LIMIT_PERCENT_MODIFIER",
  "DISTINCT_MODIFIER",
]);

function checkModifier(node: Node): string | undefined {
  return MODIFIERS.has(String(node.type)) ? undefined : `${String(node.type)} is not allowed`;
}

function checkCteName(name: string): string | undefined {
  const lower = asciiLower(name);
  return RESERVED_NAME_PREFIXES.some((prefix) => lower.startsWith(prefix))
    ? `the CTE name ${name} is reserved for DuckDB's system views`
    : undefined;
}

function checkTable(
  step: TreeStep,
  roles: WeakMap<object, Role>,
  dataset: string,
): string | undefined {
  const node = step.node;
  const type = String(node.type);
  if (type === "SHOW_REF") return "SHOW, DESCRIBE and SUMMARIZE are not allowed";
  if (!ALLOWED_TABLE_REFS.has(type)) return `${type} is not allowed`;
  if (node.sample) return "SAMPLE is not allowed";
  if (type !== "BASE_TABLE") return undefined;
  if (node.at_clause) return "time travel (AT …) is not allowed";
  const name = String(node.table_name);
  const qualified = [node.catalog_name, node.schema_name, name].filter(Boolean).join(".");
  const readable = qualified === name &&
    (ctesInScope(step, roles).has(asciiLower(name)) || asciiLower(name) === asciiLower(dataset));
  return readable ? undefined : `may read only {table} and its own CTEs, not ${qualified}`;
}

/**
 * The CTE names a table reference at `step` can see, as DuckDB binds them: a WITH
 * clause's CTEs cover its query and the CTEs defined after each one, not a CTE's own
 * body (no recursion) nor anything outside that query.
 */
function ctesInScope(step: TreeStep, roles: WeakMap<object, Role>): Set<string> {
  const names = new Set<string>();
  let entryIndex: number | undefined;
  for (let below = step; below.parent !== undefined; below = below.parent) {
    const above = below.parent;
    const aboveRole = roles.get(above.node);
    if (aboveRole === "cte_map" && typeof below.key === "number") entryIndex = below.key;
    if (aboveRole !== "query") continue;
    const entries = (above.node.cte_map as { map?: Node[] } | undefined)?.map ?? [];
    const visible = below.key === "cte_map" ? entries.slice(0, entryIndex) : entries;
    for (const entry of visible) names.add(asciiLower(String(entry.key)));
  }
  return names;
}

function checkTableFunction(node: Node): string | undefined {
  const name = asciiLower(String(node.function_name ?? node.class));
  if (node.class !== "FUNCTION" || !ALLOWED_TABLE_FUNCTIONS.has(name)) {
    return functionNotAllowed(name);
  }
  return checkQualifier(node, name);
}

function checkExpression(node: Node): string | undefined {
  const kind = String(node.class);
  const type = String(node.type);
  if (kind === "PARAMETER") return "parameters are not allowed";
  const types = ALLOWED_EXPRESSIONS.get(kind);
  if (types === undefined) return `${kind} expressions are not allowed`;
  if (!types.has(type)) return `${type} is not allowed`;
  switch (kind) {
    case "FUNCTION":
      return checkFunction(node);
    case "WINDOW":
      return checkWindow(node, type);
    case "SUBQUERY": {
      const subquery = String(node.subquery_type);
      return ALLOWED_SUBQUERY_TYPES.has(subquery) ? undefined : `${subquery} is not allowed`;
    }
    default:
      return undefined;
  }
}

function checkFunction(node: Node): string | undefined {
  const name = asciiLower(String(node.function_name));
  if (!ALLOWED_FUNCTIONS.has(name)) return functionNotAllowed(name);
  const qualifier = checkQualifier(node, name);
  if (qualifier !== undefined) return qualifier;
  const widthAt = BOUNDED_WIDTH_FUNCTIONS.get(name);
  if (widthAt !== undefined && !isSmallInteger((node.children as Node[])[widthAt])) {
    return `${name} needs an integer literal width of at most ${MAX_WIDTH}`;
  }
  return undefined;
}

function checkWindow(node: Node, type: string): string | undefined {
  const name = asciiLower(String(node.function_name));
  const allowed = type === "WINDOW_AGGREGATE" ? ALLOWED_AGGREGATES : ALLOWED_WINDOW_FUNCTIONS;
  if (!allowed.has(name)) return functionNotAllowed(name);
  return checkQualifier(node, name);
}

/** `main` is DuckDB's own default schema (its parser adds it); nothing else is allowed. */
function checkQualifier(node: Node, name: string): string | undefined {
  const schema = String(node.schema ?? "");
  const catalog = String(node.catalog ?? "");
  if (catalog === "" && (schema === "" || schema === "main")) return undefined;
  return functionNotAllowed([catalog, schema, name].filter(Boolean).join("."));
}

function checkType(node: Node): string | undefined {
  const id = String(node.id);
  const info = node.type_info as Node | null | undefined;
  if (!ALLOWED_CAST_TYPES.has(id)) {
    const named = id === "UNBOUND" && info ? String(info.name) : id;
    return `cast to ${named} is not allowed`;
  }
  if (info && info.type !== ALLOWED_TYPE_INFO.get(id)) {
    return `cast to ${id} (${String(info.type)}) is not allowed`;
  }
  return undefined;
}

/** An integer literal from 0 to MAX_WIDTH. */
function isSmallInteger(node: Node | undefined): boolean {
  if (node?.class !== "CONSTANT") return false;
  const value = (node.value as { value?: unknown } | undefined)?.value;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 &&
    value <= MAX_WIDTH;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** DuckDB folds identifiers with ASCII rules only; so must every comparison here. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
