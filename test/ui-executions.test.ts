// Dashboard execution pages in-process: the list (filters, paging, live rows, bulk actions),
// one execution (Gantt, tree, live fragment, tabs), actions and the SSE log stream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Execution } from "../src/engine/model.ts";
import { loadExecution, loadTaskRuns } from "../src/store/executions.ts";
import { uiFixture, until, type UiFixture } from "./ui-fixture.ts";

let f: UiFixture;
const HX = { "HX-Request": "true", "HX-Request-Type": "partial" };

const HELLO = `id: hello
namespace: demo.ui
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who ?? 'you' }}"
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: careful now
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: item
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
`;
const SLOW = `id: slow
namespace: demo.ui
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`;
// Fails on its first attempt only: a restart makes it succeed.
const FLAKY = `id: flaky
namespace: demo.other
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount == 0 }}"
    errorMessage: first attempt fails
`;

const PAUSE = `id: approve
namespace: demo.ui
tasks:
  - id: ask
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: reason
        type: STRING
        description: Why it may go on
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.ask.onResume.reason }}"
`;

let hello: Execution;
let failed: Execution;

/** Resolves once a worker has claimed the execution's task (RUNNING in the database). */
const running = (id: string) => until(`a running task of ${id}`, async () => (await loadTaskRuns(f.tern.db, id)).some((r) => r.state === "RUNNING"));

async function startSlow(): Promise<Execution> {
  const flow = (await f.tern.flows.get("demo.ui", "slow"))!;
  const ex = await f.tern.service.create({ flow, inputs: {} });
  await running(ex.id);
  return ex;
}

beforeAll(async () => {
  f = await uiFixture();
  for (const s of [HELLO, SLOW, FLAKY, PAUSE]) await f.save(s);
  hello = await f.run("demo.ui", "hello", {}, [{ key: "team", value: "core" }]);
  failed = await f.run("demo.other", "flaky");
});
afterAll(() => f.close());

describe("executions list", () => {
  test("filters by state, namespace, flow, labels and time; fragment for htmx", async () => {
    const all = await f.html("/ui/executions");
    expect(all).toContain(`id="row-${hello.id}"`);
    expect(all).toContain(`id="row-${failed.id}"`);
    const byState = await f.html("/ui/executions?state=FAILED", HX);
    expect(byState).toStartWith('<div id="exec-results">');
    expect(byState).toContain(`row-${failed.id}`);
    expect(byState).not.toContain(`row-${hello.id}`);
    expect(await f.html("/ui/executions?namespace=demo.ui")).not.toContain(`row-${failed.id}`);
    expect(await f.html("/ui/executions?namespace=demo")).toContain(`row-${failed.id}`);
    expect(await f.html("/ui/executions?flowId=flaky")).not.toContain(`row-${hello.id}`);
    const byLabel = await f.html("/ui/executions?label=team:core");
    expect(byLabel).toContain(`row-${hello.id}`);
    expect(byLabel).not.toContain(`row-${failed.id}`);
    expect(await f.html("/ui/executions?from=2999-01-01T00:00")).toContain("No execution matches");
  });

  test("pages with links that keep the filters", async () => {
    const p1 = await f.html("/ui/executions?size=1&namespace=demo");
    expect(p1).toContain("2 total · page 1 of 2");
    expect(p1).toContain('href="/ui/executions?namespace=demo&amp;page=2"');
    const p2 = await f.html("/ui/executions?size=1&namespace=demo&page=2");
    expect(p2).toContain("page 2 of 2");
  });

  test("a running row polls itself; a finished row has no trigger", async () => {
    const ex = await startSlow();
    const row = await f.html(`/ui/executions/${ex.id}/row`, HX);
    expect(row).toContain('hx-trigger="every 2s"');
    expect(row).toContain(`hx-get="/ui/executions/${ex.id}/row"`);
    const checked = await f.html(`/ui/executions/${ex.id}/row?id=${ex.id}`, HX);
    expect(checked).toContain('checked=""');
    const doneRow = await f.html(`/ui/executions/${hello.id}/row`, HX);
    expect(doneRow).not.toContain("hx-trigger");
    // Bulk kill from the list.
    const r = await f.post("/ui/executions/bulk", { id: [ex.id], action: "kill", back: "/ui/executions?state=RUNNING" });
    expect(r.status).toBe(303);
    expect(r.headers.get("Location")).toBe("/ui/executions?state=RUNNING&done=kill&n=1&failed=0");
    expect((await f.tern.service.waitFor(ex.id)).state).toBe("KILLED");
    expect(await f.html("/ui/executions?done=kill&n=1&failed=0")).toContain("Kill requested: 1 execution(s)");
  });

  test("bulk restart of a failed execution; a refused one is counted", async () => {
    const r = await f.post("/ui/executions/bulk", { id: [failed.id, hello.id], action: "restart", back: "/ui/executions" });
    expect(r.headers.get("Location")).toBe("/ui/executions?done=restart&n=1&failed=1");
    const done = await f.tern.service.waitFor(failed.id);
    expect(done.state).toBe("SUCCESS");
    failed = done;
  });

  test("bulk delete: a running execution is refused and counted, a finished one goes", async () => {
    expect(await f.html("/ui/executions")).toContain('<button type="submit" name="action" value="delete" class="danger">Delete</button>');
    const ex = await startSlow();
    const refused = await f.post("/ui/executions/bulk", { id: [ex.id, "nope"], action: "delete", back: "/ui/executions" });
    expect(refused.headers.get("Location")).toBe("/ui/executions?done=delete&n=0&failed=2");
    await f.tern.service.kill(ex.id);
    await f.tern.service.waitFor(ex.id);
    const r = await f.post("/ui/executions/bulk", { id: [ex.id], action: "delete", back: "/ui/executions" });
    expect(r.headers.get("Location")).toBe("/ui/executions?done=delete&n=1&failed=0");
    expect(await f.tern.db.$client.execute({ sql: "SELECT 1 FROM executions WHERE id = ?", args: [ex.id] }).then((rs) => rs.rows.length)).toBe(0);
    expect(await f.html("/ui/executions?done=delete&n=1&failed=0")).toContain("Deleted: 1 execution(s)");
  });
});

