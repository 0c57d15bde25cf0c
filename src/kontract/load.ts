/**
 * Loads a Kontract: YAML (or an object) → `${VAR}` interpolation → `extends` →
 * schema check → each rule's params checked against the rule → ids.
 * @module
 */
import { dirname, relative, resolve } from "node:path";
import type { z } from "zod";
import type { ActionsConfig } from "../actions/spec.ts";
import { KontractError } from "../errors.ts";
import { fingerprint } from "../report/canonical.ts";
import type { AnyRule } from "../rules/define.ts";
import { closestRuleName, findRule } from "../rules/registry.ts";
import { type Environment, loadEnvironment } from "./env.ts";
import { interpolate } from "./interpolate.ts";
import { type FieldPath, formatPath, KontractOrigin } from "./positions.ts";
import { findLiteralSecrets } from "./secrets.ts";
import { type DatasourceQuerySpec, KontractSpec, type RuleSpec, type Severity } from "./schema.ts";

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
  if (options.envFile !== undefined) await requireFile(options.envFile);
  const env = {
    ...(options.env ??
      await loadEnvironment([...(options.envFile ? [options.envFile] : []), ...defaultEnvFiles])),
    ...options.variables,
  };
  const top = isFile
    ? await loadFile(resolve(input), env, [])
    : checkSpec(KontractOrigin.inMemory(), input, env, baseDir);
  // Literal-secret warnings of every file, `extends:` bases included (after the top's).
  const warnings = [...top.warnings];
  const located = await collectRules(
    top,
    env,
    [isFile ? resolve(input) : "<kontract>"],
    warnings,
  );
  const rules = located.map(toRuleInstance);
  checkUniqueIds(rules, located);
  return {
    name: top.spec.name,
    description: top.spec.description,
    datasource: top.spec.datasource,
    rules,
    actions: top.spec.actions,
    baseDir,
    env,
    warnings,
    actionProblems: top.actionProblems,
    fingerprint: fingerprint({
      name: top.spec.name,
      rules: rules.map(({ id, name, params, severity, context, tally }) => ({
        id,
        name,
        params,
        severity,
        context,
        tally,
      })),
    }),
  };
}

/** An env file the user named explicitly must exist: a typo should not pass silently. */
async function requireFile(path: string): Promise<void> {
  try {
    if ((await Deno.stat(path)).isFile) return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  throw new KontractError(`${path}: env file not found`);
}

async function loadFile(path: string, env: Environment, chain: string[]): Promise<LoadedFile> {
  const label = relative(Deno.cwd(), path) || path;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new KontractError(`${label}: file not found`);
    throw new KontractError(`${label}: cannot read: ${error}`);
  }
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
): Promise<LocatedRule[]> {
  const bases = file.spec.extends === undefined
    ? []
    : Array.isArray(file.spec.extends)
    ? file.spec.extends
    : [file.spec.extends];
  const inherited: LocatedRule[] = [];
  for (const [index, base] of bases.entries()) {
    const path = resolve(file.dir, base);
    if (chain.includes(path)) {
      throw file.origin.error(["extends", ...(bases.length > 1 ? [index] : [])], `cycle: ${base}`);
    }
    const loaded = await loadFile(path, env, [...chain, path]);
    warnings.push(...loaded.warnings);
    inherited.push(...await collectRules(loaded, env, [...chain, path], warnings));
  }
  const own = file.spec.rules.map((spec, index) => ({ spec, origin: file.origin, index }));
  return [...inherited, ...own];
}

function toRuleInstance({ spec, origin, index }: LocatedRule): RuleInstance {
  const rule = findRule(spec.name);
  if (!rule) {
    throw origin.error(
      ["rules", index, "name"],
      `unknown rule "${spec.name}" (did you mean "${closestRuleName(spec.name)}"?)`,
    );
  }
  const parsed = rule.params.safeParse(spec.params ?? {});
  if (!parsed.success) throw zodError(origin, ["rules", index, "params"], parsed.error);
  const params = parsed.data as Record<string, unknown>;
  const column = rule.scope === "column" ? String(params.column) : undefined;
  return {
    id: spec.id ?? (column === undefined ? `DATASET:${rule.name}` : `COL:${column}:${rule.name}`),
    name: rule.name,
    rule,
    params,
    column,
    severity: spec.severity ?? "blocking",
    context: spec.context,
    tally: spec.tally ?? true,
    where: origin.locate(["rules", index]),
  };
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
        `duplicate rule id "${rule.id}" (also ${where}); give one of them a distinct id:`,
      );
    }
    seen.set(rule.id, position);
  });
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
