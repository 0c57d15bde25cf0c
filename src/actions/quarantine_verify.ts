/**
 * `kontra quarantine verify <location>`: recomputes everything a `_manifest.json`
 * records (file sizes and SHA-256s, schema and its checksum, rows in total and per
 * rule, the run fingerprint) from the files themselves and reports every mismatch:
 * a changed schema, a truncated or edited file, a missing or unexpected file.
 *
 * The location may be one run directory or any directory above run directories
 * (the quarantine root, or one Kontract's directory); local or `s3://`. A location that
 * does not exist (no such directory, an S3 prefix holding nothing, no such bucket) or is
 * not a directory is an error (exit 2); what cannot be read is exit 3. Only regular files
 * are read, the manifest at most {@linkcode MAX_MANIFEST_BYTES}.
 * @module
 */
import { basename } from "node:path";
import { BoundedReadError, readBoundedTextFile } from "../core/bounded_read.ts";
import { printable } from "../core/printable.ts";
import { DataSourceError, describeError } from "../core/errors.ts";
import type { Environment } from "../core/environment.ts";
import {
  digestFile,
  type FileInspection,
  MANIFEST_NAME,
  type QuarantineManifest,
  QuarantineManifestModel,
  readContents,
  runFingerprint,
  schemaChecksum,
  summarizeFiles,
} from "./quarantine_manifest.ts";
import { STAGING_PREFIX } from "./quarantine_sink.ts";
import { s3Access, s3Error } from "../sources/s3_access.ts";
import { S3Failure } from "../sources/s3_request.ts";
import { downloadFile, listKeys, s3Prefix } from "./s3_store.ts";
import { makeTempDir, removeTempDir } from "../core/temp_dirs.ts";

/** The verdict on one run directory. */
export interface RunVerification {
  /** The run directory. */
  location: string;
  /** True when nothing differs from the manifest. */
  ok: boolean;
  /** Rows the manifest records (when it could be read). */
  rows?: number;
  /** Data files the manifest lists (when it could be read). */
  files?: number;
  /** One line per mismatch, e.g. `part-00000.parquet: content changed (SHA-256 differs)`. */
  problems: string[];
}

/** The verdict on a location: intact only when every run under it is. */
export interface QuarantineVerification {
  /** The location as given. */
  location: string;
  /** True when every run is intact (and there is at least one). */
  ok: boolean;
  /** One verdict per run directory, in path order. */
  runs: RunVerification[];
}

/** How deep below the location run directories are looked for (root/kontract/run). */
const MAX_DEPTH = 3;
/** The largest `_manifest.json` read (a manifest lists files: kilobytes). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const DATA_FILE = /\.(parquet|csv)$/;

/**
 * Verifies every quarantine run at or under `location` (a local directory or
 * `s3://bucket/prefix/`; credentials from `env`). Throws a `DataSourceError` (exit
 * 2) when the location does not exist.
 *
 * @example
 * ```ts
 * import { verifyQuarantine } from "@kontra/kontra";
 * const report = await verifyQuarantine("dlq/");
 * if (!report.ok) console.error(report.runs.flatMap((run) => run.problems));
 * ```
 */
export async function verifyQuarantine(
  location: string,
  options: { env?: Environment } = {},
): Promise<QuarantineVerification> {
  const runs = /^s3:\/\//i.test(location)
    ? await verifyS3(location, options.env ?? Deno.env.toObject())
    : await verifyLocal(location.startsWith("file://") ? new URL(location).pathname : location);
  if (runs.length === 0) {
    runs.push({ location, ok: false, problems: ["no quarantine run (no _manifest.json) found"] });
  }
  return { location, ok: runs.every((run) => run.ok), runs };
}

async function verifyLocal(root: string): Promise<RunVerification[]> {
  const where = printable(root);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new DataSourceError(`${where}: no such quarantine location`, 2);
    }
    throw new DataSourceError(`${where}: cannot read: ${osReason(error)}`, 3);
  }
  if (!info.isDirectory) {
    throw new DataSourceError(
      `${where}: not a directory; name a quarantine location (a directory or s3:// prefix)`,
      2,
    );
  }
  const runs: RunVerification[] = [];
  try {
    for (const dir of await runDirectories(root.replace(/\/+$/, "") || "/", 0)) {
      runs.push(await verifyRun(dir, `${dir}/`, basename(dir)));
    }
  } catch (error) {
    if (error instanceof DataSourceError) throw error;
    throw new DataSourceError(`${where}: cannot read: ${osReason(error)}`, 3);
  }
  return runs;
}

