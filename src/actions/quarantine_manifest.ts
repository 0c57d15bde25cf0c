/**
 * `_manifest.json`, written beside quarantined data as the last step: the schema and
 * its SHA-256, the row count (in total and per rule), each file's size and SHA-256, the
 * rule ids, the Kontract and run fingerprints and the Kontra version. The writer and
 * `kontra quarantine verify` compute these facts with the same code
 * ({@linkcode inspectFiles}), so a verification recomputes exactly what was recorded.
 * @module
 */
import { createHash } from "node:crypto";
import pl, { type DataType } from "npm:nodejs-polars@0.25.2";
import { z } from "npm:zod@4.6.7";
import { polarsTypeNames } from "../core/polars_types.ts";
import { scrubSecrets, scrubSecretsDeep } from "../core/secrets.ts";
import { REASON_COLUMN, RULE_ID_COLUMN } from "../sources/violating_rows.ts";
import { fingerprint, sortKeys } from "../core/canonical.ts";
import type { QuarantineFormat } from "../kontract/actions_spec.ts";

/** The manifest's file name. Its presence marks a complete run directory. */
export const MANIFEST_NAME = "_manifest.json";
/** The version of the manifest's layout. */
export const MANIFEST_VERSION = 1;

/** A column of the quarantined rows. */
export interface ManifestColumn {
  /** The column's name. */
  name: string;
  /** The Polars type, e.g. `Int64`, `Datetime(us,UTC)`. */
  type: string;
}

/** One data file of a run directory. */
export interface ManifestFile {
  /** The file's name in the run directory, e.g. `part-00000.parquet`. */
  name: string;
  /** Its size. */
  bytes: number;
  /** Rows it holds. */
  rows: number;
  /** Hex SHA-256 of its bytes. */
  sha256: string;
}

/** The content of `_manifest.json`. */
export interface QuarantineManifest {
  /** The layout's version: 1. */
  manifest_version: 1;
  /** The Kontra version that wrote the run. */
  kontra_version: string;
  /** The Kontract's name and fingerprint. */
  kontract: { name: string; fingerprint: string };
  /** The dataset (redacted URI) and the SHA-256 of its identity, when the source has one. */
  dataset: { uri: string; identity_sha256: string | null };
  /** Hash of the Kontract fingerprint, the data's identity and the format: the directory's name. */
  run_fingerprint: string;
  /** The data files' format. */
  format: QuarantineFormat;
  /** The columns of the data files, in order. */
  schema: ManifestColumn[];
  /** SHA-256 of the schema's canonical JSON. */
  schema_sha256: string;
  /** Rows in all data files. */
  rows: number;
  /** Rules whose violating rows were looked for, sorted. */
  rule_ids: string[];
  /** Rows per `_violated_rule_id`, keys sorted. */
  rows_per_rule: Record<string, number>;
  /** The data files, in order. */
  files: ManifestFile[];
  /** Rules left out and why. */
  notes: string[];
}

const count = z.number().int().nonnegative();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** zod model of {@linkcode QuarantineManifest}; its key order is the file's. */
export const QuarantineManifestModel: z.ZodType<QuarantineManifest> = z.strictObject({
  manifest_version: z.literal(MANIFEST_VERSION),
  kontra_version: z.string(),
  kontract: z.strictObject({ name: z.string(), fingerprint: z.string() }),
  dataset: z.strictObject({ uri: z.string(), identity_sha256: sha256.nullable() }),
  run_fingerprint: sha256,
  format: z.enum(["parquet", "csv"]),
  schema: z.array(z.strictObject({ name: z.string(), type: z.string() })),
  schema_sha256: sha256,
  rows: count,
  rule_ids: z.array(z.string()),
  rows_per_rule: z.record(z.string(), count),
  files: z.array(
    z.strictObject({ name: z.string(), bytes: count, rows: count, sha256 }),
  ),
  notes: z.array(z.string()),
});

/**
 * The manifest as bytes: canonical key order, 2-space indent, trailing newline, every
 * registered secret scrubbed (a manifest outlives the run and is read by others).
 */
export function renderManifest(manifest: QuarantineManifest): string {
  const parsed = QuarantineManifestModel.parse(scrubSecretsDeep(manifest));
  parsed.rows_per_rule = sortKeys(parsed.rows_per_rule) as Record<string, number>;
  return scrubSecrets(JSON.stringify(parsed, null, 2)) + "\n";
}

/** SHA-256 of a schema: its canonical JSON (names and types, in column order). */
export function schemaChecksum(schema: ManifestColumn[]): string {
  return fingerprint(schema.map(({ name, type }) => ({ name, type })));
}

