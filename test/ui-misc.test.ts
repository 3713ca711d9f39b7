// The smaller dashboard pages in-process: overview, log search, namespaces (KV, secret names
// only), triggers with backfill, plugin docs, static assets and error pages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { allTasks } from "../plugins/index.ts";
import { createKvStore } from "../src/store/kv.ts";
import { listTriggerRows } from "../src/store/trigger-rows.ts";
import { uiFixture, type UiFixture } from "./ui-fixture.ts";

let f: UiFixture;

beforeAll(async () => {
  f = await uiFixture();
  await f.save(`id: nightly
namespace: acme.data
triggers:
  - id: every_night
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 3 * * *"
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "needle in the logs"
  - id: bad
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: it failed
`);
  await f.run("acme.data", "nightly");
  await createKvStore(f.tern.db).set("acme.data", "cursor", { at: 42 });
  await f.tern.secrets.set("DB_PASSWORD", "hunter2-secret-value", "acme.data");
});
afterAll(() => f.close());

describe("overview", () => {
  test("chart of executions per day, recent failures, no running", async () => {
    const html = await f.html("/");
    expect(html).toContain('aria-label="Executions per day by state"');
    expect(html).toMatch(/<rect class="fill-failed"/);
    expect(html).toContain("acme.data.nightly");
    expect(html).toContain("Recent failures");
  });
});

describe("logs search", () => {
  test("finds lines across executions by text and level", async () => {
    const html = await f.html("/ui/logs?q=needle");
    expect(html).toContain("needle in the logs");
    const errors = await f.html("/ui/logs?q=needle&level=ERROR");
    expect(errors).not.toContain("needle in the logs");
    const frag = await f.html("/ui/logs?q=it+failed&level=ERROR", { "HX-Request": "true" });
    expect(frag).toStartWith('<div id="log-results">');
    expect(frag).toContain("it failed");
  });
});

describe("namespaces", () => {
  test("KV entries with values, secret names without values", async () => {
    expect(await f.html("/ui/namespaces")).toContain('href="/ui/namespaces/acme.data"');
    const html = await f.html("/ui/namespaces/acme.data");
    expect(html).toContain("cursor");
    expect(html).toContain("{&quot;at&quot;:42}");
    expect(html).toContain("DB_PASSWORD");
    expect(html).not.toContain("hunter2");
    expect(html).toContain(">nightly<");
  });
});

describe("triggers", () => {
  test("says when each kind fires: cron, polling interval, number of dates", async () => {
    await f.tern.flows.save(`id: watched
namespace: acme.poll
tasks:
  - id: l
    type: io.kestra.plugin.core.log.Log
    message: x
triggers:
  - id: watch
    type: io.kestra.plugin.core.http.Trigger
    uri: http://127.0.0.1:9/health
    interval: PT5M
  - id: on_dates
    type: io.kestra.plugin.core.trigger.ScheduleOnDates
    dates: ["2030-01-01T00:00:00Z", "2030-06-01T00:00:00Z"]
`);
    const all = await f.html("/ui/triggers");
    expect(all).toContain("polls every PT5M");
    expect(all).toContain("2 dates");
    const tab = await f.html("/ui/flows/acme.poll/watched/triggers");
    expect(tab).toContain("polls every PT5M");
    expect(tab).toContain("2 dates");
  });

  test("lists declared triggers and stores a backfill request", async () => {
    const html = await f.html("/ui/triggers");
    expect(html).toContain("every_night");
    expect(html).toContain("0 3 * * *");
    expect(html).toContain('action="/ui/triggers/acme.data/nightly/every_night/backfill"');
    const bad = await f.post("/ui/triggers/acme.data/nightly/every_night/backfill", { start: "" });
    expect(bad.status).toBe(422);
    const r = await f.post("/ui/triggers/acme.data/nightly/every_night/backfill", { start: "2026-01-01T00:00", end: "2026-01-03T00:00", labels: "kind:backfill" });
    expect(r.status).toBe(303);
    const [row] = await listTriggerRows(f.tern.db, { namespace: "acme.data" });
    expect(row.backfill).toEqual({
      start: Date.parse("2026-01-01T00:00Z"), end: Date.parse("2026-01-03T00:00Z"), currentDate: Date.parse("2026-01-01T00:00Z"),
      paused: false, labels: [{ key: "kind", value: "backfill" }],
    });
    expect(await f.html("/ui/triggers?done=backfill")).toContain("backfill running at 2026-01-01T00:00");
    const toggle = await f.post("/ui/flows/acme.data/nightly/triggers/every_night/toggle", { disabled: "true", back: "/ui/triggers" });
    expect(toggle.headers.get("Location")).toBe("/ui/triggers");
    expect((await listTriggerRows(f.tern.db))[0].disabled).toBe(true);
  });
});

describe("plugins", () => {
  test("every task type is documented from its schema, with examples", async () => {
    const list = await f.html("/ui/plugins");
    for (const d of allTasks) expect(list).toContain(`href="/ui/plugins/${encodeURIComponent(d.type)}"`);
    const log = await f.html("/ui/plugins/io.kestra.plugin.core.log.Log");
    expect(log).toContain("<b>message</b>");
    expect(log).toContain("Examples");
    expect(await f.html("/ui/plugins?q=sleep")).not.toContain("io.kestra.plugin.core.log.Log");
  });
});

describe("static and errors", () => {
  test("htmx is served from node_modules with an ETag", async () => {
    const r = await f.get("/static/htmx.js");
    expect(r.headers.get("Content-Type")).toContain("text/javascript");
    const js = await r.text();
    expect(js).toContain("htmx");
    const again = await f.get("/static/htmx.js", { "If-None-Match": r.headers.get("ETag")! });
    expect(again.status).toBe(304);
    expect((await f.get("/static/..%2Fapp.css")).status).toBe(404);
    expect((await f.get("/static/app.css")).status).toBe(200);
    expect((await f.get("/static/editor.js")).status).toBe(200);
  });

  test("unknown pages and malformed forms are readable HTML, not JSON", async () => {
    const r = await f.get("/ui/nowhere");
    expect(r.status).toBe(404);
    expect(await r.text()).toContain("Page not found");
    const frag = await f.get("/ui/executions/nope/live", { "HX-Request": "true" });
    expect(frag.status).toBe(404);
    expect(await frag.text()).toStartWith('<div class="error-box" role="alert">');
    const bad = await f.ui.request("/ui/flows/validate", { method: "POST", body: "{}", headers: { "Content-Type": "multipart/form-data" } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("The form could not be read");
  });
});
