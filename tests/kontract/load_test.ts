/**
 * The Kontract loader: rule ids, severities, positioned errors, `${VAR}`
 * interpolation, `.env` files, `extends`, object Kontracts and fingerprints.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { type Kontract, KontractError, loadKontract, type LoadOptions } from "../../mod.ts";
import { REPO, runDeno } from "../support/cli.ts";
import { withTempDir, writeText } from "../support/fixtures.ts";

/** Every variable these tests touch starts with this, so no other test file collides. */
const VAR = "KONTRA_LOAD_TEST_";

// ---------------------------------------------------------------- helpers

/** How the loader names a file in messages: relative to the working directory. */
function label(path: string): string {
  return relative(Deno.cwd(), path);
}

/** Loads and expects a KontractError; returns its message. */
async function loadError(
  input: string | Record<string, unknown>,
  options: LoadOptions = {},
): Promise<string> {
  const error = await loadKontract(input, options).then(
    () => assert.fail("expected a KontractError"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof KontractError, `not a KontractError: ${error}`);
  assert.equal(error.exitCode, 2);
  assert.doesNotMatch(error.message, /\n/, "a Kontract error is one line");
  return error.message;
}

/** Sets (string) or unsets (undefined) process variables for `body`, then restores them. */
async function withEnv(
  vars: Record<string, string | undefined>,
  body: () => Promise<void>,
): Promise<void> {
  const saved = Object.keys(vars).map((name) => [name, Deno.env.get(name)] as const);
  const apply = (name: string, value: string | undefined) =>
    value === undefined ? Deno.env.delete(name) : Deno.env.set(name, value);
  try {
    for (const [name, value] of Object.entries(vars)) apply(name, value);
    await body();
  } finally {
    for (const [name, value] of saved) apply(name, value);
  }
}

/** The rule ids of a loaded Kontract, in order. */
function ids(kontract: Kontract): string[] {
  return kontract.rules.map((rule) => rule.id);
}

/** The params of the loaded Kontract's only rule. */
function onlyParams(kontract: Kontract): Record<string, unknown> {
  assert.equal(kontract.rules.length, 1);
  return kontract.rules[0].params;
}

/** The duplicate-id message: it names the id and asks for a distinct `id:`. */
function duplicateId(id: string, also: string): string {
  return `duplicate rule id "${id}" (also ${also}); give one of them a distinct id:`;
}

/** A one-rule Kontract reading a regex pattern (any string) from `${name}`. */
function patternFrom(name: string): string {
  return `name: env\nrules:\n  - name: regex\n    params: { column: a, pattern: "\${${name}}" }\n`;
}

// ---------------------------------------------------------------- rule ids, severity, context

Deno.test("rule ids are COL:<column>:<rule> and DATASET:<rule>; an explicit id wins", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "k.yml",
      `name: users
datasource: data/users.parquet
description: Sign-ups.
rules:
  - name: not_null
    params: { column: email }
  - name: unique
    params: { column: email }
  - name: min_rows
    params: { threshold: 10 }
  - name: not_null
    params: { column: user_id }
    id: user_id_present
  - name: custom_sql_check
    params: { sql: "SELECT * FROM {table} WHERE age < 0" }
`,
    );
    const kontract = await loadKontract(path);
    assert.deepEqual(ids(kontract), [
      "COL:email:not_null",
      "COL:email:unique",
      "DATASET:min_rows",
      "user_id_present",
      "DATASET:custom_sql_check",
    ]);
    assert.deepEqual(kontract.rules.map((rule) => rule.name), [
      "not_null",
      "unique",
      "min_rows",
      "not_null",
      "custom_sql_check",
    ]);
    assert.deepEqual(kontract.rules.map((rule) => rule.column), [
      "email",
      "email",
      undefined,
      "user_id",
      undefined,
    ]);
    assert.equal(kontract.name, "users");
    assert.equal(kontract.description, "Sign-ups.");
    assert.equal(kontract.datasource, "data/users.parquet");
    assert.equal(kontract.baseDir, dir);
    assert.deepEqual(kontract.rules[2].params, { threshold: 10 });
  });
});

