// Where engine behaviours meet: kill during a retry wait or a loop, timeout with retry, errors
// and finally on Parallel/ForEach, a Pause beside a running branch, Subflow retries, resume of
// an execution that is not paused, currentEachOutput().
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OperationError } from "../src/executor/operations.ts";
import { createEngine, history, type Engine } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (id: string, body: string) => `id: ${id}\nnamespace: engine.edges\n${body}`;

describe("kill meets retry and loops", () => {
  test("kill while a task waits for its next retry: KILLED, and the retry never runs", async () => {
    const id = await e.start(flow("kill-retrying", `
tasks:
  - id: t
    type: io.kestra.plugin.core.execution.Fail
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 5
`));
    await e.until(id, (o) => o.runsOf("t")[0]?.state === "RETRYING");
    await e.tern.service.kill(id);
    const o = await e.ended(id, 5_000);
    expect(o.execution.state).toBe("KILLED");
    expect(o.run("t").state).toBe("KILLED");
    expect(o.run("t").attempts).toHaveLength(1);
    // Past the retry time, still one attempt.
    await Bun.sleep(1_200);
    const later = await e.read(id);
    expect(later.run("t").attempts).toHaveLength(1);
    expect(later.run("t").state).toBe("KILLED");
  });

  test("kill during a ForEach: the running iteration is killed and no later value starts", async () => {
    const id = await e.start(flow("kill-foreach", `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2, 3, 4]
    tasks:
      - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.4S }
`));
    await e.until(id, (o) => o.runsOf("nap").some((r) => r.value === "2" && r.state === "RUNNING"));
    await e.tern.service.kill(id);
    const o = await e.ended(id, 5_000);
    expect(o.execution.state).toBe("KILLED");
    expect(o.runsOf("nap").map((r) => [r.value, r.state])).toEqual([["1", "SUCCESS"], ["2", "KILLED"]]);
    expect(o.run("each").state).toBe("KILLED");
  });
});

describe("timeout with retry", () => {
  test("each attempt that times out is retried; the last one fails the task", async () => {
    const o = await e.run(flow("timeout-retry", `
tasks:
  - id: slow
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT5S
    timeout: PT0.1S
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 2
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.run("slow").attempts.map((a) => a.state.current)).toEqual(["FAILED", "FAILED"]);
    expect(o.logsOf("slow").filter((m) => m.includes("Timeout"))).toHaveLength(2);
  });
});

describe("errors and finally on Parallel and ForEach", () => {
  test("Parallel: its errors run once after the failure, under it; finally runs after them", async () => {
    const o = await e.run(flow("parallel-errors", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - { id: ok, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.1S }
      - { id: boom, type: io.kestra.plugin.core.execution.Fail }
    errors:
      - { id: onError, type: io.kestra.plugin.core.log.Log, message: "error" }
    finally:
      - { id: always, type: io.kestra.plugin.core.log.Log, message: "finally" }
`));
    expect(o.execution.state).toBe("FAILED");
    const par = o.run("par");
    expect(o.run("onError").parentTaskRunId).toBe(par.id);
    expect(o.run("always").parentTaskRunId).toBe(par.id);
    expect(o.run("onError").startDate!).toBeGreaterThanOrEqual(Math.max(o.run("ok").endDate!, o.run("boom").endDate!));
    expect(o.run("always").startDate!).toBeGreaterThanOrEqual(o.run("onError").endDate!);
  });

  test("ForEach: finally runs once after all values; currentEachOutput() reads this iteration's output", async () => {
    const o = await e.run(flow("foreach-finally", `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: first
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}!"
      - id: second
        type: io.kestra.plugin.core.debug.Return
        format: "{{ currentEachOutput(outputs.first).value }}"
    finally:
      - { id: done, type: io.kestra.plugin.core.log.Log, message: "all done" }
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.runsOf("second").map((r) => r.outputs?.value)).toEqual(["a!", "b!"]);
    expect(o.runsOf("done")).toHaveLength(1);
    expect(o.run("done").startDate!).toBeGreaterThanOrEqual(Math.max(...o.runsOf("second").map((r) => r.endDate!)));
  });
});

describe("Pause beside a running branch", () => {
  test("the execution is PAUSED while a Parallel sibling keeps running; resume finishes it", async () => {
    const id = await e.start(flow("pause-parallel", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - { id: pause, type: io.kestra.plugin.core.flow.Pause }
      - { id: work, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.3S }
  - { id: after, type: io.kestra.plugin.core.log.Log, message: after }
`));
    const paused = await e.until(id, (o) => o.execution.state === "PAUSED" && o.runsOf("work")[0]?.state === "SUCCESS");
    expect(paused.runsOf("after")).toHaveLength(0);
    await e.tern.service.resume(id);
    const o = await e.ended(id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["par", "pause", "work", "after"]);
  });

  test("resume of an execution that is not paused is refused (409)", async () => {
    const o = await e.run(flow("resume-not-paused", `
tasks:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: a }
`));
    const err = await e.tern.service.resume(o.execution.id).then(() => undefined, (x) => x as OperationError);
    expect(err?.status).toBe(409);
  });
});

