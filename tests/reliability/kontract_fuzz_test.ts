/**
 * Malformed Kontracts, generated: YAML syntax errors, wrong shapes, every field given
 * a value of the wrong type, unknown fields and rule/type names (`__proto__`,
 * `constructor`), bad params for every rule, alias bombs and cycles, unset and
 * prototype-named variables, duplicate ids, broken `extends:` chains, bytes that are not
 * text. Every case must exit 2 with ONE line `kontra: file:line:col: …` on stderr,
 * nothing on stdout, no stack trace: never exit 3, never a crash.
 *
 * The CLI runs in this process (`main` with a recording io), so the ~250 cases take
 * about a second. The unmutated Kontract is run too: it must pass, so a case fails
 * because of its mutation and nothing else.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { stringify } from "yaml";
import { STACK_LINE } from "../support/cli.ts";
import { runCli } from "../support/cli.ts";
import { withTempDir, writeText } from "../support/fixtures.ts";

/** One malformed Kontract. */
interface FuzzCase {
  /** What is wrong, for the failure report. */
  name: string;
  /** The Kontract's text (or bytes). */
  text: string | Uint8Array;
  /** Other files the case needs, by name (e.g. `extends:` bases). */
  files?: Record<string, string>;
  /** The file the error must name (default: the Kontract itself). */
  errorIn?: string;
  /** A part of the message that must appear. */
  says?: RegExp;
  /** Runs before the case, in its directory (e.g. to make a named pipe). */
  setup?: (dir: string) => Promise<void>;
}

const DATA = "id,email,country\n1,a@x.io,US\n2,b@x.io,DE\n3,c@x.io,FR\n";

/** A Kontract that passes on DATA, as an object: cases mutate copies of it. */
function validKontract(): Record<string, unknown> {
  return {
    name: "fuzz",
    datasource: "data.csv",
    description: "every rule, passing",
    rules: [
      { name: "not_null", params: { column: "id" } },
      { name: "unique", params: { column: "id" }, severity: "warning" },
      { name: "allowed_values", params: { column: "country", values: ["US", "DE", "FR"] } },
      { name: "dtype", params: { column: "id", type: "int" } },
      { name: "regex", params: { column: "email", pattern: "^[a-z]+@" } },
      { name: "min_rows", params: { threshold: 1 } },
      { name: "max_rows", params: { threshold: 100 } },
      {
        name: "custom_sql_check",
        params: { sql: "SELECT * FROM {table} WHERE id < 0" },
        id: "no_negative_ids",
      },
    ],
  };
}

/** Rule index in validKontract() by rule name. */
const RULE_INDEX: Record<string, number> = {
  not_null: 0,
  unique: 1,
  allowed_values: 2,
  dtype: 3,
  regex: 4,
  min_rows: 5,
  max_rows: 6,
  custom_sql_check: 7,
};

/** validKontract() with `path` set to `value` (undefined: removed), as YAML text. */
function mutated(path: (string | number)[], value: unknown, flow = false): string {
  const kontract = structuredClone(validKontract());
  // deno-lint-ignore no-explicit-any
  let parent: any = kontract;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path.at(-1)!;
  if (value === undefined) delete parent[last];
  else if (last === "__proto__") Object.defineProperty(parent, last, { value, enumerable: true });
  else parent[last] = value;
  return stringify(kontract, flow ? { collectionStyle: "flow" } : {});
}

const VALID_TEXT = stringify(validKontract());

