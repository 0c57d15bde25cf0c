/**
 * The planner: for each rule the cheapest tier that answers it exactly (metadata →
 * sql → scan, asked of the rule's measure module), then the passes over the data that
 * the run will make, in order. The run executes exactly these passes, `--explain` prints
 * them, and quarantine reuses the rules' plan.
 * @module
 */
import { closest } from "npm:fastest-levenshtein@1.0.16";
import type { ColumnInfo, DatasetStats, Schema } from "../core/dataset.ts";
import { KontractError } from "../core/errors.ts";
import { type Kontract, type RuleInstance, ruleLabel } from "../kontract/load.ts";
import type { Measure, RowCondition } from "../rules/define.ts";
import { compileCondition, ConditionError } from "../rules/condition_compile.ts";
import type { Capabilities } from "./capabilities.ts";
import { duckdbComparable } from "./duckdb_duplicates.ts";
import { measureModule } from "./measures/registry.ts";
import type { DuplicatesInput, Pass, Plan, PlannedRule } from "./plan_model.ts";
import { filtersInReader } from "./scan.ts";

/** Plans every rule of the Kontract against what the source offers. */
export function planRules(
  kontract: Kontract,
  schema: Schema,
  stats: DatasetStats | undefined,
  capabilities: Capabilities,
  resolved: ReadonlyMap<string, Measure> = new Map(),
): Plan {
  const rowTier = capabilities.kind === "database" ? "sql" : "scan";
  const columns = new Map(schema.columns.map((column) => [column.name, column]));
  const drifted = new Map(schema.drift?.map((drift) => [drift.column, drift.message]));
  const variants = new Map(schema.variants?.map((variant) => [variant.column, variant]));
  const rules = kontract.rules.map((instance): PlannedRule => {
    // A measure the engine resolved first (a `references` rule's reference), else the rule's.
    const unrestricted = resolved.get(instance.id) ?? instance.rule.measure(instance.params);
    const condition = conditionOf(instance, columns);
    const measure = condition ? restrict(instance, unrestricted, condition) : unrestricted;
    const others = instance.rule.otherColumns?.(instance.params) ?? [];
    // A dataset rule may read a column its params name (freshness): `columnOf`.
    const target = instance.column ?? instance.rule.columnOf?.(instance.params);
    const named = target === undefined ? others : [target, ...others];
    const reads = [...new Set([...named, ...(condition?.columns ?? [])])];
    const countsScope = condition !== undefined &&
      instance.tolerance?.max_failed_ratio !== undefined;
    const base = { instance, measure, reads, countsScope, ...(condition ? { condition } : {}) };
    const column = target === undefined ? undefined : columns.get(target);
    const absent = named.find((name) => !columns.has(name));
    if (absent !== undefined) {
      const drift = drifted.get(absent) ?? missingColumnMessage(absent, schema);
      return { ...base, tier: "metadata", missingColumn: true, drift };
    }
    // Widths of one family are one column, but `dtype: int64` must hold in every file.
    const variant = column && measure.kind === "column_type"
      ? variants.get(column.name)
      : undefined;
    if (variant && variant.types.some(({ dtype }) => !typeHolds(instance, dtype))) {
      return { ...base, tier: "metadata", missingColumn: true, drift: variant.message };
    }
    const placement = measureModule(measure).place(measure, { stats, rowTier, column });
    const known = others.length > 0 ? { others: others.map((name) => columns.get(name)!) } : {};
    return { ...base, column, ...known, missingColumn: false, ...placement };
  });
  // The rules the ONE streaming pass measures: those whose kind has a part in it.
  const scanned = rules.filter((rule) =>
    rule.tier === "scan" && rule.column && measureModule(rule.measure).scanRequest !== undefined
  );
  const scopes = rules.filter((rule) => rule.countsScope && !rule.missingColumn);
  const scanColumns = [
    ...new Set([...scanned, ...scopes].flatMap((rule) => rule.reads)),
  ];
  const scanCountsRows = stats === undefined && capabilities.kind !== "database";
  const partial = { rules, capabilities, scanColumns, scanCountsRows };
  return { ...partial, passes: passesOf(partial, stats, scanned, scopes) };
}

/**
 * The rule's condition: its `when:` AND a condition in its params, compiled against the
 * dataset's columns. A column it names that the data lacks, or a value it compares that
 * the column cannot hold, is a Kontract error naming the rule.
 */
function conditionOf(
  instance: RuleInstance,
  columns: ReadonlyMap<string, ColumnInfo>,
): RowCondition | undefined {
  const texts = [instance.when, instance.rule.condition?.(instance.params)]
    .filter((text): text is string => text !== undefined);
  const compiled = texts.map((text) => {
    try {
      return compileCondition(text, columns);
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      throw new KontractError(`${ruleLabel(instance)}: when: ${error.message}`);
    }
  });
  return compiled.length <= 1 ? compiled[0] : bothConditions(compiled[0], compiled[1]);
}

/** Rows where both hold. */
function bothConditions(first: RowCondition, second: RowCondition): RowCondition {
  return {
    text: `(${first.text}) AND (${second.text})`,
    columns: [...new Set([...first.columns, ...second.columns])],
    polars: () => first.polars().and(second.polars()),
    sql: (dialect) => `(${first.sql(dialect)}) AND (${second.sql(dialect)})`,
  };
}

/** The rule's measure limited to its condition's rows, or a Kontract error. */
function restrict(instance: RuleInstance, measure: Measure, condition: RowCondition): Measure {
  // deno-lint-ignore no-explicit-any
  const restricted = measureModule(measure).restrict(measure as any, condition);
  if (restricted === undefined) {
    throw new KontractError(
      `${ruleLabel(instance)}: when: does not apply to ${instance.name}, which checks ` +
        "the column, not its rows",
    );
  }
  return restricted;
}

