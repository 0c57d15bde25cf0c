/**
 * `references` on every tier: files against files (local Parquet with footers on and
 * off, CSV, S3), and a table against a table of the same database (PostgreSQL, the
 * Snowflake test server, MySQL/MariaDB). Counts known by construction; quarantine must
 * hold exactly the violating rows. Then the errors: a type mismatch, a missing reference,
 * a missing reference column, another database, files against a database.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import pl, { type DataFrame } from "nodejs-polars";
import { DataSourceError, explain, KontractError, validate } from "../../mod.ts";
import type { Environment } from "../../src/core/environment.ts";
import { antiJoinCountSql } from "../../src/engine/duckdb_references.ts";
import { keyTypeProblem, sameDatabase } from "../../src/engine/references.ts";
import { duckdb } from "../../src/sql/duckdb.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir, writeBoth } from "../support/fixtures.ts";
import { loadFrame as loadMysql, mysqlTest, requireMysql, tempDatabase } from "../support/mysql.ts";
import {
  loadFrame as loadPostgres,
  pgTest,
  requirePostgres,
  tempSchema,
} from "../support/postgres.ts";
import { startS3Server } from "../support/s3_server.ts";
import { withSnowflake } from "../support/snowflake_fixtures.ts";

// ------------------------------------------------------------------ the data
//
// orders     id  customer  country
// row 1      1   10        US
// row 2      2   20        us      (the reference has US: text compares byte for byte)
// row 3      3   NULL      DE
// row 4      4   30        NULL
// row 5      5   99        FR      (the reference has "FR ", with a trailing space)
// row 6      6   10        日本
// row 7      7   98        de
// row 8      8   NULL      XX
//
// customers  cid (Int32)  code
//            10           US
//            20           DE
//            30           日本
//            NULL         NULL     (a NULL in the reference matches nothing)
//            40           "FR "

function orders(): DataFrame {
  return pl.DataFrame({
    id: pl.Series("id", [1, 2, 3, 4, 5, 6, 7, 8], pl.Int64),
    customer: pl.Series("customer", [10, 20, null, 30, 99, 10, 98, null]).cast(pl.Int64),
    country: ["US", "us", "DE", null, "FR", "日本", "de", "XX"],
  });
}

function customers(): DataFrame {
  return pl.DataFrame({
    cid: pl.Series("cid", [10, 20, 30, null, 40]).cast(pl.Int32),
    code: ["US", "DE", "日本", null, "FR "],
  });
}

interface Case {
  params: { column: string; to: { column: string } };
  when?: string;
  failed: number;
}

const CASES: Case[] = [
  // Non-null customers 10, 20, 30, 99, 10, 98: 99 and 98 are not customers.
  { params: { column: "customer", to: { column: "cid" } }, failed: 2 },
  // Non-null countries: us, FR (vs "FR "), de and XX have no equal code.
  { params: { column: "country", to: { column: "code" } }, failed: 4 },
  // Rows 1-4 only: US, us, DE set; only us is missing.
  { params: { column: "country", to: { column: "code" } }, when: "id <= 4", failed: 1 },
  // Rows 1-4: customers 10, 20, 30 all exist.
  { params: { column: "customer", to: { column: "cid" } }, when: "id <= 4", failed: 0 },
];

function kontract(datasource: string, reference: string): Record<string, unknown> {
  return {
    name: "references",
    datasource,
    rules: CASES.map(({ params, when }, index) => ({
      name: "references",
      id: `c${index}`,
      params: { column: params.column, to: { datasource: reference, column: params.to.column } },
      ...(when === undefined ? {} : { when }),
    })),
  };
}

async function checkTier(
  tier: string,
  datasource: string,
  reference: string,
  dir: string,
  options: { env?: Environment; metadata?: boolean } = {},
): Promise<void> {
  const result = await validate(kontract(datasource, reference), {
    ...(options.env ? { env: options.env } : {}),
    metadata: options.metadata ?? true,
  });
  assertEquals(
    result.results.map((r) => [r.rule_id, r.status, r.failed_count]),
    CASES.map(({ failed }, index) => [`c${index}`, failed === 0 ? "passed" : "failed", failed]),
    `${tier}: counts (${result.results.map((r) => r.message).join("; ")})`,
  );
  const action = await result.quarantine({ location: `${dir}/dlq-${tier}` });
  assertEquals(action.status, "succeeded", `${tier}: quarantine ${action.message ?? ""}`);
  const manifest = JSON.parse(await Deno.readTextFile(`${action.location}_manifest.json`));
  assertEquals(manifest.rows_per_rule, { c0: 2, c1: 4, c2: 1 }, `${tier}: quarantined rows`);
}

for (const metadata of [true, false]) {
  Deno.test(`references: Parquet against Parquet (metadata ${metadata})`, async () => {
    await using dir = await tempDir();
    const data = writeBoth(orders(), dir.path, "orders");
    const reference = writeBoth(customers(), dir.path, "customers");
    await checkTier("parquet", data.parquet, reference.parquet, dir.path, { metadata });
  });
}

Deno.test("references: CSV against CSV, and Parquet against a relative CSV", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  await checkTier("csv", data.csv, reference.csv, dir.path);
  // A relative reference resolves like the datasource, against the Kontract's directory.
  const path = `${dir.path}/kontract.yml`;
  await Deno.writeTextFile(
    path,
    JSON.stringify(kontract("orders.parquet", "customers.csv")),
  );
  const result = await validate(path, { actions: false });
  assertEquals(result.results.map((r) => r.failed_count), [2, 4, 1, 0]);
});

Deno.test("references: S3 against S3, and a glob of local files", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  const server = await startS3Server();
  try {
    await server.createBucket("lake");
    await server.putFile("lake", "orders.parquet", data.parquet);
    await server.putFile("lake", "customers.parquet", reference.parquet);
    // The server's variables reach only this run, not the shared process environment.
    await checkTier("s3", "s3://lake/orders.parquet", "s3://lake/customers.parquet", dir.path, {
      env: server.env(),
    });
  } finally {
    await server.close();
  }
  // The reference split over two files, named by a glob.
  await Deno.mkdir(`${dir.path}/split`);
  customers().slice(0, 2).writeParquet(`${dir.path}/split/a.parquet`);
  customers().slice(2, 3).writeParquet(`${dir.path}/split/b.parquet`);
  await checkTier("glob", data.parquet, `${dir.path}/split/*.parquet`, dir.path);
});

const pg = pgTest("references: PostgreSQL table against a table of the same database");
Deno.test(pg, async () => {
  const postgres = requirePostgres();
  await using dir = await tempDir();
  await using schema = await tempSchema(postgres);
  await loadPostgres(postgres, schema.name, "orders", orders());
  await loadPostgres(postgres, schema.name, "customers", customers());
  await checkTier(
    "postgres",
    `${postgres.url}/${schema.name}.orders`,
    `${postgres.url}/${schema.name}.customers`,
    dir.path,
    { env: {} },
  );
  // Fail-fast: EXISTS of the same rows (at least one).
  const fast = await validate(
    kontract(`${postgres.url}/${schema.name}.orders`, `${postgres.url}/${schema.name}.customers`),
    { env: {}, failFast: true, actions: false },
  );
  assertEquals(fast.results.map((r) => r.failed_count), [1, 1, 1, 0]);
});

Deno.test("references: Snowflake table against a table of the same database", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("orders", data.parquet);
    await sf.loadParquet("customers", reference.parquet);
    await checkTier("snowflake", sf.tableUri("orders"), sf.tableUri("customers"), dir.path, {
      env: sf.env,
    });
  });
});

const my = mysqlTest("references: MySQL/MariaDB table against a table of the same database");
Deno.test(my, async () => {
  const mysql = requireMysql();
  await using dir = await tempDir();
  await using db = await tempDatabase(mysql);
  await loadMysql(mysql, db.name, "orders", orders());
  await loadMysql(mysql, db.name, "customers", customers());
  // The database's collation is case-insensitive and pads spaces: exact() compares bytes.
  await checkTier("mysql", `${db.url}/orders`, `${db.url}/customers`, dir.path, { env: {} });
});

Deno.test("references: DuckDB plans the count as a hash anti-join", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  const sql = antiJoinCountSql({
    data: { from: `read_parquet(${duckdb.literal(data.parquet)})`, allowedPaths: [] },
    column: "customer",
    reference: { from: `read_parquet(${duckdb.literal(reference.parquet)})`, allowedPaths: [] },
    referenceColumn: "cid",
  });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(`EXPLAIN ${sql}`)).getRows();
    const plan = rows.map((row) => String(row[1])).join("\n");
    assert(/HASH_JOIN/.test(plan) && /Join Type: (RIGHT_)?ANTI/.test(plan), plan);
    // Not a DELIM join, which would group the dataset's distinct values first.
    assert(!/DELIM/.test(plan), `a DELIM join:\n${plan}`);
    assertEquals(Number((await connection.runAndReadAll(sql)).getRows()[0][0]), 2);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

Deno.test("references: --explain names the anti-join and the reference", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  const plan = await explain(kontract(data.parquet, reference.parquet));
  const reads = plan.reads.map((read) => read.what).join("\n");
  assert(reads.includes("hash anti-join in DuckDB"), reads);
  assert(reads.includes("customers.parquet"), reads);
});

Deno.test("references: errors name the rule", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  const one = (column: string, to: Record<string, string>) => ({
    name: "references",
    datasource: data.parquet,
    rules: [{ name: "references", params: { column, to } }],
  });
  // Text against integers: a Kontract error naming both types.
  await expectError(
    validate(one("country", { datasource: reference.parquet, column: "cid" })),
    KontractError,
    "COL:country:references: country (String) cannot be compared with the reference column cid (Int32)",
  );
  // A reference that does not exist: the datasource's own error, naming the rule (exit 2).
  const missing = await validate(
    one("customer", { datasource: `${dir.path}/nope.parquet`, column: "cid" }),
  ).catch((error) => error);
  assert(missing instanceof DataSourceError && missing.exitCode === 2, String(missing));
  assert(missing.message.includes("COL:customer:references: to.datasource: "), missing.message);
  // A reference column that does not exist: did you mean.
  await expectError(
    validate(one("customer", { datasource: reference.parquet, column: "cidd" })),
    KontractError,
    'to.column: column "cidd" not found in',
  );
  await expectError(
    validate(one("customer", { datasource: reference.parquet, column: "cidd" })),
    KontractError,
    '(did you mean "cid"?)',
  );
  // Bad params: a Kontract error at the field.
  await expectError(
    validate(one("customer", { datasource: reference.parquet } as Record<string, string>)),
    KontractError,
    "to.column",
  );
  // A dataset column that is missing fails the rule like any rule on a missing column.
  const absent = await validate(one("buyer", { datasource: reference.parquet, column: "cid" }), {
    actions: false,
  });
  assertEquals(absent.results[0].status, "failed");
  assertEquals(absent.results[0].failed_count, 8);
});

const cross = pgTest("references: files against a PostgreSQL table, and a table against files");
Deno.test(cross, async () => {
  const postgres = requirePostgres();
  await using dir = await tempDir();
  await using schema = await tempSchema(postgres);
  await loadPostgres(postgres, schema.name, "customers", customers());
  await loadPostgres(postgres, schema.name, "orders", orders());
  const data = writeBoth(orders(), dir.path, "orders");
  // Files against a table: its keys streamed once, then the same anti-join.
  await checkTier(
    "parquet_vs_postgres",
    data.parquet,
    `${postgres.url}/${schema.name}.customers`,
    dir.path,
    { env: {} },
  );
  await checkTier(
    "csv_vs_postgres",
    data.csv,
    `${postgres.url}/${schema.name}.customers`,
    dir.path,
    { env: {} },
  );
  // A table against files: its values and their rows streamed out once, then the anti-join.
  const reference = writeBoth(customers(), dir.path, "customers");
  await checkTier(
    "postgres_vs_parquet",
    `${postgres.url}/${schema.name}.orders`,
    reference.parquet,
    dir.path,
    { env: {} },
  );
  await checkTier(
    "postgres_vs_csv",
    `${postgres.url}/${schema.name}.orders`,
    reference.csv,
    dir.path,
    { env: {} },
  );
  // Another database: refused before connecting to it.
  await expectError(
    validate({
      name: "x",
      datasource: `${postgres.url}/${schema.name}.orders`,
      rules: [{
        name: "references",
        params: {
          column: "customer",
          to: { datasource: `${postgres.url}_other/${schema.name}.customers`, column: "cid" },
        },
      }],
    }, { env: {} }),
    KontractError,
    "not in the dataset's database",
  );
  // A missing table of the same database: the database's own error, naming the rule.
  const noTable = await validate({
    name: "x",
    datasource: `${postgres.url}/${schema.name}.orders`,
    rules: [{
      name: "references",
      params: {
        column: "customer",
        to: { datasource: `${postgres.url}/${schema.name}.nope`, column: "cid" },
      },
    }],
  }, { env: {} }).then(() => undefined, (error) => error);
  assert(noTable instanceof DataSourceError && noTable.exitCode === 2, String(noTable));
  assert(noTable.message.includes("COL:customer:references: to.datasource"), noTable.message);
});

const myCross = mysqlTest("references: files and a MySQL/MariaDB table, both ways (case-folding)");
Deno.test(myCross, async () => {
  const mysql = requireMysql();
  await using dir = await tempDir();
  await using db = await tempDatabase(mysql);
  await loadMysql(mysql, db.name, "customers", customers());
  const data = writeBoth(orders(), dir.path, "orders");
  // The table's collation folds case: the keys are grouped byte for byte all the same.
  await checkTier("parquet_vs_mysql", data.parquet, `${db.url}/customers`, dir.path, { env: {} });
  // And the other way: us and US are one group under the collation, two values here.
  await loadMysql(mysql, db.name, "orders", orders());
  const reference = writeBoth(customers(), dir.path, "customers");
  await checkTier("mysql_vs_parquet", `${db.url}/orders`, reference.parquet, dir.path, {
    env: {},
  });
});

Deno.test("references: a Snowflake table against files", async () => {
  await using dir = await tempDir();
  const data = writeBoth(orders(), dir.path, "orders");
  const reference = writeBoth(customers(), dir.path, "customers");
  await withSnowflake(async (sf) => {
    await sf.loadParquet("orders", data.parquet);
    await checkTier("snowflake_vs_parquet", sf.tableUri("orders"), reference.parquet, dir.path, {
      env: sf.env,
    });
  });
});

/** The error `promise` rejects with: of `type`, exit 2, its message containing `text`. */
async function expectError(
  promise: Promise<unknown>,
  type: typeof KontractError | typeof DataSourceError,
  text: string,
): Promise<void> {
  const error = await promise.then(() => undefined, (error) => error);
  assert(error instanceof type, `expected ${type.name}, got ${error}`);
  assert(error.message.includes(text), error.message);
  assertEquals(error.exitCode, 2);
}

