// The HTTP request of io.kestra.plugin.core.http.Trigger: the Request task's properties sent
// through the same client (address guard, redirects, timeouts, size cap), outside any task
// run. Failed status codes are answers here, not errors: the trigger's responseCondition judges them.
import { z } from "zod";
import type { TaskContext } from "../define.ts";
import { headerMap, requestProps, sendRequest } from "./client.ts";
import { DEFAULT_MAX, readCapped } from "./request.ts";

const schema = z.object(requestProps);

export interface PollResponse {
  uri: string;
  code: number;
  headers: Record<string, string[]>;
  body: string;
}

export interface PollOptions {
  /** Tern's TERN_* settings (the address guard reads TERN_HTTP_ALLOW_PRIVATE / _METADATA). */
  settings: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Send one request from rendered Request properties; throws on a network error, a refused address or a timeout. */
export async function pollHttp(props: Record<string, unknown>, opts: PollOptions): Promise<PollResponse> {
  const p = schema.parse(props);
  // A trigger has no task run: no internal storage (multipart kestra:/// files cannot be sent).
  const ctx = {
    signal: opts.signal ?? new AbortController().signal,
    runtime: { settings: opts.settings, env: {} },
    storage: { get: () => Promise.reject(new Error("a trigger cannot send internal-storage files")) },
  } as unknown as TaskContext;
  const sent = await sendRequest(ctx, p);
  try {
    const body = p.method === "HEAD" ? "" : await readCapped(sent, p.options?.maxContentLength ?? DEFAULT_MAX);
    return { uri: sent.url, code: sent.response.status, headers: headerMap(sent.response.headers), body };
  } finally {
    sent.done();
  }
}
