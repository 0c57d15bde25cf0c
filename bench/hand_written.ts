/**
 * The baselines: the counts of `bench/users.yml`, written by hand, without Kontra.
 *
 *   deno run -A bench/hand_written.ts <variant> <data>
 *
 * `<data>` is a directory of Parquet files or `s3://bucket/prefix/` (credentials and
 * endpoint from AWS_*). Variants:
 * - `polars+duckdb`: the best we know how to write. ONE streaming Polars pass for the
 *   row-local counts, NULL counts and the row count; DuckDB for the duplicate counts
 *   (user_id: a bitmap of its range with `bitstring_agg`; email: a spilling `GROUP BY …
 *   HAVING` of hashes, then of the values whose hash repeats) and for the SQL check. On
 *   S3 the objects are downloaded first (DuckDB cannot read S3 here). Memory limit
 *   512MB, as Kontra's.
 * - `duckdb`: ONE DuckDB statement for everything (local data only), memory limit 1GB.
 * - `polars`: ONE Polars query with `nUnique` (needs memory for every distinct value:
 *   ~150 bytes a row; the suite runs it only up to 20M rows).
 *
 * Prints `{ "counts": { <rule id>: <failed count> }, "seconds": … }`.
 * @module
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import pl from "nodejs-polars";

const EMAIL = "^[^@\\s]+@[^@\\s]+\\.[a-z]+$";
const NAME = "^User [0-9]+$";
const COUNTRIES = ["US", "DE", "FR", "JP", "BR"];
const STATUSES = ["active", "inactive"];
const AGE_SQL = "age < 18 OR age > 120";
const STREAMING = { engine: "streaming" } as const;

type Counts = Record<string, number>;

/** Failed counts of bench/users.yml from the measured quantities. */
function failedCounts(m: Record<string, number>, scoreType: string): Counts {
  return {
    "COL:user_id:not_null": m.user_id_nulls,
    "COL:user_id:unique": m.user_id_duplicates,
    "COL:email:unique": m.email_duplicates,
    "COL:email:not_null": m.email_nulls,
    "COL:email:regex": m.bad_emails,
    "COL:name:regex": m.bad_names,
    "COL:country:allowed_values": m.bad_countries,
    "COL:status:allowed_values": m.bad_statuses,
    "COL:age:not_null": m.age_nulls,
    "COL:score:dtype": /^Float(32|64)$/.test(scoreType) ? 0 : m.rows,
    "DATASET:min_rows": Math.max(0, 1000 - m.rows),
    "DATASET:max_rows": Math.max(0, m.rows - 1_000_000_000),
    "DATASET:custom_sql_check": m.sql_rows,
  };
}

function cloudOptions(): Record<string, string> {
  const env = Deno.env.toObject();
  return {
    aws_region: env.AWS_REGION ?? "us-east-1",
    ...(env.AWS_ENDPOINT_URL ? { aws_endpoint_url: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ACCESS_KEY_ID ? { aws_access_key_id: env.AWS_ACCESS_KEY_ID } : {}),
    ...(env.AWS_SECRET_ACCESS_KEY ? { aws_secret_access_key: env.AWS_SECRET_ACCESS_KEY } : {}),
  };
}

function scanOf(data: string) {
  return data.startsWith("s3://")
    ? pl.scanParquet(`${data.replace(/\/?$/, "/")}*.parquet`, { cloudOptions: cloudOptions() })
    : pl.scanParquet(`${data}/*.parquet`);
}

/** Row-local counts, NULL counts and rows in one streaming Polars pass. */
function polarsPass(data: string): Record<string, number> {
  const col = pl.col;
  const notIn = (name: string, values: string[]) =>
    col(name).isNotNull().and(
      values.map((v) => col(name).eq(pl.lit(v))).reduce((a, b) => a.or(b)).not(),
    );
  const sum = (expr: ReturnType<typeof col>, alias: string) =>
    expr.cast(pl.UInt32).sum().alias(alias);
  const frame = scanOf(data).select(
    pl.len().alias("rows"),
    sum(col("user_id").isNull(), "user_id_nulls"),
    sum(col("email").isNull(), "email_nulls"),
    sum(col("age").isNull(), "age_nulls"),
    sum(col("email").isNotNull().and(col("email").str.contains(EMAIL).not()), "bad_emails"),
    sum(col("name").isNotNull().and(col("name").str.contains(NAME).not()), "bad_names"),
    sum(notIn("country", COUNTRIES), "bad_countries"),
    sum(notIn("status", STATUSES), "bad_statuses"),
  ).collectSync(STREAMING);
  return Object.fromEntries(
    frame.columns.map((name) => [name, Number(frame.getColumn(name).get(0))]),
  );
}

/** Downloads every Parquet object under an s3:// prefix into `dir`. */
async function download(data: string, dir: string): Promise<string[]> {
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(data)!;
  const env = Deno.env.toObject();
  const client = new S3Client({
    region: env.AWS_REGION ?? "us-east-1",
    endpoint: env.AWS_ENDPOINT_URL,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith(".parquet"));
    const files: string[] = [];
    for (const [index, key] of keys.sort().entries()) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const file = join(dir, `${index}.parquet`);
      const output = await Deno.open(file, { write: true, createNew: true });
      await response.Body!.transformToWebStream().pipeTo(output.writable);
      files.push(file);
    }
    return files;
  } finally {
    client.destroy();
  }
}

