/**
 * The rows that violate row-level rules, for quarantine, built from the same Measures
 * the engine counts with: a `violations` rule contributes the rows where its Polars
 * predicate holds, `unique` every row whose value occurs more than once, and a
 * `custom_sql_check` the rows its SELECT returns when they can be traced to the data.
 *
 * One row comes out per (row, rule) it breaks, in source order and then rule id, with
 * every original column plus `_violated_rule_id` and `_error_reason`.
 *
 * How they are found depends on the source's capabilities (capabilities.ts), each rule's
 * part on its measure module:
 * - files (local, S3) give ONE lazy Polars query, filtered by the rules' predicates,
 *   that the caller sinks to a file: streamed, memory bounded;
 * - a database gives ordered batches through a streaming cursor over ONE statement
 *   (sql_violating_rows.ts).
 * @module
 */
import pl, { type Expr, type LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import { assertNever } from "../core/assert_never.ts";
import { DataSourceError, describeError } from "../core/errors.ts";
import type { Schema } from "../core/dataset.ts";
import type { Source } from "../sources/source.ts";
import {
  REASON_COLUMN,
  type RowRule,
  RULE_ID_COLUMN,
  type ViolatingRows,
  type ViolatingRowsRequest,
} from "../sources/violating_rows.ts";
import { type Capabilities, capabilitiesOf } from "./capabilities.ts";
import { measureModule } from "./measures/registry.ts";
import { filtersInReader, keepFiltersAboveReader } from "./scan.ts";
import { sqlViolatingRows } from "./sql_violating_rows.ts";
import { joinValueSets, valueSetColumns, valueSetsOf } from "./value_sets.ts";

type FileCapabilities = Extract<Capabilities, { kind: "files" }>;

/** The violating rows of `source` for `rules`, by whatever means the source offers. */
export async function violatingRows(
  source: Source,
  request: ViolatingRowsRequest,
  capabilities: Capabilities = capabilitiesOf(source),
): Promise<ViolatingRows> {
  const rules = [...request.rules].sort((a, b) => compareIds(a.id, b.id));
  switch (capabilities.kind) {
    case "database":
      return await sqlViolatingRows(capabilities.sql, { ...request, rules });
    case "files":
      return await scannedViolatingRows(capabilities, { ...request, rules });
    case "schema_only":
      throw new DataSourceError(`${source.uri}: this source cannot yield its rows for quarantine`);
    default:
      return assertNever(capabilities);
  }
}

/** Rule ids compare by UTF-16 code units: the same order on every machine. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function scannedViolatingRows(
  source: FileCapabilities,
  { rules, schema, rows }: ViolatingRowsRequest,
): Promise<ViolatingRows> {
  const notes: string[] = [];
  const columns = readableColumns(source, schema, notes);
  const selected: { rule: RowRule; predicate: Expr }[] = [];
  for (const rule of rules) {
    const predicate = await measureModule(rule.measure).scanFlag(rule, {
      scan: source.scan,
      duckdb: source.duckdb,
      columns,
      rows,
      notes,
    });
    if (predicate) selected.push({ rule, predicate });
  }
  // Long lists of values are looked up by a join (value_sets.ts), in the rows' order.
  const sets = selected.flatMap(({ rule }) => valueSetsOf(rule.measure, rule.column));
  const data = joinValueSets(source.scan(columns), sets, { keepOrder: true });
  if (selected.length === 0) return { kind: "lazy", frame: label([])(data.limit(0)), notes };
  // Filter on the bare predicates first (a NULL counts as false): Polars pushes them into
  // the Parquet reader, which then decodes the other columns only for violating rows.
  // Wrapping them (e.g. in fillNull) defeats that: measured 10M rows, 180 MB vs 390 MB.
  // Except on column types where a pushed filter makes the reader panic.
  const pushable = selected.every(({ rule }) => !rule.column || filtersInReader(rule.column.dtype));
  const violating = (pushable ? data : keepFiltersAboveReader(data))
    .filter(selected.map(({ predicate }) => predicate).reduce(or));
  const frame = label(selected)(violating);
  return {
    kind: "lazy",
    frame: sets.length > 0 ? frame.drop(valueSetColumns(sets)) : frame,
    notes,
  };
}

/**
 * The columns to quarantine: all, except those Polars cannot read at all (a Parquet
 * INTERVAL), which are left out with a note rather than failing the whole action. Only
 * columns whose type could hide that (structs and binaries) are tried, on one row.
 */
function readableColumns(
  source: FileCapabilities,
  schema: Schema,
  notes: string[],
): string[] {
  return schema.columns.filter((column) => {
    if (filtersInReader(column.dtype)) return true;
    try {
      source.scan([column.name]).limit(1).collectSync();
      return true;
    } catch (error) {
      notes.push(`column ${column.name} left out: Polars cannot read it (${describeError(error)})`);
      return false;
    }
  }).map((column) => column.name);
}

/** Adds the rule id and reason columns: one row per (row, violated rule), rules by id. */
function label(selected: { rule: RowRule; predicate: Expr }[]) {
  return (frame: LazyDataFrame): LazyDataFrame => {
    const none = pl.lit(null).cast(pl.Utf8);
    if (selected.length === 0) {
      return frame.withColumns(none.alias(RULE_ID_COLUMN), none.alias(REASON_COLUMN));
    }
    const flag = (index: number) => `__kontra_violates_${index}`;
    const listOf = (text: (rule: RowRule) => string) =>
      pl.concatList(
        selected.map(({ rule }, index) =>
          pl.when(pl.col(flag(index))).then(pl.lit(text(rule))).otherwise(none)
        ),
      );
    return frame
      .withColumns(
        ...selected.map(({ predicate }, index) => predicate.fillNull(false).alias(flag(index))),
      )
      .withColumns(
        listOf((rule) => rule.id).alias(RULE_ID_COLUMN),
        listOf((rule) => rule.reason).alias(REASON_COLUMN),
      )
      .drop(selected.map((_, index) => flag(index)))
      .explode([RULE_ID_COLUMN, REASON_COLUMN])
      .filter(pl.col(RULE_ID_COLUMN).isNotNull());
  };
}

function or(a: Expr, b: Expr): Expr {
  return a.or(b);
}