/** Syntax errors, written by hand. */
function syntaxCases(): FuzzCase[] {
  const texts: Record<string, string> = {
    "unclosed flow sequence": "name: fuzz\nrules: [\n",
    "unclosed flow mapping": "name: fuzz\nrules:\n  - {name: not_null, params: {column: id}\n",
    "unclosed double quote": 'name: "fuzz\nrules: []\n',
    "unclosed single quote": "name: 'fuzz\nrules: []\n",
    "stray closing bracket": "name: fuzz]\nrules: []\n]",
    "tab indentation": "name: fuzz\nrules:\n\t- name: not_null\n",
    "bad indentation": "name: fuzz\n  rules: []\n datasource: x\n",
    "duplicate key": "name: fuzz\nname: other\nrules: []\n",
    "duplicate key in a rule": "name: fuzz\nrules:\n  - name: a\n    name: b\n",
    "two documents": "name: fuzz\nrules: []\n---\nname: two\n",
    "mapping in a sequence line": "name: fuzz\nrules:\n  - name: x\n  foo\n",
    "invalid escape": 'name: "fu\\qzz"\nrules: []\n',
    "a directive without a document start": "%FOO\nname: fuzz\n",
    "colon soup": "name: : :\nrules: []\n",
    "key without value on a flow line": "{name: fuzz, rules: [}\n",
    "unknown tag on the document": "!!binary name: fuzz\n",
    "block scalar with a bad indent": "name: |4\n  x\nrules: []\n",
    "anchor without a node": "name: &\nrules: []\n",
    "alias with a property": "a: &x 1\nname: !!str *x\n",
    "question mark key soup": "? [a\n: b\n",
    "reserved indicator": "name: @fuzz\nrules: []\n",
    "backtick indicator": "name: `fuzz`\nrules: []\n",
    "comment without a space": "name: fuzz#comment\nrules: [] #ok\nx: 'a'#bad\n",
    "deep flow nesting": "name: fuzz\nrules: " + "[".repeat(20000) + "]".repeat(20000) + "\n",
    "deep flow mappings": "name: fuzz\nx: " + "{a: ".repeat(20000) + "1" + "}".repeat(20000) + "\n",
    "deep block nesting": "name: fuzz\nrules:\n" +
      Array.from({ length: 3000 }, (_, i) => `${"  ".repeat(i + 1)}- \n`).join(""),
    "NUL byte as a rule": "name: fuzz\nrules: [\u0000]\n",
    "control character in a flow": "name: fuzz\nrules: [{\u0007: x}, \n",
    "unterminated flow after a rule": VALID_TEXT + "extra: [1, 2\n",
    "CR-only line ends": "name: fuzz\rrules:\r  - name: not_null\r    params: [\r",
  };
  // A datasource, so that the syntax is the only problem.
  return Object.entries(texts).map(([name, text]) => ({
    name: `syntax: ${name}`,
    text: text.startsWith("name: fuzz\n") ? `datasource: data.csv\n${text}` : text,
  }));
}

/** Documents of the wrong shape. */
function shapeCases(): FuzzCase[] {
  const texts: Record<string, string> = {
    "empty file": "",
    "only a comment": "# nothing here\n",
    "a null document": "~\n",
    "a scalar": "just some text\n",
    "a number": "42\n",
    "a boolean": "true\n",
    "a list": "- name: not_null\n- name: unique\n",
    "an empty mapping": "{}\n",
    "a list of mappings in flow style": "[{name: fuzz}]\n",
    "a binary scalar": "!!binary aGVsbG8=\n",
    "name only": "name: fuzz\nrules:\n  - {}\n",
  };
  return Object.entries(texts).map(([name, text]) => ({ name: `shape: ${name}`, text }));
}