Deno.test("severity defaults to blocking; context is echoed as written", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "k.yml",
      `name: severities
rules:
  - name: not_null
    params: { column: a }
  - name: not_null
    params: { column: b }
    severity: warning
    context: { owner: data-eng, tags: [pii, "gdpr"], sla: { hours: 4 } }
  - name: not_null
    params: { column: c }
    severity: info
`,
    );
    const kontract = await loadKontract(path);
    assert.deepEqual(kontract.rules.map((rule) => rule.severity), ["blocking", "warning", "info"]);
    assert.equal(kontract.rules[0].context, undefined);
    assert.deepEqual(kontract.rules[1].context, {
      owner: "data-eng",
      tags: ["pii", "gdpr"],
      sla: { hours: 4 },
    });
  });
});

Deno.test("a Kontract without rules loads with none", async () => {
  await withTempDir(async (dir) => {
    const kontract = await loadKontract(await writeText(dir, "k.yml", "name: empty\n"));
    assert.equal(kontract.name, "empty");
    assert.deepEqual(kontract.rules, []);
  });
});

// ---------------------------------------------------------------- duplicate ids

/** Two rules whose derived ids are both COL:a:not_null; the second starts on line 5. */
const NOT_NULL_A_TWICE = `name: dup
rules:
  - name: not_null
    params: { column: a }
  - name: not_null
    params: { column: a }
`;

Deno.test("two rules with the same derived id are an error naming the id and `id:`", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "k.yml", NOT_NULL_A_TWICE);
    assert.equal(
      await loadError(path),
      `${label(path)}:5:5: rules[1]: ${duplicateId("COL:a:not_null", "rules[0]")}`,
    );
  });
});

Deno.test("an explicit id that collides with a derived id is a duplicate too", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "k.yml",
      `name: dup
rules:
  - name: min_rows
    params: { threshold: 1 }
  - name: max_rows
    params: { threshold: 9 }
    id: DATASET:min_rows
`,
    );
    const message = await loadError(path);
    assert.match(message, /rules\[1\]: duplicate rule id "DATASET:min_rows" \(also rules\[0\]\)/);
    assert.match(message, /distinct id:/);
  });
});

Deno.test("a distinct explicit id resolves a duplicate", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "k.yml", `${NOT_NULL_A_TWICE}    id: a_present_again\n`);
    assert.deepEqual(ids(await loadKontract(path)), ["COL:a:not_null", "a_present_again"]);
  });
});

// ---------------------------------------------------------------- rule names and params

Deno.test("an unknown rule name is an error at its line that suggests the closest name", async () => {
  await withTempDir(async (dir) => {
    const cases: [written: string, suggested: string][] = [
      ["not_nul", "not_null"],
      ["uniqe", "unique"],
      ["allowed_value", "allowed_values"],
      ["min_row", "min_rows"],
    ];
    for (const [written, suggested] of cases) {
      const path = await writeText(
        dir,
        `${written}.yml`,
        `name: t\nrules:\n  - name: ${written}\n    params: { column: a }\n`,
      );
      assert.equal(
        await loadError(path),
        `${label(path)}:3:11: rules[0].name: ` +
          `unknown rule "${written}" (did you mean "${suggested}"?)`,
      );
    }
  });
});

Deno.test("a missing param is `<file>:<line>:<col>: rules[2].params.pattern: required`", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "kontract.yml",
      `name: params
datasource: d.parquet
rules:
  - name: not_null
    params: { column: a }
  - name: unique
    params: { column: a }
  - name: regex
    params:
      column: a
`,
    );
    assert.equal(await loadError(path), `${label(path)}:10:7: rules[2].params.pattern: required`);
  });
});

