/**
 * One list of rule cases, checked on every source and tier Kontra has: Parquet (footer
 * statistics on, and off so the scan answers), CSV, S3 (a real S3 API server),
 * PostgreSQL, the Snowflake test server and MySQL/MariaDB. Each tier runs all cases in
 * ONE Kontract, must give each case's failed_count and verdict without a rule error,
 * and then quarantines: each failing row-level rule must put its rows there.
 * @module
 */
import type { DataFrame } from "nodejs-polars";
import { validate } from "../../mod.ts";
import type { Environment } from "../../src/core/environment.ts";
import { measureModule } from "../../src/engine/measures/registry.ts";
import { findRule } from "../../src/rules/registry.ts";
import type { RuleResult } from "../../src/report/result.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, writeBoth } from "./fixtures.ts";
import { loadFrame as loadMysql, mysqlTest, requireMysql, tempDatabase } from "./mysql.ts";
import { loadFrame as loadPostgres, pgTest, requirePostgres, tempSchema } from "./postgres.ts";
import { startS3Server } from "./s3_server.ts";
import { withSnowflake } from "./snowflake_fixtures.ts";

/** One rule with the outcome every tier must give. */
export interface TierCase {
  rule: string;
  params: Record<string, unknown>;
  /** The rule's `when:` condition. */
  when?: string;
  /** The rule's `tolerance:`. */
  tolerance?: { max_failed?: number; max_failed_ratio?: number };
  /** The failed_count every tier gives. */
  failed: number;
  /** The verdict; `failed === 0` unless said. */
  passed?: boolean;
  /**
   * Rows quarantined for this rule: by default `failed` when the rule failed and its
   * rows can be quarantined, else 0.
   */
  quarantined?: number;
  /**
   * The result's `measured_value` every tier gives (`aggregate`): text and null exactly,
   * numbers within a relative 1e-12 (float sums and means differ in the last bits
   * between engines).
   */
  measured?: number | string | null;
}

/** Where a case list runs. */
export type Tier = "parquet" | "parquet_scan" | "csv" | "s3" | "postgres" | "snowflake" | "mysql";

/** Options of {@linkcode testEveryTier}. */
export interface EveryTierOptions {
  /** Tiers left out, each with the engine's limit that makes it so. */
  skip?: Partial<Record<Tier, string>>;
  /** The rows of a previous run, given as its result file (`row_count_change`'s baseline). */
  previousRows?: number;
}

/** Registers one Deno.test per tier, named `${title}: ${tier}`. */
export function testEveryTier(
  title: string,
  frame: () => DataFrame,
  cases: TierCase[],
  options: EveryTierOptions = {},
): void {
  const named = (tier: Tier) => {
    const skip = options.skip?.[tier];
    return skip ? `${title}: ${tier} (skipped: ${skip})` : `${title}: ${tier}`;
  };
  const ignore = (tier: Tier) => options.skip?.[tier] !== undefined;
  for (const [tier, metadata] of [["parquet", true], ["parquet_scan", false]] as const) {
    Deno.test({ name: named(tier), ignore: ignore(tier) }, async () => {
      await using dir = await tempDir();
      const { parquet } = writeBoth(frame(), dir.path, "data");
      await checkCases(parquet, cases, {
        metadata,
        dir: dir.path,
        previousRows: options.previousRows,
        tier,
      });
    });
  }
  Deno.test({ name: named("csv"), ignore: ignore("csv") }, async () => {
    await using dir = await tempDir();
    const { csv } = writeBoth(frame(), dir.path, "data");
    await checkCases(csv, cases, {
      dir: dir.path,
      previousRows: options.previousRows,
      tier: "csv",
    });
  });
  Deno.test({ name: named("s3"), ignore: ignore("s3") }, async () => {
    await using dir = await tempDir();
    const { parquet } = writeBoth(frame(), dir.path, "data");
    const server = await startS3Server();
    try {
      await server.createBucket("lake");
      await server.putFile("lake", "data.parquet", parquet);
      // The server's variables reach only this run (the process environment is shared by
      // test modules running in parallel).
      await checkCases("s3://lake/data.parquet", cases, {
        dir: dir.path,
        previousRows: options.previousRows,
        tier: "s3",
        env: server.env(),
      });
    } finally {
      await server.close();
    }
  });
  const pg = pgTest(named("postgres"));
  Deno.test({ ...pg, ignore: pg.ignore || ignore("postgres") }, async () => {
    const postgres = requirePostgres();
    await using dir = await tempDir();
    await using schema = await tempSchema(postgres);
    await loadPostgres(postgres, schema.name, "data", frame());
    await checkCases(`${postgres.url}/${schema.name}.data`, cases, {
      dir: dir.path,
      previousRows: options.previousRows,
      tier: "postgres",
      env: {},
    });
  });
  Deno.test({ name: named("snowflake"), ignore: ignore("snowflake") }, async () => {
    await using dir = await tempDir();
    const { parquet } = writeBoth(frame(), dir.path, "data");
    await withSnowflake(async (sf) => {
      await sf.loadParquet("data", parquet);
      await checkCases(sf.tableUri("data"), cases, {
        dir: dir.path,
        previousRows: options.previousRows,
        tier: "snowflake",
        env: sf.env,
      });
    });
  });
  const my = mysqlTest(named("mysql"));
  Deno.test({ ...my, ignore: my.ignore || ignore("mysql") }, async () => {
    const mysql = requireMysql();
    await using dir = await tempDir();
    await using db = await tempDatabase(mysql);
    await loadMysql(mysql, db.name, "data", frame());
    await checkCases(`${db.url}/data`, cases, {
      dir: dir.path,
      previousRows: options.previousRows,
      tier: "mysql",
      env: {},
    });
  });
}

