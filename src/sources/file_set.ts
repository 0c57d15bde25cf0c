/**
 * The files of one dataset (local or in S3) read as one: the union of their schemas
 * (file_schema.ts) from every Parquet footer or every CSV file's header and sample, the
 * footer statistics, and ONE lazy Polars scan of the columns asked for, which never
 * names a drifted column, so the other rules keep working when some files differ.
 *
 * Files whose schemas agree are scanned exactly as one file would be. When they differ:
 * Parquet through the same one glob, told to ignore columns outside the schema and,
 * when a column's width differs by file, the type to read it with (integers and floats
 * widen losslessly); timestamps of different units are read file by file and cast to the
 * finest, since a Polars scan only narrows them. CSV files are always read each with its
 * own header and the types inferred for the dataset.
 * @module
 */
import pl, { type DataType, type Expr, type LazyDataFrame } from "npm:nodejs-polars@0.25.2";
import { polarsColumns } from "../core/polars_types.ts";
import { DataSourceError, describeError } from "../core/errors.ts";
import type { ColumnInfo } from "../core/dataset.ts";
import { duckdb } from "../sql/duckdb.ts";
import {
  CSV_INFER_ROWS,
  type CsvInspection,
  inspectCsv,
  type RaggedRowsPolicy,
  raggedRowsReport,
} from "./csv_inspect.ts";
import { type DatasetSchema, polarsDataType, type ReadType, unionSchemas } from "./file_schema.ts";
import {
  type ByteRangeReader,
  footerStats,
  type ParquetFooter,
  readParquetFooters,
} from "./parquet_footer.ts";
import { parquetFileColumns } from "./parquet_types.ts";
import type { DatasetStats, Schema } from "../core/dataset.ts";

/** File formats Kontra reads. */
export type FileFormat = "parquet" | "csv";

/** One file of a dataset, wherever it is stored. */
export interface DataFile {
  /** What Polars scans: a local path or `s3://bucket/key`. */
  path: string;
  /** How messages name the file (its path below the dataset's directory or prefix). */
  name: string;
  /** Ranged reads, for the Parquet footer. */
  reader(): Promise<ByteRangeReader>;
  /** The whole file, chunk by chunk, for the CSV pass. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** How to read the files. */
export interface FileSetOptions {
  format: FileFormat;
  /** What ragged CSV rows do: `warn` (default) or `fail`. */
  raggedRows?: RaggedRowsPolicy;
  /** Polars' object-store options (S3). */
  cloudOptions?: Record<string, string>;
  /** A glob that names exactly these Parquet files, for ONE Polars scan (one_scan.ts). */
  glob?: string;
  /**
   * Local files: column types as Polars reads the first file (exact names for types a
   * footer alone cannot tell, e.g. Duration); otherwise the footers' types.
   */
  polarsTypes?: boolean;
}

/** What reading the files' schemas found. */
interface Layout {
  dataset: DatasetSchema;
  footers?: ParquetFooter[];
  csv?: CsvInspection[];
  warnings: string[];
}

// Widening casts a Parquet scan may make (never a narrowing one).
const WIDENING = { integerCast: "upcast", floatCast: "upcast", categoricalToString: "allow" };
// nodejs-polars' types lack the engine option; the streaming engine bounds memory.
// deno-lint-ignore no-explicit-any
const STREAMING = { engine: "streaming" } as any;
// The one column of a scan asked for no columns: it keeps every row.
const ROW_COLUMN = "__kontra_row";

/** The files of one dataset, read as one. */
export class FileSet {
  readonly files: readonly DataFile[];
  readonly format: FileFormat;
  readonly #options: FileSetOptions;
  #layout?: Promise<Layout>;
  #ready?: Layout;

  constructor(files: DataFile[], options: FileSetOptions) {
    this.files = files;
    this.format = options.format;
    this.#options = options;
  }