Deno.test("invalid params name the field at its line and column", async () => {
  await withTempDir(async (dir) => {
    // Each case is the second line of a one-rule Kontract; the rule starts on line 3.
    const cases: { case: string; rule: string; expected: string }[] = [
      {
        case: "missing column",
        rule: "not_null\n    params: {}",
        expected: "4:13: rules[0].params.column: required",
      },
      {
        case: "missing params altogether",
        rule: "unique",
        expected: "3:5: rules[0].params.column: required",
      },
      {
        case: "a wrong type",
        rule: "min_rows\n    params: { threshold: ten }",
        expected:
          "4:26: rules[0].params.threshold: Invalid input: expected number, received string",
      },
      {
        case: "an unknown param",
        rule: "not_null\n    params: { column: a, colour: red }",
        expected: "4:26: rules[0].params.colour: unknown field",
      },
      {
        case: "an invalid regex",
        rule: `regex\n    params: { column: a, pattern: "(" }`,
        expected: "4:35: rules[0].params.pattern: not a valid regular expression",
      },
      {
        case: "an unknown dtype type name",
        rule: "dtype\n    params: { column: a, type: integr }",
        expected: "4:32: rules[0].params.type: unknown type; expected one of int, integer,",
      },
      {
        case: "allowed_values without a list",
        rule: "allowed_values\n    params: { column: a, values: US }",
        expected: "4:34: rules[0].params.values: Invalid input: expected array, received string",
      },
      {
        case: "a negative threshold",
        rule: "max_rows\n    params: { threshold: -1 }",
        expected: "4:26: rules[0].params.threshold: Too small: expected number to be >=0",
      },
    ];
    for (const [index, { case: name, rule, expected }] of cases.entries()) {
      const path = await writeText(dir, `case${index}.yml`, `name: t\nrules:\n  - name: ${rule}\n`);
      const message = await loadError(path);
      assert.ok(
        message.startsWith(`${label(path)}:${expected}`),
        `${name}: got ${JSON.stringify(message)}`,
      );
    }
  });
});

Deno.test("a valid regex and every dtype family name are accepted", async () => {
  await withTempDir(async (dir) => {
    const types = ["int", "integer", "float", "numeric", "string", "str", "utf8", "text", "bool"];
    const more = ["boolean", "date", "datetime", "timestamp", "int8", "uint64", "float32", "INT"];
    const rules = [...types, ...more].map((type, index) =>
      `  - name: dtype\n    params: { column: c${index}, type: ${type} }\n`
    );
    rules.push(
      `  - name: regex\n    params: { column: e, pattern: "^[^@\\\\s]+@(?i)X\\\\.io$" }\n`,
    );
    const kontract = await loadKontract(
      await writeText(dir, "k.yml", `name: t\nrules:\n${rules.join("")}`),
    );
    assert.equal(kontract.rules.length, types.length + more.length + 1);
    assert.deepEqual(kontract.rules.at(-1)?.params, {
      column: "e",
      pattern: "^[^@\\s]+@(?i)X\\.io$",
    });
  });
});

Deno.test("top-level fields are checked: name required, unknown fields and severities named", async () => {
  await withTempDir(async (dir) => {
    const cases: [yaml: string, expected: string][] = [
      ["rules: []\n", "1:1: name: required"],
      ["name: t\nrulez: []\n", "2:1: rulez: unknown field"],
      [
        "name: t\nrules:\n  - name: not_null\n    params: { column: a }\n    severity: fatal\n",
        `5:15: rules[0].severity: Invalid option: expected one of "blocking"|"warning"|"info"`,
      ],
      ["name: t\nrules: { a: 1 }\n", "2:8: rules: Invalid input: expected array, received object"],
    ];
    for (const [index, [yaml, expected]] of cases.entries()) {
      const path = await writeText(dir, `top${index}.yml`, yaml);
      assert.equal(await loadError(path), `${label(path)}:${expected}`);
    }
  });
});

// ---------------------------------------------------------------- YAML and file errors

Deno.test("bad YAML is an error with file:line:col", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "k.yml", "name: a\nrules: []\nname: b\n");
    assert.equal(
      await loadError(path),
      `${label(path)}:3:1: invalid YAML: Map keys must be unique`,
    );
    const unclosed = await writeText(dir, "unclosed.yml", "name: t\nrules: [\n  { name: x\n");
    assert.match(
      await loadError(unclosed),
      new RegExp(`^${label(unclosed)}:\\d+:\\d+: invalid YAML: `),
    );
  });
});

Deno.test("a Kontract that is not a mapping is an error", async () => {
  await withTempDir(async (dir) => {
    const list = await writeText(dir, "list.yml", "- name: not_null\n- name: unique\n");
    const scalar = await writeText(dir, "scalar.yml", "just some text\n");
    const empty = await writeText(dir, "empty.yml", "");
    const expected = "a Kontract must be a mapping with name and rules";
    assert.equal(await loadError(list), `${label(list)}:1:1: ${expected}`);
    assert.equal(await loadError(scalar), `${label(scalar)}:1:1: ${expected}`);
    assert.equal(await loadError(empty), `${label(empty)}:1:1: ${expected}`);
    assert.equal(
      await loadError(["not", "a", "mapping"] as unknown as Record<string, unknown>),
      `<kontract>: ${expected}`,
    );
  });
});