describe("Subflow retry", () => {
  test("a retried Subflow task starts a new child execution per attempt", async () => {
    await e.deploy(flow("flaky-child", `
inputs:
  - { id: ok, type: BOOLEAN }
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ not inputs.ok }}"
`));
    const o = await e.run(flow("subflow-retry", `
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: engine.edges
    flowId: flaky-child
    inputs:
      ok: false
    retry:
      type: constant
      interval: PT0.05S
      maxAttempt: 2
`));
    expect(o.execution.state).toBe("FAILED");
    const sub = o.run("sub");
    expect(sub.attempts.map((a) => a.state.current)).toEqual(["FAILED", "FAILED"]);
    const children = await e.tern.db.$client.execute({ sql: "SELECT id, state FROM executions WHERE parent_id = ?", args: [o.execution.id] });
    expect(children.rows.map((r) => r.state)).toEqual(["FAILED", "FAILED"]);
    expect(sub.outputs?.executionId).toBe(children.rows.map((r) => String(r.id)).find((cid) => cid === sub.outputs?.executionId));
  });
});

describe("execution state history", () => {
  test("a plain run goes CREATED -> RUNNING -> SUCCESS; each task run CREATED -> RUNNING -> SUCCESS", async () => {
    const o = await e.run(flow("histories", `
tasks:
  - { id: a, type: io.kestra.plugin.core.debug.Return, format: a }
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - { id: b, type: io.kestra.plugin.core.debug.Return, format: b }
`));
    expect(history(o.execution)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    for (const r of o.runs) expect(history(r)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    expect(o.execution.startDate!).toBeLessThanOrEqual(o.runs[0].startDate!);
    expect(o.execution.endDate!).toBeGreaterThanOrEqual(Math.max(...o.runs.map((r) => r.endDate!)));
  });
});

describe("persisted as it happens", () => {
  test("while paused, the database already holds the outputs, attempts, logs and labels of what ran", async () => {
    const id = await e.start(flow("persisted-midway", `
tasks:
  - { id: ret, type: io.kestra.plugin.core.debug.Return, format: "kept {{ flow.id }}" }
  - { id: log, type: io.kestra.plugin.core.log.Log, message: "logged early" }
  - id: lab
    type: io.kestra.plugin.core.execution.Labels
    labels: { stage: midway }
  - { id: pause, type: io.kestra.plugin.core.flow.Pause }
`));
    const o = await e.until(id, (x) => x.execution.state === "PAUSED");
    expect(o.run("ret").outputs).toEqual({ value: "kept persisted-midway" });
    expect(o.run("ret").attempts.map((a) => a.state.current)).toEqual(["SUCCESS"]);
    expect(o.logsOf("log")).toEqual(["logged early"]);
    expect(o.execution.labels).toContainEqual({ key: "stage", value: "midway" });
    await e.tern.service.kill(id);
    await e.ended(id);
  });
});

describe("restart with finally, and kill during a Pause delay", () => {
  test("restart after a failure re-runs the failed task, then finally again (finally does not block the restart)", async () => {
    const first = await e.run(flow("restart-finally", `
tasks:
  - { id: a, type: io.kestra.plugin.core.debug.Return, format: a }
  - id: b
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount < 1 }}"
  - { id: c, type: io.kestra.plugin.core.debug.Return, format: c }
finally:
  - { id: cleanup, type: io.kestra.plugin.core.log.Log, message: cleanup }
`));
    expect(first.execution.state).toBe("FAILED");
    expect(first.taskIds()).toEqual(["a", "b", "cleanup"]);
    await e.tern.service.restart(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["a", "b", "c", "cleanup"]);
    expect(o.run("cleanup").startDate!).toBeGreaterThanOrEqual(o.run("c").endDate!);
  });

  test("kill during a Pause delay: KILLED, and the delay's end does not revive it", async () => {
    const id = await e.start(flow("kill-delay", `
tasks:
  - { id: pause, type: io.kestra.plugin.core.flow.Pause, delay: PT0.3S }
  - { id: after, type: io.kestra.plugin.core.log.Log, message: after }
`));
    await e.until(id, (o) => o.execution.state === "PAUSED");
    await e.tern.service.kill(id);
    expect((await e.ended(id)).execution.state).toBe("KILLED");
    await Bun.sleep(400);
    const o = await e.read(id);
    expect(o.execution.state).toBe("KILLED");
    expect(o.runsOf("after")).toHaveLength(0);
  });
});

test("Dag with concurrent: 1 runs one task at a time", async () => {
  const o = await e.run(flow("dag-concurrent", `
tasks:
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    concurrent: 1
    tasks:
      - task: { id: x, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.15S }
      - task: { id: y, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.15S }
      - task: { id: z, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.15S }
`));
  expect(o.execution.state).toBe("SUCCESS");
  const runs = ["x", "y", "z"].map((t) => o.run(t)).sort((a, b) => a.startDate! - b.startDate!);
  for (let i = 1; i < runs.length; i++) expect(runs[i].startDate!).toBeGreaterThanOrEqual(runs[i - 1].endDate!);
});
