/**
 * The baseline: a bare streaming Polars pass over the same columns Kontra reads,
 * touching every value once, over ONE multi-file scan (as Kontra's sources do).
 *
 *   deno run -A bench/bare_scan.ts <dir-or-file-or-s3://bucket/prefix/> <column>…
 *
 * S3 credentials and endpoint come from AWS_*. Prints the NULL counts as JSON.
 * @module
 */
import pl from "nodejs-polars";

const [target, ...columns] = Deno.args;
const env = Deno.env.toObject();
const scan = target.startsWith("s3://")
  ? pl.scanParquet(`${target.replace(/\/?$/, "/")}*.parquet`, {
    cloudOptions: {
      aws_region: env.AWS_REGION ?? "us-east-1",
      ...(env.AWS_ENDPOINT_URL ? { aws_endpoint_url: env.AWS_ENDPOINT_URL } : {}),
      ...(env.AWS_ACCESS_KEY_ID ? { aws_access_key_id: env.AWS_ACCESS_KEY_ID } : {}),
      ...(env.AWS_SECRET_ACCESS_KEY ? { aws_secret_access_key: env.AWS_SECRET_ACCESS_KEY } : {}),
    },
  })
  : (await Deno.stat(target)).isDirectory
  ? pl.scanParquet(`${target}/*.parquet`)
  : pl.scanParquet(target);
const counts = scan.select(...columns.map((c) => pl.col(c).isNull().sum().alias(c)))
  // deno-lint-ignore no-explicit-any
  .collectSync({ engine: "streaming" } as any);
console.log(JSON.stringify({ nulls: counts.toRecords()[0] }));