describe("one execution", () => {
  test("Gantt chart and task-run tree with states, attempts and durations", async () => {
    const html = await f.html(`/ui/executions/${hello.id}`);
    expect(html).toContain('<svg class="gantt"');
    expect(html).toMatch(/<g class="row" data-task="first" data-state="SUCCESS">/);
    expect(html).toMatch(/data-task="item" data-state="SUCCESS"/);
    expect(html).toContain("item [a]");
    expect(html).toContain(`id="exec-live" data-state="SUCCESS" data-settled="true"`);
    expect(html).not.toContain('hx-trigger="every 1s"');
    expect(html).toContain('action="/ui/executions/' + hello.id + '/replay"');
    expect(html).toContain("team:core");
  });

  test("a running execution's live part polls itself and offers Kill", async () => {
    const ex = await startSlow();
    const html = await f.html(`/ui/executions/${ex.id}`);
    expect(html).toContain(`hx-get="/ui/executions/${ex.id}/live?tab=gantt"`);
    expect(html).toContain('hx-trigger="every 1s"');
    expect(html).toContain(`action="/ui/executions/${ex.id}/kill"`);
    const live = await f.html(`/ui/executions/${ex.id}/live?tab=gantt`, HX);
    expect(live).toStartWith('<div id="exec-live"');
    const kill = await f.post(`/ui/executions/${ex.id}/kill`, {});
    expect(kill.status).toBe(303);
    expect(kill.headers.get("Location")).toBe(`/ui/executions/${ex.id}?done=kill`);
    expect((await f.tern.service.waitFor(ex.id)).state).toBe("KILLED");
    const after = await f.html(`/ui/executions/${ex.id}?done=kill`);
    expect(after).toContain("Kill requested.");
    expect(after).toContain(`action="/ui/executions/${ex.id}/restart"`);
  });

  test("restart of a running execution is refused in the page, not as JSON", async () => {
    const ex = await startSlow();
    const r = await f.post(`/ui/executions/${ex.id}/restart`, {});
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.headers.get("Content-Type")).toContain("text/html");
    expect(await r.text()).toContain('class="error-box"');
    await f.tern.service.kill(ex.id);
    await f.tern.service.waitFor(ex.id);
  });

  test("a paused execution offers a resume form generated from onResume inputs", async () => {
    const flow = (await f.tern.flows.get("demo.ui", "approve"))!;
    const ex = await f.tern.service.create({ flow, inputs: {} });
    await until("PAUSED", async () => (await loadExecution(f.tern.db, ex.id))?.state === "PAUSED");
    const html = await f.html(`/ui/executions/${ex.id}`);
    expect(html).toContain(`action="/ui/executions/${ex.id}/resume"`);
    expect(html).toContain('<input type="text" value="" id="in-reason" name="reason" required=""/>');
    expect(html).toContain("Why it may go on");
    const missing = await f.post(`/ui/executions/${ex.id}/resume`, { reason: "" });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Invalid input for `reason`, missing required input");
    const ok = await f.post(`/ui/executions/${ex.id}/resume`, { reason: "approved by QA" });
    expect(ok.headers.get("Location")).toBe(`/ui/executions/${ex.id}?done=resume`);
    expect((await f.tern.service.waitFor(ex.id)).state).toBe("SUCCESS");
    const after = (await loadTaskRuns(f.tern.db, ex.id)).find((r) => r.taskId === "after")!;
    expect(after.outputs).toEqual({ value: "approved by QA" });
  });

  test("replay from a task run creates a new execution", async () => {
    const runs = await loadTaskRuns(f.tern.db, hello.id);
    const warn = runs.find((r) => r.taskId === "warn")!;
    const r = await f.post(`/ui/executions/${hello.id}/replay`, { taskRunId: warn.id });
    expect(r.status).toBe(303);
    const id = r.headers.get("Location")!.split("/").pop()!.split("?")[0];
    expect(id).not.toBe(hello.id);
    const ex = await f.tern.service.waitFor(id);
    expect(ex.state).toBe("SUCCESS");
    expect((await loadExecution(f.tern.db, id))!.originalId).toBe(hello.id);
  });

  test("tabs: outputs, topology coloured by state, logs with level and text filters", async () => {
    const out = await f.html(`/ui/executions/${hello.id}/outputs`);
    expect(out).toContain("Task outputs");
    const topo = await f.html(`/ui/executions/${hello.id}/topology`);
    expect(topo).toMatch(/<g class="node st" data-task="first" data-state="SUCCESS">/);
    const logs = await f.html(`/ui/executions/${hello.id}/logs`);
    expect(logs).toContain("hello you");
    expect(logs).toContain("careful now");
    expect(logs).not.toContain("data-stream"); // finished: no live tail
    const warn = await f.html(`/ui/executions/${hello.id}/logs?level=WARN`);
    expect(warn).toContain("careful now");
    expect(warn).not.toContain("hello you");
    const q = await f.html(`/ui/executions/${hello.id}/logs?q=HELLO`);
    expect(q).toContain("hello you");
    expect(q).not.toContain("careful now");
  });

  test("Kestra's /ui/executions/{ns}/{flow}/{id} redirects", async () => {
    const r = await f.get(`/ui/executions/demo.ui/hello/${hello.id}/logs`);
    expect(r.status).toBe(301);
    expect(r.headers.get("Location")).toBe(`/ui/executions/${hello.id}/logs`);
  });

  test("a file of another execution is refused", async () => {
    const uri = encodeURIComponent(`kestra:///demo/other/flaky/executions/${failed.id}/inputs/x/a.txt`);
    const r = await f.get(`/ui/executions/${hello.id}/file/download?uri=${uri}`);
    expect(r.status).toBe(403);
    const t = await f.get(`/ui/executions/${hello.id}/file/download?uri=${encodeURIComponent("kestra:///../../etc/passwd")}`);
    expect(t.status).toBe(422);
  });
});

describe("live logs over SSE", () => {
  test("a finished execution: its lines, then the final end event", async () => {
    const r = await f.get(`/ui/executions/${hello.id}/logs/follow`);
    expect(r.headers.get("Content-Type")).toContain("text/event-stream");
    const text = await r.text();
    expect(text).toContain("event: log");
    expect(text).toContain("hello you");
    expect(text.trimEnd()).toEndWith("event: end\ndata: SUCCESS");
  });

  test("a running execution streams until it ends; level filter and resume after an id apply", async () => {
    const ex = await startSlow();
    const r = await f.get(`/ui/executions/${ex.id}/logs/follow?level=ERROR`);
    // The stream stays open while the execution runs; killing it ends the stream.
    const body = r.text();
    await f.tern.service.kill(ex.id);
    const text = await body;
    expect(text).toContain("event: end\ndata: KILLED");
    expect(text).not.toContain("lv-INFO");
    const after = await (await f.get(`/ui/executions/${hello.id}/logs/follow?after=999999`)).text();
    expect(after).not.toContain("event: log");
    expect(after).toContain("event: end");
  });
});