Deno.test("a missing Kontract file is a KontractError", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "nowhere.yml");
    assert.equal(await loadError(path), `${label(path)}: file not found`);
  });
});

Deno.test("a Kontract path that cannot be read is a KontractError", async () => {
  await withTempDir(async (dir) => {
    const folder = join(dir, "folder.yml");
    await Deno.mkdir(folder);
    assert.equal(await loadError(folder), `${label(folder)}: is a directory, not a file`);
  });
});

// ---------------------------------------------------------------- ${VAR} interpolation

Deno.test("${VAR} is replaced in every string value, nested params included", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "k.yml",
      `name: users_\${${VAR}ENV}
datasource: \${${VAR}BUCKET}/users_\${${VAR}ENV}.parquet
description: "plain text is untouched: $HOME, {table}"
rules:
  - name: regex
    params: { column: email, pattern: "@\${${VAR}DOMAIN}$" }
    id: email_\${${VAR}ENV}
  - name: allowed_values
    params: { column: country, values: ["\${${VAR}COUNTRY}", DE, 3] }
    context: { owner: "\${${VAR}OWNER}", nested: { list: ["\${${VAR}OWNER}!"] } }
  - name: min_rows
    params: { threshold: 7 }
`,
    );
    await withEnv({
      [`${VAR}ENV`]: "prod",
      [`${VAR}BUCKET`]: "/data",
      [`${VAR}DOMAIN`]: "example\\.com",
      [`${VAR}COUNTRY`]: "US",
      [`${VAR}OWNER`]: "growth",
    }, async () => {
      const kontract = await loadKontract(path);
      assert.equal(kontract.name, "users_prod");
      assert.equal(kontract.datasource, "/data/users_prod.parquet");
      assert.equal(kontract.description, "plain text is untouched: $HOME, {table}");
      assert.deepEqual(ids(kontract), [
        "email_prod",
        "COL:country:allowed_values",
        "DATASET:min_rows",
      ]);
      assert.deepEqual(kontract.rules[0].params, {
        column: "email",
        pattern: "@example\\.com$",
      });
      assert.deepEqual(kontract.rules[1].params.values, ["US", "DE", 3]);
      assert.deepEqual(kontract.rules[1].context, {
        owner: "growth",
        nested: { list: ["growth!"] },
      });
      assert.deepEqual(kontract.rules[2].params, { threshold: 7 });
    });
  });
});

Deno.test("an unset variable is an error naming it, its field and its line", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "k.yml", patternFrom(`${VAR}UNSET`));
    await withEnv({ [`${VAR}UNSET`]: undefined }, async () => {
      assert.equal(
        await loadError(path),
        `${label(path)}:4:35: rules[0].params.pattern: environment variable ${VAR}UNSET is not set`,
      );
    });
  });
});

Deno.test("an unset variable in a top-level field names that field", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "k.yml", `name: t\ndatasource: "\${${VAR}NOPE}/x.parquet"\n`);
    await withEnv({ [`${VAR}NOPE`]: undefined }, async () => {
      assert.equal(
        await loadError(path),
        `${label(path)}:2:13: datasource: environment variable ${VAR}NOPE is not set`,
      );
    });
  });
});

Deno.test("$${VAR} stays a literal ${VAR}, whether or not VAR is set", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "k.yml",
      `name: t\nrules:\n  - name: allowed_values\n    params: { column: a, values: ["$\${${VAR}LIT}-\${${VAR}LIT}"] }\n`,
    );
    await withEnv({ [`${VAR}LIT`]: "set" }, async () => {
      assert.deepEqual(onlyParams(await loadKontract(path)).values, [`\${${VAR}LIT}-set`]);
    });
    const literalOnly = await writeText(dir, "literal.yml", `name: "$\${${VAR}LIT}"\n`);
    await withEnv({ [`${VAR}LIT`]: undefined }, async () => {
      assert.equal((await loadKontract(literalOnly)).name, `\${${VAR}LIT}`);
    });
  });
});

