/**
 * Retries with exponential backoff and jitter, bounded both by the number of attempts
 * and by the total time. The time bound holds IN TOTAL, requests included: each attempt
 * is told how much time is left and must not run longer (an HTTP client aborts its
 * request then), no attempt starts once the time is up, and no wait reaches past it. An
 * attempt says whether its failure is worth retrying and may ask for a minimum wait (an
 * HTTP `Retry-After`). The clock is injectable, so tests run the real logic in
 * milliseconds.
 *
 * This module imports nothing from the rest of Kontra: Slack and S3 share it.
 * @module
 */

/** How hard to try. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The wait after the first failure; it doubles after each further one. */
  baseDelayMs: number;
  /** No backoff wait is longer (a `Retry-After` is honoured within `maxTotalMs`). */
  maxDelayMs: number;
  /**
   * Everything (attempts and waits) ends this much time after the first attempt started:
   * an attempt is given at most what is left.
   */
  maxTotalMs: number;
}

/** 5 attempts, 0.5 s doubling up to 8 s, 30 s in all. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxTotalMs: 30_000,
};

/** Time and randomness, injectable for tests. */
export interface RetryClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Waits `ms` milliseconds; rejects with the signal's reason when it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

/** The real clock. */
export const systemClock: RetryClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
  random: Math.random,
};

/** What one attempt came to. */
export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | {
    ok: false;
    /** False for failures that will not go away (e.g. HTTP 404): stop at once. */
    retryable: boolean;
    /** One line, safe to show. */
    error: string;
    /** Wait at least this long before the next attempt (`Retry-After`). */
    retryAfterMs?: number;
  };

/** The attempts failed; `message` says why and how often it was tried. */
export class RetryError extends Error {
  /** Attempts made. */
  readonly attempts: number;

  constructor(message: string, attempts: number) {
    super(message);
    this.name = "RetryError";
    this.attempts = attempts;
  }
}

/**
 * The wait before attempt `attempt + 1`: exponential with "equal jitter" (half fixed,
 * half random), so waits grow yet concurrent clients spread out.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * ceiling / 2;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's bounds are reached.
 * `attempt` gets its number (from 1) and the milliseconds left of `policy.maxTotalMs`,
 * which it must not exceed.
 */
export async function withRetry<T>(
  attempt: (number: number, remainingMs: number) => Promise<AttemptOutcome<T>>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  clock: RetryClock = systemClock,
  signal?: AbortSignal,
): Promise<{ value: T; attempts: number }> {
  const started = clock.now();
  for (let number = 1;; number++) {
    signal?.throwIfAborted();
    const outcome = await attempt(number, policy.maxTotalMs - (clock.now() - started));
    if (outcome.ok) return { value: outcome.value, attempts: number };
    if (!outcome.retryable) throw new RetryError(outcome.error, number);
    if (number >= policy.maxAttempts) {
      throw new RetryError(`${outcome.error} (gave up after ${attempts(number)})`, number);
    }
    const wait = outcome.retryAfterMs ?? backoffMs(number, policy, clock.random);
    // The next attempt needs time of its own after the wait: none left means give up.
    if (clock.now() - started + wait >= policy.maxTotalMs) {
      throw new RetryError(outOfTime(outcome.error, number, policy), number);
    }
    await clock.sleep(wait, signal);
  }
}

/**
 * Why retrying stopped at the total bound: `<error> (gave up after N attempts, X s bound)`.
 * Also for an attempt that itself ran out of the time left.
 */
export function outOfTime(error: string, tried: number, policy: RetryPolicy): string {
  const bound = `${String(Math.round(policy.maxTotalMs / 100) / 10)} s bound`;
  return `${error} (gave up after ${attempts(tried)}, ${bound})`;
}

function attempts(number: number): string {
  return `${number} attempt${number === 1 ? "" : "s"}`;
}

/**
 * An HTTP `Retry-After` value (seconds, or an HTTP date) in milliseconds, or undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
