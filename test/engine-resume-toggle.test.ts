// execution.Resume (resume another PAUSED execution, with onResume inputs) and trigger.Toggle
// (disable / enable a Schedule trigger row) through the real engine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTernTriggerAdmin } from "../src/scheduler/index.ts";
import { createEngine, type Engine } from "./helpers/engine.ts";
import { at, createFixture } from "./helpers/scheduler-fixture.ts";

const NS = "engine.ops";
let e: Engine;
beforeAll(async () => {
  e = await createEngine();
  await e.deploy(`id: paused
namespace: ${NS}
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: asked
        type: STRING
  - id: last
    type: io.kestra.plugin.core.output.OutputValues
    values:
      asked: "{{ outputs.pause.onResume.asked }}"
`);
  await e.deploy(`id: resumer
namespace: ${NS}
inputs:
  - id: executionId
    type: STRING
  - id: asked
    type: STRING
    defaults: restarted
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.executionId }}"
    inputs:
      asked: "{{ inputs.asked }}"
`);
});
afterAll(() => e.close());

async function pausedExecution() {
  const id = await e.start((await e.tern.flows.get(NS, "paused"))!);
  await e.until(id, (o) => o.execution.state === "PAUSED");
  return id;
}

describe("execution.Resume", () => {
  test("resumes another PAUSED execution with onResume inputs; both end SUCCESS", async () => {
    const target = await pausedExecution();
    const o = await e.run((await e.tern.flows.get(NS, "resumer"))!, { inputs: { executionId: target } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("resume").state).toBe("SUCCESS");
    const resumed = await e.ended(target);
    expect(resumed.execution.state).toBe("SUCCESS");
    expect(resumed.execution.histories.map((h) => h.state)).toContain("RESTARTED");
    expect(resumed.run("pause").outputs).toEqual({ onResume: { asked: "restarted" } });
    expect(resumed.run("last").outputs).toEqual({ values: { asked: "restarted" } });
  });

  test("Kestra's resume-execution flow: only executionId, no inputs", async () => {
    await e.deploy(`id: pause-plain
namespace: ${NS}
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: "{{ task.id }} > {{ taskrun.startDate }}"
`);
    const target = await e.start((await e.tern.flows.get(NS, "pause-plain"))!);
    await e.until(target, (o) => o.execution.state === "PAUSED");
    const o = await e.run(`id: resume-execution
namespace: ${NS}
inputs:
  - id: executionId
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{inputs.executionId}}"
`, { inputs: { executionId: target } });
    expect(o.execution.state).toBe("SUCCESS");
    const resumed = await e.ended(target);
    expect(resumed.execution.state).toBe("SUCCESS");
    expect(resumed.taskIds()).toEqual(["pause", "last"]);
  });

  test("a missing required onResume input fails the task and leaves the execution PAUSED", async () => {
    const target = await pausedExecution();
    const o = await e.run(`id: resumer-noinputs
namespace: ${NS}
inputs:
  - id: executionId
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.executionId }}"
`, { inputs: { executionId: target } });
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("resume").join("\n")).toContain("Invalid input for `asked`, missing required input, but received `null`");
    expect((await e.read(target)).execution.state).toBe("PAUSED");
    await e.tern.service.kill(target);
  });

  test("resuming an execution that is not PAUSED fails the task", async () => {
    const done = await e.run(`id: quick
namespace: ${NS}
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
`);
    const o = await e.run((await e.tern.flows.get(NS, "resumer"))!, { inputs: { executionId: done.execution.id } });
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("resume").join("\n")).toContain(`Execution '${done.execution.id}' is SUCCESS, not PAUSED`);
  });

  test("namespace without flowId, or namespace without executionId, is refused (Kestra's rules)", async () => {
    const flow = (id: string, props: string) => `id: ${id}
namespace: ${NS}
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
${props}
`;
    const half = await e.run(flow("resume-half", `    executionId: abc\n    namespace: ${NS}`));
    expect(half.execution.state).toBe("FAILED");
    expect(half.logsOf("resume").join("\n")).toContain("Both `namespace` and `flowId` must be set when `executionId` is set.");
    const noId = await e.run(flow("resume-noid", `    namespace: ${NS}\n    flowId: paused`));
    expect(noId.execution.state).toBe("FAILED");
    expect(noId.logsOf("resume").join("\n")).toContain("`namespace` and `flowId` should only be set when `executionId` is set.");
  });
});

