/** The benchmark guard: a figure fails only when it is more than 25% above its baseline. */
import { assertEquals } from "../support/assert.ts";
import { regressions } from "../../bench/ci.ts";
import { median } from "../../bench/measure.ts";

Deno.test("bench:ci flags figures more than 25% above the baseline, and missing ones", () => {
  const baseline = { ratio: 1.0, rss_mb: 400 };
  assertEquals(regressions({ ratio: 1.25, rss_mb: 500 }, baseline), []);
  assertEquals(regressions({ ratio: 0.5, rss_mb: 100 }, baseline), []);
  const worse = regressions({ ratio: 1.3, rss_mb: 400 }, baseline);
  assertEquals(worse.length, 1);
  assertEquals(worse[0].startsWith("ratio: 1.3 > 1.250"), true);
  assertEquals(regressions({ ratio: 1 }, baseline), ["rss_mb: not measured"]);
  assertEquals([median([3, 1, 2]), median([4, 1, 3, 2])], [2, 2.5]);
});
