/** Many Parquet files as one Polars scan: a glob only when it names exactly the files. */
import pl from "nodejs-polars";
import { assertEquals } from "../support/assert.ts";
import { tempDir } from "../support/fixtures.ts";
import { exactGlob, keySiblings, localSiblings } from "../../src/sources/one_scan.ts";
import { LocalFileSource } from "../../src/sources/file.ts";
import { validate } from "../../mod.ts";

const names = (...list: string[]) => () => list;

Deno.test("exactGlob: a glob only when it matches exactly the files", () => {
  const files = ["d/a.parquet", "d/b.parquet"];
  assertEquals(exactGlob(files, names("a.parquet", "b.parquet", "_SUCCESS")), "d/*.parquet");
  assertEquals(exactGlob(["/x/y/a.pq", "/x/y/b.pq"], names("a.pq", "b.pq")), "/x/y/*.pq");
  // Polars' `*` matches hidden and underscore names, and folders: they must be ours.
  assertEquals(exactGlob(files, names("a.parquet", "b.parquet", ".c.parquet")), undefined);
  assertEquals(exactGlob(files, names("a.parquet", "b.parquet", "_c.parquet")), undefined);
  assertEquals(exactGlob(files, names("a.parquet")), undefined);
  assertEquals(exactGlob(files, () => undefined), undefined);
  // One file needs no glob; files in two folders, odd names or extensions get none.
  assertEquals(exactGlob(["d/a.parquet"], names("a.parquet")), undefined);
  assertEquals(exactGlob(["d/a.parquet", "e/b.parquet"], names("a.parquet")), undefined);
  assertEquals(exactGlob(["d/a.parquet", "d_b.parquet"], names("a.parquet")), undefined);
  assertEquals(
    exactGlob(["d/a b.parquet", "d/c.parquet"], names("a b.parquet", "c.parquet")),
    undefined,
  );
  assertEquals(
    exactGlob(["d/[a].parquet", "d/c.parquet"], names("[a].parquet", "c.parquet")),
    undefined,
  );
  assertEquals(
    exactGlob(["d*/a.parquet", "d*/c.parquet"], names("a.parquet", "c.parquet")),
    undefined,
  );
  assertEquals(
    exactGlob(["d/a.parquet", "d/b.PARQUET"], names("a.parquet", "b.PARQUET")),
    undefined,
  );
  assertEquals(exactGlob(["d/a", "d/b"], names("a", "b")), undefined);
  assertEquals(exactGlob(["a.parquet", "b.parquet"], names("a.parquet", "b.parquet")), undefined);
  assertEquals(exactGlob(["d/a.parquet", "d/a.parquet"], names("a.parquet")), undefined);
});

Deno.test("keySiblings: one level of an object listing", () => {
  const siblings = keySiblings(["x.parquet", "d/a.parquet", "d/e/b.parquet", "d/"], "s3://b");
  assertEquals(siblings("s3://b"), ["x.parquet"]);
  assertEquals(siblings("s3://b/d"), ["a.parquet", ""]);
  assertEquals(siblings("s3://other/d"), undefined);
  assertEquals(
    exactGlob(
      ["s3://b/d/a.parquet", "s3://b/d/c.parquet"],
      keySiblings(["d/a.parquet", "d/c.parquet"], "s3://b"),
    ),
    "s3://b/d/*.parquet",
  );
});

Deno.test("a directory of Parquet files is ONE scan, in file order, with the same counts", async () => {
  await using dir = await tempDir();
  for (const [index, values] of [[1, 2], [3, null], [3, 4]].entries()) {
    pl.DataFrame({ v: pl.Series("v", values).cast(pl.Int64) }).writeParquet(
      `${dir.path}/part-${index}.parquet`,
    );
  }
  assertEquals(localSiblings(`${dir.path}/missing`), undefined);
  const plan = async (path: string) =>
    (await LocalFileSource.open(path, path)).scan(["v"]).describeOptimizedPlan();
  assertEquals((await plan(dir.path)).includes("UNION"), false);
  const result = await validate({
    name: "parts",
    datasource: dir.path,
    rules: [
      { name: "unique", params: { column: "v" } },
      { name: "not_null", params: { column: "v" } },
      { name: "allowed_values", params: { column: "v", values: [1, 2, 3] } },
    ],
  }, { metadata: false });
  assertEquals(result.results.map((rule) => rule.failed_count), [1, 1, 1]);
  // A stray file the glob would match: the files are concatenated instead, same counts.
  await Deno.writeFile(
    `${dir.path}/.hidden.parquet`,
    await Deno.readFile(`${dir.path}/part-0.parquet`),
  );
  assertEquals((await plan(`${dir.path}/part-*.parquet`)).includes("UNION"), true);
  const again = await validate({
    name: "parts",
    datasource: `${dir.path}/part-*.parquet`,
    rules: [{ name: "unique", params: { column: "v" } }],
  });
  assertEquals(again.results[0].failed_count, 1);
});
