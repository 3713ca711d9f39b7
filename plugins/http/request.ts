// io.kestra.plugin.core.http.Request: call an HTTP endpoint and keep the response.
import { z } from "zod";
import { defineTask } from "../define.ts";
import { failUnlessAllowed, headerMap, requestProps, sendRequest, type Sent } from "./client.ts";

export const DEFAULT_MAX = 10 * 1024 * 1024;

/** The body as text, refusing to hold more than `max` bytes (Kestra's maxContentLength). */
export async function readCapped(sent: Sent, max: number): Promise<string> {
  const body = sent.response.body;
  if (!body) return "";
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    sent.touch();
    total += chunk.byteLength;
    if (total > max) {
      await body.cancel().catch(() => {});
      throw new Error(`response body larger than maxContentLength (${max} bytes); use io.kestra.plugin.core.http.Download for large files`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString("utf8");
}

export default defineTask({
  type: "io.kestra.plugin.core.http.Request",
  aliases: ["io.kestra.plugin.fs.http.Request"],
  description: "Send an HTTP request; outputs the status code, headers and body (as text).",
  schema: z.object(requestProps),
  examples: [
    {
      title: "POST JSON with a bearer token",
      code: `id: notify_api
type: io.kestra.plugin.core.http.Request
uri: https://api.example.com/v1/events
method: POST
contentType: application/json
body: |
  {"event": "done", "execution": "{{ execution.id }}"}
auth:
  type: BEARER
  token: "{{ secret('API_TOKEN') }}"`,
    },
  ],
  async run(ctx, p) {
    const sent = await sendRequest(ctx, p);
    try {
      const body = p.method === "HEAD" ? "" : await readCapped(sent, p.options?.maxContentLength ?? DEFAULT_MAX);
      const code = sent.response.status;
      failUnlessAllowed(code, sent.url, p.allowFailed || p.options?.allowFailed === true, body);
      ctx.logger.debug(`${p.method} ${sent.url} -> ${code}`);
      return { uri: sent.url, code, headers: headerMap(sent.response.headers), body };
    } finally {
      sent.done();
    }
  },
});
