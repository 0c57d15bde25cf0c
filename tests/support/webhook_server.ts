/**
 * A real HTTP server on 127.0.0.1 (port 0) standing in for a Slack incoming webhook:
 * it records every request and answers from a script of responses.
 * @module
 */

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | null;
  body: string;
  /** `performance.now()` when it arrived. */
  at: number;
}

/** A scripted answer. */
export interface ScriptedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** The running server. */
export interface WebhookServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/services/T000/B000/SECRETTOKEN` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a server answering request i with `script[i]` (the last entry repeats; an
 * empty script answers 200 "ok").
 */
export function startWebhookServer(script: ScriptedResponse[] = []): WebhookServer {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const at = performance.now();
    const body = await req.text();
    requests.push({
      method: req.method,
      path: new URL(req.url).pathname,
      contentType: req.headers.get("content-type"),
      body,
      at,
    });
    const answer = script[Math.min(requests.length - 1, script.length - 1)] ??
      { status: 200, body: "ok" };
    return new Response(answer.body ?? "", { status: answer.status, headers: answer.headers });
  });
  const url = `http://127.0.0.1:${server.addr.port}/services/T000/B000/SECRETTOKEN`;
  const close = async () => {
    await server.shutdown();
  };
  return { url, requests, close, [Symbol.asyncDispose]: close };
}

/** A URL on which nothing listens: connections are refused. */
export async function refusedUrl(): Promise<string> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await new Promise((resolve) => setTimeout(resolve, 10));
  return `http://127.0.0.1:${port}/services/T000/B000/SECRETTOKEN`;
}
