// io.kestra.plugin.core.http.Trigger against a real HTTP server on 127.0.0.1, a real libSQL
// file and the real scheduler driven with a fixed clock: one request per interval, one
// execution per poll that matches (even with two instances, even with a stale claimer),
// failures logged on the trigger, nothing while disabled, the address guard applied.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { fireClaimed } from "../src/scheduler/fire.ts";
import { claimDueTriggers, getTriggerRow } from "../src/store/triggers.ts";
import { at, createFixture, type Fixture } from "./helpers/scheduler-fixture.ts";

let server: ReturnType<typeof Bun.serve>;
let base = "";
let hits: { path: string; method: string; auth: string | null; body: string; query: string }[] = [];
let status = 200;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      hits.push({ path: url.pathname, method: req.method, auth: req.headers.get("authorization"), body: await req.text(), query: url.search });
      return new Response(JSON.stringify({ price: 99, n: hits.length }), { status, headers: { "content-type": "application/json", "x-poll": "yes" } });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  hits = [];
  status = 200;
});

const flow = (id: string, trigger: string, extra = "") => `id: ${id}
namespace: poll.test
${extra}tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.code }}"
triggers:
  - id: http
    type: io.kestra.plugin.core.http.Trigger
${trigger.replace(/^/gm, "    ")}
`;
const key = (flowId: string) => ({ namespace: "poll.test", flowId, triggerId: "http" });
const T0 = "2026-01-01T10:00:00Z";
const plus = (ms: number) => new Date(Date.parse(T0) + ms);

test("polls at once, then every interval; a matching response starts one execution with trigger.uri/code/headers/body", async () => {
  fx = await createFixture();
  await fx.save(flow("price", `uri: ${base}/price\ninterval: PT30S\nresponseCondition: "{{ json(response.body).price <= 110 and response.headers['x-poll'][0] == 'yes' }}"`));
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(1);
  expect(hits.length).toBe(1);
  expect((await fx.scheduler.tick(plus(29_999))).fired).toBe(0);
  expect(hits.length).toBe(1); // not due: no request
  expect((await fx.scheduler.tick(plus(30_000))).fired).toBe(1);
  expect(hits.length).toBe(2);
  const [first, second] = await fx.executions("price");
  expect(first.trigger!.type).toBe("io.kestra.plugin.core.http.Trigger");
  const v = first.trigger!.variables as Record<string, unknown>;
  expect([v.uri, v.code, v.body]).toEqual([`${base}/price`, 200, '{"price":99,"n":1}']);
  expect((v.headers as Record<string, string[]>)["x-poll"]).toEqual(["yes"]);
  expect(first.dedupKey).toBe(`poll:poll.test:price:http:${T0.replace("Z", ".000Z")}`);
  expect(second.dedupKey).toBe(`poll:poll.test:price:http:${plus(30_000).toISOString()}`);
  const row = (await getTriggerRow(fx.tern.db, key("price")))!;
  expect([row.lastDate, row.nextDate, row.owner]).toEqual([plus(30_000).getTime(), plus(60_000).getTime(), null]);
  // The triggers API lists it like the others, with its last and next poll.
  const [listed] = await fx.admin.list({ namespace: "poll.test" });
  expect(listed.abstractTrigger).toMatchObject({ id: "http", type: "io.kestra.plugin.core.http.Trigger", interval: "PT30S" });
  expect(listed.triggerContext).toMatchObject({ date: plus(30_000).toISOString(), nextExecutionDate: plus(60_000).toISOString(), disabled: false });
});

test("the default condition is statusCode < 400: a 503 starts nothing and the next poll is planned", async () => {
  fx = await createFixture();
  status = 503;
  await fx.save(flow("down", `uri: ${base}/health`));
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(0);
  expect(hits.length).toBe(1);
  expect((await getTriggerRow(fx.tern.db, key("down")))!.nextDate).toBe(plus(60_000).getTime()); // default PT60S
  status = 200;
  expect((await fx.scheduler.tick(plus(60_000))).fired).toBe(1);
});

test("method, headers, body, auth and params are sent as the Request task sends them, rendered with secret()", async () => {
  fx = await createFixture({}, { SECRET_API_TOKEN: Buffer.from("tok-1").toString("base64") });
  await fx.save(flow("post", `uri: ${base}/hook
method: POST
params:
  page: "2"
body: '{"flow": "{{ flow.id }}"}'
auth:
  type: BEARER
  token: "{{ secret('API_TOKEN') }}"`));
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(1);
  expect(hits[0]).toEqual({ path: "/hook", method: "POST", auth: "Bearer tok-1", body: '{"flow": "post"}', query: "?page=2" });
});

test("a failing request is logged on the trigger, starts nothing, and the trigger polls again", async () => {
  fx = await createFixture();
  const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const deadUri = `http://127.0.0.1:${closed.port}/gone`;
  closed.stop(true);
  await fx.save(flow("broken", `uri: ${deadUri}\ninterval: PT10S`));
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(0);
  expect(fx.logs.some((l) => l.startsWith("poll.test.broken trigger http: request failed:"))).toBe(true);
  const row = (await getTriggerRow(fx.tern.db, key("broken")))!;
  expect([row.nextDate, row.owner]).toEqual([plus(10_000).getTime(), null]);
  expect(await fx.executions("broken")).toEqual([]);
});