Deno.test("LoadOptions.env replaces the environment; variables win over everything", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "k.yml", patternFrom(`${VAR}OPT`));
    await withEnv({ [`${VAR}OPT`]: "process" }, async () => {
      assert.equal(
        onlyParams(await loadKontract(path, { env: { [`${VAR}OPT`]: "given" } })).pattern,
        "given",
      );
      assert.equal(
        onlyParams(await loadKontract(path, { variables: { [`${VAR}OPT`]: "variable" } })).pattern,
        "variable",
      );
      assert.match(await loadError(path, { env: {} }), /environment variable \S+OPT is not set/);
    });
  });
});

// ---------------------------------------------------------------- .env files

Deno.test(".env next to the Kontract is loaded; the process environment wins over it", async () => {
  await withTempDir(async (dir) => {
    const name = `${VAR}DOTENV`;
    const path = await writeText(dir, "k.yml", patternFrom(name));
    await writeText(dir, ".env", `# comment\n${name}=from-dotenv\n`);
    await withEnv({ [name]: undefined }, async () => {
      const kontract = await loadKontract(path);
      assert.equal(onlyParams(kontract).pattern, "from-dotenv");
      assert.equal(kontract.env[name], "from-dotenv");
    });
    await withEnv({ [name]: "from-process" }, async () => {
      assert.equal(onlyParams(await loadKontract(path)).pattern, "from-process");
    });
  });
});

Deno.test("envFile wins over the default .env files but not over the process", async () => {
  await withTempDir(async (dir) => {
    const name = `${VAR}ENVFILE`;
    const path = await writeText(dir, "k.yml", patternFrom(name));
    await writeText(dir, ".env", `${name}=default-dotenv\n`);
    const custom = await writeText(dir, "config/custom.env", `${name}="from env file"\n`);
    await withEnv({ [name]: undefined }, async () => {
      assert.equal(
        onlyParams(await loadKontract(path, { envFile: custom })).pattern,
        "from env file",
      );
    });
    await withEnv({ [name]: "from-process" }, async () => {
      assert.equal(
        onlyParams(await loadKontract(path, { envFile: custom })).pattern,
        "from-process",
      );
    });
  });
});

Deno.test(".env in the working directory is loaded; the Kontract's own .env wins over it", async () => {
  // The working directory is process-wide, so this runs the loader in a child process.
  await withTempDir(async (dir) => {
    const only = `${VAR}CWD_ONLY`;
    const both = `${VAR}CWD_BOTH`;
    await writeText(dir, ".env", `${only}=cwd\n${both}=cwd\n`);
    await writeText(dir, "sub/.env", `${both}=kontract-dir\n`);
    await writeText(
      dir,
      "sub/k.yml",
      `name: t
rules:
  - name: regex
    params: { column: a, pattern: "\${${only}}" }
  - name: regex
    params: { column: b, pattern: "\${${both}}" }
`,
    );
    const script = await writeText(
      dir,
      "load.ts",
      `import { loadKontract } from "${pathToFileURL(join(REPO, "mod.ts")).href}";
const kontract = await loadKontract("sub/k.yml");
console.log(JSON.stringify(kontract.rules.map((rule) => rule.params.pattern)));
`,
    );
    const env = Deno.env.toObject();
    delete env[only];
    delete env[both];
    const run = await runDeno(["run", "-A", "--config", join(REPO, "deno.json"), script], {
      env,
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), ["cwd", "kontract-dir"]);
  });
});

// ---------------------------------------------------------------- extends

Deno.test("extends: a string inherits only the base's rules, base rules first", async () => {
  await withTempDir(async (dir) => {
    await writeText(
      dir,
      "base.yml",
      `name: base
datasource: base.parquet
description: the base
rules:
  - name: not_null
    params: { column: id }
    severity: warning
`,
    );
    const path = await writeText(
      dir,
      "k.yml",
      `name: child
extends: base.yml
rules:
  - name: unique
    params: { column: id }
`,
    );
    const kontract = await loadKontract(path);
    assert.equal(kontract.name, "child");
    assert.equal(kontract.datasource, undefined);
    assert.equal(kontract.description, undefined);
    assert.deepEqual(ids(kontract), ["COL:id:not_null", "COL:id:unique"]);
    assert.equal(kontract.rules[0].severity, "warning");
  });
});