/** Every field given values it must refuse, block and flow style. */
function fieldCases(): FuzzCase[] {
  const fields: [string, (string | number)[], unknown[]][] = [
    ["name", ["name"], [null, 5, "", [], { a: 1 }, true, undefined]],
    ["datasource", ["datasource"], [5, "", [], true, { connection: "postgres://h/db" }, {
      query: "SELECT 1",
    }, { connection: "postgres://h/db", query: "SELECT 1", extra: 1 }]],
    ["description", ["description"], [5, [], { a: 1 }, true]],
    ["extends", ["extends"], [5, "", { a: 1 }, [5], [""], true]],
    ["rules", ["rules"], ["not_null", 5, { name: "not_null" }, [null], [5], ["not_null"], [[]]]],
    ["rule name", ["rules", 0, "name"], [
      null,
      5,
      "",
      "nope",
      "NOT_NULL",
      "not null",
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "__defineGetter__",
      undefined,
    ]],
    ["severity", ["rules", 0, "severity"], ["fatal", 1, null, "BLOCKING", "constructor", []]],
    ["id", ["rules", 0, "id"], ["", 5, [], null]],
    ["context", ["rules", 0, "context"], ["x", 5, [], true]],
    ["tally", ["rules", 0, "tally"], ["yes", 1, null, []]],
    ["params", ["rules", 0, "params"], ["column", 5, [], null, undefined]],
    ["unknown top-level field", ["extra"], [1]],
    ["unknown rule field", ["rules", 0, "extra"], [1]],
    ["__proto__ at the top", ["__proto__"], [{ name: "x" }]],
    ["__proto__ in a rule", ["rules", 0, "__proto__"], [{ severity: "info" }]],
    ["__proto__ in params", ["rules", 0, "params", "__proto__"], [{ column: "id" }]],
    ["constructor as a field", ["rules", 0, "constructor"], [1]],
    ["constructor as a param", ["rules", 0, "params", "constructor"], [1]],
    ["toString as a param", ["rules", 0, "params", "toString"], ["x"]],
  ];
  const params: [string, (string | number)[], unknown[]][] = [
    ["not_null column", ["column"], [5, "", [], null, { a: 1 }, undefined]],
    ["unique column", ["column"], [5, "", [], true, undefined]],
    ["allowed_values values", ["values"], ["US", 5, { a: 1 }, null, undefined, [[1]], [{
      a: 1,
    }]]],
    ["allowed_values column", ["column"], [5, undefined]],
    ["dtype type", ["type"], [
      "integer64",
      "constructor",
      "__proto__",
      "toString",
      "valueOf",
      "",
      5,
      null,
      undefined,
    ]],
    ["regex pattern", ["pattern"], ["(", "[a-", "a{2,1}", "(?=x)", "\\p{NoSuch}", 5, undefined]],
    ["min_rows threshold", ["threshold"], ["x", -1, 1.5, null, undefined, [1]]],
    ["max_rows threshold", ["threshold"], ["100", -5, 0.5, true, undefined]],
    ["custom_sql_check sql", ["sql"], [
      "",
      5,
      "DROP TABLE {table}",
      "SELECT 1; SELECT 2",
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELEC * FROM {table}",
      "SELECT * FROM other_table",
      "COPY (SELECT 1) TO '/tmp/x'",
      undefined,
    ]],
  ];
  const cases: FuzzCase[] = [];
  for (const [field, path, values] of fields) {
    for (const [index, value] of values.entries()) {
      cases.push({
        name: `field ${field} = ${JSON.stringify(value) ?? "removed"}`,
        text: mutated(path, value, index % 2 === 1),
      });
    }
  }
  for (const [param, [key], values] of params) {
    const rule = RULE_INDEX[param.split(" ")[0]];
    for (const [index, value] of values.entries()) {
      cases.push({
        name: `param ${param} = ${JSON.stringify(value) ?? "removed"}`,
        text: mutated(["rules", rule, "params", key], value, index % 2 === 1),
      });
    }
  }
  const actions: unknown[] = [
    "quarantine",
    { quarantine: "dlq/" },
    { quarantine: { location: 5 } },
    { quarantine: { location: "" } },
    { quarantine: { location: "dlq/", format: "xml" } },
    { quarantine: { location: "dlq/", extra: 1 } },
    { alert: { slack: { webhook_url: 5 } } },
    { alert: { slack: { webhook_url: "not a url" } } },
    { alert: { slack: { webhook_url: "https://hooks.example/x", on: "sometimes" } } },
    { alert: { email: {} } },
    { unknown: 1 },
  ];
  for (const [index, value] of actions.entries()) {
    cases.push({
      name: `actions = ${JSON.stringify(value)}`,
      text: mutated(["actions"], value, index % 2 === 1),
    });
  }
  // `__proto__` written in YAML (a JS literal would set the prototype instead).
  const protoPlaces: Record<string, string> = {
    "in context": "    context:\n      __proto__: { a: 1 }\n",
    "in context, flow": "    context: { __proto__: { owner: x } }\n",
    "in params after column": "    params: { column: id, __proto__: { column: email } }\n",
  };
  for (const [place, lines] of Object.entries(protoPlaces)) {
    cases.push({
      name: `__proto__ ${place}`,
      text: "name: fuzz\ndatasource: data.csv\nrules:\n  - name: not_null\n" +
        (lines.includes("params") ? "" : "    params: { column: id }\n") + lines,
      says: /__proto__: unknown field/,
    });
  }
  cases.push({
    name: "__proto__ in actions",
    text: `${VALID_TEXT}actions:\n  __proto__:\n    quarantine: { location: dlq/ }\n`,
    says: /__proto__: unknown field/,
  });
  return cases;
}

