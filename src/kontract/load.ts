/**
 * Loads a Kontract: YAML (or an object) → `${VAR}` interpolation → `extends` →
 * schema check → each rule's params checked against the rule → ids.
 *
 * Reading is bounded: a Kontract file (and each `extends:` base) is read only when it
 * is a regular file of at most {@linkcode MAX_KONTRACT_BYTES}, and one Kontract loads at
 * most {@linkcode MAX_KONTRACT_FILES} files in all (bases that share bases would
 * otherwise be loaded exponentially often).
 * @module
 */
import { dirname, relative, resolve } from "node:path";
import type { z } from "npm:zod@4.6.7";
import type { ActionsConfig } from "./actions_spec.ts";
import { BoundedReadError, readBoundedTextFile } from "../core/bounded_read.ts";
import { printable } from "../core/printable.ts";
import { KontractError } from "../core/errors.ts";
import { fingerprint } from "../core/canonical.ts";
import type { AnyRule } from "../rules/define.ts";
import { closestRuleName, findRule } from "../rules/registry.ts";
import { loadEnvironment, readEnvFile } from "./env.ts";
import type { Environment } from "../core/environment.ts";
import { interpolate } from "./interpolate.ts";
import { type FieldPath, formatPath, KontractOrigin } from "./positions.ts";
import { findLiteralSecrets } from "./secrets.ts";
import { type CsvSpec, type DatasourceQuerySpec, KontractSpec, type RuleSpec } from "./schema.ts";
import type { Severity } from "../core/severity.ts";
import type { Tolerance } from "../core/tolerance.ts";
import { ConditionSyntaxError, parseCondition } from "../rules/condition.ts";

/** The largest Kontract file (or `extends:` base) read: 10 MB. */
export const MAX_KONTRACT_BYTES = 10 * 1024 * 1024;
/** The most files one Kontract may load, itself and every `extends:` base counted. */
export const MAX_KONTRACT_FILES = 100;

/** One rule of a loaded Kontract, its params checked. */
export interface RuleInstance {
  /** `COL:<column>:<rule>`, `DATASET:<rule>`, or the explicit `id`. */
  id: string;
  /** The rule's name, e.g. `unique`. */
  name: string;
  /** The rule's definition from the registry. */
  rule: AnyRule;
  /** Params, parsed by the rule's schema. */
  params: Record<string, unknown>;
  /** The column a column rule checks. */
  column?: string;
  /** `blocking` (the default), `warning` or `info`. */
  severity: Severity;
  /** The rule's free-form `context`, echoed in its result. */
  context?: Record<string, unknown>;
  /** False: stop counting at the first violation where the engine can (fail-fast). */
  tally: boolean;
  /** `file:line:col` of the rule in its Kontract (or `<kontract>` for an object). */
  where?: string;
  /** The rule's `when:` condition, as written (its syntax checked). */
  when?: string;
  /** The rule's `tolerance:`. */
  tolerance?: Tolerance;
}

/** How messages name a rule: `kontract.yml:12:5: DATASET:custom_sql_check`. */
export function ruleLabel(rule: Pick<RuleInstance, "id" | "where">): string {
  return rule.where === undefined ? rule.id : `${rule.where}: ${rule.id}`;
}

/** A Kontract ready to run. */
export interface Kontract {
  /** The Kontract's `name`. */
  name: string;
  /** The Kontract's `description`. */
  description?: string;
  /** The datasource as written (relative paths resolve against `baseDir`), or a `query:`. */
  datasource?: string | DatasourceQuerySpec;
  /** How CSV data is read (`csv:`): what ragged rows do. */
  csv?: CsvSpec;
  /** Every rule, inherited (`extends`) ones first, in the order they run and report. */
  rules: RuleInstance[];
  /** The `actions:` block (quarantine, alert), checked with the rest of the Kontract. */
  actions?: ActionsConfig;
  /** Directory that relative paths resolve against. */
  baseDir: string;
  /** Variables for credentials: `.env` files under the process environment. In memory only. */
  env: Environment;
  /** SHA-256 of the Kontract's name and normalised rules. */
  fingerprint: string;
  /** Literal secrets found in the file and its bases, as `file:line:col: field: …` warnings. */
  warnings: string[];
  /**
   * Actions that cannot run, by name (`alert`, `quarantine`), and why: a variable they
   * use is unset. They fail with this reason when run; validation itself is unaffected.
   */
  actionProblems: Record<string, string>;
}

/** Where the environment comes from. */
export interface LoadOptions {
  /** A `.env` file to load first (it wins over the default `.env` files). */
  envFile?: string;
  /** Use this environment instead of reading `.env` files and the process environment. */
  env?: Environment;
  /** Extra variables that win over everything (e.g. Dagster partition keys). */
  variables?: Record<string, string>;
}

/** A Kontract file's content after interpolation, and where it came from. */
interface LoadedFile {
  origin: KontractOrigin;
  spec: z.output<typeof KontractSpec>;
  dir: string;
  warnings: string[];
  actionProblems: Record<string, string>;
}

