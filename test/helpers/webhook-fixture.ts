// Webhook test harness: the webhook sub-app over a real Tern (scheduler fixture), called
// in-process with app.request().
import { createWebhooks, type WebhookDeps } from "../../src/webhooks/app.ts";
import { triggerRenderer } from "../../src/scheduler/index.ts";
import { createFixture, type Fixture } from "./scheduler-fixture.ts";

export interface WebhookFixture extends Fixture {
  webhooks: ReturnType<typeof createWebhooks>;
  call(method: string, path: string, body?: string | Uint8Array | ReadableStream, headers?: Record<string, string>): Promise<Response>;
  count(flowId: string): Promise<number>;
}

export async function createWebhookFixture(opts: Partial<WebhookDeps> = {}, env: Record<string, string> = {}): Promise<WebhookFixture> {
  const fx = await createFixture({}, env);
  const webhooks = createWebhooks({
    db: fx.tern.db, service: fx.tern.service, flows: fx.tern.flows, renderer: triggerRenderer(fx.tern),
    maxBodyBytes: 64 * 1024, ...opts,
  });
  return {
    ...fx,
    webhooks,
    call: (method, path, body, headers = {}) => Promise.resolve(webhooks.app.request(path, { method, body: body as BodyInit, headers })),
    count: async (flowId) => (await fx.executions(flowId)).length,
  };
}

export const hookFlow = (id: string, trigger: string, extra = "") => `id: ${id}
namespace: hooks
${extra}tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body ?? 'no body' }}"
outputs:
  - id: echoed
    type: STRING
    value: "{{ outputs.r.value }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
${trigger.replace(/^/gm, "    ")}
`;
