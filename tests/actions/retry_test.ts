/**
 * Backoff with jitter, bounded by attempts and total time, on a fake clock.
 */
import {
  type AttemptOutcome,
  backoffMs,
  parseRetryAfter,
  type RetryClock,
  RetryError,
  type RetryPolicy,
  systemClock,
  withRetry,
} from "../../src/core/retry.ts";
import { assert, assertEquals } from "../support/assert.ts";

const POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 400,
  maxTotalMs: 10_000,
};

/** A clock whose sleeps only advance time; `random` is fixed at 0.5. */
function fakeClock(): RetryClock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
  };
}

/** Attempts that fail with `failures` outcomes, then succeed with "done". */
function script(failures: AttemptOutcome<string>[]) {
  let calls = 0;
  const attempt = (): Promise<AttemptOutcome<string>> => {
    calls++;
    return Promise.resolve(failures[calls - 1] ?? { ok: true, value: "done" });
  };
  return { attempt, calls: () => calls };
}

const busy: AttemptOutcome<string> = { ok: false, retryable: true, error: "busy" };

Deno.test("retries with exponential backoff and equal jitter until success", async () => {
  const clock = fakeClock();
  const { attempt, calls } = script([busy, busy, busy]);
  assertEquals(await withRetry(attempt, POLICY, clock), { value: "done", attempts: 4 });
  assertEquals(calls(), 4);
  // ceilings 100, 200, 400 → half fixed + 0.5 × half random
  assertEquals(clock.sleeps, [75, 150, 300]);
});

Deno.test("backoff never exceeds maxDelayMs and spreads with randomness", () => {
  assertEquals(backoffMs(10, POLICY, () => 0.999999) <= 400, true);
  assertEquals(backoffMs(1, POLICY, () => 0), 50);
  assertEquals(backoffMs(1, POLICY, () => 1), 100);
});

Deno.test("a non-retryable failure stops at once", async () => {
  const clock = fakeClock();
  const { attempt, calls } = script([{ ok: false, retryable: false, error: "HTTP 404" }]);
  await withRetry(attempt, POLICY, clock).then(
    () => assert.fail("expected failure"),
    (error) => {
      assert(error instanceof RetryError);
      assertEquals(error.message, "HTTP 404");
      assertEquals(error.attempts, 1);
    },
  );
  assertEquals(calls(), 1);
  assertEquals(clock.sleeps, []);
});

Deno.test("gives up after maxAttempts", async () => {
  const clock = fakeClock();
  const { attempt, calls } = script(Array(10).fill(busy));
  const error = await withRetry(attempt, { ...POLICY, maxAttempts: 3 }, clock).catch((e) => e);
  assertEquals(error.message, "busy (gave up after 3 attempts)");
  assertEquals(calls(), 3);
  assertEquals(clock.sleeps.length, 2);
});

Deno.test("gives up rather than wait past maxTotalMs", async () => {
  const clock = fakeClock();
  const { attempt, calls } = script(Array(10).fill(busy));
  const error = await withRetry(attempt, { ...POLICY, maxTotalMs: 300 }, clock).catch((e) => e);
  // waits 75 + 150 = 225; the next (300) would end at 525 > 300
  assertEquals(error.message, "busy (gave up after 3 attempts, 0.3 s bound)");
  assertEquals(calls(), 3);
});

Deno.test("Retry-After is honoured instead of the backoff", async () => {
  const clock = fakeClock();
  const { attempt } = script([{ ...busy, retryAfterMs: 2_000 }, busy]);
  await withRetry(attempt, POLICY, clock);
  assertEquals(clock.sleeps, [2_000, 150]);
});

Deno.test("a Retry-After beyond the total bound gives up", async () => {
  const clock = fakeClock();
  const { attempt, calls } = script([{ ...busy, retryAfterMs: 60_000 }]);
  const error = await withRetry(attempt, POLICY, clock).catch((e) => e);
  assertEquals(error.message, "busy (gave up after 1 attempt, 10 s bound)");
  assertEquals(calls(), 1);
});

Deno.test("an aborted signal stops the retries", async () => {
  const controller = new AbortController();
  const { attempt } = script(Array(10).fill(busy));
  const sleeping = withRetry(
    attempt,
    { ...POLICY, baseDelayMs: 10_000, maxDelayMs: 10_000 },
    systemClock,
    controller.signal,
  );
  controller.abort(new Error("stop"));
  const error = await sleeping.catch((e) => e);
  assertEquals(error.message, "stop");
});

Deno.test("the system clock sleeps", async () => {
  const start = systemClock.now();
  await systemClock.sleep(5);
  assert(systemClock.now() - start >= 4);
});

Deno.test("parseRetryAfter reads seconds and HTTP dates", () => {
  assertEquals(parseRetryAfter("3"), 3_000);
  assertEquals(parseRetryAfter(" 0.5 "), 500);
  assertEquals(parseRetryAfter(null), undefined);
  assertEquals(parseRetryAfter(""), undefined);
  assertEquals(parseRetryAfter("soon"), undefined);
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assertEquals(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", now), 5_000);
  assertEquals(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0);
});