Deno.test("extends: a list is inherited in order, each path relative to its own file", async () => {
  await withTempDir(async (dir) => {
    await writeText(
      dir,
      "shared/common.yml",
      "name: common\nrules:\n  - name: min_rows\n    params: { threshold: 1 }\n",
    );
    await writeText(
      dir,
      "shared/base.yml",
      "name: base\nextends: common.yml\nrules:\n  - name: not_null\n    params: { column: a }\n",
    );
    await writeText(
      dir,
      "other/extra.yml",
      "name: extra\nrules:\n  - name: max_rows\n    params: { threshold: 9 }\n",
    );
    const path = await writeText(
      dir,
      "team/k.yml",
      `name: child
extends: [../shared/base.yml, ../other/extra.yml]
rules:
  - name: unique
    params: { column: a }
`,
    );
    assert.deepEqual(ids(await loadKontract(path)), [
      "DATASET:min_rows",
      "COL:a:not_null",
      "DATASET:max_rows",
      "COL:a:unique",
    ]);
  });
});

Deno.test("extends: a cycle is an error", async () => {
  await withTempDir(async (dir) => {
    await writeText(dir, "a.yml", "name: a\nextends: b.yml\n");
    const b = await writeText(dir, "b.yml", "name: b\nextends: a.yml\n");
    assert.equal(await loadError(join(dir, "a.yml")), `${label(b)}:2:10: extends: cycle: a.yml`);
    const self = await writeText(dir, "self.yml", "name: self\nextends: [x.yml, self.yml]\n");
    await writeText(dir, "x.yml", "name: x\n");
    assert.equal(await loadError(self), `${label(self)}:2:18: extends[1]: cycle: self.yml`);
  });
});

Deno.test("extends: a missing base and a rule clash with a base are errors", async () => {
  await withTempDir(async (dir) => {
    const missing = await writeText(dir, "missing.yml", "name: m\nextends: nowhere.yml\n");
    assert.equal(
      await loadError(missing),
      `${label(missing)}:2:10: extends: nowhere.yml: file not found`,
    );

    const base = await writeText(
      dir,
      "base.yml",
      "name: base\nrules:\n  - name: not_null\n    params: { column: a }\n",
    );
    const clash = await writeText(
      dir,
      "clash.yml",
      "name: c\nextends: base.yml\nrules:\n  - name: not_null\n    params: { column: a }\n",
    );
    assert.equal(
      await loadError(clash),
      `${label(clash)}:4:5: rules[0]: ${duplicateId("COL:a:not_null", label(base))}`,
    );
    const badBase = await writeText(dir, "bad_base.yml", "name: b\nrules:\n  - name: nope\n");
    const child = await writeText(dir, "child.yml", "name: c\nextends: bad_base.yml\n");
    assert.match(
      await loadError(child),
      new RegExp(`^${label(badBase)}:3:11: rules\\[0\\].name: `),
    );
  });
});

// ---------------------------------------------------------------- Kontract as an object

Deno.test("a Kontract object loads like YAML, relative to the working directory", async () => {
  const kontract = await loadKontract({
    name: "inline",
    datasource: "data.parquet",
    rules: [
      { name: "not_null", params: { column: "a" } },
      { name: "min_rows", params: { threshold: 2 }, severity: "info", context: { k: 1 } },
      { name: "unique", params: { column: "a" }, id: "a_unique" },
    ],
  });
  assert.equal(kontract.name, "inline");
  assert.equal(kontract.baseDir, Deno.cwd());
  assert.deepEqual(ids(kontract), ["COL:a:not_null", "DATASET:min_rows", "a_unique"]);
  assert.deepEqual(kontract.rules.map((rule) => rule.severity), ["blocking", "info", "blocking"]);
  assert.deepEqual(kontract.rules[1].context, { k: 1 });
});

