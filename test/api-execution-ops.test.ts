// Operations on executions in-process: kill, restart, replay, resume, change a task run's
// state, and the execution's SSE follow stream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, readSse, type TestApp } from "./helpers/server.ts";

const SLOW = `id: slow
namespace: ops
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`;
const GATE = `id: gate
namespace: ops
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: one
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ kv('go') != 'yes' }}"
    errorMessage: not yet
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: done
`;
const PAUSE = `id: approve
namespace: ops
tasks:
  - id: ask
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: reason
        type: STRING
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.ask.onResume.reason }}"
`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const f of [SLOW, GATE, PAUSE]) expect((await t.flow(f)).status).toBe(200);
});
afterAll(() => t.close());

const start = async (flowId: string, query = "") => (await t.call("POST", `/api/v1/executions/ops/${flowId}${query}`, {})).json();
const get = async (id: string) => (await t.call("GET", `/api/v1/executions/${id}`)).json();
const runOf = (ex: { taskRunList: { taskId: string }[] }, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId) as unknown as { id: string; state: { current: string }; attempts?: unknown[] };

describe("kill", () => {
  test("202, the running task is interrupted and the execution ends KILLED", async () => {
    const ex = await start("slow");
    // The worker's claim emits no event: watch the stored task run.
    while (runOf(await get(ex.id), "wait")?.state.current !== "RUNNING") await Bun.sleep(5);
    const t0 = Date.now();
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}/kill`)).status).toBe(202);
    expect((await t.ended(ex.id)).state).toBe("KILLED");
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(runOf(await get(ex.id), "wait").state.current).toBe("KILLED");
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}/kill`)).status).toBe(409);
    expect((await t.call("DELETE", "/api/v1/executions/nope/kill")).status).toBe(404);
  });

  test("a running execution cannot be deleted", async () => {
    const ex = await start("slow");
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}`)).status).toBe(409);
    await t.call("DELETE", `/api/v1/executions/${ex.id}/kill`);
    await t.ended(ex.id);
  });
});

describe("restart and change state", () => {
  test("restart re-runs the failed task in the same execution", async () => {
    const ex = await start("gate", "?wait=true");
    expect(ex.state.current).toBe("FAILED");
    const firstId = runOf(ex, "first").id;
    await t.call("PUT", "/api/v1/namespaces/ops/kv/go", "yes", { "content-type": "text/plain" });
    const res = await t.call("POST", `/api/v1/executions/${ex.id}/restart`);
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe(ex.id);
    expect((await t.ended(ex.id)).state).toBe("SUCCESS");
    const after = await get(ex.id);
    expect(after.state.histories.map((h: { state: string }) => h.state)).toContain("RESTARTED");
    expect(runOf(after, "first").id).toBe(firstId);
    expect(runOf(after, "check").attempts).toHaveLength(2);
    expect(runOf(after, "last").state.current).toBe("SUCCESS");
    await t.call("DELETE", "/api/v1/namespaces/ops/kv/go");
    // A successful execution has nothing to restart.
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/restart`)).status).toBe(422);
  });

  test("POST /state marks the failed task SUCCESS and the execution continues", async () => {
    const ex = await start("gate", "?wait=true");
    expect(ex.state.current).toBe("FAILED");
    const res = await t.call("POST", `/api/v1/executions/${ex.id}/state`, { taskRunId: runOf(ex, "check").id, state: "SUCCESS" });
    expect(res.status).toBe(200);
    expect((await t.ended(ex.id)).state).toBe("SUCCESS");
    expect(runOf(await get(ex.id), "last").state.current).toBe("SUCCESS");
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/state`, { taskRunId: "nope", state: "SUCCESS" })).status).toBe(404);
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/state`, { taskRunId: "x", state: "BOGUS" })).status).toBe(422);
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/state`, "{", { "content-type": "application/json" })).status).toBe(400);
  });
});

describe("replay", () => {
  test("from a task run: a new execution keeping the runs before it", async () => {
    await t.call("PUT", "/api/v1/namespaces/ops/kv/go", "yes", { "content-type": "text/plain" });
    const ex = await start("gate", "?wait=true");
    expect(ex.state.current).toBe("SUCCESS");
    const res = await t.call("POST", `/api/v1/executions/${ex.id}/replay?taskRunId=${runOf(ex, "check").id}`);
    expect(res.status).toBe(200);
    const replay = await res.json();
    expect(replay.id).not.toBe(ex.id);
    expect(replay.originalId).toBe(ex.id);
    expect((await t.ended(replay.id)).state).toBe("SUCCESS");
    const done = await get(replay.id);
    expect(done.taskRunList.map((r: { taskId: string }) => r.taskId)).toEqual(["first", "check", "last"]);
    expect(runOf(done, "first").attempts).toHaveLength(1);
    const fresh = await (await t.call("POST", `/api/v1/executions/${ex.id}/replay`)).json();
    expect((await t.ended(fresh.id)).state).toBe("SUCCESS");
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/replay?taskRunId=nope`)).status).toBe(422);
    await t.call("DELETE", "/api/v1/namespaces/ops/kv/go");
  });
});

describe("resume", () => {
  test("a paused execution resumes with its onResume inputs (204)", async () => {
    const ex = await start("approve", "?wait=true");
    expect(ex.state.current).toBe("PAUSED");
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/resume`, {})).status).toBe(422);
    const res = await t.call("POST", `/api/v1/executions/${ex.id}/resume`, { reason: "looks good" });
    expect(res.status).toBe(204);
    expect((await t.ended(ex.id)).state).toBe("SUCCESS");
    expect(runOf(await get(ex.id), "after")).toMatchObject({ outputs: { value: "looks good" } });
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/resume`, { reason: "again" })).status).toBe(409);
  });
});

describe("follow", () => {
  test("SSE: updates, then the terminal execution (id end) and a final `end` event", async () => {
    await t.call("PUT", "/api/v1/namespaces/ops/kv/go", "yes", { "content-type": "text/plain" });
    const ex = await start("gate");
    const res = await t.call("GET", `/api/v1/executions/${ex.id}/follow`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: "end", data: "SUCCESS" });
    const final = events.at(-2)!;
    expect(final.id).toBe("end");
    expect(JSON.parse(final.data).state.current).toBe("SUCCESS");
    expect(events.slice(0, -2).every((e) => e.id === "progress")).toBe(true);
    // Following a finished execution answers at once with it.
    const again = await readSse(await t.call("GET", `/api/v1/executions/${ex.id}/follow`));
    expect(again.map((e) => e.id ?? e.event)).toEqual(["end", "end"]);
    expect((await t.call("GET", "/api/v1/executions/nope/follow")).status).toBe(404);
  });
});
