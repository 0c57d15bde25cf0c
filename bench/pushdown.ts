/**
 * SQL pushdown efficiency for the scale report: bench/postgres.ts (Kontra next to ONE
 * hand-written batched query on a PostgreSQL table, same run) in a child process, and
 * the round trips Kontra makes, counted on a small table of the same shape.
 * @module
 */
import postgres from "postgres";
import { validate } from "../mod.ts";
import { POSTGRES_RULES } from "./kontracts.ts";
import { measureDeno } from "./measure.ts";

/** What the report says about PostgreSQL. */
export interface PushdownFigures {
  rows: number;
  rules: number;
  kontra_seconds: number;
  hand_written_seconds: number;
  ratio: number;
  /** Statements Kontra sent, and the network round trips they took (one query: 1). */
  statements: number;
  round_trips: number;
}

const URL_DEFAULT = "postgres://postgres@127.0.0.1:5432/test";

/** Runs bench/postgres.ts with `rows` and counts Kontra's round trips; undefined when no server. */
export async function pushdownFigures(
  rows: number,
  runs: number,
  log: (message: string) => void,
): Promise<PushdownFigures | undefined> {
  const url = Deno.env.get("KONTRA_BENCH_PG_URL") ?? URL_DEFAULT;
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  const schema = `kontra_bench_rt_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
  try {
    await admin.unsafe("SELECT 1");
  } catch {
    log("PostgreSQL is not reachable: pushdown figures skipped");
    await admin.end();
    return undefined;
  }
  try {
    log(`PostgreSQL: bench/postgres.ts --rows ${rows} --runs ${runs}`);
    await measureDeno(["bench/postgres.ts", "--rows", String(rows), "--runs", String(runs)]);
    const result = JSON.parse(await Deno.readTextFile("bench/results/postgres.json"));
    await admin.unsafe(`CREATE SCHEMA "${schema}"`);
    await admin.unsafe(`CREATE TABLE "${schema}".users AS
      SELECT g::bigint AS user_id, 'user' || g || '@example.com' AS email,
        (ARRAY['US', 'DE', 'FR', 'GB', 'XX'])[1 + g % 5] AS country,
        (ARRAY['active', 'inactive', 'banned'])[1 + g % 3] AS status,
        (18 + g % 60)::integer AS age
      FROM generate_series(1, 10000) AS g`);
    const checked = await validate({
      name: "round_trips",
      datasource: `${url.replace(/\/+$/, "")}/${schema}.users`,
      rules: POSTGRES_RULES,
    }, { env: {}, timings: true });
    return {
      rows: result.rows,
      rules: result.rules,
      kontra_seconds: result.kontra_seconds,
      hand_written_seconds: result.hand_written_seconds,
      ratio: result.ratio,
      statements: checked.document.stats?.sql?.length ?? 0,
      round_trips: checked.document.stats?.sql_round_trips ?? 0,
    };
  } finally {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin.end();
  }
}
