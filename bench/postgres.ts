/**
 * `deno task bench:postgres [--rows 5000000] [--runs 3] [--url postgres://…/db]`: Kontra
 * on a PostgreSQL table next to ONE hand-written batched query that measures the same
 * seven rules, in the same run. Both times include connecting; the ratio is the figure
 * to watch (target ≤ 1.1×).
 *
 * The rows are generated server-side (`generate_series`) into a schema of their own,
 * which is dropped afterwards, also after a failure. The server is `--url`, else
 * `KONTRA_BENCH_PG_URL`, else postgres://postgres@127.0.0.1:5432/test.
 * @module
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { validate } from "../mod.ts";
import { versusHandWritten } from "./versus_hand_written.ts";
import { POSTGRES_RULES } from "./kontracts.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "5000000" },
    runs: { type: "string", default: "3" },
    url: { type: "string" },
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const url = values.url ?? Deno.env.get("KONTRA_BENCH_PG_URL") ??
  "postgres://postgres@127.0.0.1:5432/test";
const schema = `kontra_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
const table = `"${schema}"."users"`;

/** The same seven measurements, written by hand as one batched query. */
const HAND_WRITTEN = `SELECT
  COUNT(*) AS rows,
  COUNT(*) FILTER (WHERE email IS NULL) AS email_nulls,
  COUNT(user_id) - COUNT(DISTINCT user_id) AS user_id_duplicates,
  COUNT(*) FILTER (WHERE country IS NOT NULL AND country NOT IN ('US', 'DE', 'FR', 'GB'))
    AS bad_countries,
  COUNT(*) FILTER (WHERE email IS NOT NULL AND email !~ '^[a-z0-9]+@example\\.com$')
    AS bad_emails,
  COUNT(*) FILTER (WHERE status IS NOT NULL AND status NOT IN ('active', 'inactive'))
    AS bad_statuses,
  COUNT(*) FILTER (WHERE age IS NULL) AS age_nulls
FROM ${table}`;

async function load(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`CREATE SCHEMA "${schema}"`);
  await sql.unsafe(`CREATE TABLE ${table} AS
    SELECT g::bigint AS user_id,
      CASE WHEN g % 97 = 0 THEN NULL
        WHEN g % 101 = 0 THEN 'User ' || g
        ELSE 'user' || g || '@example.com' END AS email,
      (ARRAY['US', 'DE', 'FR', 'GB', 'XX'])[1 + g % 5] AS country,
      (ARRAY['active', 'inactive', 'banned'])[1 + g % 3] AS status,
      CASE WHEN g % 50 = 0 THEN NULL ELSE 18 + g % 60 END::integer AS age,
      DATE '2020-01-01' + (g % 1500)::integer AS signup_date
    FROM generate_series(1, ${rows}) AS g`);
  await sql.unsafe(`ANALYZE ${table}`);
}

async function timeKontra(): Promise<{ seconds: number; counts: number[] }> {
  const started = performance.now();
  const result = await validate({
    name: "bench",
    datasource: `${url.replace(/\/+$/, "")}/${schema}.users`,
    rules: POSTGRES_RULES.map((rule, index) => ({ ...rule, id: `r${index}` })),
  }, { env: {} });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, counts: result.results.map((rule) => rule.failed_count) };
}

async function timeHandWritten(): Promise<{ seconds: number; counts: number[] }> {
  const started = performance.now();
  const sql = postgres(url, { max: 1, onnotice: () => {}, prepare: false });
  try {
    const [row] = await sql.unsafe(HAND_WRITTEN);
    const seconds = (performance.now() - started) / 1000;
    const n = Number(row.rows);
    return {
      seconds,
      counts: [
        row.email_nulls,
        row.user_id_duplicates,
        row.bad_countries,
        row.bad_emails,
        row.bad_statuses,
        row.age_nulls,
        Math.max(0, 1000 - n),
      ].map(Number),
    };
  } finally {
    await sql.end();
  }
}

if (import.meta.main) {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    console.error(`loading ${rows.toLocaleString("en")} rows into ${table}…`);
    const loadStarted = performance.now();
    await load(admin);
    console.error(`loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    const result = await versusHandWritten(
      "postgres",
      { rows, rules: POSTGRES_RULES.length, runs },
      timeKontra,
      timeHandWritten,
    );
    console.log("| rows | rules | kontra s | hand-written query s | ratio |");
    console.log("|---:|---:|---:|---:|---:|");
    console.log(
      `| ${
        rows.toLocaleString("en")
      } | ${POSTGRES_RULES.length} | ${result.kontra_seconds} | ${result.hand_written_seconds} | ${result.ratio} |`,
    );
  } finally {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