/**
 * The run fingerprint: the Kontract, the data's identity and the format. Without an
 * identity, the dataset URI and the data files' checksums stand in for it.
 */
export function runFingerprint(parts: {
  kontractFingerprint: string;
  identitySha256: string | null;
  uri: string;
  format: QuarantineFormat;
  fileSha256s: string[];
}): string {
  return fingerprint({
    kontract: parts.kontractFingerprint,
    format: parts.format,
    data: parts.identitySha256 ?? { uri: parts.uri, files: parts.fileSha256s },
  });
}

/** A Polars type as the manifest writes it: `Int64`, `Datetime(us,UTC)`. */
export function typeName(dtype: DataType): string {
  return String(dtype).replace(/^DataType\((.*)\)$/, "$1");
}

/** What the data files of a run hold, computed from the files themselves. */
export interface FileFacts {
  /** Columns in file order; `type` is null for CSV, which carries no types. */
  schema: { name: string; type: string | null }[];
  files: ManifestFile[];
  rows: number;
  rowsPerRule: Record<string, number>;
}

/** What one data file holds. */
export interface FileInspection {
  file: ManifestFile;
  schema: FileFacts["schema"];
  rowsPerRule: Record<string, number>;
}

/** Reads one file: size, SHA-256, schema, rows and rows per rule id. Throws if unreadable. */
export async function inspectFile(
  dir: string,
  name: string,
  format: QuarantineFormat,
): Promise<FileInspection> {
  const { bytes, sha256 } = await digestFile(`${dir}/${name}`);
  const { schema, rows, rowsPerRule } = readContents(`${dir}/${name}`, format);
  return { file: { name, bytes, rows, sha256 }, schema, rowsPerRule };
}

/** A file's size and SHA-256. */
export async function digestFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const { size } = await Deno.stat(path);
  return { bytes: size, sha256: await sha256File(path) };
}

/** A data file's schema, rows and rows per rule id, read with Polars. Throws if unreadable. */
export function readContents(
  path: string,
  format: QuarantineFormat,
): Omit<FileInspection, "file"> & { rows: number } {
  const scan = format === "parquet"
    ? pl.scanParquet(path)
    : pl.scanCSV(path, { inferSchemaLength: 0, hasHeader: true });
  const empty = scan.limit(0).collectSync();
  // Column by column: `dtypes` throws on a type JS cannot hold (Binary, a UUID).
  const types = format === "parquet" ? polarsTypeNames(empty) : [];
  const schema = empty.columns.map((column, index) => ({
    name: column,
    type: format === "parquet" ? types[index] : null,
  }));
  const rowsPerRule: Record<string, number> = {};
  let rows = 0;
  if (empty.columns.includes(RULE_ID_COLUMN)) {
    const counts = scan.groupBy(RULE_ID_COLUMN).agg(pl.len().alias("rows")).collectSync();
    for (const { [RULE_ID_COLUMN]: id, rows: n } of counts.toRecords()) {
      const key = id === null ? "<null>" : String(id);
      rowsPerRule[key] = (rowsPerRule[key] ?? 0) + Number(n);
      rows += Number(n);
    }
  } else {
    rows = Number(scan.select(pl.len().alias("rows")).collectSync().getColumn("rows").get(0));
  }
  return { schema, rows, rowsPerRule };
}

/** Inspects every file of a run and sums them up. Throws if a file is unreadable. */
export async function inspectFiles(
  dir: string,
  names: string[],
  format: QuarantineFormat,
): Promise<FileFacts> {
  const inspected = [];
  for (const name of names) inspected.push(await inspectFile(dir, name, format));
  return summarizeFiles(inspected);
}

/** Sums inspections: the first file's schema, total rows, rows per rule. */
export function summarizeFiles(inspected: FileInspection[]): FileFacts {
  const rowsPerRule: Record<string, number> = {};
  for (const { rowsPerRule: counts } of inspected) {
    for (const [id, n] of Object.entries(counts)) rowsPerRule[id] = (rowsPerRule[id] ?? 0) + n;
  }
  return {
    schema: inspected[0]?.schema ?? [],
    files: inspected.map(({ file }) => file),
    rows: inspected.reduce((sum, { file }) => sum + file.rows, 0),
    rowsPerRule,
  };
}

/** The columns every quarantine file ends with. */
export const LABEL_COLUMNS = [RULE_ID_COLUMN, REASON_COLUMN];

/** Hex SHA-256 of a file, read in chunks. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  const buffer = new Uint8Array(1 << 20);
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}

/** Hex SHA-256 of a string. */
export function sha256Text(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