  /** The union of the files' schemas (read once). */
  async schema(): Promise<Schema> {
    return (await this.#read()).dataset.schema;
  }

  /** Footer statistics (Parquet), from the footers the schema was read from. */
  async stats(): Promise<DatasetStats | undefined> {
    if (this.files.length === 0) return { rows: 0, nullCount: () => 0 };
    const { footers } = await this.#read();
    return footers ? { ...footerStats(footers), files: footers.length } : undefined;
  }

  /** Problems found while reading the schemas that do not stop the run (ragged CSV rows). */
  get warnings(): readonly string[] {
    return this.#ready?.warnings ?? [];
  }

  /** True when every file has the same columns and types (known once the schema is read). */
  get uniform(): boolean {
    return this.#ready?.dataset.uniform ?? true;
  }

  /**
   * A lazy scan of `columns` (none: every row, no column to rely on). Read the schema
   * first: until then the files are scanned as if they all agreed.
   */
  scan(columns: string[]): LazyDataFrame {
    if (this.files.length === 0) return pl.DataFrame({}).lazy();
    return this.format === "csv" ? this.#scanCsv(columns) : this.#scanParquet(columns);
  }

  /**
   * The first file whose values of `columns` cannot be read on their own (a corrupt
   * page), to name it after a scan failed; undefined when each file reads. Each file is
   * read alone, stopping at the first that fails: at most one more pass.
   */
  failingFile(columns: string[]): string | undefined {
    if (columns.length === 0) return undefined;
    // Hashing every value makes Polars decode every page of the columns (the hash's type
    // is unknown to the planner until cast).
    const decode = columns.map((name, index) =>
      pl.col(name).hash(0, 0, 0, 0).cast(pl.UInt64).sum().alias(`__kontra_${index}`)
    );
    for (const [index, file] of this.files.entries()) {
      try {
        this.#scanFile(index, columns).select(...decode).collectSync(STREAMING);
      } catch {
        return file.name;
      }
    }
    return undefined;
  }

  /** A DuckDB table expression over `paths` (these files, or local copies of them). */
  duckdbFrom(paths: string[]): string {
    const list = `[${paths.map((path) => duckdb.literal(path)).join(", ")}]`;
    // Files that differ: columns by name, missing ones NULL, types widened.
    const union = this.uniform ? "" : ", union_by_name = true";
    if (this.format === "parquet") return `read_parquet(${list}${union})`;
    const ragged = this.#ready?.csv?.some((file) => file.ragged > 0) ? ", null_padding = true" : "";
    return `read_csv(${list}, auto_detect = true${union}${ragged})`;
  }

  #read(): Promise<Layout> {
    this.#layout ??= this.#readLayout().then((layout) => (this.#ready = layout));
    return this.#layout;
  }

  async #readLayout(): Promise<Layout> {
    if (this.files.length === 0) {
      return {
        dataset: { schema: { columns: [] }, uniform: true, readAs: new Map() },
        warnings: [],
      };
    }
    if (this.format === "csv") return await this.#readCsv();
    const footers = await readParquetFooters(
      await Promise.all(this.files.map(async (file) => ({
        name: file.name,
        reader: await file.reader(),
      }))),
    );
    const dataset = unionSchemas(
      footers.map((footer) => ({
        name: footer.name,
        columns: parquetFileColumns(footer.metadata),
      })),
    );
    if (this.#options.polarsTypes) dataset.schema.columns = this.#polarsTypes(dataset);
    return { dataset, footers, warnings: [] };
  }

  /** Each CSV file once: header, types from its first rows, ragged rows. */
  async #readCsv(): Promise<Layout> {
    const inspections: CsvInspection[] = [];
    for (const file of this.files) inspections.push(await inspectCsv(file.name, file.chunks()));
    const dataset = unionSchemas(
      inspections.map(({ name, columns }) => ({ name, columns })),
      { numbersAsFloat: true },
    );
    // A column with no value anywhere is text, as Polars infers it.
    dataset.schema.columns = dataset.schema.columns.map((column) =>
      column.dtype === "Null" ? { ...column, dtype: "String" } : column
    );
    const report = raggedRowsReport(inspections, this.#options.raggedRows ?? "warn");
    return { dataset, csv: inspections, warnings: report ? [report] : [] };
  }

  /**
   * The columns typed as Polars reads the first file (every column that did not drift
   * is in it); widened columns keep their widened type.
   */
  #polarsTypes(dataset: DatasetSchema): ColumnInfo[] {
    const first = this.files[0];
    let columns: ColumnInfo[];
    try {
      columns = polarsColumns(pl.scanParquet(first.path, this.#cloud()).limit(0).collectSync());
    } catch (error) {
      throw new DataSourceError(`${first.name}: cannot read parquet: ${describeError(error)}`, 3);
    }
    if (dataset.uniform) return columns;
    const polars = new Map(columns.map((column) => [column.name, column.dtype]));
    return dataset.schema.columns.map((column) =>
      dataset.readAs.has(column.name)
        ? column
        : { ...column, dtype: polars.get(column.name) ?? column.dtype }
    );
  }

  #scanParquet(columns: string[]): LazyDataFrame {
    const cloud = this.#cloud();
    const glob = this.#options.glob;
    const layout = this.#ready;
    if (layout === undefined || layout.dataset.uniform) {
      const scans = glob
        ? [pl.scanParquet(glob, cloud)]
        : this.files.map((file) => pl.scanParquet(file.path, cloud));
      return select(scans.length === 1 ? scans[0] : pl.concat(scans, { how: "vertical" }), columns);
    }
    const readAs = layout.dataset.readAs;
    const widened = columns.filter((column) => readAs.has(column));
    // Polars' scan widens integers and floats, but only narrows timestamps.
    if (glob && !widened.some((column) => readAs.get(column)!.dtype === "Datetime")) {
      const options = { ...cloud, extraColumns: "ignore" as const };
      if (widened.length === 0) return select(pl.scanParquet(glob, options), columns);
      const schema = this.#scanSchema(columns, readAs);
      if (schema) {
        // deno-lint-ignore no-explicit-any
        const castOptions = WIDENING as any;
        return select(pl.scanParquet(glob, { ...options, schema, castOptions }), columns);
      }
    }
    const parts = this.files.map((file) =>
      selectTyped(pl.scanParquet(file.path, cloud), columns, readAs)
    );
    return parts.length === 1 ? parts[0] : pl.concat(parts, { how: "vertical" });
  }

