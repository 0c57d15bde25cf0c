/**
 * `--explain`: the plan without running it. Per rule its tier, the columns it reads
 * and how it is measured, and the reads the run will make, including the filter
 * pushed into the Parquet reader and the SQL sent to a database. Only metadata is
 * read (schemas and footers).
 * @module
 */
import type { Kontract } from "../kontract/load.ts";
import type { ExecutionSource } from "../core/tiers.ts";
import type { Source } from "../sources/source.ts";
import { assertNever } from "../core/assert_never.ts";
import type { Measure } from "../rules/define.ts";
import { capabilitiesOf } from "./capabilities.ts";
import { BITMAP_TYPES } from "./duckdb_duplicates.ts";
import type { PlannedRuleOf } from "./measures/measure_module.ts";
import { measureModule } from "./measures/registry.ts";
import { type DatasourceOpener, resolveReferences } from "./references.ts";
import { planRules } from "./plan.ts";
import type { DuplicatesInput, Pass, Plan, PlannedRule } from "./plan_model.ts";
import { pushdownStatement } from "./pushdown.ts";
import { checkColumnTypes } from "./precheck.ts";
import { rowsPerPartition, tupleRowsPerPartition } from "./scan.ts";

/** How one rule will be measured. */
export interface ExplainedRule {
  /** The rule's id, as in results. */
  rule_id: string;
  /** The tier that will answer it. */
  tier: ExecutionSource;
  /** Columns the rule reads (none for metadata answers). */
  columns: string[];
  /** How: the footer statistic, the Polars predicate, the SQL, … */
  how: string;
}

/** The plan of a run, as `--explain` shows it. */
export interface Explanation {
  /** The Kontract's name. */
  kontract: string;
  /** The dataset's (redacted) URI. */
  dataset: string;
  /** Rows, when metadata knows them without a scan. */
  rows?: number;
  /** The reads of the data, in the order the run makes them. */
  reads: { tier: ExecutionSource; what: string }[];
  /** One entry per rule, in Kontract order. */
  rules: ExplainedRule[];
}

/** Options of {@linkcode explainPlan}. */
export interface ExplainOptions {
  /** Plan as if footer statistics were unavailable (default: use them). */
  metadata?: boolean;
  /** Plan database rules fail-fast. */
  failFast?: boolean;
  /** Opens a `references` rule's `to.datasource`. */
  openReference?: DatasourceOpener;
}

/** Plans the Kontract against the source and describes the plan. */
export async function explainPlan(
  kontract: Kontract,
  source: Source,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const schema = await source.schema();
  const stats = options.metadata === false ? undefined : await source.stats?.();
  const capabilities = capabilitiesOf(source);
  const resolved = await resolveReferences(
    kontract,
    schema,
    capabilities,
    source.uri,
    options.openReference,
  );
  const plan = planRules(kontract, schema, stats, capabilities, resolved);
  // The same type checks as a run: a rule that cannot work is a Kontract error here too.
  checkColumnTypes(plan, schema);
  const reads: Explanation["reads"] = [];
  for (const pass of plan.passes) reads.push(await readOf(pass, plan, options));
  return {
    kontract: kontract.name,
    dataset: source.uri,
    ...(stats ? { rows: stats.rows } : {}),
    reads,
    rules: plan.rules.map(explainRule),
  };
}