/** A Kontract with every case as a rule, ids `c0`, `c1`, … */
export function kontractOfCases(cases: TierCase[], datasource: string): Record<string, unknown> {
  return {
    name: "cases",
    datasource,
    rules: cases.map(({ rule, params, when, tolerance }, index) => ({
      name: rule,
      params,
      id: `c${index}`,
      ...(when === undefined ? {} : { when }),
      ...(tolerance === undefined ? {} : { tolerance }),
    })),
  };
}

/** The outcome a result gives, in the terms of a case. */
function outcomeOf(result: RuleResult): [string, number, boolean, string | undefined] {
  return [result.rule_id, result.failed_count, result.passed, result.status];
}

async function checkCases(
  datasource: string,
  cases: TierCase[],
  { metadata = true, dir, tier, env, previousRows }: {
    metadata?: boolean;
    dir: string;
    tier: Tier;
    env?: Environment;
    previousRows?: number;
  },
): Promise<void> {
  const baseline = `${dir}/baseline.json`;
  if (previousRows !== undefined) {
    const previous = { schema_version: "1.0", dataset: { uri: "earlier", rows: previousRows } };
    await Deno.writeTextFile(baseline, JSON.stringify(previous));
  }
  const result = await validate(kontractOfCases(cases, datasource), {
    metadata,
    ...(env ? { env } : {}),
    ...(previousRows === undefined ? {} : { baseline }),
  });
  const errors = result.results.filter((r) => r.status === "error");
  assertEquals(errors.map((r) => `${r.rule_id}: ${r.message}`), [], `${tier}: rule errors`);
  assertEquals(
    result.results.map(outcomeOf),
    cases.map(({ failed, passed }, index) => {
      const verdict = passed ?? failed === 0;
      return [`c${index}`, failed, verdict, verdict ? "passed" : "failed"] as [
        string,
        number,
        boolean,
        string | undefined,
      ];
    }),
    `${tier}: counts and verdicts (c<index>, failed_count, passed, status)`,
  );
  cases.forEach(({ measured }, index) => {
    if (measured === undefined) return;
    const value = result.results[index].measured_value;
    const close = typeof measured === "number" && typeof value === "number" &&
      Math.abs(value - measured) <= 1e-12 * Math.max(1, Math.abs(measured));
    if (!close) assertEquals(value, measured, `${tier}: c${index}'s measured_value`);
  });
  const expectedRows = Object.fromEntries(
    cases.flatMap((testCase, index): [string, number][] => {
      const rows = testCase.quarantined ?? defaultQuarantined(testCase);
      return rows === 0 ? [] : [[`c${index}`, rows]];
    }),
  );
  const location = `${dir}/dlq-${tier}`;
  const action = await result.quarantine({ location });
  if (Object.keys(expectedRows).length === 0) {
    assertEquals(action.status, "skipped", `${tier}: quarantine`);
    return;
  }
  assertEquals(action.status, "succeeded", `${tier}: quarantine ${action.message ?? ""}`);
  const manifest = JSON.parse(await Deno.readTextFile(`${action.location}_manifest.json`));
  assertEquals(manifest.rows_per_rule, expectedRows, `${tier}: quarantined rows per rule`);
}

function defaultQuarantined({ rule, params, failed, passed }: TierCase): number {
  const failing = !(passed ?? failed === 0);
  const definition = findRule(rule);
  if (!failing || !definition) return 0;
  return measureModule(definition.measure(params)).rowLevel ? failed : 0;
}
