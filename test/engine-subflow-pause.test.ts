// Subflow (wait, transmitFailed, inputs, outputs, labels, trigger) and Pause (resume with
// onResume inputs, delay, timeout, kill while paused) through the real engine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OperationError } from "../src/executor/operations.ts";
import { createEngine, history, type Engine } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
  await e.deploy(`id: child
namespace: engine.sub
inputs:
  - id: name
    type: STRING
  - id: n
    type: INT
    defaults: 2
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.hello.value }}"
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "hi {{ inputs.name }} x{{ inputs.n * 2 }}"
  - id: maybeFail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.name == 'bad' }}"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: "{{ inputs.name == 'slow' ? 'PT0.4S' : 'PT0S' }}"
`);
});
afterAll(() => e.close());

const parent = (id: string, props: string) => `id: ${id}
namespace: engine.sub
labels:
  team: core
inputs:
  - id: who
    type: STRING
    defaults: ada
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: engine.sub
    flowId: child
    inputs:
      name: "{{ inputs.who }}"
${props}
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "after {{ outputs.sub.executionId }}"
`;

describe("flow.Subflow", () => {
  test("wait (default): the task ends with the child; child inputs typed with defaults; flow outputs reach the parent", async () => {
    const o = await e.run(parent("parent-wait", `    labels:
      fromParent: "{{ flow.id }}"`), { inputs: { who: "bob" } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["sub", "after"]);
    const sub = o.run("sub");
    const childId = sub.outputs!.executionId as string;
    expect(sub.outputs).toEqual({ executionId: childId, state: "SUCCESS", outputs: { greeting: "hi bob x4" } });
    expect(sub.state).toBe("SUCCESS");
    const child = await e.read(childId);
    expect(child.execution.state).toBe("SUCCESS");
    expect(child.execution.inputs).toEqual({ name: "bob", n: 2 });
    expect(child.execution.outputs).toEqual({ greeting: "hi bob x4" });
    expect(child.execution.parentId).toBe(o.execution.id);
    expect(child.taskIds()).toEqual(["hello", "maybeFail", "nap"]);
    const labels = Object.fromEntries(child.execution.labels.map((l) => [l.key, l.value]));
    // inheritLabels is false by default: only the task's labels and the correlation id.
    expect(labels).toEqual({ fromParent: "parent-wait", "system.correlationId": o.execution.id });
    expect(child.execution.trigger).toMatchObject({
      type: "io.kestra.plugin.core.flow.Subflow",
      variables: { executionId: o.execution.id, namespace: "engine.sub", flowId: "parent-wait" },
    });
    // The parent's task runs never include the child's.
    expect(o.runs.every((r) => r.executionId === o.execution.id)).toBe(true);
    expect(o.run("after").startDate!).toBeGreaterThanOrEqual(child.execution.endDate!);
  });

  test("inheritLabels copies the parent's labels", async () => {
    const o = await e.run(parent("parent-inherit", "    inheritLabels: true"));
    const child = await e.read(o.run("sub").outputs!.executionId as string);
    const labels = Object.fromEntries(child.execution.labels.map((l) => [l.key, l.value]));
    expect(labels).toEqual({ team: "core", "system.correlationId": o.execution.id });
  });

  test("transmitFailed (default): a failed child fails the task and the parent", async () => {
    const o = await e.run(parent("parent-fail", ""), { inputs: { who: "bad" } });
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["sub"]);
    expect(o.run("sub").state).toBe("FAILED");
    expect(o.run("sub").outputs).toMatchObject({ state: "FAILED" });
  });

  test("transmitFailed: false: a failed child leaves the task SUCCESS and the parent goes on", async () => {
    const o = await e.run(parent("parent-nofail", "    transmitFailed: false"), { inputs: { who: "bad" } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["sub", "after"]);
    expect(o.run("sub").state).toBe("SUCCESS");
    expect(o.run("sub").outputs).toMatchObject({ state: "FAILED" });
  });

  test("wait: false: the task succeeds at once with the child's id; the child runs on its own", async () => {
    const o = await e.run(parent("parent-nowait", "    wait: false"), { inputs: { who: "slow" } });
    expect(o.execution.state).toBe("SUCCESS");
    const childId = o.run("sub").outputs!.executionId as string;
    expect(o.logsOf("after")).toEqual([`after ${childId}`]);
    const child = await e.ended(childId);
    expect(child.execution.state).toBe("SUCCESS");
    expect(child.execution.endDate!).toBeGreaterThan(o.run("sub").endDate!);
  });

  test("a missing child flow fails the task with Kestra's message", async () => {
    const o = await e.run(`id: parent-missing
namespace: engine.sub
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: engine.sub
    flowId: nope
`);
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("sub")).toContain("Unable to find flow 'engine.sub'.'nope'");
  });

  test("a missing required child input fails the task", async () => {
    const o = await e.run(`id: parent-badinput
namespace: engine.sub
tasks:
  - id: sub
    type: io.kestra.plugin.core.flow.Subflow
    namespace: engine.sub
    flowId: child
`);
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("sub").join("\n")).toContain("Invalid input for `name`, missing required input, but received `null`");
  });
});