/** Alias bombs, undefined aliases, aliases that contain themselves. */
function aliasCases(): FuzzCase[] {
  const laughs = (width: number, depth: number) => {
    const items = (name: string) => Array(width).fill(name).join(", ");
    const levels = [`l0: &l0 [${Array(width).fill('"lol"').join(", ")}]`];
    for (let level = 1; level < depth; level++) {
      levels.push(`l${level}: &l${level} [${items(`*l${level - 1}`)}]`);
    }
    return `name: fuzz\ndatasource: data.csv\n${levels.join("\n")}\nrules: []\n`;
  };
  const wide = (aliases: number, listLength: number) =>
    `name: fuzz\ndatasource: data.csv\nbig: &big [${Array(listLength).fill(1).join(", ")}]\n` +
    `many: [${Array(aliases).fill("*big").join(", ")}]\nrules: []\n`;
  return [
    { name: "billion laughs 9×9", text: laughs(9, 9), says: /alias bomb/ },
    { name: "laughs 10×6", text: laughs(10, 6), says: /alias bomb/ },
    { name: "laughs 100×3", text: laughs(100, 3), says: /alias bomb/ },
    { name: "laughs 2×20", text: laughs(2, 20), says: /alias bomb/ },
    { name: "1,000 aliases of a 1,000-value list", text: wide(1000, 1000), says: /alias bomb/ },
    { name: "laughs inside rules", text: laughs(9, 7).replace("rules: []", "rules: *l6") },
    {
      name: "undefined alias as a rule",
      text: "name: fuzz\ndatasource: data.csv\nrules:\n  - *nope\n",
      says: /refers to no anchor/,
    },
    {
      name: "alias before its anchor",
      text: "name: *n\ndatasource: data.csv\nx: &n fuzz\nrules: []\n",
      says: /refers to no anchor/,
    },
    {
      name: "undefined alias in params",
      text: "name: fuzz\nrules:\n  - name: not_null\n    params: { column: *col }\n",
    },
    {
      name: "a list containing itself",
      text: "name: fuzz\ndatasource: data.csv\nrules: &r [*r]\n",
      says: /repeat forever/,
    },
    {
      name: "a rule containing itself",
      text: "name: fuzz\nrules:\n  - &r {name: not_null, params: {column: id}, context: {x: *r}}\n",
      says: /repeat forever/,
    },
    {
      name: "the document containing itself",
      text: "&top\nname: fuzz\nself: *top\nrules: []\n",
      says: /repeat forever/,
    },
    {
      name: "an alias of a list where a string belongs",
      text: "name: fuzz\ndatasource: data.csv\nx: &list [a, b]\n" +
        "rules:\n  - name: not_null\n    params: { column: *list }\n",
    },
    {
      name: "an alias as a mapping key",
      text: "name: fuzz\ndatasource: data.csv\nx: &k [a]\n*k : 1\nrules: []\n",
    },
  ];
}

/** `${VAR}`: unset, or named like an Object.prototype member. */
function variableCases(): FuzzCase[] {
  const names = ["KONTRA_FUZZ_UNSET", "constructor", "__proto__", "toString", "hasOwnProperty"];
  const places: [string, (string | number)[]][] = [
    ["column", ["rules", 0, "params", "column"]],
    ["datasource", ["datasource"]],
    ["name", ["name"]],
  ];
  const cases: FuzzCase[] = [];
  for (const name of names) {
    for (const [place, path] of places) {
      cases.push({
        name: `variable \${${name}} in ${place}`,
        text: mutated(path, `\${${name}}`),
        says: new RegExp(`environment variable ${name.replace(/\$/g, "\\$")} is not set`),
      });
    }
  }
  return cases;
}

