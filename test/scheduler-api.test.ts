// /api/v1/triggers through the sub-app: search with next fire times, disable/enable with PUT,
// backfill (start, pause, cancel), and the errors (404 unknown trigger, 422 not a Schedule).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { createTriggersApi } from "../src/server/triggers-api.ts";
import { at, createFixture, type Fixture } from "./helpers/scheduler-fixture.ts";

let fx: Fixture;
let app: ReturnType<typeof createTriggersApi>;
const changes: string[] = [];
beforeEach(async () => {
  fx = await createFixture();
  app = createTriggersApi({ admin: fx.admin, onChange: (ns, id) => void changes.push(`${ns}.${id}`) });
  await fx.save(`id: nightly
namespace: api.test
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: sched
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k
`);
  await fx.scheduler.tick(at("2026-01-01T12:00:00Z"));
});
afterEach(async () => {
  await fx.close();
});

const call = (method: string, path: string, body?: unknown) =>
  Promise.resolve(app.request(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json" } }));
const key = { namespace: "api.test", flowId: "nightly", triggerId: "sched" };

test("search lists triggers with their definition and next fire time", async () => {
  const res = await call("GET", "/api/v1/triggers/search?namespace=api");
  expect(res.status).toBe(200);
  const page = await res.json();
  expect(page.total).toBe(2);
  const sched = page.results.find((t: { triggerContext: { triggerId: string } }) => t.triggerContext.triggerId === "sched");
  expect(sched.triggerContext).toMatchObject({ namespace: "api.test", flowId: "nightly", nextExecutionDate: "2026-01-02T02:00:00.000Z", disabled: false });
  expect(sched.abstractTrigger).toMatchObject({ type: "io.kestra.plugin.core.trigger.Schedule", cron: "0 2 * * *" });
  expect((await (await call("GET", "/api/v1/triggers/search?q=hook")).json()).total).toBe(1);
  expect((await (await call("GET", "/api/v1/triggers/api.test/nightly")).json()).length).toBe(2);
});

test("PUT disables and enables; unknown triggers are 404; bad bodies 400", async () => {
  const off = await call("PUT", "/api/v1/triggers", { ...key, disabled: true });
  expect(off.status).toBe(200);
  expect((await off.json()).disabled).toBe(true);
  expect(changes).toContain("api.test.nightly");
  await fx.scheduler.tick(at("2026-01-02T02:00:01Z"));
  expect(await fx.executions("nightly")).toEqual([]);
  expect((await (await call("PUT", "/api/v1/triggers", { ...key, disabled: false })).json()).disabled).toBe(false);
  expect((await call("PUT", "/api/v1/triggers", { ...key, triggerId: "nope", disabled: true })).status).toBe(404);
  expect((await call("PUT", "/api/v1/triggers", { namespace: "api.test" })).status).toBe(400);
});

test("backfill through POST, pause/unpause, cancel; a Webhook cannot be backfilled", async () => {
  const res = await call("POST", "/api/v1/triggers/api.test/nightly/sched/backfill", { start: "2025-12-01T00:00:00Z", end: "2025-12-03T23:00:00Z" });
  expect(res.status).toBe(200);
  expect((await res.json()).backfill).toMatchObject({ currentDate: "2025-12-01T02:00:00.000Z", paused: false });
  expect((await (await call("PUT", "/api/v1/triggers/backfill/pause", key)).json()).backfill.paused).toBe(true);
  await fx.scheduler.tick(at("2026-01-01T12:00:01Z"));
  expect(await fx.executions("nightly")).toEqual([]);
  await call("PUT", "/api/v1/triggers/backfill/unpause", key);
  await fx.scheduler.tick(at("2026-01-01T12:00:02Z"));
  expect((await fx.executions("nightly")).length).toBe(3);
  await call("POST", "/api/v1/triggers/api.test/nightly/sched/backfill", { start: "2025-11-01T00:00:00Z", end: "2025-11-30T00:00:00Z" });
  expect((await (await call("POST", "/api/v1/triggers/backfill/delete", key)).json()).backfill).toBeNull();
  const hook = await call("POST", "/api/v1/triggers/api.test/nightly/hook/backfill", { start: "2025-12-01T00:00:00Z" });
  expect(hook.status).toBe(422);
  expect((await call("POST", "/api/v1/triggers/api.test/nightly/sched/backfill", { start: "2025-12-05T00:00:00Z", end: "2025-12-01T00:00:00Z" })).status).toBe(422);
});
