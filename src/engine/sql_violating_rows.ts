/**
 * Violating rows from a database, for quarantine: ONE read-only statement streamed
 * through a cursor. Each rule becomes a 0/1 flag column over the dataset, rows with any
 * flag set come back ordered by their columns (the same order every run), and each is
 * written once per rule it violates, rules by id, with `_violated_rule_id` and
 * `_error_reason` after the data columns.
 *
 * - `violations` rules flag rows where their SQL predicate holds;
 * - `unique` flags every row whose non-null value occurs more than once (a window count);
 * - `custom_sql_check` flags rows equal (NULL-safe, in every column) to a row its SELECT
 *   returns, when the SELECT returns every column of the dataset; else a note says why
 *   its rule was left out.
 * @module
 */
import type { DataFrame } from "npm:nodejs-polars@0.25.2";
import {
  REASON_COLUMN,
  type RowRule,
  RULE_ID_COLUMN,
  type ViolatingRows,
  type ViolatingRowsRequest,
} from "../sources/violating_rows.ts";
import type { ColumnInfo } from "../core/dataset.ts";
import { dtypeSet, NUMBERS, STORED_TEXTS } from "../core/dtypes.ts";
import { type FrameColumn, frameOf } from "../databases/sql_frame.ts";
import { measureModule } from "./measures/registry.ts";
import { type SqlAccess, withPrefix } from "../sql/sql_access.ts";

/** Output rows per DataFrame (one quarantine part file each). */
const FRAME_ROWS = 100_000;
/** Rows per cursor fetch. */
const FETCH_ROWS = 10_000;
/** Polars types that sort the same in every database: used for the output order. */
const ORDERABLE = dtypeSet(NUMBERS, STORED_TEXTS, "Bool", "Date", "Datetime", "Time");

const ROW_ALIAS = "kontra_row";
const ROWS_ALIAS = "kontra_rows";

/** A rule as a 0/1 flag over the dataset's rows. */
interface Flag {
  rule: RowRule;
  expression: string;
}

/** The violating rows of `request.rules`, as ordered DataFrame batches. */
export async function sqlViolatingRows(
  access: SqlAccess,
  request: ViolatingRowsRequest,
): Promise<ViolatingRows> {
  const notes: string[] = [];
  const flags: Flag[] = [];
  for (const rule of request.rules) {
    const expression = await measureModule(rule.measure).sqlFlag(rule, {
      access,
      columns: request.schema.columns,
      rowAlias: ROW_ALIAS,
      notes,
    });
    if (expression !== undefined) flags.push({ rule, expression });
  }
  if (flags.length === 0) return { kind: "batches", batches: empty(), notes };
  return { kind: "batches", batches: batches(access, request.schema.columns, flags), notes };
}

/** The statement: data columns, then one flag per rule; only flagged rows, ordered. */
export function violatingRowsStatement(
  access: SqlAccess,
  columns: ColumnInfo[],
  flags: readonly string[],
): string {
  const { dialect } = access;
  const prefix = flagPrefix(columns);
  const names = flags.map((_, index) => dialect.ident(`${prefix}${index}`));
  const select = [
    ...columns.map((column) => dialect.ident(column.name)),
    ...flags.map((flag, index) => `${flag} AS ${names[index]}`),
  ].join(", ");
  const order = columns.flatMap((column, index) =>
    ORDERABLE.test(column.dtype) ? [String(index + 1)] : []
  );
  return `${withPrefix(access)}SELECT * FROM (SELECT ${select} FROM ${access.relation} AS ${
    dialect.ident(ROW_ALIAS)
  }) AS ${dialect.ident(ROWS_ALIAS)} WHERE ${names.map((name) => `${name} = 1`).join(" OR ")}${
    order.length > 0 ? ` ORDER BY ${order.join(", ")}` : ""
  }`;
}

/** A prefix for flag columns that no data column starts with. */
function flagPrefix(columns: ColumnInfo[]): string {
  let prefix = "__kontra_flag_";
  while (columns.some((column) => column.name.startsWith(prefix))) prefix = `_${prefix}`;
  return prefix;
}

async function* empty(): AsyncIterable<DataFrame> {}

async function* batches(
  access: SqlAccess,
  columns: ColumnInfo[],
  flags: Flag[],
): AsyncIterable<DataFrame> {
  const sql = violatingRowsStatement(access, columns, flags.map((flag) => flag.expression));
  let pending: unknown[][] = [];
  const width = columns.length;
  for await (const rows of access.stream(sql, [], FETCH_ROWS)) {
    for (const row of rows) {
      flags.forEach((flag, index) => {
        if (Number(row[width + index]) === 1) {
          pending.push([...row.slice(0, width), flag.rule.id, flag.rule.reason]);
        }
      });
    }
    if (pending.length >= FRAME_ROWS) {
      yield toFrame(columns, pending);
      pending = [];
    }
  }
  if (pending.length > 0) yield toFrame(columns, pending);
}

function toFrame(columns: ColumnInfo[], rows: unknown[][]): DataFrame {
  const frameColumns: FrameColumn[] = [
    ...columns.map((column, index) => ({
      name: column.name,
      dtype: column.dtype,
      values: rows.map((row) => row[index]),
    })),
    { name: RULE_ID_COLUMN, dtype: "String", values: rows.map((row) => row[columns.length]) },
    { name: REASON_COLUMN, dtype: "String", values: rows.map((row) => row[columns.length + 1]) },
  ];
  return frameOf(frameColumns);
}
