// The conformance cases that need the API (the `api` skips of ../shared/conformance/cases.json):
// Kestra's own test flows, driven through the HTTP routes — kill, resume, restart, markAs,
// change-status, replay, delete keeping logs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, type TestApp } from "./helpers/server.ts";

const FLOWS = join(import.meta.dir, "../../shared/conformance/kestra-flows");
const FILES = [
  "sleep.yml", "pause.yaml", "pause_on_resume.yaml", "pause_on_resume_optional.yaml", "restart_last_failed.yaml",
  "restart_always_failed.yaml", "restart_local_errors.yaml", "restart_pause_last_failed.yaml", "failed-first.yaml",
  "minimal.yaml", "parallel-nested.yaml", "logs.yaml",
];

interface Run { id: string; taskId: string; state: { current: string; histories: { state: string }[] }; attempts?: unknown[]; outputs?: Record<string, unknown> }
interface Ex { id: string; originalId: string; state: { current: string }; taskRunList: Run[] }

let t: TestApp;
beforeAll(async () => {
  if (!existsSync(FLOWS)) return;
  t = await createTestApp();
  for (const f of FILES) expect((await t.flow(readFileSync(join(FLOWS, f), "utf8"))).status).toBe(200);
});
afterAll(() => t?.close());

const run = async (flowId: string, wait = true): Promise<Ex> =>
  (await t.call("POST", `/api/v1/executions/io.kestra.tests/${flowId}${wait ? "?wait=true" : ""}`, {})).json();
const get = async (id: string): Promise<Ex> => (await t.call("GET", `/api/v1/executions/${id}`)).json();
const settle = async (id: string) => (await t.ended(id), get(id));
const byTask = (ex: Ex, taskId: string) => ex.taskRunList.find((r) => r.taskId === taskId)!;
const op = (id: string, what: string, body?: unknown) => t.call("POST", `/api/v1/executions/${id}/${what}`, body);