/** The OS's reason without the path it quotes (the caller names the path its own way). */
function osReason(error: unknown): string {
  return describeError(error).replace(/:\s*\w+ '.*$/, "").replace(/ \(os error \d+\)/, "");
}

/** Directories holding a manifest or data files, at most {@linkcode MAX_DEPTH} below. */
async function runDirectories(dir: string, depth: number): Promise<string[]> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Not only regular files: a pipe named like a run file is reported, not skipped.
  if (entries.some((entry) => !entry.isDirectory && isRunFile(entry.name))) return [dir];
  if (depth >= MAX_DEPTH) return [];
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory && !entry.name.startsWith(STAGING_PREFIX)) {
      found.push(...await runDirectories(`${dir}/${entry.name}`, depth + 1));
    }
  }
  return found;
}

function isRunFile(name: string): boolean {
  return name === MANIFEST_NAME || DATA_FILE.test(name);
}

async function verifyS3(location: string, env: Environment): Promise<RunVerification[]> {
  const { bucket, prefix } = s3Prefix(location);
  const { client } = s3Access(env);
  try {
    let keys: string[];
    try {
      keys = await listKeys(client, bucket, prefix);
    } catch (error) {
      if (error instanceof S3Failure && error.facts.code === "NoSuchBucket") {
        throw new DataSourceError(`${location}: no such quarantine location (no bucket)`, 2);
      }
      throw s3Error(`cannot list ${location}`, error);
    }
    // S3 has no directories: a prefix holding nothing does not exist.
    if (keys.length === 0) throw new DataSourceError(`${location}: no such quarantine location`, 2);
    // A run prefix is the "directory" of a manifest or data file.
    const byRun = new Map<string, string[]>();
    for (const key of keys) {
      const slash = key.lastIndexOf("/");
      const [runPrefix, name] = [key.slice(0, slash + 1), key.slice(slash + 1)];
      if (!isRunFile(name) || runPrefix.includes(`/${STAGING_PREFIX}`)) continue;
      byRun.set(runPrefix, [...(byRun.get(runPrefix) ?? []), name]);
    }
    const runs: RunVerification[] = [];
    for (const [runPrefix] of [...byRun].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const dir = await makeTempDir({ prefix: "kontra-verify-" });
      try {
        for (const key of keys.filter((key) => key.startsWith(runPrefix))) {
          const name = key.slice(runPrefix.length);
          if (name.includes("/")) continue;
          await downloadFile(client, bucket, key, `${dir}/${name}`).catch((error) =>
            Promise.reject(s3Error(`cannot read s3://${bucket}/${key}`, error))
          );
        }
        const runName = runPrefix.replace(/\/$/, "").split("/").pop() ?? "";
        runs.push(await verifyRun(dir, `s3://${bucket}/${runPrefix}`, runName));
      } finally {
        await removeTempDir(dir);
      }
    }
    return runs;
  } finally {
    client.destroy();
  }
}

