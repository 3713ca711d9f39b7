// Webhooks under attack or abuse, through the HTTP endpoint: each signature scheme configured
// on a flow (secret from secret()), 401 with nothing created on a bad signature or a stale
// timestamp, de-duplication of provider retries by delivery id, 413 before reading a big
// body, 429 per webhook under a flood.
import { afterEach, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { createWebhookFixture, hookFlow, type WebhookFixture } from "./helpers/webhook-fixture.ts";

let fx: WebhookFixture;
afterEach(async () => {
  await fx.close();
});

const SECRET = "It's a Secret to Everybody";
const env = { SECRET_HOOK_SECRET: Buffer.from(SECRET).toString("base64"), SECRET_STD: Buffer.from("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").toString("base64") };
const url = (flowId: string) => `/api/v1/executions/webhook/hooks/${flowId}/k`;
const signed = (type: string, extra = "") => hookFlow(type, `key: k\nsignature:\n  type: ${type}\n  secret: "{{ secret('${type === "standard" ? "STD" : "HOOK_SECRET"}') }}"${extra}`);

async function setup(flows: string[], opts: Parameters<typeof createWebhookFixture>[0] = {}) {
  fx = await createWebhookFixture(opts, env);
  for (const f of flows) await fx.save(f);
  await fx.scheduler.syncAll();
}

describe("each scheme end to end", () => {
  const nowSec = Math.floor(Date.now() / 1000);
  const hmacHex = (data: string) => createHmac("sha256", SECRET).update(data).digest("hex");
  const cases: [string, string, (body: string) => Record<string, string>][] = [
    ["github", "", (b) => ({ "X-Hub-Signature-256": `sha256=${hmacHex(b)}`, "X-GitHub-Delivery": crypto.randomUUID() })],
    ["stripe", "", (b) => ({ "Stripe-Signature": `t=${nowSec},v1=${hmacHex(`${nowSec}.${b}`)}` })],
    ["slack", "", (b) => ({ "X-Slack-Request-Timestamp": String(nowSec), "X-Slack-Signature": `v0=${hmacHex(`v0:${nowSec}:${b}`)}` })],
    ["shopify", "", (b) => ({ "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(b).digest("base64") })],
    ["standard", "", (b) => {
      const key = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
      const id = `msg_${crypto.randomUUID()}`;
      return { "webhook-id": id, "webhook-timestamp": String(nowSec), "webhook-signature": `v1,${createHmac("sha256", key).update(`${id}.${nowSec}.${b}`).digest("base64")}` };
    }],
    ["hmac", "\n  header: X-Signature\n  prefix: \"sha256=\"", (b) => ({ "X-Signature": `sha256=${hmacHex(b)}` })],
  ];
  for (const [type, extra, sign] of cases) {
    test(type, async () => {
      await setup([signed(type, extra)]);
      const body = JSON.stringify({ id: `evt_${crypto.randomUUID()}`, hello: type });
      const ok = await fx.call("POST", url(type), body, { "content-type": "application/json", ...sign(body) });
      expect(ok.status).toBe(200);
      const tampered = await fx.call("POST", url(type), body.replace("hello", "hellO"), { "content-type": "application/json", ...sign(body) });
      expect(tampered.status).toBe(401);
      expect((await tampered.json()).error.message).toStartWith("invalid signature");
      const unsigned = await fx.call("POST", url(type), body, { "content-type": "application/json" });
      expect(unsigned.status).toBe(401);
      expect(await fx.count(type)).toBe(1);
    });
  }
});

test("replay window: a captured Stripe request replayed 6 minutes later is refused", async () => {
  let clock = 1_700_000_000_000;
  await setup([signed("stripe")], { now: () => clock });
  const body = JSON.stringify({ id: "evt_replayed" });
  const t = clock / 1000;
  const headers = { "Stripe-Signature": `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")}` };
  clock += 6 * 60_000;
  const res = await fx.call("POST", url("stripe"), body, headers);
  expect(res.status).toBe(401);
  expect((await res.json()).error.message).toBe("invalid signature: signature timestamp outside the replay window");
  expect(await fx.count("stripe")).toBe(0);
});

test("de-duplication: a provider's retry of one delivery gets the first execution back", async () => {
  await setup([signed("github")]);
  const body = JSON.stringify({ action: "opened" });
  const headers = { "X-Hub-Signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`, "X-GitHub-Delivery": "d-1" };
  const first = await fx.call("POST", url("github"), body, headers);
  const again = await fx.call("POST", url("github"), body, headers);
  // Concurrent retries race to the execution's dedup key; all get the same execution.
  const racing = await Promise.all([1, 2, 3, 4].map(() => fx.call("POST", url("github"), body, { ...headers, "X-GitHub-Delivery": "d-2" })));
  expect([first.status, again.status]).toEqual([200, 200]);
  expect(again.headers.get("X-Tern-Duplicate")).toBe("true");
  expect((await again.json()).id).toBe((await first.json()).id);
  const ids = new Set(await Promise.all(racing.map(async (r) => (expect(r.status).toBe(200), (await r.json()).id))));
  expect(ids.size).toBe(1);
  expect(await fx.count("github")).toBe(2);
  const rows = await fx.tern.db.$client.execute("SELECT id FROM webhook_deliveries ORDER BY id");
  expect(rows.rows.map((r) => r.id)).toEqual(["webhook:hooks:github:hook:d-1", "webhook:hooks:github:hook:d-2"]);
});

test("413 before the body is read: by Content-Length, and while streaming a chunked body", async () => {
  await setup([hookFlow("big", "key: k")], { maxBodyBytes: 1024 });
  const declared = await fx.call("POST", url("big"), "x".repeat(2048));
  expect(declared.status).toBe(413);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      if (pulled > 1000) return c.close(); // 1000 × 512 B if nobody stops reading
      c.enqueue(new Uint8Array(512));
    },
  });
  const chunked = await fx.call("POST", url("big"), stream);
  expect(chunked.status).toBe(413);
  expect(pulled).toBeLessThan(10);
  expect((await fx.call("POST", url("big"), "small")).status).toBe(200);
  expect(await fx.count("big")).toBe(1);
});

test("429 per webhook under a flood, with Retry-After; other webhooks keep working", async () => {
  await setup([hookFlow("flood", "key: k"), hookFlow("calm", "key: k")], { rateLimit: { ratePerSec: 1, burst: 5, maxInFlight: 100 } });
  const results = await Promise.all(Array.from({ length: 40 }, () => fx.call("POST", url("flood"), "{}")));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 200).length).toBe(5);
  expect(statuses.filter((s) => s === 429).length).toBe(35);
  expect(results.find((r) => r.status === 429)!.headers.get("Retry-After")).toBe("1");
  expect(await fx.count("flood")).toBe(5);
  expect((await fx.call("POST", url("calm"), "{}")).status).toBe(200);
});

