// Operations on executions through the real engine (Kestra's ExecutionService): kill while
// running, restart of a failed execution (only the failed task runs again), replay,
// changeTaskRunState; and the flow SLA (MAX_DURATION, EXECUTION_ASSERTION).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OperationError } from "../src/executor/operations.ts";
import { createEngine, history, type Engine } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (id: string, body: string) => `id: ${id}\nnamespace: engine.ops\n${body}`;
/** a -> b (fails on its first attempt only) -> c, with a flow-level error handler. */
const FAILS_ONCE = flow("fails-once", `
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: "a {{ execution.id }}"
  - id: b
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount < 1 }}"
  - id: c
    type: io.kestra.plugin.core.debug.Return
    format: "c after {{ outputs.a.value }}"
errors:
  - id: handler
    type: io.kestra.plugin.core.log.Log
    message: handled
`);
const rejected = (p: Promise<unknown>) => p.then(() => undefined, (err) => err as OperationError);

describe("kill", () => {
  test("kill of a running execution kills the running task; nothing after it starts", async () => {
    const id = await e.start(flow("kill-running", `
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - { id: s1, type: io.kestra.plugin.core.flow.Sleep, duration: PT10S }
      - { id: s2, type: io.kestra.plugin.core.flow.Sleep, duration: PT10S }
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`));
    await e.until(id, (o) => o.runsOf("s1")[0]?.state === "RUNNING" && o.runsOf("s2")[0]?.state === "RUNNING");
    const t0 = Date.now();
    expect(await e.tern.service.kill(id)).toBe(true);
    const o = await e.ended(id);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(o.execution.state).toBe("KILLED");
    expect(o.run("first").state).toBe("SUCCESS");
    expect(["par", "s1", "s2"].map((t) => o.run(t).state)).toEqual(["KILLED", "KILLED", "KILLED"]);
    expect(o.runsOf("never")).toHaveLength(0);
  });

  test("kill of a parent also kills its running subflow execution (Kestra's kill cascade)", async () => {
    await e.deploy(flow("sleepy-child", `
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT10S }
`));
    const id = await e.start(flow("kill-parent", `
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: engine.ops
    flowId: sleepy-child
`));
    const running = await e.until(id, (o) => o.runsOf("sub")[0]?.outputs?.executionId !== undefined);
    const childId = running.run("sub").outputs!.executionId as string;
    await e.until(childId, (o) => o.runsOf("nap")[0]?.state === "RUNNING");
    await e.tern.service.kill(id);
    expect((await e.ended(id)).execution.state).toBe("KILLED");
    const child = await e.ended(childId, 5_000);
    expect(child.execution.state).toBe("KILLED");
    expect(child.run("nap").state).toBe("KILLED");
  });

  test("kill of a finished execution changes nothing", async () => {
    const o = await e.run(flow("kill-finished", `
tasks:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: a }
`));
    await e.tern.service.kill(o.execution.id);
    const after = await e.read(o.execution.id);
    expect(after.execution.state).toBe("SUCCESS");
    expect(after.execution.histories).toEqual(o.execution.histories);
    expect(after.runs.map((r) => [r.id, r.state])).toEqual(o.runs.map((r) => [r.id, r.state]));
  });
});