/** Verifies one run directory (local, or downloaded into `dir`), named `runName`. */
export async function verifyRun(
  dir: string,
  label: string,
  runName: string,
): Promise<RunVerification> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  names.sort();
  if (!names.includes(MANIFEST_NAME)) {
    return { location: label, ok: false, problems: [`missing ${MANIFEST_NAME}`] };
  }
  let manifest: QuarantineManifest;
  try {
    const text = await readBoundedTextFile(`${dir}/${MANIFEST_NAME}`, MAX_MANIFEST_BYTES)
      .catch((error) => {
        throw error instanceof BoundedReadError ? new Error(`it ${error.message}`) : error;
      });
    const parsed = QuarantineManifestModel.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new Error(`${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    manifest = parsed.data;
  } catch (error) {
    return {
      location: label,
      ok: false,
      problems: [`${MANIFEST_NAME} is not a valid manifest: ${describeError(error)}`],
    };
  }
  const problems = await compare(dir, names, manifest, runName);
  return {
    location: label,
    ok: problems.length === 0,
    rows: manifest.rows,
    files: manifest.files.length,
    problems,
  };
}

async function compare(
  dir: string,
  names: string[],
  manifest: QuarantineManifest,
  runName: string,
): Promise<string[]> {
  const problems: string[] = [];
  const listed = new Set(manifest.files.map((file) => file.name));
  for (const name of names) {
    if (name !== MANIFEST_NAME && !listed.has(name)) problems.push(`${name}: not in the manifest`);
  }
  const inspected: FileInspection[] = [];
  for (const recorded of manifest.files) {
    if (!names.includes(recorded.name)) {
      problems.push(`${recorded.name}: missing`);
      continue;
    }
    const path = `${dir}/${recorded.name}`;
    // A named pipe or a device in its place would be read forever.
    if (!(await Deno.lstat(path)).isFile) {
      problems.push(`${recorded.name}: not a regular file`);
      continue;
    }
    const { bytes, sha256 } = await digestFile(path);
    if (bytes !== recorded.bytes) {
      problems.push(`${recorded.name}: size ${bytes} bytes, manifest says ${recorded.bytes}`);
    }
    if (sha256 !== recorded.sha256) {
      problems.push(`${recorded.name}: content changed (SHA-256 differs)`);
    }
    let found: FileInspection;
    try {
      const contents = readContents(path, manifest.format);
      found = { file: { name: recorded.name, bytes, rows: contents.rows, sha256 }, ...contents };
    } catch (error) {
      problems.push(`${recorded.name}: unreadable (${describeError(error)})`);
      continue;
    }
    inspected.push(found);
    if (found.file.rows !== recorded.rows) {
      problems.push(`${recorded.name}: ${found.file.rows} rows, manifest says ${recorded.rows}`);
    }
    problems.push(...schemaProblems(recorded.name, found.schema, manifest));
  }
  if (schemaChecksum(manifest.schema) !== manifest.schema_sha256) {
    problems.push("schema checksum does not match the manifest's schema");
  }
  const recordedRows = manifest.files.reduce((sum, file) => sum + file.rows, 0);
  if (recordedRows !== manifest.rows) {
    problems.push(`manifest: files hold ${recordedRows} rows, total says ${manifest.rows}`);
  }
  if (inspected.length === manifest.files.length) {
    const facts = summarizeFiles(inspected);
    const ids = new Set([
      ...Object.keys(facts.rowsPerRule),
      ...Object.keys(manifest.rows_per_rule),
    ]);
    for (const id of [...ids].sort()) {
      const actual = facts.rowsPerRule[id] ?? 0;
      const recorded = manifest.rows_per_rule[id] ?? 0;
      if (actual !== recorded) {
        problems.push(`rule ${id}: ${actual} rows, manifest says ${recorded}`);
      }
      if (actual > 0 && !manifest.rule_ids.includes(id)) {
        problems.push(`rule ${id}: not among the manifest's rule ids`);
      }
    }
  }
  const expectedRun = runFingerprint({
    kontractFingerprint: manifest.kontract.fingerprint,
    identitySha256: manifest.dataset.identity_sha256,
    uri: manifest.dataset.uri,
    format: manifest.format,
    fileSha256s: manifest.files.map((file) => file.sha256),
  });
  if (expectedRun !== manifest.run_fingerprint) {
    problems.push("run fingerprint does not match the manifest's Kontract and data");
  }
  if (runName !== manifest.run_fingerprint) {
    problems.push(`directory name is not the run fingerprint ${manifest.run_fingerprint}`);
  }
  return problems;
}

/** Column names (and, for Parquet, types) against the manifest's schema. */
function schemaProblems(
  name: string,
  schema: FileInspection["schema"],
  manifest: QuarantineManifest,
): string[] {
  const problems: string[] = [];
  const expected = manifest.schema;
  const actualNames = schema.map((column) => column.name);
  const missing = expected.filter((column) => !actualNames.includes(column.name));
  const extra = actualNames.filter((column) => !expected.some((e) => e.name === column));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`missing ${missing.map((c) => c.name).join(", ")}`] : []),
      ...(extra.length > 0 ? [`unexpected ${extra.join(", ")}`] : []),
    ];
    problems.push(`${name}: schema changed: ${parts.join("; ")}`);
  } else if (actualNames.join("\u0000") !== expected.map((c) => c.name).join("\u0000")) {
    problems.push(`${name}: schema changed: columns reordered`);
  }
  if (manifest.format === "parquet") {
    for (const column of schema) {
      const recorded = expected.find((e) => e.name === column.name);
      if (recorded && column.type !== recorded.type) {
        problems.push(
          `${name}: schema changed: ${column.name} is ${column.type}, manifest says ${recorded.type}`,
        );
      }
    }
    const actual = schema.map((column) => ({ name: column.name, type: column.type ?? "" }));
    if (problems.length === 0 && schemaChecksum(actual) !== manifest.schema_sha256) {
      problems.push(`${name}: schema checksum differs from the manifest's`);
    }
  }
  return problems;
}