Deno.test("references: which key types compare, and what is one database", () => {
  const info = (name: string, dtype: string, timeZone?: string) => ({
    name,
    dtype,
    ...(timeZone ? { timeZone } : {}),
  });
  assertEquals(keyTypeProblem(info("a", "Int64"), info("b", "UInt8")), undefined);
  assertEquals(keyTypeProblem(info("a", "Int64"), info("b", "Float64")), undefined);
  assertEquals(keyTypeProblem(info("a", "String"), info("b", "Categorical")), undefined);
  assertEquals(keyTypeProblem(info("a", "Null"), info("b", "Date")), undefined);
  assert(keyTypeProblem(info("a", "Bool"), info("b", "Int64"))?.includes("a (Bool)"));
  assert(
    keyTypeProblem(info("a", "Datetime", "UTC"), info("b", "Datetime"))?.includes("instants"),
  );
  assert(keyTypeProblem(info("a", "List"), info("b", "List"))?.includes("compares numbers"));
  assert(sameDatabase("postgres://u@h:5432/db/s.t", "postgres://u@h:5432/db/other.x"));
  assert(!sameDatabase("postgres://u@h:5432/db/s.t", "postgres://u@h:5432/db2/s.t"));
  assert(!sameDatabase("postgres://u@h:5432/db/s.t", "postgres://v@h:5432/db/s.t"));
  assert(!sameDatabase("mysql://u@h/db/t", "postgres://u@h/db/t"));
  assert(!sameDatabase("data/orders.parquet", "data/orders.parquet"));
});