const pauseFlow = (id: string, props: string) => `id: ${id}
namespace: engine.pause
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: before
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
${props}
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "after"
`;

describe("flow.Pause", () => {
  test("pauses the execution; resume with onResume inputs continues and exposes them as outputs", async () => {
    const id = await e.start(pauseFlow("pause-resume", `    onResume:
      - id: approved
        type: BOOLEAN
      - id: reason
        type: STRING
        defaults: none
  - id: use
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.pause.onResume.approved }} {{ outputs.pause.onResume.reason }}"`));
    const paused = await e.until(id, (o) => o.execution.state === "PAUSED");
    expect(paused.taskIds()).toEqual(["before", "pause"]);
    expect(paused.run("pause").state).toBe("PAUSED");
    // A missing required onResume input is refused and the execution stays paused.
    const refused = await e.tern.service.resume(id, {}).catch((err) => err);
    expect(refused).toBeInstanceOf(OperationError);
    expect((refused as OperationError).status).toBe(422);
    expect((await e.read(id)).execution.state).toBe("PAUSED");
    await e.tern.service.resume(id, { approved: "true" });
    const o = await e.ended(id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["before", "pause", "use", "after"]);
    expect(o.run("pause").outputs).toEqual({ onResume: { approved: true, reason: "none" } });
    expect(o.run("use").outputs).toEqual({ value: "true none" });
    expect(history(o.execution)).toEqual(["CREATED", "RUNNING", "PAUSED", "RESTARTED", "RUNNING", "SUCCESS"]);
  });

  test("delay: resumes by itself after the delay (one PAUSED, then RUNNING)", async () => {
    const t0 = Date.now();
    const o = await e.run(pauseFlow("pause-delay", "    delay: PT0.3S"));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["before", "pause", "after"]);
    const pause = o.run("pause");
    expect(history(pause)).toEqual(["CREATED", "RUNNING", "PAUSED", "RUNNING", "SUCCESS"]);
    expect(history(o.execution).filter((s) => s === "PAUSED")).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(o.run("after").startDate! - pause.startDate!).toBeGreaterThanOrEqual(290);
  });

  test("timeout: a pause nobody resumes fails the task", async () => {
    const o = await e.run(pauseFlow("pause-timeout", "    timeout: PT0.2S"));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["before", "pause"]);
    expect(o.run("pause").state).toBe("FAILED");
  });

  test("kill of a paused execution ends it KILLED", async () => {
    const id = await e.start(pauseFlow("pause-kill", ""));
    await e.until(id, (o) => o.execution.state === "PAUSED");
    expect(await e.tern.service.kill(id)).toBe(true);
    const o = await e.ended(id);
    expect(o.execution.state).toBe("KILLED");
    expect(o.run("pause").state).toBe("KILLED");
    expect(o.runsOf("after")).toHaveLength(0);
  });
});
