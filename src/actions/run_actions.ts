/**
 * Runs a Kontract's actions after validation: the quarantine first, then the alert
 * (which links the quarantine). Every action runs isolated: an exception, a timeout,
 * an unwritable location or a refused webhook becomes `status: "failed"` with a
 * one-line error, and the validation result stands. Errors never hold the webhook URL.
 * @module
 */
import { describeError } from "../core/errors.ts";
import type { Plan } from "../engine/plan_model.ts";
import type { Kontract } from "../kontract/load.ts";
import type { ActionResult, ResultDocument } from "../report/result.ts";
import type { Source } from "../sources/source.ts";
import { runQuarantine } from "./quarantine.ts";
import type { QuarantineSink } from "./quarantine_sink.ts";
import { postToSlack, type SlackPostOptions } from "./slack.ts";
import { slackMessage } from "./slack_message.ts";
import type { AlertWhen, QuarantineConfig } from "../kontract/actions_spec.ts";

/** How actions run; every field is optional. */
export interface ActionOptions {
  /** Slack retry bounds, clock and request timeout (tests make them small). */
  slack?: Omit<SlackPostOptions, "signal">;
  /** Give up on the quarantine after this long (default 30 minutes). */
  quarantineTimeoutMs?: number;
  /** Give up on the alert after this long, retries included (default 2 minutes). */
  alertTimeoutMs?: number;
  /** Overrides the sink a quarantine location opens (tests, custom storage). */
  openSink?: (config: QuarantineConfig, kontract: Kontract) => Promise<QuarantineSink>;
}

/** The data, open: from the validation run, or opened again for an on-demand action. */
export interface OpenedSource {
  source: Source;
  close(): Promise<void>;
}

const QUARANTINE_TIMEOUT_MS = 30 * 60 * 1000;
const ALERT_TIMEOUT_MS = 2 * 60 * 1000;

/** Runs the actions of one validation result; results are also kept in its document. */
export class ActionRunner {
  readonly #kontract: Kontract;
  readonly #document: ResultDocument;
  readonly #open: () => Promise<OpenedSource>;
  readonly #options: ActionOptions;
  readonly #plan?: Pick<Plan, "rules">;

  /** `plan`: the rules as the validation run planned them; quarantine reuses it. */
  constructor(
    kontract: Kontract,
    document: ResultDocument,
    open: () => Promise<OpenedSource>,
    options: ActionOptions = {},
    plan?: Pick<Plan, "rules">,
  ) {
    this.#plan = plan;
    this.#kontract = kontract;
    this.#document = document;
    this.#open = open;
    this.#options = options;
  }

  /** Every action the Kontract configures, in order (quarantine, then alert). */
  async runConfigured(): Promise<ActionResult[]> {
    const { actions, actionProblems } = this.#kontract;
    if (actions?.quarantine || actionProblems?.quarantine) await this.quarantine();
    if (actions?.alert || actionProblems?.alert) await this.alert();
    return this.#document.actions ?? [];
  }

  /**
   * Quarantines the violating rows now, with the Kontract's `actions.quarantine`
   * (or `config`, which wins). Never throws: failures are in the result.
   */
  async quarantine(config: Partial<QuarantineConfig> = {}): Promise<ActionResult> {
    const merged = { format: "parquet" as const, ...this.#kontract.actions?.quarantine, ...config };
    const problem = this.#kontract.actionProblems?.quarantine;
    if (problem && !config.location) {
      return this.#record({ action: "quarantine", status: "failed", error: problem });
    }
    if (!merged.location) {
      return this.#record({
        action: "quarantine",
        status: "skipped",
        message: "no quarantine location (actions.quarantine.location)",
      });
    }
    const result = await isolate(
      "quarantine",
      this.#options.quarantineTimeoutMs ?? QUARANTINE_TIMEOUT_MS,
      [],
      async (signal) => {
        const opened = await this.#open();
        try {
          return await runQuarantine({
            kontract: this.#kontract,
            document: this.#document,
            source: opened.source,
            plan: this.#plan,
            config: { location: merged.location!, format: merged.format },
            signal,
            openSink: this.#options.openSink,
          });
        } finally {
          await opened.close();
        }
      },
    );
    return this.#record(result);
  }

  /**
   * Sends the Slack alert now, if the Kontract configures one and `on` says so
   * (`on` here wins over the Kontract's). Never throws.
   */
  async alert(overrides: { on?: AlertWhen } = {}): Promise<ActionResult> {
    const slack = this.#kontract.actions?.alert?.slack;
    const problem = this.#kontract.actionProblems?.alert;
    if (problem) return this.#record({ action: "alert", status: "failed", error: problem });
    if (!slack) {
      return this.#record({
        action: "alert",
        status: "skipped",
        message: "no alert configured (actions.alert.slack)",
      });
    }
    const on = overrides.on ?? slack.on;
    if (on === "failure" && this.#document.passed) {
      return this.#record({
        action: "alert",
        status: "skipped",
        message: "the run passed (alert on: failure)",
      });
    }
    const quarantines = (this.#document.actions ?? []).filter((a) => a.action === "quarantine");
    const result = await isolate(
      "alert",
      this.#options.alertTimeoutMs ?? ALERT_TIMEOUT_MS,
      [slack.webhook_url],
      async (signal) => {
        await postToSlack(slack.webhook_url, slackMessage(this.#document, quarantines), {
          ...this.#options.slack,
          signal,
        });
        return { action: "alert", status: "succeeded", message: "sent to Slack" };
      },
    );
    return this.#record(result);
  }

  /** Keeps one result per action in the document, quarantine before alert. */
  #record(result: ActionResult): ActionResult {
    const others = (this.#document.actions ?? []).filter((a) => a.action !== result.action);
    const order = ["quarantine", "alert"];
    this.#document.actions = [...others, result].sort((a, b) =>
      order.indexOf(a.action) - order.indexOf(b.action)
    );
    return result;
  }
}

/**
 * Runs one action, turning any exception or a timeout into a failed result whose
 * error is one line with every secret removed. On timeout the action's signal is
 * aborted, so it publishes nothing afterwards.
 */
export async function isolate(
  action: string,
  timeoutMs: number,
  secrets: string[],
  work: (signal: AbortSignal) => Promise<ActionResult>,
): Promise<ActionResult> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${Math.round(timeoutMs / 100) / 10} s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const running = work(controller.signal);
  running.catch(() => {}); // it may settle after a timeout: never an unhandled rejection
  try {
    return await Promise.race([running, timedOut]);
  } catch (error) {
    return { action, status: "failed", error: redact(describeError(error), secrets) };
  } finally {
    clearTimeout(timer);
  }
}

/** Removes every secret, and its path part, from a message. */
export function redact(message: string, secrets: string[]): string {
  let text = message;
  for (const secret of secrets.filter((s) => s.length > 0)) {
    text = text.replaceAll(secret, "[redacted]");
    try {
      const path = new URL(secret).pathname;
      if (path.length > 1) text = text.replaceAll(path, "[redacted]");
    } catch {
      // Not a URL: the whole value was enough.
    }
  }
  return text;
}
