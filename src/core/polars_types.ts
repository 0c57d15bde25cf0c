/**
 * Polars type names without converting types to JS. nodejs-polars cannot hand some
 * types to JS at all (`DataType Binary is not supported for JS conversion`: Binary,
 * and lists or structs holding it), so `frame.dtypes` or `frame.schema` on a frame with
 * a BLOB or UUID column throws. Here every column is asked on its own, and a type JS
 * cannot hold is read from the column's own display (`Series: 'c' [binary]`), which
 * Polars renders natively.
 *
 * Importing this module also lets Polars read Parquet INTERVAL columns (as a struct of
 * months, days and nanoseconds) instead of panicking on the schema: without
 * `POLARS_IMPORT_INTERVAL_AS_STRUCT=1` a file with such a column, even one no rule
 * reads, prints a Rust panic and fails.
 * @module
 */
import pl, { type DataFrame } from "npm:nodejs-polars@0.25.2";
import type { TimeUnit } from "./dataset.ts";
import { type Dtype, polarsName } from "./dtypes.ts";

allowIntervalColumns();

/**
 * A column's name and Polars type name (the type's variant, e.g. `Int64`, `Binary`,
 * `List`; `Array` where nodejs-polars says `FixedSizeList`).
 */
export interface PolarsColumn {
  name: string;
  dtype: string;
  /** Datetime only: the unit. */
  timeUnit?: TimeUnit;
  /** Datetime only: the time zone; absent for wall-clock timestamps. */
  timeZone?: string;
}

/** Every column of `frame` with its type's variant name, in order. */
export function polarsColumns(frame: DataFrame): PolarsColumn[] {
  return frame.columns.map((name) => {
    const dtype = variantOf(frame, name);
    return dtype === "Datetime"
      ? { name, dtype, ...timestampDetails(frame, name) }
      : { name, dtype };
  });
}

/** A Datetime column's unit and time zone (none for wall-clock timestamps). */
function timestampDetails(
  frame: DataFrame,
  name: string,
): Pick<PolarsColumn, "timeUnit" | "timeZone"> {
  const type = frame.getColumn(name).dtype as unknown as { timeUnit?: string; timeZone?: string };
  const unit = type.timeUnit;
  return {
    ...(unit === "ms" || unit === "us" || unit === "ns" ? { timeUnit: unit } : {}),
    ...(type.timeZone ? { timeZone: type.timeZone } : {}),
  };
}

/**
 * Every column's full type name as the quarantine manifest records it (`Int64`,
 * `Datetime(TimeUnit.Microseconds,UTC)`, `List(DataType(Int64))`, …; a type JS cannot
 * hold is its display name, e.g. `Binary` or `List[binary]`).
 */
export function polarsTypeNames(frame: DataFrame): string[] {
  return frame.columns.map((name) => {
    try {
      return String(frame.getColumn(name).dtype).replace(/^DataType\((.*)\)$/, "$1");
    } catch {
      return displayName(frame, name);
    }
  });
}

function variantOf(frame: DataFrame, name: string): string {
  try {
    return polarsName(String(frame.getColumn(name).dtype.variant));
  } catch {
    return displayName(frame, name).replace(/\[.*$/, "");
  }
}

// Polars' short display names of the types nodejs-polars cannot convert, and a few
// neighbours, as the variant names the rest of Kontra uses.
const VARIANTS: Record<string, Dtype> = {
  binary: "Binary",
  list: "List",
  array: "Array",
  struct: "Struct",
  i128: "Int128",
  u128: "UInt128",
  enum: "Enum",
  cat: "Categorical",
  object: "Object",
  decimal: "Decimal",
  str: "String",
  null: "Null",
};

/** `binary` → `Binary`, `list[binary]` → `List[binary]`, from the column's display. */
function displayName(frame: DataFrame, name: string): string {
  try {
    const display = frame.select(pl.col(name).alias("c")).getColumn("c").toString();
    const shown = /^Series: 'c' \[(.*)\]$/m.exec(display)?.[1];
    if (shown) {
      const [, head, rest] = /^([a-z0-9]+)(.*)$/.exec(shown) ?? [];
      const variant = head === undefined ? undefined : VARIANTS[head];
      if (variant) return `${variant}${rest}`;
    }
  } catch {
    // Fall through: a name is still better than failing the whole schema.
  }
  return "Unknown";
}

/** See the module doc: Parquet INTERVAL columns load as structs instead of panicking. */
function allowIntervalColumns(): void {
  try {
    if (Deno.env.get("POLARS_IMPORT_INTERVAL_AS_STRUCT") === undefined) {
      Deno.env.set("POLARS_IMPORT_INTERVAL_AS_STRUCT", "1");
    }
  } catch {
    // No env permission (an SDK caller's choice): such files then fail as before.
  }
}