Deno.test("a Kontract object gets the same checks; errors name the field in <kontract>", async () => {
  const cases: [kontract: Record<string, unknown>, expected: string][] = [
    [{ rules: [] }, "<kontract>: name: required"],
    [{ name: "x", rulez: [] }, "<kontract>: rulez: unknown field"],
    [
      { name: "x", rules: [{ name: "not_null", params: {} }] },
      "<kontract>: rules[0].params.column: required",
    ],
    [
      { name: "x", rules: [{ name: "uniqe", params: { column: "a" } }] },
      `<kontract>: rules[0].name: unknown rule "uniqe" (did you mean "unique"?)`,
    ],
    [
      { name: "x", rules: [{ name: "regex", params: { column: "a", pattern: "[a-" } }] },
      "<kontract>: rules[0].params.pattern: not a valid regular expression",
    ],
    [
      { name: "x", rules: [{ name: "min_rows", params: { threshold: 1 }, severity: "high" }] },
      `<kontract>: rules[0].severity: Invalid option: expected one of "blocking"|"warning"|"info"`,
    ],
    [
      {
        name: "x",
        rules: [{ name: "min_rows", params: { threshold: 1 } }, {
          name: "min_rows",
          params: { threshold: 2 },
        }],
      },
      `<kontract>: rules[1]: ${duplicateId("DATASET:min_rows", "rules[0]")}`,
    ],
    [
      { name: "x", rules: [{ name: "regex", params: { column: "a", pattern: `\${${VAR}OBJ}` } }] },
      `<kontract>: rules[0].params.pattern: environment variable ${VAR}OBJ is not set`,
    ],
  ];
  for (const [kontract, expected] of cases) {
    assert.equal(await loadError(kontract, { env: {} }), expected);
  }
});

Deno.test("a Kontract object can extend a file and interpolate variables", async () => {
  await withTempDir(async (dir) => {
    const base = await writeText(
      dir,
      "base.yml",
      "name: base\nrules:\n  - name: not_null\n    params: { column: a }\n",
    );
    const kontract = await loadKontract(
      {
        name: "inline",
        extends: base,
        rules: [{ name: "regex", params: { column: "a", pattern: `^\${${VAR}X}` } }],
      },
      { env: { [`${VAR}X`]: "ab" } },
    );
    assert.deepEqual(ids(kontract), ["COL:a:not_null", "COL:a:regex"]);
    assert.equal(kontract.rules[1].params.pattern, "^ab");
  });
});

// ---------------------------------------------------------------- fingerprint

Deno.test("the fingerprint is stable for the same Kontract and changes with a rule", async () => {
  await withTempDir(async (dir) => {
    const kontractYaml = (threshold: number, severity = "blocking") =>
      `name: fp
rules:
  - name: not_null
    params: { column: a }
  - name: min_rows
    params: { threshold: ${threshold} }
    severity: ${severity}
`;
    const first = await loadKontract(await writeText(dir, "a.yml", kontractYaml(5)));
    const again = await loadKontract(await writeText(dir, "b.yml", kontractYaml(5)));
    const reformatted = await loadKontract(
      await writeText(
        dir,
        "c.yml",
        "# same rules, other layout\nname: fp\nrules:\n- {name: not_null, params: {column: a}}\n" +
          "- name: min_rows\n  severity: blocking\n  params:\n    threshold: 5\n",
      ),
    );
    const asObject = await loadKontract({
      name: "fp",
      rules: [
        { name: "not_null", params: { column: "a" } },
        { name: "min_rows", params: { threshold: 5 }, severity: "blocking" },
      ],
    });
    assert.match(first.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(again.fingerprint, first.fingerprint);
    assert.equal(reformatted.fingerprint, first.fingerprint);
    assert.equal(asObject.fingerprint, first.fingerprint);

    const otherParam = await loadKontract(await writeText(dir, "d.yml", kontractYaml(6)));
    const otherSeverity = await loadKontract(
      await writeText(dir, "e.yml", kontractYaml(5, "warning")),
    );
    const fewerRules = await loadKontract({
      name: "fp",
      rules: [{ name: "not_null", params: { column: "a" } }],
    });
    const fingerprints = new Set(
      [first, otherParam, otherSeverity, fewerRules].map((kontract) => kontract.fingerprint),
    );
    assert.equal(fingerprints.size, 4);
  });
});

Deno.test("an env file named explicitly must exist", async () => {
  await assert.rejects(
    loadKontract({ name: "t", rules: [] }, { envFile: "/nonexistent/kontra.env" }),
    (error: unknown) =>
      error instanceof KontractError &&
      error.message === "/nonexistent/kontra.env: env file not found",
  );
});
