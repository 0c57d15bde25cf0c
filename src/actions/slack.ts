/**
 * Posts a message to a Slack incoming webhook. 429 (honouring `Retry-After`), 5xx and
 * network errors are retried with backoff, bounded by attempts and by the total time,
 * which holds for requests and waits together (a request is aborted when the time is up);
 * other 4xx are not. The webhook URL is a secret: no error, log line or result ever holds
 * it, nor any text derived from it. It is registered with the scrubber (with its path and
 * token), and the body posted is scrubbed of every registered secret.
 * @module
 */
import { registerSecretUrl, scrubSecrets, scrubSecretsDeep } from "../core/secrets.ts";
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  outOfTime,
  parseRetryAfter,
  type RetryClock,
  type RetryPolicy,
  systemClock,
  withRetry,
} from "../core/retry.ts";
import type { SlackPayload } from "./slack_message.ts";

/** How to post. Tests inject a fast clock and small bounds. */
export interface SlackPostOptions {
  /** Retry bounds; unset fields keep the defaults (5 attempts, 0.5 s doubling, 30 s). */
  retry?: Partial<RetryPolicy>;
  /** Time and randomness for the backoff. */
  clock?: RetryClock;
  /** One request's timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** Stops retrying and aborts the request in flight. */
  signal?: AbortSignal;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Posts `payload`; resolves with the attempts made, rejects with a redacted one-line error. */
export async function postToSlack(
  webhookUrl: string,
  payload: SlackPayload,
  options: SlackPostOptions = {},
): Promise<{ attempts: number }> {
  registerSecretUrl(webhookUrl);
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const body = scrubSecrets(JSON.stringify(scrubSecretsDeep(payload)));
  // Slack's last answer: when the total bound cuts the last attempt short, it is the
  // better reason to report than that cut.
  let lastAnswer: string | undefined;
  const cutShort = (number: number): AttemptOutcome<void> => ({
    ok: false,
    retryable: false,
    error: outOfTime(lastAnswer ?? "Slack did not answer in time", number, policy),
  });
  const attempt = async (number: number, remainingMs: number): Promise<AttemptOutcome<void>> => {
    // A request never outlives the total bound: it gets at most the time that is left.
    const perRequestMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const requestMs = Math.min(perRequestMs, remainingMs);
    if (requestMs <= 0) return cutShort(number - 1);
    const timeout = AbortSignal.timeout(requestMs);
    let response: Response;
    try {
      response = await fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body,
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted && requestMs < perRequestMs) return cutShort(number);
      return { ok: false, retryable: true, error: networkError(error, timeout.aborted) };
    }
    // The body is read under the same timeout (a server may send headers, then stall).
    const text = await response.text().catch(() => "");
    if (response.ok) return { ok: true, value: undefined };
    const detail = slackDetail(text, webhookUrl);
    const error = `Slack answered HTTP ${response.status}${detail ? ` (${detail})` : ""}`;
    lastAnswer = error;
    if (response.status === 429) {
      return {
        ok: false,
        retryable: true,
        error,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
      };
    }
    return { ok: false, retryable: response.status >= 500, error };
  };
  const { attempts } = await withRetry(
    attempt,
    policy,
    options.clock ?? systemClock,
    options.signal,
  );
  return { attempts };
}

/** A network failure in words of our own: the runtime's message would quote the URL. */
function networkError(error: unknown, timedOut: boolean): string {
  if (timedOut) return "Slack did not answer in time";
  const text = String(error instanceof Error ? `${error.message} ${error.cause ?? ""}` : error);
  if (/connection refused/i.test(text)) return "cannot connect to Slack: connection refused";
  if (/dns|lookup|resolve|name or service/i.test(text)) {
    return "cannot connect to Slack: host not found";
  }
  if (/certificate|tls|ssl/i.test(text)) return "cannot connect to Slack: TLS error";
  if (/reset|broken pipe|closed|eof/i.test(text)) {
    return "cannot reach Slack: connection closed";
  }
  return "cannot reach Slack: network error";
}

/** Slack's short error code (`invalid_payload`, `no_service`), never anything URL-like. */
function slackDetail(text: string, webhookUrl: string): string {
  const line = text.trim().split("\n")[0];
  // A code-like line may still echo the token: a line holding any secret is dropped
  // whole, before it is cut (a cut could leave half a token).
  if (line.includes(webhookUrl) || scrubSecrets(line) !== line) return "";
  const first = line.slice(0, 80);
  if (first === "" || !/^[\w .,:-]+$/.test(first)) return "";
  return first;
}