test("TERN_HTTP_ALLOW_PRIVATE=false: the HTTP tasks' address guard refuses the poll", async () => {
  fx = await createFixture({}, { TERN_HTTP_ALLOW_PRIVATE: "false" });
  await fx.save(flow("guarded", `uri: ${base}/price`));
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(0);
  expect(hits.length).toBe(0);
  expect(fx.logs.join("\n")).toContain("private or loopback address 127.0.0.1");
});

test("two instances ticking at once: one request and one execution per interval", async () => {
  fx = await createFixture();
  await fx.save(flow("race", `uri: ${base}/race\ninterval: PT1S`));
  const b = fx.another("instance-b");
  for (let s = 0; s < 10; s++) {
    const t = plus(s * 1000);
    await Promise.all([fx.scheduler.tick(t), b.tick(t), fx.scheduler.tick(t), b.tick(t)]);
  }
  const keys = (await fx.executions("race")).map((e) => e.dedupKey);
  expect(keys.length).toBe(10);
  expect(new Set(keys).size).toBe(10);
  expect(hits.length).toBe(10);
});

test("a claimer whose lease expired mid-poll cannot create a second execution for the slot", async () => {
  fx = await createFixture();
  await fx.save(flow("stale", `uri: ${base}/stale`));
  await fx.scheduler.syncAll(at(T0));
  const [stale] = await claimDueTriggers(fx.tern.db, "dead", -1000, Date.parse(T0), 10);
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(1); // the live instance takes the expired claim
  const deps = {
    db: fx.tern.db, owner: "dead", service: fx.tern.service, flows: fx.tern.flows, log: () => {},
    renderer: (await import("../src/scheduler/index.ts")).triggerRenderer(fx.tern), missedAfterMs: 10_000, defaultRecover: "ALL" as const, maxSlots: 10,
  };
  expect(await fireClaimed(deps, stale, Date.parse(T0))).toBe(0); // it polls, but the slot's execution exists
  expect(hits.length).toBe(2);
  expect((await fx.executions("stale")).length).toBe(1);
  expect((await getTriggerRow(fx.tern.db, key("stale")))!.nextDate).toBe(plus(60_000).getTime()); // its completion is fenced out
});

test("nothing is polled while the trigger or the flow is disabled; enabling polls at once", async () => {
  fx = await createFixture();
  await fx.save(flow("off", `uri: ${base}/off\ndisabled: true`));
  await fx.save(flow("flowoff", `uri: ${base}/flowoff`, "disabled: true\n"));
  await fx.save(flow("api", `uri: ${base}/api`));
  await fx.scheduler.syncAll(at(T0));
  await fx.admin.setDisabled(key("api"), true);
  for (let s = 0; s < 3; s++) expect((await fx.scheduler.tick(plus(s * 60_000))).fired).toBe(0);
  expect(hits).toEqual([]);
  await fx.admin.setDisabled(key("api"), false);
  const next = (await getTriggerRow(fx.tern.db, key("api")))!.nextDate!; // database time of the enable
  expect(Math.abs(next - Date.now())).toBeLessThan(60_000);
  expect((await fx.scheduler.tick(new Date(next))).fired).toBe(1);
  expect(hits.map((h) => h.path)).toEqual(["/api"]);
});

test("conditions, inputs and labels apply as for Schedule, with trigger.* variables", async () => {
  fx = await createFixture();
  const inputs = `inputs:\n  - id: code\n    type: INT\n`;
  await fx.save(flow("vars", `uri: ${base}/vars
inputs:
  code: "{{ trigger.code }}"
labels:
  source: "{{ trigger.headers['x-poll'][0] }}"
conditions:
  - type: io.kestra.plugin.core.condition.Expression
    expression: "{{ json(trigger.body).n > 1 }}"`, inputs));
  expect((await fx.scheduler.tick(at(T0))).fired).toBe(0); // n = 1: the condition says no
  expect((await fx.scheduler.tick(plus(60_000))).fired).toBe(1);
  const [ex] = await fx.executions("vars");
  expect(ex.inputs).toEqual({ code: 200 });
  expect(ex.labels).toContainEqual({ key: "source", value: "yes" });
});

test("stopAfter: the trigger disables itself once its execution ends in a listed state", async () => {
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  const logs: string[] = [];
  fx = await createFixture({ log: (m) => (logs.push(m), m.includes("disabled (stopAfter SUCCESS)") && stopped()) });
  await fx.save(flow("once", `uri: ${base}/once\nstopAfter: [SUCCESS]`));
  fx.scheduler.start();
  await done;
  expect((await getTriggerRow(fx.tern.db, key("once")))!.disabled).toBe(true);
  expect((await fx.executions("once"))[0].state).toBe("SUCCESS");
});