/** A rule together with the file and index it was written at, for error positions. */
interface LocatedRule {
  spec: RuleSpec;
  origin: KontractOrigin;
  index: number;
}

/**
 * Loads and checks a Kontract from a YAML file path or an object.
 *
 * @example
 * ```ts
 * import { loadKontract } from "@kontra/kontra";
 * const kontract = await loadKontract("kontract.yml");
 * console.log(kontract.rules.map((rule) => rule.id));
 * ```
 */
export async function loadKontract(
  input: string | Record<string, unknown>,
  options: LoadOptions = {},
): Promise<Kontract> {
  const isFile = typeof input === "string";
  const baseDir = isFile ? dirname(resolve(input)) : Deno.cwd();
  const defaultEnvFiles = [resolve(baseDir, ".env"), resolve(".env")];
  if (options.envFile !== undefined) await readEnvFile(options.envFile);
  const env = {
    ...(options.env ??
      await loadEnvironment([...(options.envFile ? [options.envFile] : []), ...defaultEnvFiles])),
    ...options.variables,
  };
  const budget = { files: MAX_KONTRACT_FILES };
  const top = isFile
    ? await loadFile(
      resolve(input),
      env,
      [],
      budget,
      (problem) => new KontractError(`${fileLabel(resolve(input))}: ${problem}`),
    )
    : checkSpec(KontractOrigin.inMemory(), input, env, baseDir);
  // Literal-secret warnings of every file, `extends:` bases included (after the top's).
  const warnings = [...top.warnings];
  const located = await collectRules(
    top,
    env,
    [isFile ? resolve(input) : "<kontract>"],
    warnings,
    budget,
  );
  const rules = located.map(toRuleInstance);
  checkUniqueIds(rules, located);
  return {
    name: top.spec.name,
    description: top.spec.description,
    datasource: top.spec.datasource,
    csv: top.spec.csv,
    rules,
    actions: top.spec.actions,
    baseDir,
    env,
    warnings,
    actionProblems: top.actionProblems,
    fingerprint: fingerprint({
      name: top.spec.name,
      rules: rules.map(({ id, name, params, severity, context, tally, when, tolerance }) => ({
        id,
        name,
        params,
        severity,
        context,
        tally,
        // Only when set: fingerprints of Kontracts without them stay what they were.
        ...(when === undefined ? {} : { when }),
        ...(tolerance === undefined ? {} : { tolerance }),
      })),
    }),
  };
}

/** How messages name a Kontract file: relative to the working directory, printable. */
function fileLabel(path: string): string {
  return printable(relative(Deno.cwd(), path) || path);
}

/** How many more files this Kontract may load. */
interface LoadBudget {
  files: number;
}

/**
 * Reads, parses and checks one Kontract file. A file that cannot be read is named by
 * `unreadable`: the top file by its own name, a base at the `extends:` entry naming it.
 */
async function loadFile(
  path: string,
  env: Environment,
  chain: string[],
  budget: LoadBudget,
  unreadable: (problem: string) => KontractError,
): Promise<LoadedFile> {
  const label = fileLabel(path);
  let text: string;
  try {
    text = await readBoundedTextFile(path, MAX_KONTRACT_BYTES);
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    throw unreadable(error.problem === "not_found" ? "file not found" : error.message);
  }
  budget.files--;
  const { origin, value } = KontractOrigin.parse(label, text);
  if (chain.length > 0 && value === null) throw origin.error([], "empty file");
  return checkSpec(origin, value, env, dirname(path));
}

function checkSpec(
  origin: KontractOrigin,
  raw: unknown,
  env: Environment,
  dir: string,
): LoadedFile {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw origin.error([], "a Kontract must be a mapping with name and rules");
  }
  // zod drops a `__proto__` key silently; as every other unknown key, it is an error.
  const prototypeKey = findPrototypeKey(raw);
  if (prototypeKey) throw origin.error(prototypeKey, "unknown field", true);
  const { value, missing } = interpolate(raw, env);
  // An action whose variable is unset (say SLACK_WEBHOOK_URL in CI) must not stop
  // validation: that action is dropped here and fails with this reason if it runs.
  const actionProblems: Record<string, string> = {};
  for (const { name, path } of missing) {
    const action = path[0] === "actions" ? path[1] : undefined;
    if (typeof action !== "string") {
      throw origin.error(path, `environment variable ${name} is not set`);
    }
    actionProblems[action] ??= `${origin.locate(path)}: environment variable ${name} is not set`;
  }
  for (const action of Object.keys(actionProblems)) {
    delete (value as { actions: Record<string, unknown> }).actions[action];
  }
  const parsed = KontractSpec.safeParse(value);
  if (!parsed.success) throw zodError(origin, [], parsed.error);
  const warnings = findLiteralSecrets(raw).map(({ path, what }) =>
    `${origin.locate(path)}: ${
      formatPath(path)
    }: ${what}; use \${VAR} and set it in the environment or .env`
  );
  return { origin, spec: parsed.data, dir, warnings, actionProblems };
}