async function duckdbScalar(sql: string, memoryLimit: string, spill: string): Promise<number[]> {
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: memoryLimit,
    temp_directory: spill,
  });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRows();
    return rows[0].map((value) => Number(value ?? 0));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const duplicatesOf = (table: string, c: string) =>
  `SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM ${table} WHERE ${c} IS NOT NULL GROUP BY ${c} HAVING COUNT(*) > 1)`;
const stringDuplicatesOf = (table: string, c: string) =>
  `WITH h AS (SELECT hash(${c}) AS h FROM ${table} WHERE ${c} IS NOT NULL GROUP BY h HAVING COUNT(*) > 1) ` +
  `SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM ${table} WHERE ${c} IS NOT NULL AND hash(${c}) IN (SELECT h FROM h) GROUP BY ${c} HAVING COUNT(*) > 1)`;

async function polarsAndDuckdb(data: string, work: string): Promise<Record<string, number>> {
  const measured = polarsPass(data);
  const files = data.startsWith("s3://")
    ? await download(data, work)
    : [...Deno.readDirSync(data)].map((e) => `${data}/${e.name}`).filter((f) =>
      f.endsWith(".parquet")
    ).sort();
  const table = `read_parquet([${files.map((f) => `'${f}'`).join(", ")}])`;
  // user_id's range is small: one bit per value (bitstring_agg) beats a GROUP BY.
  const [low, high] = await duckdbScalar(
    `SELECT MIN(user_id), MAX(user_id) FROM ${table}`,
    "512MB",
    work,
  );
  const [userIdDuplicates] = await duckdbScalar(
    `SELECT COUNT(user_id) - bit_count(bitstring_agg(user_id, ${low}, ${high})) FROM ${table}`,
    "512MB",
    work,
  );
  const [emailDuplicates] = await duckdbScalar(stringDuplicatesOf(table, "email"), "512MB", work);
  const [sqlRows] = await duckdbScalar(
    `SELECT COUNT(*) FROM ${table} WHERE ${AGE_SQL}`,
    "512MB",
    work,
  );
  return {
    ...measured,
    user_id_duplicates: userIdDuplicates,
    email_duplicates: emailDuplicates,
    sql_rows: sqlRows,
  };
}

async function duckdbOnly(data: string, work: string): Promise<Record<string, number>> {
  const table = `read_parquet('${data}/*.parquet')`;
  const inList = (values: string[]) => values.map((v) => `'${v}'`).join(", ");
  const names = [
    "rows",
    "user_id_nulls",
    "email_nulls",
    "age_nulls",
    "bad_emails",
    "bad_names",
    "bad_countries",
    "bad_statuses",
    "sql_rows",
    "user_id_duplicates",
    "email_duplicates",
  ];
  const values = await duckdbScalar(
    `SELECT COUNT(*), COUNT(*) FILTER (WHERE user_id IS NULL), COUNT(*) FILTER (WHERE email IS NULL),
      COUNT(*) FILTER (WHERE age IS NULL),
      COUNT(*) FILTER (WHERE email IS NOT NULL AND NOT regexp_matches(email, '${EMAIL}')),
      COUNT(*) FILTER (WHERE name IS NOT NULL AND NOT regexp_matches(name, '${NAME}')),
      COUNT(*) FILTER (WHERE country NOT IN (${inList(COUNTRIES)})),
      COUNT(*) FILTER (WHERE status NOT IN (${inList(STATUSES)})),
      COUNT(*) FILTER (WHERE ${AGE_SQL}),
      (${duplicatesOf(table, "user_id")}), (${duplicatesOf(table, "email")})
     FROM ${table}`,
    "1GB",
    work,
  );
  return Object.fromEntries(names.map((name, index) => [name, values[index]]));
}

function polarsOnly(data: string): Record<string, number> {
  const measured = polarsPass(data);
  const frame = scanOf(data).select(
    // nUnique counts NULL as a value: drop NULLs first.
    pl.col("user_id").count().sub(pl.col("user_id").dropNulls().nUnique()).alias(
      "user_id_duplicates",
    ),
    pl.col("email").count().sub(pl.col("email").dropNulls().nUnique()).alias("email_duplicates"),
    pl.col("age").lt(pl.lit(18).cast(pl.Int32)).or(pl.col("age").gt(pl.lit(120).cast(pl.Int32)))
      .cast(pl.UInt32).sum().alias("sql_rows"),
  ).collectSync();
  const extra = Object.fromEntries(
    frame.columns.map((n) => [n, Number(frame.getColumn(n).get(0))]),
  );
  return { ...measured, ...extra };
}

if (import.meta.main) {
  const [variant, data] = Deno.args;
  const work = await Deno.makeTempDir({ prefix: "kontra-bench-hand-" });
  try {
    const started = performance.now();
    const measured = variant === "polars+duckdb"
      ? await polarsAndDuckdb(data, work)
      : variant === "duckdb"
      ? await duckdbOnly(data, work)
      : variant === "polars"
      ? polarsOnly(data)
      : (() => {
        throw new Error(`unknown variant ${variant}`);
      })();
    const scoreType = String(scanOf(data).select("score").limit(0).collectSync().dtypes[0].variant);
    console.log(JSON.stringify({
      counts: failedCounts(measured, scoreType),
      seconds: (performance.now() - started) / 1000,
    }));
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
