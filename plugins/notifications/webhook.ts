// Incoming webhooks (Slack, Discord, Teams): POST a JSON payload through the shared HTTP
// client, so the address guard and the task's kill signal apply here too.
import { z } from "zod";
import { type TaskContext } from "../define.ts";
import { sendRequest } from "../http/client.ts";

export const webhookUrl = () => z.string().url().meta({ description: "The incoming webhook URL (keep it in a secret)" });
export const payloadProp = () =>
  z.union([z.string(), z.record(z.string(), z.unknown())]).optional().meta({ description: "The JSON payload, as a string or a map" });

/** A payload given as a string must be JSON: say so before sending garbage to the service. */
export function parsePayload(payload: string | Record<string, unknown>): Record<string, unknown> {
  if (typeof payload !== "string") return payload;
  try {
    return JSON.parse(payload);
  } catch (e) {
    throw new Error(`payload is not valid JSON: ${(e as Error).message}`);
  }
}

export async function postWebhook(ctx: TaskContext, service: string, url: string, payload: Record<string, unknown>): Promise<{ code: number }> {
  const sent = await sendRequest(ctx, {
    uri: url,
    method: "POST",
    body: JSON.stringify(payload),
    contentType: "application/json",
    allowFailed: true,
  });
  try {
    const text = await sent.response.text();
    const code = sent.response.status;
    // Never echo the URL: for these services it is the credential.
    if (code >= 400) throw new Error(`${service} webhook answered HTTP ${code}: ${text.slice(0, 300)}`);
    ctx.logger.info(`${service} notification sent (HTTP ${code})`);
    return { code };
  } finally {
    sent.done();
  }
}
