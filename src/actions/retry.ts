/**
 * Retries with backoff and jitter: moved to `src/core/retry.ts` (S3 requests use it too);
 * re-exported here for the SDK's existing imports.
 * @module
 */
export {
  type AttemptOutcome,
  backoffMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryClock,
  RetryError,
  type RetryPolicy,
  systemClock,
  withRetry,
} from "../core/retry.ts";