/** Duplicate ids and broken `extends:` chains. */
function extendsCases(): FuzzCase[] {
  const base = "name: base\nrules:\n  - name: not_null\n    params: { column: id }\n";
  const child = (extendsValue: string) =>
    `name: fuzz\ndatasource: data.csv\nextends: ${extendsValue}\nrules: []\n`;
  // Each level extends the next one twice: 2^9 loads without a bound.
  const diamond: Record<string, string> = {};
  for (let level = 0; level < 9; level++) {
    diamond[`d${level}.yml`] = `name: d${level}\nextends: [d${level + 1}.yml, d${level + 1}.yml]\n`;
  }
  diamond["d9.yml"] = "name: d9\n";
  const ruleClash = "name: fuzz\ndatasource: data.csv\nextends: base.yml\n" +
    "rules:\n  - name: not_null\n    params: { column: id }\n";
  return [
    {
      name: "two rules with one id",
      text: mutated(["rules", 1], { name: "not_null", params: { column: "id" } }),
      says: /duplicate rule id/,
    },
    {
      name: "an explicit id used twice",
      text: mutated(["rules", 0, "id"], "no_negative_ids"),
      says: /duplicate rule id/,
    },
    { name: "a rule clashing with a base", text: ruleClash, files: { "base.yml": base } },
    { name: "a missing base", text: child("nowhere.yml"), says: /file not found/ },
    {
      name: "a base that is a directory",
      text: child("folder.yml"),
      setup: (dir) => Deno.mkdir(join(dir, "folder.yml")),
      says: /is a directory/,
    },
    { name: "a base that is /dev/zero", text: child("/dev/zero"), says: /not a regular file/ },
    { name: "a base that is /dev/null", text: child("/dev/null"), says: /not a regular file/ },
    {
      name: "a base that is a named pipe",
      text: child("pipe.yml"),
      setup: (dir) => makeFifo(join(dir, "pipe.yml")),
      says: /named pipe/,
    },
    {
      name: "a base extending itself",
      text: child("self.yml"),
      files: { "self.yml": child("self.yml") },
      errorIn: "self.yml",
    },
    {
      name: "a cycle through the Kontract",
      text: child("a.yml"),
      files: { "a.yml": child("case.yml") },
      errorIn: "a.yml",
    },
    {
      name: "a base with bad YAML",
      text: child("bad.yml"),
      files: { "bad.yml": "name: [\n" },
      errorIn: "bad.yml",
    },
    {
      name: "a base with an unknown rule",
      text: child("bad.yml"),
      files: { "bad.yml": "name: b\nrules:\n  - name: nope\n" },
      errorIn: "bad.yml",
    },
    {
      name: "a base with a bad param",
      text: child("bad.yml"),
      files: { "bad.yml": "name: b\nrules:\n  - name: min_rows\n    params: { threshold: x }\n" },
      errorIn: "bad.yml",
    },
    {
      name: "an empty base",
      text: child("empty.yml"),
      files: { "empty.yml": "" },
      errorIn: "empty.yml",
    },
    {
      name: "a base with an alias bomb",
      text: child("bomb.yml"),
      files: { "bomb.yml": aliasCases()[0].text as string },
      errorIn: "bomb.yml",
    },
    {
      name: "exponentially many bases",
      text: child("d0.yml"),
      files: diamond,
      says: /more than 100 files/,
      errorIn: undefined,
    },
  ];
}

/** Names holding line breaks: the error must still be one line (they are JSON-quoted). */
function lineBreakCases(): FuzzCase[] {
  const rule = (extra: Record<string, unknown>) =>
    mutated(["rules", 0], { name: "not_null", params: { column: "id" }, ...extra });
  return [
    { name: "line break: an unknown top-level key", text: mutated(["a\nb"], 1), says: /"a\\nb"/ },
    { name: "line break: an unknown rule field", text: rule({ "x\ny": 1 }), says: /"x\\ny"/ },
    {
      name: "line break: an unknown param",
      text: mutated(["rules", 0, "params", "col\numn"], "id"),
      says: /"col\\numn"/,
    },
    {
      name: "line break: a rule name",
      text: mutated(["rules", 0, "name"], "not\nnull"),
      says: /unknown rule "not\\nnull"/,
    },
    {
      name: "line break: an id used twice",
      text: mutated(["rules", 1, "id"], "twice\nid").replace(
        "params:\n      column: id\n",
        'params:\n      column: id\n    id: "twice\\nid"\n',
      ),
      says: /duplicate rule id "twice\\nid"/,
    },
    {
      name: "line break: a missing base's name",
      text: mutated(["extends"], "no\nwhere.yml"),
      says: /"no\\nwhere\.yml": file not found/,
    },
    {
      name: "carriage return: an unknown key",
      text: mutated(["a\rb"], 1),
      says: /"a\\rb"/,
    },
  ];
}

