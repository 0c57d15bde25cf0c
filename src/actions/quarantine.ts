/**
 * The quarantine action: writes the rows that violate row-level rules (`not_null`,
 * `unique`, `allowed_values`, `regex`, traceable `custom_sql_check` rows, and custom
 * rules with a row predicate) to `<location>/<kontract>/<run fingerprint>/`, with all
 * original columns plus `_violated_rule_id` and `_error_reason`, and a `_manifest.json`
 * beside them. Dataset-level failures (`min_rows`, `dtype`, a missing column) are
 * reported by validation, not quarantined.
 *
 * Deterministic and idempotent: rows in source order then rule id; the run fingerprint
 * hashes the Kontract and the data's identity, so running twice on the same data
 * writes the same bytes to the same place. Atomic: everything is staged and then
 * published by the sink; nothing half-written is left behind.
 * @module
 */
import { polarsColumns, polarsTypeNames } from "../core/polars_types.ts";
import { scrubSecrets } from "../core/secrets.ts";
import { capabilitiesOf } from "../engine/capabilities.ts";
import { measureModule } from "../engine/measures/registry.ts";
import { planRules } from "../engine/plan.ts";
import type { Plan, PlannedRule } from "../engine/plan_model.ts";
import { compareIds, violatingRows } from "../engine/violating_rows.ts";
import type { RowRule, ViolatingRows } from "../sources/violating_rows.ts";
import type { Kontract } from "../kontract/load.ts";
import type { ActionResult, ResultDocument } from "../report/result.ts";
import type { Source } from "../sources/source.ts";
import { VERSION } from "../core/version.ts";
import {
  inspectFiles,
  MANIFEST_NAME,
  type ManifestColumn,
  type QuarantineManifest,
  renderManifest,
  runFingerprint,
  schemaChecksum,
  sha256Text,
} from "./quarantine_manifest.ts";
import { openStorageSink, type QuarantineSink } from "./quarantine_sink.ts";
import type { QuarantineConfig, QuarantineFormat } from "../kontract/actions_spec.ts";

/** Everything the quarantine needs. */
export interface QuarantineRequest {
  kontract: Kontract;
  /** The validation result: which rules failed. */
  document: ResultDocument;
  /** The data, open. */
  source: Source;
  /**
   * The plan the validation run followed: its rules (measures, columns, tiers) are the
   * ones quarantined. Without it (tools, tests) the rules are planned against the schema.
   */
  plan?: Pick<Plan, "rules">;
  config: QuarantineConfig;
  /** Aborted on timeout: nothing is published afterwards. */
  signal?: AbortSignal;
  /** The sink for a location; defaults to {@linkcode openQuarantineSink}. */
  openSink?: (config: QuarantineConfig, kontract: Kontract) => Promise<QuarantineSink>;
}

/** Writes the violating rows and the manifest; returns the action's result. */
export async function runQuarantine(request: QuarantineRequest): Promise<ActionResult> {
  const { kontract, document, source, config, signal } = request;
  const schema = await source.schema();
  const planned = request.plan?.rules ??
    planRules(kontract, schema, undefined, capabilitiesOf(source)).rules;
  const rules = failingRowRules(planned, document);
  if (rules.length === 0) {
    return {
      action: "quarantine",
      status: "skipped",
      rows: 0,
      message: "no row-level rule failed",
    };
  }
  const sink = await (request.openSink ?? openQuarantineSink)(config, kontract);
  const staged = await sink.stage();
  try {
    const rows = csvWritable(
      await violatingRows(source, { rules, schema, rows: document.dataset.rows }),
      config.format,
    );
    signal?.throwIfAborted();
    const written = await writeRows(rows, staged, config.format);
    signal?.throwIfAborted();
    const facts = await inspectFiles(staged, written.names, config.format);
    const notes = rows.notes;
    if (facts.rows === 0) {
      return {
        action: "quarantine",
        status: "skipped",
        rows: 0,
        message: ["no violating rows could be traced", ...notes].join("; "),
      };
    }
    const identity = await source.identity?.();
    const identitySha256 = identity === undefined ? null : sha256Text(identity);
    const run = runFingerprint({
      kontractFingerprint: kontract.fingerprint,
      identitySha256,
      uri: source.uri,
      format: config.format,
      fileSha256s: facts.files.map((file) => file.sha256),
    });
    const columns: ManifestColumn[] = facts.schema.map((column, index) => ({
      name: column.name,
      type: column.type ?? written.types[index] ?? "String",
    }));
    const manifest: QuarantineManifest = {
      manifest_version: 1,
      kontra_version: VERSION,
      kontract: { name: kontract.name, fingerprint: kontract.fingerprint },
      dataset: { uri: source.uri, identity_sha256: identitySha256 },
      run_fingerprint: run,
      format: config.format,
      schema: columns,
      schema_sha256: schemaChecksum(columns),
      rows: facts.rows,
      rule_ids: rules.map((rule) => rule.id),
      rows_per_rule: facts.rowsPerRule,
      files: facts.files,
      notes,
    };
    await Deno.writeTextFile(`${staged}/${MANIFEST_NAME}`, renderManifest(manifest));
    signal?.throwIfAborted();
    await sink.commit(staged, run, [...written.names, MANIFEST_NAME], signal);
    return {
      action: "quarantine",
      status: "succeeded",
      location: sink.locationOf(run),
      rows: facts.rows,
      ...(notes.length > 0 ? { message: notes.join("; ") } : {}),
    };
  } finally {
    await sink.discard(staged);
  }
}

