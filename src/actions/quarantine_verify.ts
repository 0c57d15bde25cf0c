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
import { osReason } from "../storage/local.ts";
import { openStorage } from "../storage/open_storage.ts";
import {
  STAGING_PREFIX,
  type Storage,
  StorageError,
  type StoredObject,
} from "../storage/storage.ts";
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
  const storage = await openStorage(location, options.env ?? Deno.env.toObject());
  let runs: RunVerification[];
  try {
    runs = await verifyStorage(storage);
  } finally {
    storage.close();
  }
  if (runs.length === 0) {
    runs.push({ location, ok: false, problems: ["no quarantine run (no _manifest.json) found"] });
  }
  return { location, ok: runs.every((run) => run.ok), runs };
}

/** Every run under the storage's root, read in place or downloaded first. */
async function verifyStorage(storage: Storage): Promise<RunVerification[]> {
  const where = printable(storage.uri);
  let objects: StoredObject[];
  try {
    objects = await storage.list("", { maxDepth: MAX_DEPTH });
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (error.problem === "not_found") {
      throw new DataSourceError(`${where}: no such quarantine location`, 2);
    }
    if (error.problem === "no_bucket") {
      throw new DataSourceError(`${where}: no such quarantine location (no bucket)`, 2);
    }
    if (error.problem === "not_directory") {
      throw new DataSourceError(
        `${where}: not a directory; name a quarantine location (a directory or s3:// prefix)`,
        2,
      );
    }
    throw error;
  }
  // Where folders exist only through their objects (S3), a prefix holding nothing does not exist.
  if (objects.length === 0 && !storage.folders) {
    throw new DataSourceError(`${where}: no such quarantine location`, 2);
  }
  const runs: RunVerification[] = [];
  for (const run of runFolders(objects)) {
    const label = storage.describe(run);
    const runName = run.replace(/\/$/, "").split("/").pop() || baseName(storage.describe(""));
    const inPlace = storage.localPath(run);
    if (inPlace !== undefined) {
      try {
        runs.push(await verifyRun(inPlace.replace(/\/+$/, "") || "/", label, runName));
      } catch (error) {
        if (error instanceof DataSourceError) throw error;
        throw new DataSourceError(`${where}: cannot read: ${osReason(error)}`, 3);
      }
      continue;
    }
    const dir = await makeTempDir({ prefix: "kontra-verify-" });
    try {
      for (const object of objects) {
        const name = object.key.slice(run.length);
        if (!object.key.startsWith(run) || name.includes("/")) continue;
        await storage.download(object.key, `${dir}/${name}`);
      }
      runs.push(await verifyRun(dir, label, runName));
    } finally {
      await removeTempDir(dir);
    }
  }
  return runs;
}

/**
 * The run folders among the listed objects, in key order: folders holding a manifest or
 * a data file, at most {@linkcode MAX_DEPTH} below the root, never inside another run
 * or a staging folder.
 */
function runFolders(objects: StoredObject[]): string[] {
  const folders = new Set<string>();
  for (const object of objects) {
    const slash = object.key.lastIndexOf("/");
    const [folder, name] = [object.key.slice(0, slash + 1), object.key.slice(slash + 1)];
    const staging = folder.split("/").some((part) => part.startsWith(STAGING_PREFIX));
    // Not only regular files: a pipe named like a run file is reported, not skipped.
    if (isRunFile(name) && !staging) folders.add(folder);
  }
  const sorted = [...folders].sort();
  return sorted.filter((folder) =>
    !sorted.some((other) => other !== folder && folder.startsWith(other))
  );
}

function baseName(path: string): string {
  return path.replace(/\/+$/, "").split("/").pop() ?? "";
}

function isRunFile(name: string): boolean {
  return name === MANIFEST_NAME || DATA_FILE.test(name);
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
