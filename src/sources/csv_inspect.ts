/**
 * One pass over each CSV file of a dataset before any rule reads it: its header and the
 * types Polars infers from its first rows (a bounded sample), and its ragged rows (more
 * or fewer fields than the header), counted over the whole file. The types become the
 * schema every later scan reads the file with, so the scan and the schema never
 * disagree; ragged rows are reported, or stop the run (`csv: { ragged_rows: fail }`).
 * @module
 */
import { Buffer } from "node:buffer";
import pl from "npm:nodejs-polars@0.25.2";
import { DataSourceError, describeError } from "../core/errors.ts";
import { CsvRecordCounter, type RaggedRow } from "./csv_records.ts";
import { type FileColumn, nameFiles } from "./file_schema.ts";

/** Polars infers CSV types from the first rows; more rows make a wrong guess rarer. */
export const CSV_INFER_ROWS = 10_000;
// The sample the types are inferred from: the first whole records within this size.
const SAMPLE_BYTES = 8 * 1024 * 1024;

/** What to do with ragged rows: report them (`warn`, the default) or stop the run. */
export type RaggedRowsPolicy = "warn" | "fail";

/** What one pass over a CSV file found. */
export interface CsvInspection {
  /** The file as messages name it. */
  name: string;
  /** The header's columns with the types inferred from the sample (`Null`: no value seen). */
  columns: FileColumn[];
  /** Records after the header whose field count differs from the header's. */
  ragged: number;
  /** The first of them. */
  firstRagged?: RaggedRow;
  /** Fields in the header. */
  headerFields: number;
}

/** Reads a CSV file once: types from its first records, ragged rows from all of them. */
export async function inspectCsv(
  name: string,
  chunks: AsyncIterable<Uint8Array>,
): Promise<CsvInspection> {
  const counter = new CsvRecordCounter();
  const sample: Uint8Array[] = [];
  let sampled = 0;
  let sampleEnd = 0;
  for await (const chunk of chunks) {
    let rest = chunk;
    if (sampled < SAMPLE_BYTES) {
      const head = chunk.slice(0, SAMPLE_BYTES - sampled);
      sample.push(head);
      sampled += head.length;
      counter.push(head);
      sampleEnd = counter.recordEnd;
      rest = chunk.subarray(head.length);
    }
    if (rest.length > 0) counter.push(rest);
  }
  counter.finish();
  // A file smaller than the sample is read whole; a larger one up to its last whole record.
  const bytes = concatBytes(sample, sampled < SAMPLE_BYTES ? sampled : sampleEnd);
  return {
    name,
    columns: inferTypes(name, bytes),
    ragged: counter.ragged,
    firstRagged: counter.firstRagged,
    headerFields: counter.headerFields ?? 0,
  };
}

/** The first `length` bytes of `chunks` as one array. */
function concatBytes(chunks: Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= length) break;
    const part = chunk.subarray(0, length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** The header's columns and the types Polars infers from these bytes. */
function inferTypes(name: string, bytes: Uint8Array): FileColumn[] {
  try {
    const frame = pl.readCSV(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), {
      inferSchemaLength: CSV_INFER_ROWS,
      truncateRaggedLines: true,
      hasHeader: true,
    });
    return frame.columns.map((column) => {
      const series = frame.getColumn(column);
      // No value to infer from: Polars says String, but any type would fit.
      const dtype = series.nullCount() === frame.height ? "Null" : String(series.dtype.variant);
      return { name: column, dtype, detail: dtype };
    });
  } catch (error) {
    throw new DataSourceError(
      `${name}: cannot read the CSV header and types: ${describeError(error)}`,
      3,
    );
  }
}

/**
 * The one-line report of the dataset's ragged rows, or undefined when there are none.
 * `fail` makes it an error (exit 3); `warn` returns it as a warning.
 */
export function raggedRowsReport(
  inspections: CsvInspection[],
  policy: RaggedRowsPolicy,
): string | undefined {
  const ragged = inspections.filter((inspection) => inspection.ragged > 0);
  if (ragged.length === 0) return undefined;
  const total = ragged.reduce((sum, inspection) => sum + inspection.ragged, 0);
  const where = nameFiles(
    ragged.map(({ name, ragged, firstRagged, headerFields }) =>
      `${name}: ${ragged} (first at line ${firstRagged!.line}: ${firstRagged!.fields} fields, ` +
      `header ${headerFields})`
    ),
  );
  const text = `${total} ragged CSV row${total === 1 ? "" : "s"} ` +
    `(a field count other than the header's) in ${where}`;
  if (policy === "fail") {
    throw new DataSourceError(`${text}; csv.ragged_rows is fail`, 3);
  }
  return `${text}: extra fields are ignored and missing ones read as NULL ` +
    `(csv: { ragged_rows: fail } stops the run instead)`;
}