test("in-flight cap: slow requests beyond maxInFlight get 429 instead of queueing", async () => {
  await setup([hookFlow("slow", "key: k\nwait: true")], { rateLimit: { ratePerSec: 1000, burst: 1000, maxInFlight: 2 } });
  const results = await Promise.all(Array.from({ length: 6 }, () => fx.call("POST", url("slow"), "{}")));
  expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429, 429]);
});

test("a body is data, never a template: expressions in it are not evaluated, secrets stay secret", async () => {
  const token = "tok-Very-Secret-4711";
  fx = await createWebhookFixture({}, { SECRET_TOKEN: Buffer.from(token).toString("base64") });
  await fx.save(`id: echo
namespace: hooks
inputs:
  - id: note
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "got {{ trigger.body.msg }} / {{ inputs.note }}"
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body.msg }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
    inputs:
      note: "{{ trigger.body.msg }}"
`);
  await fx.scheduler.syncAll();
  const msg = "{{ secret('TOKEN') }} {% for x in range(1, 3) %}x{% endfor %} {{ 7 * 7 }} #{1+1}";
  const res = await fx.call("POST", "/api/v1/executions/webhook/hooks/echo/k", JSON.stringify({ msg }), { "content-type": "application/json" });
  expect(res.status).toBe(200);
  const { id } = await res.json();
  const done = await fx.tern.service.waitFor(id);
  expect(done.state).toBe("SUCCESS");
  expect(done.inputs).toEqual({ note: msg });
  const runs = await fx.tern.db.$client.execute({ sql: "SELECT outputs FROM task_runs WHERE execution_id = ? AND task_id = 'r'", args: [id] });
  expect(JSON.parse(String(runs.rows[0].outputs))).toEqual({ value: msg });
  const logs = await fx.tern.db.$client.execute({ sql: "SELECT message FROM logs WHERE execution_id = ?", args: [id] });
  expect(logs.rows.map((r) => r.message)).toContain(`got ${msg} / ${msg}`);
  const everything = JSON.stringify([done, runs.rows, logs.rows]);
  expect(everything).not.toContain(token);
  expect(everything).not.toContain(" 49 ");
});