describe.skipIf(!existsSync(FLOWS))("conformance cases needing the API", () => {
  test("sleep: DELETE /kill while RUNNING -> KILLED, 1 task run", async () => {
    const ex = await run("sleep", false);
    while ((await get(ex.id)).taskRunList[0]?.state.current !== "RUNNING") await Bun.sleep(5);
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}/kill`)).status).toBe(202);
    const done = await settle(ex.id);
    expect(done.state.current).toBe("KILLED");
    expect(done.taskRunList).toHaveLength(1);
  });

  test("pause: POST /resume -> SUCCESS; DELETE /kill of a paused execution -> KILLED", async () => {
    const ex = await run("pause");
    expect(ex.state.current).toBe("PAUSED");
    expect((await op(ex.id, "resume")).status).toBe(204);
    const done = await settle(ex.id);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList.map((r) => r.taskId)).toEqual(["pause", "subtask", "last"]);
    const other = await run("pause");
    expect((await t.call("DELETE", `/api/v1/executions/${other.id}/kill`)).status).toBe(202);
    expect((await settle(other.id)).state.current).toBe("KILLED");
  });

  test("pause_on_resume: missing input refused; inputs + uploaded file reach the next task", async () => {
    const ex = await run("pause_on_resume");
    expect((await op(ex.id, "resume", {})).status).toBe(422);
    const form = new FormData();
    form.append("asked", "restarted");
    form.append("files", new File(["payload"], "data"));
    expect((await op(ex.id, "resume", form)).status).toBe(204);
    const done = await settle(ex.id);
    expect(done.state.current).toBe("SUCCESS");
    const values = byTask(done, "last").outputs!.values as { asked: string; data: string };
    expect(values.asked).toBe("restarted");
    expect(values.data).toStartWith(`kestra:///io/kestra/tests/pause-on-resume/executions/${ex.id}/`);
    const file = await t.call("GET", `/api/v1/executions/${ex.id}/file?path=${encodeURIComponent(values.data)}`);
    expect(await file.text()).toBe("payload");
  });

  test("pause_on_resume_optional: resume without inputs -> MISSING", async () => {
    const ex = await run("pause_on_resume_optional");
    expect((await op(ex.id, "resume")).status).toBe(204);
    expect((byTask(await settle(ex.id), "last").outputs!.values as { asked: string }).asked).toBe("MISSING");
  });

  test("restart_last_failed: restart keeps the id, SUCCESS with 4 task runs, c has 2 attempts", async () => {
    const ex = await run("restart_last_failed");
    expect(ex.state.current).toBe("FAILED");
    expect(ex.taskRunList).toHaveLength(3);
    expect((await (await op(ex.id, "restart")).json()).id).toBe(ex.id);
    const done = await settle(ex.id);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList).toHaveLength(4);
    expect(byTask(done, "c").attempts).toHaveLength(2);
    expect(done.taskRunList.every((r) => r.state.current === "SUCCESS")).toBe(true);
  });

  test("restart_always_failed and restart_local_errors: the failing task gets a second attempt, still FAILED", async () => {
    for (const [flowId, runs] of [["restart_always_failed", 2], ["restart_local_errors", 5]] as const) {
      const ex = await run(flowId);
      expect(ex.state.current).toBe("FAILED");
      expect((await op(ex.id, "restart")).status).toBe(200);
      const done = await settle(ex.id);
      expect(done.state.current).toBe("FAILED");
      expect(done.taskRunList).toHaveLength(runs);
      expect(byTask(done, "failStep").attempts).toHaveLength(2);
    }
  });

  test("restart_pause_last_failed: restart re-runs the pause, 5 task runs all SUCCESS", async () => {
    const ex = await run("restart_pause_last_failed");
    expect(ex.state.current).toBe("FAILED");
    expect((await (await op(ex.id, "restart")).json()).id).toBe(ex.id);
    const done = await settle(ex.id);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList).toHaveLength(5);
    expect(done.taskRunList.every((r) => r.state.current === "SUCCESS")).toBe(true);
    expect(byTask(done, "pause").state.histories.filter((h) => h.state === "PAUSED")).toHaveLength(1);
    expect(byTask(done, "c").attempts).toHaveLength(2);
    expect(byTask(done, "d").attempts).toHaveLength(1);
  });

  test("failed-first: restart twice (FAILED again), then markAs(t1, SUCCESS) -> SUCCESS with 2 task runs", async () => {
    const ex = await run("failed-first");
    for (let i = 0; i < 2; i++) {
      expect((await op(ex.id, "restart")).status).toBe(200);
      expect((await settle(ex.id)).state.current).toBe("FAILED");
    }
    const failed = await get(ex.id);
    expect((await op(ex.id, "state", { taskRunId: byTask(failed, "t1").id, state: "SUCCESS" })).status).toBe(200);
    const done = await settle(ex.id);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList).toHaveLength(2);
  });

  test("minimal: change-status of a finished execution to WARNING", async () => {
    const ex = await run("minimal");
    expect(ex.state.current).toBe("SUCCESS");
    const changed = await t.call("POST", `/api/v1/executions/${ex.id}/change-status?status=WARNING`);
    expect(changed.status).toBe(200);
    expect((await changed.json()).state.current).toBe("WARNING");
    expect((await t.call("POST", `/api/v1/executions/${ex.id}/change-status?status=RUNNING`)).status).toBe(422);
  });

  test("parallel-nested: replay from 1-3-2_par -> a new execution that ends SUCCESS with 11 task runs", async () => {
    const ex = await run("parallel-nested");
    expect(ex.taskRunList).toHaveLength(11);
    const res = await t.call("POST", `/api/v1/executions/${ex.id}/replay?taskRunId=${byTask(ex, "1-3-2_par").id}`);
    const replay = (await res.json()) as Ex;
    expect(replay.id).not.toBe(ex.id);
    expect(replay.originalId).toBe(ex.id);
    const done = await settle(replay.id);
    expect(done.state.current).toBe("SUCCESS");
    expect(done.taskRunList).toHaveLength(11);
    expect(byTask(done, "1-1").id).not.toBe(byTask(ex, "1-1").id);
    expect(byTask(done, "1-1").outputs).toEqual(byTask(ex, "1-1").outputs);
  });

  test("logs: deleting the execution but keeping logs leaves the INFO+ lines; replay from taskRun[1]", async () => {
    const ex = await run("logs");
    expect(ex.state.current).toBe("SUCCESS");
    const replay = (await (await op(ex.id, `replay?taskRunId=${ex.taskRunList[1].id}`)).json()) as Ex;
    expect((await settle(replay.id)).taskRunList).toHaveLength(5);
    expect((await t.call("DELETE", `/api/v1/executions/${ex.id}?deleteLogs=false`)).status).toBe(204);
    expect((await t.call("GET", `/api/v1/executions/${ex.id}`)).status).toBe(404);
    const lines = await (await t.call("GET", `/api/v1/logs/search?executionId=${ex.id}&minLevel=INFO`)).json();
    expect(lines.total).toBe(4);
  });
});
