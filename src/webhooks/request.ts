// What a webhook request becomes for the flow: Kestra's trigger.body (a JSON object or array
// when the body parses as one, else the raw text; null without a body), trigger.headers and
// trigger.parameters as Map<String, List<String>>. The raw bytes are kept for signatures.
import type { Context } from "hono";

export interface WebhookRequest {
  raw: Uint8Array;
  variables: { body: unknown; headers: Record<string, string[]>; parameters: Record<string, string[]> };
}

export async function readRequest(c: Context): Promise<WebhookRequest> {
  const raw = c.req.method === "GET" ? new Uint8Array() : new Uint8Array(await c.req.arrayBuffer());
  const headers: Record<string, string[]> = {};
  c.req.raw.headers.forEach((value, name) => {
    (headers[name] ??= []).push(value);
  });
  const parameters: Record<string, string[]> = {};
  new URL(c.req.url).searchParams.forEach((value, name) => {
    (parameters[name] ??= []).push(value);
  });
  return { raw, variables: { body: parseBody(raw), headers, parameters } };
}

function parseBody(raw: Uint8Array): unknown {
  if (raw.length === 0) return null;
  const text = new TextDecoder().decode(raw);
  try {
    const v = JSON.parse(text);
    if (v !== null && typeof v === "object") return v;
  } catch {
    // not JSON: the raw text
  }
  return text;
}