/** One pass as `--explain` shows it: exactly what the run will do. */
async function readOf(
  pass: Pass,
  plan: Plan,
  options: ExplainOptions,
): Promise<Explanation["reads"][number]> {
  switch (pass.kind) {
    case "footers":
      return {
        tier: "metadata",
        what: `footers of ${pass.files} file${pass.files === 1 ? "" : "s"}` +
          (pass.bytesRead === undefined ? "" : ` (${pass.bytesRead} bytes read)`),
      };
    case "single_scan": {
      const filter = pass.countsRows || pass.rules.length === 0
        ? "no filter (the scan counts the rows)"
        : `filter ${pass.filterInReader ? "pushed into the reader" : "applied after the reader"}: ${
          pass.rules.map((rule) =>
            measureModule(rule.measure).explain(rule as PlannedRuleOf<Measure>)
          )
            .join(" | ")
        }`;
      const scopes = pass.scopes.length === 0
        ? ""
        : `; counts the rows of ${
          pass.scopes.map((rule) => `${rule.instance.id}'s when: (tolerance ratio)`).join(", ")
        }`;
      return {
        tier: "scan",
        what: `one streaming Polars pass over [${pass.columns.join(", ")}]; ${filter}${scopes}`,
      };
    }
    case "source_table":
      return { tier: "sql", what: `the dataset as a DuckDB table: ${pass.via}` };
    case "local_copy":
      return {
        tier: "scan",
        what: `[${pass.columns.join(", ")}] copied into a private local Parquet file (one read)`,
      };
    case "duplicates":
      return { tier: "scan", what: duplicatesRead(pass) };
    case "references": {
      const measure = pass.rule.measure;
      const reference = measure.kind === "references"
        ? `${measure.reference?.uri ?? measure.to.datasource} (${measure.to.column})`
        : "";
      return {
        tier: "scan",
        what: `${pass.column.name} against ${reference}: ONE hash anti-join in DuckDB ` +
          `(512 MB, spilling) over ${
            pass.input === "database"
              ? "its distinct values and their rows, streamed out of the database once,"
              : INPUTS[pass.input]
          } and the reference's column`,
      };
    }
    case "aggregate": {
      const { measure } = pass.rule;
      const stat = measure.kind === "aggregate" ? measure.stat : "aggregate";
      const how = stat === "median"
        ? "exact median in DuckDB: a count, then the middle values of a sort that spills"
        : "exact distinct count in DuckDB: non-null values minus duplicates (bounded memory)";
      return {
        tier: "sql",
        what: `${stat} of ${pass.column.name}: ${how}, over ${INPUTS[pass.input]}`,
      };
    }
    case "user_sql":
      return {
        tier: "sql",
        what: `${pass.rules.length} custom_sql_check quer${
          pass.rules.length === 1 ? "y" : "ies"
        } in DuckDB, one statement each`,
      };
    case "pushdown": {
      if (plan.capabilities.kind !== "database") throw new Error("pushdown needs a database");
      const { sql } = await pushdownStatement(plan, plan.capabilities.sql, {
        failFast: options.failFast,
      });
      return { tier: "sql", what: `one statement in ${pass.database}: ${sql}` };
    }
    default:
      return assertNever(pass);
  }
}

const INPUTS: Record<DuplicatesInput, string> = {
  source_table: "the dataset's own DuckDB table",
  local_copy: "the local copy",
  source: "the source files",
};

function duplicatesRead(pass: Extract<Pass, { kind: "duplicates" }>): string {
  const { column, columns, engine, input } = pass;
  if (columns.length > 1) {
    const tuple = columns.map(({ name, dtype }) => `${name} (${dtype})`).join(", ");
    const how = engine === "polars"
      ? `Polars GROUP BY the tuple in hash partitions of ${
        tupleRowsPerPartition(columns)
      } rows, one streaming pass each`
      : "DuckDB: GROUP BY one 64-bit hash of the tuple, then by the values where hashes " +
        "repeat (spilling to disk)";
    return `duplicates of the tuple ${tuple}, rows with a NULL in it ignored: ${how}, over ${
      INPUTS[input]
    }`;
  }
  const how = engine === "polars"
    ? `Polars GROUP BY in hash partitions of ${rowsPerPartition(column.dtype)} rows, one ` +
      "streaming pass each"
    : BITMAP_TYPES.test(column.dtype)
    ? "DuckDB: MIN/MAX, then one bit per value of the range when the bitmap fits " +
      "(else GROUP BY, spilling to disk)"
    : /^(String|Utf8)$/.test(column.dtype)
    ? "DuckDB: GROUP BY the 64-bit hash, then by value where hashes repeat (spilling to disk)"
    : "DuckDB: GROUP BY, spilling to disk";
  return `duplicates of ${column.name} (${column.dtype}): ${how}, over ${INPUTS[input]}`;
}

function explainRule(rule: PlannedRule): ExplainedRule {
  const columns = rule.column && rule.tier !== "metadata" ? rule.reads : [];
  const base = { rule_id: rule.instance.id, tier: rule.tier, columns };
  if (rule.missingColumn) {
    return {
      ...base,
      columns: rule.column ? [rule.column.name] : [],
      how: `${rule.drift}: fails with the row count`,
    };
  }
  const when = rule.condition ? ` (only rows where ${rule.condition.text})` : "";
  return { ...base, how: measureModule(rule.measure).explain(rule) + when };
}

/** The explanation as text for people. */
export function renderExplanation(explanation: Explanation): string {
  const lines = [
    `Plan for ${explanation.kontract} on ${explanation.dataset}` +
    (explanation.rows === undefined ? "" : ` (${explanation.rows} rows, from metadata)`),
    "",
    "Reads:",
    ...explanation.reads.map((read, index) =>
      `  ${index + 1}. ${read.tier.padEnd(8)} ${read.what}`
    ),
    "",
    "Rules:",
  ];
  const idWidth = Math.max(...explanation.rules.map((rule) => rule.rule_id.length), 4);
  for (const rule of explanation.rules) {
    const columns = rule.columns.length > 0 ? ` [${rule.columns.join(", ")}]` : "";
    lines.push(`  ${rule.rule_id.padEnd(idWidth)}  ${rule.tier.padEnd(8)} ${rule.how}${columns}`);
  }
  return lines.join("\n") + "\n";
}