/** Bytes that are not (only) text. */
function byteCases(): FuzzCase[] {
  const encoder = new TextEncoder();
  const withBytes = (bytes: number[]) =>
    new Uint8Array([...encoder.encode("name: fuzz\nrules: ["), ...bytes]);
  return [
    { name: "bytes: invalid UTF-8 in an open flow", text: withBytes([0xff, 0xfe, 0x80]) },
    { name: "bytes: only NULs", text: new Uint8Array(64) },
    { name: "bytes: a BOM then a tab", text: new Uint8Array([0xef, 0xbb, 0xbf, 0x09, 0x41]) },
    {
      name: "bytes: truncated in the middle of a flow mapping",
      text: stringify(validKontract(), { collectionStyle: "flow" }).slice(0, 120),
    },
    {
      name: "bytes: a flow Kontract cut before its end",
      text: stringify(validKontract(), { collectionStyle: "flow" }).slice(0, -3),
    },
  ];
}

async function makeFifo(path: string): Promise<void> {
  const { code } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(code, 0, "mkfifo");
}

function allCases(): FuzzCase[] {
  return [
    ...syntaxCases(),
    ...shapeCases(),
    ...fieldCases(),
    ...aliasCases(),
    ...variableCases(),
    ...extendsCases(),
    ...lineBreakCases(),
    ...byteCases(),
  ];
}

/** Runs one case in its own directory; returns what is wrong with the outcome, if anything. */
async function runCase(root: string, index: number, fuzz: FuzzCase): Promise<string | undefined> {
  const dir = join(root, `case-${index}`);
  await Deno.mkdir(dir);
  await writeText(dir, "data.csv", DATA);
  for (const [name, text] of Object.entries(fuzz.files ?? {})) await writeText(dir, name, text);
  await fuzz.setup?.(dir);
  const path = join(dir, "case.yml");
  if (typeof fuzz.text === "string") await Deno.writeTextFile(path, fuzz.text);
  else await Deno.writeFile(path, fuzz.text);
  const run = await runCli(["validate", path, "-o", "json", "--no-actions"]);
  const label = relative(Deno.cwd(), join(dir, fuzz.errorIn ?? "case.yml"));
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const located = "errorIn" in fuzz && fuzz.errorIn === undefined
    ? /^kontra: [^\n]+\.yml:\d+:\d+: [^\n]+\n$/
    : new RegExp(`^kontra: ${escaped}:\\d+:\\d+: [^\\n]+\\n$`);
  const problems = [
    run.code === 2 ? "" : `exit ${run.code}`,
    run.stdout === "" ? "" : "wrote to stdout",
    located.test(run.stderr) ? "" : "not one `kontra: file:line:col: …` line",
    STACK_LINE.test(run.stderr) ? "a stack trace" : "",
    fuzz.says && !fuzz.says.test(run.stderr) ? `does not say ${fuzz.says}` : "",
  ].filter(Boolean);
  return problems.length === 0
    ? undefined
    : `${fuzz.name}: ${problems.join(", ")}: ${JSON.stringify(run.stderr.slice(0, 300))}`;
}

Deno.test("the unmutated fuzz Kontract passes, so each case fails by its mutation", async () => {
  await withTempDir(async (dir) => {
    await writeText(dir, "data.csv", DATA);
    for (const flow of [false, true]) {
      const path = await writeText(
        dir,
        "valid.yml",
        stringify(validKontract(), flow ? { collectionStyle: "flow" } : {}),
      );
      const run = await runCli(["validate", path, "-o", "json", "--no-actions"]);
      assert.equal(run.code, 0, run.stderr);
      const document = JSON.parse(run.stdout);
      assert.equal(document.summary.rules, 8);
      assert.equal(document.summary.failed, 0);
    }
  });
});

Deno.test("every malformed Kontract exits 2 with one line naming file:line:col", async () => {
  const cases = allCases();
  assert.ok(cases.length >= 150, `only ${cases.length} cases`);
  await withTempDir(async (root) => {
    const failures: string[] = [];
    for (const [index, fuzz] of cases.entries()) {
      const failure = await runCase(root, index, fuzz);
      if (failure) failures.push(failure);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
  });
});
