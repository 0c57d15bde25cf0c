/**
 * Quarantine into S3 (s3rver, in-process): the same bytes as a local quarantine,
 * idempotent re-runs, verification from S3, S3 sources, and a missing bucket.
 */
import { createHash } from "node:crypto";
import pl from "nodejs-polars";
import { validate, verifyQuarantine } from "../../mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { type S3TestServer, startS3Server } from "../support/s3_server.ts";
import { downloadFile, listKeys, uploadFile } from "../../src/storage/s3_objects.ts";
import { EXPECTED_ROWS, shopKontract, snapshot, writeShop } from "./fixtures.ts";

async function withServer(body: (server: S3TestServer) => Promise<void>): Promise<void> {
  const server = await startS3Server();
  try {
    await server.createBucket("dlq");
    await body(server);
  } finally {
    await server.close();
  }
}

/** Key → SHA-256 of every object in a bucket. */
async function objects(server: S3TestServer, bucket: string): Promise<Record<string, string>> {
  const sdk = await import("@aws-sdk/client-s3");
  const listed = await server.client.send(new sdk.ListObjectsV2Command({ Bucket: bucket }));
  const found: Record<string, string> = {};
  for (const { Key } of listed.Contents ?? []) {
    const object = await server.client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key }));
    const bytes = await object.Body!.transformToByteArray();
    found[Key!] = createHash("sha256").update(bytes).digest("hex");
  }
  return found;
}

Deno.test("quarantine into S3 writes the same bytes as locally, idempotently", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  await withServer(async (server) => {
    const env = server.env();
    const kontract = shopKontract({ quarantine: { location: "s3://dlq/users" } });
    const first = await validate(kontract, { data, env });
    const [action] = first.actions;
    assertEquals(action.status, "succeeded", action.error);
    assertEquals(action.rows, EXPECTED_ROWS.length);
    const run = action.location!.split("/").at(-2)!;
    assertEquals(action.location, `s3://dlq/users/shop/${run}/`);
    const stored = await objects(server, "dlq");
    assertEquals(Object.keys(stored), [
      `users/shop/${run}/_manifest.json`,
      `users/shop/${run}/part-00000.parquet`,
    ]);
    // The same run, quarantined locally: byte for byte the same files.
    const local = await first.quarantine({ location: `${tmp.path}/dlq` });
    assertEquals(local.location, `${tmp.path}/dlq/shop/${run}/`);
    const localFiles = await snapshot(`${tmp.path}/dlq`);
    assertEquals(
      Object.values(stored),
      Object.keys(localFiles).sort().map((path) => localFiles[path]),
    );
    assertEquals((await verifyQuarantine("s3://dlq/users/", { env })).ok, true);
    // A second run rewrites the same objects; a stray one is not Kontra's to delete.
    const stray = `users/shop/${run}/stray.parquet`;
    await server.putBytes("dlq", stray, new Uint8Array([1]));
    await validate(kontract, { data, env });
    const after = await objects(server, "dlq");
    assertEquals(Object.keys(after), [...Object.keys(stored), stray]);
    for (const [key, sha] of Object.entries(stored)) assertEquals(after[key], sha, key);
    assertEquals((await verifyQuarantine("s3://dlq/users/", { env })).ok, false);
  });
});

Deno.test("verify reads S3: an edited object is reported", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  await withServer(async (server) => {
    const env = server.env();
    const result = await validate(shopKontract({ quarantine: { location: "s3://dlq/" } }), {
      data,
      env,
    });
    const location = result.actions[0].location!;
    const intact = await verifyQuarantine("s3://dlq/", { env });
    assertEquals(intact.runs.map((run) => [run.location, run.ok, run.rows]), [[location, true, 9]]);
    const key = `${location.slice("s3://dlq/".length)}part-00000.parquet`;
    const local = `${tmp.path}/edited.parquet`;
    pl.DataFrame({ id: [1] }).writeParquet(local);
    await server.putFile("dlq", key, local);
    const damaged = await verifyQuarantine(location, { env });
    assertEquals(damaged.ok, false);
    assert(
      damaged.runs[0].problems.includes("part-00000.parquet: content changed (SHA-256 differs)"),
    );
    assert(damaged.runs[0].problems.some((p) => p.includes("schema changed")));
  });
});

Deno.test("an S3 source quarantines into S3 in source order", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  await withServer(async (server) => {
    await server.createBucket("lake");
    for (const part of [0, 1]) {
      await server.putFile("lake", `shop/part-${part}.parquet`, `${data}/part-${part}.parquet`);
    }
    const env = server.env();
    const result = await validate(shopKontract({ quarantine: { location: "s3://dlq/" } }), {
      data: "s3://lake/shop/",
      env,
    });
    const [action] = result.actions;
    assertEquals([action.status, action.rows], ["succeeded", EXPECTED_ROWS.length], action.error);
    const verified = await verifyQuarantine(action.location!, { env });
    assertEquals(verified.ok, true, JSON.stringify(verified));
  });
});

Deno.test("a missing bucket fails the action with one line and no secret", async () => {
  await using tmp = await tempDir();
  const data = await writeShop(`${tmp.path}/data`);
  await withServer(async (server) => {
    const env = server.env();
    const result = await validate(shopKontract({ quarantine: { location: "s3://nobucket/x/" } }), {
      data,
      env,
    });
    assertEquals(result.passed, false);
    const [action] = result.actions;
    assertEquals(action.status, "failed");
    assert(action.error!.startsWith("cannot write s3://nobucket/x/shop/"), action.error);
    assert(action.error!.endsWith(": the bucket does not exist"), action.error);
    assert(!action.error!.includes(env.AWS_SECRET_ACCESS_KEY));
  });
});

Deno.test("a large file goes up as one multipart upload", async () => {
  await using tmp = await tempDir();
  await withServer(async (server) => {
    const path = `${tmp.path}/big.bin`;
    const bytes = new Uint8Array(12 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    await Deno.writeFile(path, bytes);
    await uploadFile(server.client, "dlq", "big.bin", path, 1024 * 1024);
    const stored = await objects(server, "dlq");
    assertEquals(stored, { "big.bin": createHash("sha256").update(bytes).digest("hex") });
    const back = `${tmp.path}/back.bin`;
    await downloadFile(server.client, "dlq", "big.bin", back);
    assertEquals((await Deno.stat(back)).size, bytes.length);
    assertEquals(await listKeys(server.client, "dlq", "b"), ["big.bin"]);
  });
});