/** Base rules first (depth first, in `extends` order), then the file's own. */
async function collectRules(
  file: LoadedFile,
  env: Environment,
  chain: string[],
  warnings: string[],
  budget: LoadBudget,
): Promise<LocatedRule[]> {
  const bases = file.spec.extends === undefined
    ? []
    : Array.isArray(file.spec.extends)
    ? file.spec.extends
    : [file.spec.extends];
  const inherited: LocatedRule[] = [];
  for (const [index, base] of bases.entries()) {
    const path = resolve(file.dir, base);
    const field = ["extends", ...(bases.length > 1 ? [index] : [])];
    if (chain.includes(path)) throw file.origin.error(field, `cycle: ${printable(base)}`);
    if (budget.files <= 0) {
      throw file.origin.error(
        field,
        `more than ${MAX_KONTRACT_FILES} files to load with their extends: bases`,
      );
    }
    const loaded = await loadFile(
      path,
      env,
      [...chain, path],
      budget,
      (problem) => file.origin.error(field, `${printable(base)}: ${problem}`),
    );
    warnings.push(...loaded.warnings);
    inherited.push(...await collectRules(loaded, env, [...chain, path], warnings, budget));
  }
  const own = file.spec.rules.map((spec, index) => ({ spec, origin: file.origin, index }));
  return [...inherited, ...own];
}

function toRuleInstance({ spec, origin, index }: LocatedRule): RuleInstance {
  const rule = findRule(spec.name);
  if (!rule) {
    throw origin.error(
      ["rules", index, "name"],
      // JSON-quoted: a name holding a line break must not break the one-line error.
      `unknown rule ${JSON.stringify(spec.name)} (did you mean "${closestRuleName(spec.name)}"?)`,
    );
  }
  const parsed = rule.params.safeParse(spec.params ?? {});
  if (!parsed.success) throw zodError(origin, ["rules", index, "params"], parsed.error);
  const params = parsed.data as Record<string, unknown>;
  const column = rule.scope === "column"
    ? String(rule.columnOf?.(params) ?? params.column)
    : undefined;
  // A dataset rule that reads a column (freshness) can be limited to some rows too.
  const reads = column ?? rule.columnOf?.(params);
  if (spec.when !== undefined) checkCondition(spec.when, reads, origin, ["rules", index, "when"]);
  return {
    id: spec.id ??
      (column === undefined
        ? `DATASET:${rule.name}`
        : `COL:${rule.columnsLabel?.(params) ?? column}:${rule.name}`),
    name: rule.name,
    rule,
    params,
    column,
    severity: spec.severity ?? "blocking",
    context: spec.context,
    tally: spec.tally ?? true,
    where: origin.locate(["rules", index]),
    ...(spec.when === undefined ? {} : { when: spec.when }),
    ...(spec.tolerance === undefined ? {} : { tolerance: spec.tolerance }),
  };
}

/**
 * A `when:` must parse, and belongs to rules that read a column (other dataset rules
 * check the whole dataset). Its columns are checked against the data's schema when the rule is planned.
 */
function checkCondition(
  text: string,
  column: string | undefined,
  origin: KontractOrigin,
  field: FieldPath,
): void {
  if (column === undefined) {
    throw origin.error(
      field,
      "when: applies to rules that read a column; this one checks every row",
    );
  }
  try {
    parseCondition(text);
  } catch (error) {
    if (!(error instanceof ConditionSyntaxError)) throw error;
    throw origin.error(field, error.message);
  }
}

function checkUniqueIds(rules: RuleInstance[], located: LocatedRule[]): void {
  const seen = new Map<string, number>();
  rules.forEach((rule, position) => {
    const first = seen.get(rule.id);
    if (first !== undefined) {
      const { origin, index } = located[position];
      const other = located[first];
      const where = other.origin === origin ? `rules[${other.index}]` : other.origin.label;
      throw origin.error(
        ["rules", index],
        `duplicate rule id ${JSON.stringify(rule.id)} (also ${where}); give one of them a ` +
          "distinct id:",
      );
    }
    seen.set(rule.id, position);
  });
}

/** The path of the first `__proto__` key in a parsed document, if any. */
function findPrototypeKey(value: unknown): FieldPath | undefined {
  const pending: { value: unknown; path: FieldPath }[] = [{ value, path: [] }];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    seen.add(value);
    if (Object.hasOwn(value, "__proto__")) return [...path, "__proto__"];
    for (const [key, item] of Object.entries(value)) {
      pending.push({ value: item, path: [...path, Array.isArray(value) ? Number(key) : key] });
    }
  }
  return undefined;
}

/** The first zod issue as a Kontract error at its field. */
function zodError(origin: KontractOrigin, prefix: FieldPath, error: z.ZodError): KontractError {
  const [issue] = error.issues;
  const path = [...prefix, ...issue.path];
  if (issue.code === "unrecognized_keys") {
    return origin.error([...path, issue.keys[0]], `unknown field`, true);
  }
  const required = issue.code === "invalid_type" && /received undefined/.test(issue.message);
  return origin.error(path, required ? "required" : issue.message);
}