/** `column "x" not found in the data (did you mean "y"?)`. */
export function missingColumnMessage(column: string, schema: Schema): string {
  const names = schema.columns.map((info) => info.name);
  const hint = names.length > 0 ? ` (did you mean "${closest(column, names)}"?)` : "";
  return `column "${column}" not found in the data${hint}`;
}

/** The reads the run makes, in order. */
function passesOf(
  plan: Omit<Plan, "passes">,
  stats: DatasetStats | undefined,
  scanned: PlannedRule[],
  scopes: PlannedRule[],
): Pass[] {
  const { capabilities, rules } = plan;
  const passes: Pass[] = [];
  if (stats) passes.push({ kind: "footers", files: stats.files ?? 1, bytesRead: stats.bytesRead });
  const measured = rules.filter((rule) => !rule.missingColumn);
  if (capabilities.kind === "database") {
    passes.push({
      kind: "pushdown",
      database: capabilities.sql.dialect.name,
      rules: measured.filter((rule) => rule.tier === "sql"),
    });
    // `references` against files: the column's values leave the database, once each.
    for (const rule of measured) {
      if (rule.tier === "scan" && rule.measure.kind === "references") {
        passes.push({ kind: "references", rule, column: rule.column!, input: "database" });
      }
    }
    return passes;
  }
  if (scanned.length > 0 || scopes.length > 0 || plan.scanCountsRows) {
    passes.push({
      kind: "single_scan",
      columns: plan.scanColumns,
      countsRows: plan.scanCountsRows,
      rules: scanned,
      scopes,
      filterInReader: scanned.every((rule) => filtersInReader(rule.column!.dtype)),
    });
  }
  if (capabilities.kind !== "files") return passes;
  const duplicates = measured.filter((rule) =>
    rule.tier === "scan" && rule.measure.kind === "duplicates"
  );
  // On files the `sql` tier is DuckDB: user SQL, and the aggregates the scan cannot take.
  const userSql = measured.filter((rule) =>
    rule.tier === "sql" && rule.measure.kind !== "aggregate"
  );
  const references = measured.filter((rule) =>
    rule.tier === "scan" && rule.measure.kind === "references"
  );
  const aggregates = measured.filter((rule) =>
    rule.tier === "sql" && rule.measure.kind === "aggregate"
  );
  passes.push(...rescanPasses(capabilities, duplicates, userSql, references, aggregates));
  return passes;
}

/** Whether a `column_type` rule passes on a column of type `dtype`. */
function typeHolds(instance: RuleInstance, dtype: string): boolean {
  const observed = { rows: 1, count: 0, dtype };
  return (instance.rule.evaluate?.(instance.params, observed) ?? 0) === 0;
}

/**
 * The passes after the single scan over files: the source's own DuckDB table when user
 * SQL needs it (or duplicates can use it cheaply), a local copy of the columns that must
 * be read again from an expensive source, one duplicates pass per `unique` rule on the
 * engine that compares its type exactly as Polars does, the `references` anti-joins, one
 * DuckDB pass per `aggregate` median or distinct count, then the user SQL.
 */
export function rescanPasses(
  capabilities: Extract<Capabilities, { kind: "files" }>,
  duplicates: PlannedRule[],
  userSql: PlannedRule[],
  references: PlannedRule[] = [],
  aggregates: PlannedRule[] = [],
): Pass[] {
  const passes: Pass[] = [];
  const cheap = capabilities.cheapRescans;
  // The source's own DuckDB table: user SQL needs it; duplicates use it when it is cheap
  // to get (local files) or fetched anyway, and typed like the scan (uniform Parquet).
  const table = userSql.length > 0 ||
    (cheap && duplicates.length + references.length + aggregates.length > 0);
  const direct = table && capabilities.duckdbExactTypes;
  const placed = duplicates.map((rule) => {
    // A compound `unique` compares its whole tuple: DuckDB only when it compares every
    // column of it as Polars does.
    const columns = rule.measure.kind === "duplicates" && rule.measure.columns
      ? [rule.column!, ...rule.others!]
      : [rule.column!];
    const engine = columns.every((column) => duckdbComparable(column.dtype))
      ? "duckdb" as const
      : "polars" as const;
    const input: DuplicatesInput = engine === "duckdb"
      ? (direct ? "source_table" : "local_copy")
      : (cheap ? "source" : "local_copy");
    return { kind: "duplicates" as const, rule, column: rule.column!, columns, engine, input };
  });
  if (table) passes.push({ kind: "source_table", via: capabilities.duckdbVia });
  // `references` anti-joins run in DuckDB: on the source's table or on the copy.
  const antiJoins = references.map((rule) => ({
    kind: "references" as const,
    rule,
    column: rule.column!,
    input: direct ? "source_table" as const : "local_copy" as const,
  }));
  // `aggregate`'s median and count_distinct: DuckDB over the source's table or the copy.
  const inDuckdb = aggregates.map((rule) => ({
    kind: "aggregate" as const,
    rule,
    column: rule.column!,
    input: direct ? "source_table" as const : "local_copy" as const,
  }));
  // A `when:` condition's columns are copied with the column it limits.
  const copied = [
    ...new Set(
      [...placed, ...antiJoins, ...inDuckdb].filter((pass) => pass.input === "local_copy")
        .flatMap((pass) => pass.rule.reads),
    ),
  ];
  if (copied.length > 0) passes.push({ kind: "local_copy", columns: copied });
  passes.push(...placed, ...antiJoins, ...inDuckdb);
  if (userSql.length > 0) passes.push({ kind: "user_sql", rules: userSql });
  return passes;
}