describe("trigger.Toggle", () => {
  const key = { namespace: `${NS}.trigger`, flowId: "scheduled", triggerId: "schedule" };
  const toggler = (id: string, props: string) => `id: ${id}
namespace: ${NS}
tasks:
  - id: toggle
    type: io.kestra.plugin.core.trigger.Toggle
${props}
`;
  beforeAll(async () => {
    await e.deploy(`id: scheduled
namespace: ${key.namespace}
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 3 * * *"
`);
  });

  test("disables, then re-enables, another flow's Schedule trigger in the triggers table", async () => {
    const admin = createTernTriggerAdmin(e.tern);
    const props = (enabled: boolean) => `    namespace: ${key.namespace}\n    flowId: ${key.flowId}\n    trigger: schedule\n    enabled: ${enabled}`;
    const off = await e.run(toggler("toggle-off", props(false)));
    expect(off.execution.state).toBe("SUCCESS");
    expect(await admin.get(key)).toMatchObject({ triggerId: "schedule", disabled: true });
    const on = await e.run(toggler("toggle-on", props(true)));
    expect(on.execution.state).toBe("SUCCESS");
    const row = (await admin.get(key))!;
    expect(row.disabled).toBe(false);
    // Enabled again, the schedule has its next slot (03:00 UTC of some day).
    expect(row.nextExecutionDate).toMatch(/T03:00:00\.000Z$/);
  });

  test("enabled defaults to false; namespace and flowId default to the current flow (Kestra's trigger-toggle, legacy alias)", async () => {
    const self = { namespace: `${NS}.trigger`, flowId: "trigger-toggle", triggerId: "schedule" };
    const flow = (enabled?: boolean) => `id: trigger-toggle
namespace: ${self.namespace}
tasks:
  - id: disable
    type: io.kestra.core.tasks.trigger.Toggle
    trigger: schedule${enabled === undefined ? "" : `\n    enabled: ${enabled}`}
triggers:
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
`;
    const admin = createTernTriggerAdmin(e.tern);
    expect((await e.run(flow())).execution.state).toBe("SUCCESS");
    expect((await admin.get(self))!.disabled).toBe(true);
    const o = await e.run(flow(true));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["disable"]);
    expect((await admin.get(self))!.disabled).toBe(false);
  });

  test("an unknown trigger or flow fails the task with Kestra's messages", async () => {
    const noTrigger = await e.run(toggler("toggle-missing-trigger", `    namespace: ${key.namespace}\n    flowId: scheduled\n    trigger: nope`));
    expect(noTrigger.execution.state).toBe("FAILED");
    expect(noTrigger.logsOf("toggle").join("\n")).toContain(`Unable to find trigger nope for the flow ${key.namespace}.scheduled`);
    const noFlow = await e.run(toggler("toggle-missing-flow", `    namespace: ${key.namespace}\n    flowId: ghost\n    trigger: schedule`));
    expect(noFlow.execution.state).toBe("FAILED");
    expect(noFlow.logsOf("toggle").join("\n")).toContain(`Unable to find flow ${key.namespace}.ghost.`);
  });
});

test("a schedule disabled by Toggle does not fire at its next slot", async () => {
  const fx = await createFixture();
  try {
    await fx.save(`id: hourly
namespace: sched.toggle
tasks:
  - id: off
    type: io.kestra.plugin.core.trigger.Toggle
    trigger: every
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`);
    // The same schedule on a flow nobody toggles: its slot fires.
    await fx.save(`id: control
namespace: sched.toggle
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`);
    await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
    const model = (await fx.tern.flows.get("sched.toggle", "hourly"))!;
    const run = await fx.tern.service.create({ flow: model });
    expect((await fx.tern.service.waitFor(run.id)).state).toBe("SUCCESS");
    expect((await fx.admin.get({ namespace: "sched.toggle", flowId: "hourly", triggerId: "every" }))!.disabled).toBe(true);
    expect((await fx.scheduler.tick(at("2026-01-01T11:00:00.010Z"))).fired).toBe(1);
    expect((await fx.executions("control")).length).toBe(1);
    expect((await fx.executions("hourly")).length).toBe(1); // only the run above
  } finally {
    await fx.close();
  }
});