/**
 * The sink a location names: `s3://bucket/prefix/` or a local directory (relative to
 * the Kontract's directory, or a `file://` URI).
 */
export function openQuarantineSink(
  config: QuarantineConfig,
  kontract: Kontract,
): Promise<QuarantineSink> {
  return openStorageSink(config.location, kontract);
}

/** The failing rules whose rows can be quarantined, with their measures and columns. */
export function failingRowRules(
  planned: readonly PlannedRule[],
  document: ResultDocument,
): RowRule[] {
  const failed = new Set(
    document.results.filter((result) => !result.passed && result.failed_count > 0)
      .map((result) => result.rule_id),
  );
  return planned.flatMap((rule) => {
    const { instance, measure, column } = rule;
    if (!failed.has(instance.id) || rule.missingColumn) return [];
    const module = measureModule(measure);
    if (!module.rowLevel || (module.needsColumn && column === undefined)) return [];
    const reason = instance.rule.reason?.(instance.params) ??
      `violates ${instance.name}${instance.column ? ` on ${instance.column}` : ""}`;
    // Written into the quarantined rows and the manifest: no secret (a rule id or a
    // pattern may hold one), the same scrubbed text in both, so verification agrees.
    return [{ id: scrubSecrets(instance.id), reason: scrubSecrets(reason), measure, column }];
  }).sort((a, b) => compareIds(a.id, b.id));
}

// Types CSV cannot hold: bytes and values made of other values.
const NOT_CSV = ["Binary", "List", "Array", "Struct"];

/**
 * For CSV, the violating rows without the columns CSV cannot hold (binary, lists,
 * structs), each left out with a note, rather than failing the whole action.
 */
function csvWritable(rows: ViolatingRows, format: QuarantineFormat): ViolatingRows {
  if (format !== "csv" || rows.kind !== "lazy") return rows;
  const unwritable = polarsColumns(rows.frame.limit(0).collectSync())
    .filter((column) => NOT_CSV.includes(column.dtype));
  if (unwritable.length === 0) return rows;
  return {
    kind: "lazy",
    frame: rows.frame.drop(unwritable.map((column) => column.name)),
    notes: [
      ...rows.notes,
      ...unwritable.map((column) =>
        `column ${column.name} left out: CSV cannot hold ${column.dtype} values`
      ),
    ],
  };
}

/** The file name of part `index`. */
function partName(index: number, format: QuarantineFormat): string {
  return `part-${String(index).padStart(5, "0")}.${format}`;
}

/** Writes the rows into the staging directory; returns the file names and column types. */
async function writeRows(
  rows: ViolatingRows,
  dir: string,
  format: QuarantineFormat,
): Promise<{ names: string[]; types: string[] }> {
  if (rows.kind === "lazy") {
    const name = partName(0, format);
    const types = polarsTypeNames(rows.frame.limit(0).collectSync());
    const path = `${dir}/${name}`;
    const sink = format === "parquet"
      ? rows.frame.sinkParquet(path, { compression: "zstd", maintainOrder: true })
      : rows.frame.sinkCSV(path, { includeHeader: true, maintainOrder: true });
    sink.collectSync();
    return { names: [name], types };
  }
  const names: string[] = [];
  let types: string[] = [];
  for await (const batch of rows.batches) {
    if (batch.height === 0) continue;
    const name = partName(names.length, format);
    if (names.length === 0) types = polarsTypeNames(batch);
    if (format === "parquet") batch.writeParquet(`${dir}/${name}`, { compression: "zstd" });
    else batch.writeCSV(`${dir}/${name}`, { includeHeader: true });
    names.push(name);
  }
  return { names, types };
}
