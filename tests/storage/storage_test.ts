/**
 * One behaviour contract for every Storage, run against a local directory and against
 * S3 (s3rver, in-process): listing with sizes, ETags and times, ranged, bounded and
 * streamed reads, downloads, atomic writes, deletes, staging and publishing a folder,
 * and failures as one line that names the object and holds no secret. Then what only a
 * local directory has (links and folders in the way), and `openStorage`'s dispatch.
 */
import { openStorage } from "../../src/storage/open_storage.ts";
import { type Storage, StorageError } from "../../src/storage/storage.ts";
import { removeTempDir } from "../../src/core/temp_dirs.ts";
import { DataSourceError } from "../../src/core/errors.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { type S3TestServer, startS3Server } from "../support/s3_server.ts";

const BUCKET = "store";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A storage rooted at a fresh place of each kind; `env` holds its secrets, if any. */
interface Place {
  kind: "local" | "s3";
  storage: Storage;
  /** Opens another location of the same kind (e.g. a missing one). */
  open(location: string): Promise<Storage>;
  /** Where a fresh storage of this kind is rooted. */
  root: string;
  secret?: string;
}

async function withPlaces(body: (place: Place) => Promise<void>): Promise<void> {
  await using tmp = await tempDir();
  const local = `${tmp.path}/root`;
  await Deno.mkdir(local);
  await runPlace(body, {
    kind: "local",
    root: local,
    storage: await openStorage(local, {}),
    open: (location) => openStorage(location, {}),
  });
  const server: S3TestServer = await startS3Server();
  try {
    await server.createBucket(BUCKET);
    const env: Record<string, string> = { ...server.env(), KONTRA_S3_TIMEOUT: "10" };
    await runPlace(body, {
      kind: "s3",
      root: `s3://${BUCKET}/root/`,
      storage: await openStorage(`s3://${BUCKET}/root/`, env),
      open: (location) => openStorage(location, env),
      secret: env.AWS_SECRET_ACCESS_KEY,
    });
  } finally {
    await server.close();
  }
}