describe("restart", () => {
  test("restart re-runs only the failed task (same execution id); what succeeded is untouched; error handlers are removed", async () => {
    const first = await e.run(FAILS_ONCE);
    expect(first.execution.state).toBe("FAILED");
    expect(first.taskIds()).toEqual(["a", "b", "handler"]);
    const a0 = first.run("a");
    const b0 = first.run("b");
    const ex = await e.tern.service.restart(first.execution.id);
    expect(ex.id).toBe(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["a", "b", "c"]);
    const a = o.run("a");
    expect({ id: a.id, attempts: a.attempts, outputs: a.outputs, endDate: a.endDate }).toEqual({ id: a0.id, attempts: a0.attempts, outputs: a0.outputs, endDate: a0.endDate });
    expect(o.logsOf("a")).toHaveLength(first.logsOf("a").length);
    const b = o.run("b");
    expect(b.id).toBe(b0.id);
    expect(b.attempts.map((x) => x.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(history(b)).toContain("RESTARTED");
    expect(o.run("c").outputs).toEqual({ value: `c after a ${o.execution.id}` });
    expect(history(o.execution)).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
  });

  test("restart inside a flowable re-opens the failed child and its parents only", async () => {
    const first = await e.run(flow("restart-nested", `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["x", "y"]
    tasks:
      - id: ok
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
      - id: flaky
        type: io.kestra.plugin.core.execution.Fail
        condition: "{{ taskrun.value == 'y' and taskrun.attemptsCount < 1 }}"
`));
    expect(first.execution.state).toBe("FAILED");
    const okRuns = first.runsOf("ok");
    await e.tern.service.restart(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.runsOf("ok").map((r) => [r.id, r.attempts.length])).toEqual(okRuns.map((r) => [r.id, 1]));
    expect(o.runsOf("flaky").map((r) => [r.value, r.attempts.length, r.state])).toEqual([["x", 1, "SUCCESS"], ["y", 2, "SUCCESS"]]);
    expect(o.run("each").state).toBe("SUCCESS");
  });

  test("restart with no failed task is refused (422); a running execution cannot be restarted (409)", async () => {
    const ok = await e.run(flow("restart-nothing", `
tasks:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: a }
`));
    const none = await rejected(e.tern.service.restart(ok.execution.id));
    expect(none?.status).toBe(422);
    expect(none?.message).toBe("No task found to restart execution from!");
    const id = await e.start(flow("restart-running", `
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT10S }
`));
    await e.until(id, (o) => o.runsOf("nap")[0]?.state === "RUNNING");
    expect((await rejected(e.tern.service.restart(id)))?.status).toBe(409);
    await e.tern.service.kill(id);
    await e.ended(id);
  });
});

describe("replay", () => {
  test("replay from a task run: a new execution copies the runs before it and runs from there", async () => {
    const first = await e.run(FAILS_ONCE);
    const replay = await e.tern.service.replay(first.execution.id, first.run("b").id);
    expect(replay.id).not.toBe(first.execution.id);
    expect(replay.originalId).toBe(first.execution.id);
    const o = await e.ended(replay.id);
    expect(o.taskIds()).toEqual(["a", "b", "handler"]);
    // a is a copy (new id, same outputs, never run again); b ran afresh (its first attempt fails again).
    expect(o.run("a").id).not.toBe(first.run("a").id);
    expect(o.run("a").outputs).toEqual(first.run("a").outputs);
    expect(o.run("a").attempts).toHaveLength(1);
    expect(o.logsOf("a")).toEqual([]);
    expect(o.run("b").attempts).toHaveLength(1);
    expect(o.execution.state).toBe("FAILED");
  });

  test("replay without a task run: a fresh execution of the same flow and inputs", async () => {
    const first = await e.run(FAILS_ONCE);
    const replay = await e.tern.service.replay(first.execution.id);
    const o = await e.ended(replay.id);
    expect(o.execution.originalId).toBe(first.execution.id);
    expect(o.taskIds()).toEqual(["a", "b", "handler"]);
    expect(o.run("a").outputs).toEqual({ value: `a ${o.execution.id}` });
  });

  test("replay from an unknown task run is refused (422)", async () => {
    const first = await e.run(FAILS_ONCE);
    expect((await rejected(e.tern.service.replay(first.execution.id, "nope")))?.status).toBe(422);
  });
});

describe("changeTaskRunState", () => {
  test("marking the failed task SUCCESS lets the execution continue to SUCCESS", async () => {
    const first = await e.run(flow("mark-as", `
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: a
  - id: b
    type: io.kestra.plugin.core.execution.Fail
  - id: c
    type: io.kestra.plugin.core.debug.Return
    format: c
`));
    expect(first.execution.state).toBe("FAILED");
    await e.tern.service.changeTaskRunState(first.execution.id, first.run("b").id, "SUCCESS");
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["a", "b", "c"]);
    expect(o.run("b").state).toBe("SUCCESS");
    expect(o.run("b").attempts).toHaveLength(1);
    expect(o.run("a").attempts).toEqual(first.run("a").attempts);
  });

  test("a non-terminal target state is refused", async () => {
    const first = await e.run(flow("mark-as-bad", `
tasks:
  - { id: b, type: io.kestra.plugin.core.execution.Fail }
`));
    expect((await rejected(e.tern.service.changeTaskRunState(first.execution.id, first.run("b").id, "RUNNING")))?.status).toBe(422);
  });
});

describe("SLA", () => {
  const maxDuration = (behavior: string) => flow(`sla-max-${behavior.toLowerCase()}`, `
sla:
  - id: maxDuration
    type: MAX_DURATION
    behavior: ${behavior}
    duration: PT0.3S
    labels:
      sla: missed
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT10S }
`);
  test("MAX_DURATION with FAIL ends a long execution FAILED (running task killed) and adds the labels", async () => {
    const t0 = Date.now();
    const o = await e.run(maxDuration("FAIL"));
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(o.execution.state).toBe("FAILED");
    expect(o.execution.labels).toContainEqual({ key: "sla", value: "missed" });
    expect(o.run("nap").state).not.toBe("SUCCESS");
  });

  test("MAX_DURATION with CANCEL ends it CANCELLED", async () => {
    const o = await e.run(maxDuration("CANCEL"));
    expect(o.execution.state).toBe("CANCELLED");
  });

  test("EXECUTION_ASSERTION: CANCEL when false, NONE only adds labels, a true assertion changes nothing", async () => {
    const yaml = flow("sla-assert", `
inputs:
  - id: mode
    type: SELECT
    values: [PASS, CANCEL, LABEL]
    defaults: PASS
sla:
  - id: cancel
    type: EXECUTION_ASSERTION
    behavior: CANCEL
    assert: "{{ inputs.mode != 'CANCEL' }}"
  - id: label
    type: EXECUTION_ASSERTION
    behavior: NONE
    assert: "{{ inputs.mode != 'LABEL' }}"
    labels:
      sla: violated
tasks:
  - { id: r, type: io.kestra.plugin.core.debug.Return, format: "true" }
`);
    const pass = await e.run(yaml);
    expect(pass.execution.state).toBe("SUCCESS");
    expect(pass.execution.labels.find((l) => l.key === "sla")).toBeUndefined();
    expect((await e.run(yaml, { inputs: { mode: "CANCEL" } })).execution.state).toBe("CANCELLED");
    const label = await e.run(yaml, { inputs: { mode: "LABEL" } });
    expect(label.execution.state).toBe("SUCCESS");
    expect(label.execution.labels).toContainEqual({ key: "sla", value: "violated" });
  });
});
