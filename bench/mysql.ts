/**
 * `deno task bench:mysql [--rows 5000000] [--runs 3]`: Kontra on a MariaDB table next to
 * ONE hand-written query that measures the same seven rules, in the same run, as
 * bench/postgres.ts does for PostgreSQL. Both times include connecting; the ratio is the
 * figure to watch.
 *
 * The hand-written query is what a MySQL user would write: plain comparisons under the
 * column's collation. Kontra compares text byte for byte (`CAST(… AS BINARY)`), as Polars
 * does, so part of any gap is the price of exact counts. The rows are generated
 * server-side (MariaDB's `seq_1_to_N` sequence engine) in a database of their own, dropped
 * afterwards, also after a failure. Server: 127.0.0.1:3306, user root (the machine's
 * MariaDB), or `KONTRA_BENCH_MYSQL_URL` (`mysql://user@host:port`).
 * @module
 */
import { parseArgs } from "node:util";
import mysql from "mysql2/promise";
import { validate } from "../mod.ts";
import { versusHandWritten } from "./versus_hand_written.ts";
import { POSTGRES_RULES as DATABASE_RULES } from "./kontracts.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "5000000" },
    runs: { type: "string", default: "3" },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const server = new URL(Deno.env.get("KONTRA_BENCH_MYSQL_URL") ?? "mysql://root@127.0.0.1:3306");
const database = `kontra_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const connection = {
  host: server.hostname,
  port: Number(server.port || 3306),
  user: decodeURIComponent(server.username || "root"),
  password: decodeURIComponent(server.password),
};

/** The same seven measurements, written by hand as one query. */
const HAND_WRITTEN = `SELECT
  COUNT(*),
  SUM(email IS NULL),
  COUNT(user_id) - COUNT(DISTINCT user_id),
  SUM(country IS NOT NULL AND country NOT IN ('US', 'DE', 'FR', 'GB')),
  SUM(email IS NOT NULL AND email NOT REGEXP '^[a-z0-9]+@example[.]com$'),
  SUM(status IS NOT NULL AND status NOT IN ('active', 'inactive')),
  SUM(age IS NULL)
FROM \`${database}\`.users`;

async function load(admin: mysql.Connection): Promise<void> {
  await admin.query(`CREATE DATABASE \`${database}\``);
  // seq_1_to_N lives in every database, but only a current one resolves it.
  await admin.query(`USE \`${database}\``);
  await admin.query(`CREATE TABLE \`${database}\`.users (user_id BIGINT, email VARCHAR(64),
    country VARCHAR(8), status VARCHAR(16), age INT, signup_date DATE)`);
  await admin.query(`INSERT INTO \`${database}\`.users SELECT seq,
      CASE WHEN seq % 97 = 0 THEN NULL WHEN seq % 101 = 0 THEN CONCAT('User ', seq)
        ELSE CONCAT('user', seq, '@example.com') END,
      ELT(1 + seq % 5, 'US', 'DE', 'FR', 'GB', 'XX'),
      ELT(1 + seq % 3, 'active', 'inactive', 'banned'),
      CASE WHEN seq % 50 = 0 THEN NULL ELSE 18 + seq % 60 END,
      DATE '2020-01-01' + INTERVAL (seq % 1500) DAY
    FROM seq_1_to_${rows}`);
}

async function timeKontra(): Promise<{ seconds: number; counts: number[] }> {
  const started = performance.now();
  const result = await validate({
    name: "bench",
    datasource: `mysql://${
      encodeURIComponent(connection.user)
    }@${connection.host}:${connection.port}/${database}/users`,
    rules: DATABASE_RULES.map((rule, index) => ({ ...rule, id: `r${index}` })),
  }, { env: connection.password ? { MYSQL_PWD: connection.password } : {} });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, counts: result.results.map((rule) => rule.failed_count) };
}

async function timeHandWritten(): Promise<{ seconds: number; counts: number[] }> {
  const started = performance.now();
  const client = await mysql.createConnection({ ...connection, rowsAsArray: true });
  try {
    const [result] = await client.query(HAND_WRITTEN);
    const seconds = (performance.now() - started) / 1000;
    const [n, emails, duplicates, countries, patterns, statuses, ages] = (result as unknown[][])[0]
      .map(Number);
    return {
      seconds,
      counts: [emails, duplicates, countries, patterns, statuses, ages, Math.max(0, 1000 - n)],
    };
  } finally {
    await client.end();
  }
}

if (import.meta.main) {
  const admin = await mysql.createConnection(connection);
  try {
    console.error(`loading ${rows.toLocaleString("en")} rows into ${database}.users…`);
    await load(admin);
    const result = await versusHandWritten(
      "mysql",
      { rows, rules: DATABASE_RULES.length, runs },
      timeKontra,
      timeHandWritten,
    );
    console.log(JSON.stringify(result));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }
}