async function runPlace(body: (place: Place) => Promise<void>, place: Place): Promise<void> {
  try {
    await body(place);
  } catch (error) {
    throw new Error(`${place.kind}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  } finally {
    place.storage.close();
  }
}

/** Writes `files` (key → text) through `put`, from a staging directory. */
async function putAll(storage: Storage, files: Record<string, string>): Promise<void> {
  const staged = await storage.stagingDir("");
  try {
    for (const [key, content] of Object.entries(files)) {
      const local = `${staged}/${crypto.randomUUID()}`;
      await Deno.writeTextFile(local, content);
      await storage.put(key, local);
    }
  } finally {
    await removeTempDir(staged);
  }
}

/** The StorageError `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<StorageError> {
  try {
    await promise;
  } catch (error) {
    assert(error instanceof StorageError, String(error));
    assert(!error.message.includes("\n"), error.message);
    return error;
  }
  throw new Error("expected a StorageError");
}

Deno.test("put, list and stat: keys in order, sizes, times, one level or all", async () => {
  await withPlaces(async ({ storage, kind }) => {
    await putAll(storage, { "b.csv": "id\n1\n", "a/x.parquet": "PAR1", "a/deep/y.csv": "y" });
    const all = await storage.list("");
    assertEquals(all.map((object) => [object.key, object.size, object.kind]), [
      ["a/deep/y.csv", 1, "file"],
      ["a/x.parquet", 4, "file"],
      ["b.csv", 5, "file"],
    ]);
    for (const object of all) assert(typeof object.mtimeMs === "number", object.key);
    if (kind === "s3") assert(all.every((object) => object.etag), "S3 objects have ETags");
    assertEquals((await storage.list("a/", { maxDepth: 0 })).map((o) => o.key), ["a/x.parquet"]);
    assertEquals((await storage.list("", { maxDepth: 1 })).map((o) => o.key), [
      "a/x.parquet",
      "b.csv",
    ]);
    assertEquals((await storage.list("a/de")).map((o) => o.key), ["a/deep/y.csv"]);
    const stat = await storage.stat("b.csv");
    assertEquals([stat.key, stat.size], ["b.csv", 5]);
  });
});

Deno.test("reads: a byte range, the whole object within a limit, chunks, a download", async () => {
  await withPlaces(async ({ storage }) => {
    await putAll(storage, { "d/data.csv": "0123456789" });
    assertEquals(text(await storage.readRange("d/data.csv", 2, 5)), "234");
    assertEquals(text(await storage.readRange("d/data.csv", 8, 10)), "89");
    assertEquals(text(await storage.read("d/data.csv", 10)), "0123456789");
    const tooLarge = await failure(storage.read("d/data.csv", 9));
    assertEquals(tooLarge.problem, "too_large");
    const chunks: string[] = [];
    for await (const chunk of storage.chunks("d/data.csv")) chunks.push(text(chunk));
    assertEquals(chunks.join(""), "0123456789");
    await using tmp = await tempDir();
    await storage.download("d/data.csv", `${tmp.path}/copy.csv`);
    assertEquals(await Deno.readTextFile(`${tmp.path}/copy.csv`), "0123456789");
    assertEquals((await Deno.stat(`${tmp.path}/copy.csv`)).mode! & 0o777, 0o600);
    // Never over a file that is there already.
    await failure(storage.download("d/data.csv", `${tmp.path}/copy.csv`));
  });
});

Deno.test("put replaces an object whole; delete removes it, and a missing one is fine", async () => {
  await withPlaces(async ({ storage }) => {
    await putAll(storage, { "k/file.csv": "old" });
    await putAll(storage, { "k/file.csv": "new!" });
    assertEquals(text(await storage.read("k/file.csv", 100)), "new!");
    await storage.delete("k/file.csv");
    await storage.delete("k/file.csv");
    assertEquals((await storage.list("k/")).map((object) => object.key), []);
    assertEquals((await failure(storage.stat("k/file.csv"))).problem, "not_found");
  });
});

Deno.test("a staged folder is published whole where the storage can, else file by file", async () => {
  await withPlaces(async ({ storage, kind }) => {
    const staged = await storage.stagingDir("runs/");
    try {
      await Deno.writeTextFile(`${staged}/part.csv`, "a\n1\n");
      const whole = await storage.putFolder(staged, "runs/r1/");
      assertEquals(whole, kind === "local");
      if (!whole) await storage.put("runs/r1/part.csv", `${staged}/part.csv`);
      assertEquals((await storage.list("runs/")).map((o) => o.key), ["runs/r1/part.csv"]);
      // Once there, a folder is never replaced whole.
      const again = await storage.stagingDir("runs/");
      assertEquals(await storage.putFolder(again, "runs/r1/"), false);
      await removeTempDir(again);
    } finally {
      await removeTempDir(staged);
    }
    assertEquals(
      storage.describe("runs/r1/"),
      kind === "local" ? `${storage.uri}/runs/r1/` : `s3://${BUCKET}/root/runs/r1/`,
    );
  });
});

Deno.test("failures: one line naming the object, the kind of problem, no secret", async () => {
  await withPlaces(async ({ storage, kind, open, root, secret }) => {
    const missing = await failure(storage.readRange("nope.csv", 0, 4));
    assertEquals(missing.problem, "not_found");
    assert(missing.message.includes(storage.describe("nope.csv")), missing.message);
    assertEquals(missing.exitCode, 3);
    if (secret) assert(!missing.message.includes(secret));
    // A root that is not there: local says so; S3 has no folders, only an empty listing.
    const absent = await open(`${root.replace(/\/$/, "")}-absent/`);
    try {
      if (kind === "local") {
        assertEquals((await failure(absent.list(""))).problem, "not_found");
      } else {
        assertEquals(absent.folders, false);
        assertEquals(await absent.list(""), []);
      }
    } finally {
      absent.close();
    }
    if (kind === "s3") {
      const noBucket = await open("s3://no-such-bucket/x/");
      try {
        const error = await failure(noBucket.list(""));
        assertEquals(error.problem, "no_bucket");
        assertEquals(
          error.message,
          "cannot list s3://no-such-bucket/x/: the bucket does not exist",
        );
      } finally {
        noBucket.close();
      }
    }
  });
});

Deno.test("local: links and folders in the way are refused, never followed or removed", async () => {
  await using tmp = await tempDir();
  const victim = `${tmp.path}/victim`;
  await Deno.mkdir(victim);
  await Deno.mkdir(`${tmp.path}/root`);
  await Deno.symlink(victim, `${tmp.path}/root/linked`);
  const storage = await openStorage(`${tmp.path}/root`, {});
  const file = `${tmp.path}/file.txt`;
  await Deno.writeTextFile(file, "x");
  assertEquals((await failure(storage.put("linked/a.txt", file))).problem, "link");
  assertEquals((await failure(storage.stagingDir("linked/"))).problem, "link");
  assertEquals([...Deno.readDirSync(victim)], []);
  await Deno.mkdir(`${tmp.path}/root/dir.txt`);
  assertEquals((await failure(storage.put("dir.txt", file))).problem, "is_directory");
  assertEquals((await failure(storage.delete("dir.txt"))).problem, "is_directory");
  // A listing reports the link as a link and does not walk into it.
  assertEquals((await storage.list("")).map((o) => [o.key, o.kind]), [["linked", "link"]]);
  await Deno.writeTextFile(`${tmp.path}/plain`, "");
  const notFolder = await openStorage(`${tmp.path}/plain`, {});
  assertEquals((await failure(notFolder.list(""))).problem, "not_directory");
});

Deno.test("openStorage: paths, file:// and s3://; globs and other schemes are usage errors", async () => {
  await using tmp = await tempDir();
  assertEquals((await openStorage(`file://${tmp.path}`, {})).uri, tmp.path);
  const relative = await openStorage("dlq", {}, { baseDir: tmp.path });
  assertEquals(relative.describe("a/"), `${tmp.path}/dlq/a/`);
  const s3 = await openStorage("s3://bucket/prefix", { AWS_REGION: "us-east-1" });
  assertEquals(s3.describe("a.csv"), "s3://bucket/prefix/a.csv");
  assertEquals(s3.folders, false);
  s3.close();
  for (
    const [uri, message] of [
      ["s3://bucket/x/*.csv", /cannot be a glob/],
      ["gs://bucket/x", /unsupported scheme "gs:\/\/"/],
      ["s3://B/x", /not a valid S3 URI/],
    ] as const
  ) {
    await openStorage(uri, {}).then(
      () => assert.fail(`${uri} opened`),
      (error) => {
        assert(error instanceof DataSourceError, String(error));
        assertEquals(error.exitCode, 2);
        assert.match(error.message, message);
      },
    );
  }
});
