import { validate } from "/work/main/mod.ts";
import { expectedCounts, kontractOf, RULE_CASES } from "/work/main/tests/support/rule_cases.ts";
import { peopleFrame } from "/work/main/tests/support/fixtures.ts";
import { loadFrame, requireMysql, tempDatabase } from "/work/main/tests/support/mysql.ts";
Deno.test("smoke", async () => {
  const my = requireMysql();
  await using db = await tempDatabase(my);
  await loadFrame(my, db.name, "people", peopleFrame());
  for (const failFast of [false, true]) {
    const result = await validate(kontractOf(RULE_CASES, `${db.url}/people`), {
      env: {},
      timings: true,
      failFast,
    });
    const got = result.results.map((
      r,
    ) => [r.rule, r.column ?? "", r.failed_count, r.status, r.error ?? ""]);
    const want = expectedCounts(RULE_CASES);
    got.forEach((g, i) => {
      if (g[2] !== want[i][2]) console.log("MISMATCH", i, g, want[i]);
    });
    console.log(result.document.stats?.sql);
  }
});