  /** The types to scan `columns` with, or undefined when one cannot be written down. */
  #scanSchema(
    columns: string[],
    readAs: Map<string, ReadType>,
  ): Record<string, DataType> | undefined {
    let first: Record<string, DataType> | undefined;
    const schema: Record<string, DataType> = {};
    for (const column of columns) {
      const read = readAs.get(column);
      let type = read ? polarsDataType(read) : undefined;
      if (!read) {
        first ??= this.#firstFileTypes();
        type = first[column];
      }
      if (type === undefined) return undefined;
      schema[column] = type;
    }
    return schema;
  }

  /** The Polars types of the first file's columns that JS can hold (not Binary). */
  #firstFileTypes(): Record<string, DataType> {
    const frame = pl.scanParquet(this.files[0].path, this.#cloud()).limit(0).collectSync();
    const types: Record<string, DataType> = {};
    for (const name of frame.columns) {
      try {
        types[name] = frame.getColumn(name).dtype;
      } catch {
        // A type nodejs-polars cannot hand to JS: that column is scanned file by file.
      }
    }
    return types;
  }

  #scanCsv(columns: string[]): LazyDataFrame {
    const parts = this.files.map((_, index) =>
      // Files may order their columns differently: each is projected before the union.
      this.files.length === 1
        ? select(this.#csvFile(index), columns)
        : selectTyped(this.#csvFile(index), columns)
    );
    return parts.length === 1 ? parts[0] : pl.concat(parts, { how: "vertical" });
  }

  /** One CSV file, read with the types the dataset gives its columns. */
  #csvFile(index: number): LazyDataFrame {
    const layout = this.#ready;
    return pl.scanCSV(this.files[index].path, {
      ...this.#cloud(),
      // Ragged rows (reported when the schema was read): extra fields are dropped.
      truncateRaggedLines: true,
      ...(layout?.csv
        ? { schema: csvSchema(layout.csv[index], layout.dataset) }
        : { inferSchemaLength: CSV_INFER_ROWS }),
    });
  }

  /** `columns` of one file, typed as the dataset reads them. */
  #scanFile(index: number, columns: string[]): LazyDataFrame {
    const frame = this.format === "csv"
      ? this.#csvFile(index)
      : pl.scanParquet(this.files[index].path, this.#cloud());
    return selectTyped(frame, columns, this.#ready?.dataset.readAs);
  }

  #cloud(): { cloudOptions?: Record<string, string> } {
    const cloudOptions = this.#options.cloudOptions;
    return cloudOptions ? { cloudOptions } : {};
  }
}

/** `frame` limited to `columns`; no columns keeps the whole frame (and so every row). */
function select(frame: LazyDataFrame, columns: string[]): LazyDataFrame {
  return columns.length === 0 ? frame : frame.select(...columns.map((name) => pl.col(name)));
}

/**
 * `columns` of one file, cast to the dataset's types; no columns gives one constant
 * column, so a union of files that differ still has every row and one schema.
 */
function selectTyped(
  frame: LazyDataFrame,
  columns: string[],
  readAs: Map<string, ReadType> = new Map(),
): LazyDataFrame {
  if (columns.length === 0) {
    return frame.withColumns(pl.lit(true).alias(ROW_COLUMN)).select(ROW_COLUMN);
  }
  return frame.select(...columns.map((name): Expr => {
    const read = readAs.get(name);
    const type = read ? polarsDataType(read) : undefined;
    return type ? pl.col(name).cast(type) : pl.col(name);
  }));
}

/**
 * The schema one CSV file is scanned with: its own header, each column typed as the
 * dataset reads it (text where there is no one type: drifted columns are never read).
 */
function csvSchema(file: CsvInspection, dataset: DatasetSchema): Record<string, DataType> {
  const types = new Map(dataset.schema.columns.map((column) => [column.name, column.dtype]));
  return Object.fromEntries(file.columns.map(({ name }) => {
    const read = dataset.readAs.get(name) ??
      (types.has(name) ? { dtype: types.get(name)! } : undefined);
    const type = read && read.dtype !== "Null" ? polarsDataType(read) : undefined;
    return [name, type ?? pl.String];
  }));
}
