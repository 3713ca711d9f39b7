// Flow triggers against a real engine: downstream flows start when upstream executions reach
// the listed states, with Kestra's conditions, inputs rendered against the upstream execution,
// preconditions across several upstream flows, and one downstream per upstream event.
import { afterEach, beforeEach, expect, test } from "bun:test";
import type { Execution } from "../src/engine/model.ts";
import { createFixture, type Fixture } from "./helpers/scheduler-fixture.ts";

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(async () => {
  await fx.close();
});

const upstream = (id: string, ns = "company.team", extra = "") => `id: ${id}
namespace: ${ns}
${extra}tasks:
  - id: only
    type: io.kestra.plugin.core.debug.Return
    format: "value of {{ flow.id }}"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.only.value }}"
`;

const failing = `id: breaks
namespace: company.team
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
`;

const downstream = (id: string, trigger: string, inputs = "") => `id: ${id}
namespace: company.down
${inputs}tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId ?? '' }}"
triggers:
  - id: on_upstream
    type: io.kestra.plugin.core.trigger.Flow
${trigger.replace(/^/gm, "    ")}
`;

/** Run a flow to its end and let the flow triggers it causes be evaluated. */
async function run(flowId: string, ns = "company.team", labels: { key: string; value: string }[] = []): Promise<Execution> {
  const flow = (await fx.tern.flows.get(ns, flowId))!;
  const created = await fx.tern.service.create({ flow, labels });
  const ended = await fx.tern.service.waitFor(created.id);
  // The scheduler evaluates on the same "end" event; evaluating again is idempotent, and
  // awaiting it here means the downstream executions (if any) exist when we look.
  await fx.scheduler.flowTriggers.evaluate(ended);
  return ended;
}

async function setup(...flows: string[]) {
  for (const f of flows) await fx.save(f);
  await fx.scheduler.syncAll();
  fx.scheduler.flowTriggers.attach(fx.tern.service.events);
}

test("ExecutionFlow + ExecutionStatus; inputs from upstream outputs; trigger variables", async () => {
  await setup(upstream("up"), downstream("down", `conditions:
  - type: io.kestra.plugin.core.condition.ExecutionFlow
    namespace: company.team
    flowId: up
  - type: io.kestra.plugin.core.condition.ExecutionStatus
    in: [SUCCESS]
inputs:
  fromTask: "{{ outputs.only.value }}"
  fromFlow: "{{ trigger.outputs.greeting }}"`, "inputs:\n  - id: fromTask\n    type: STRING\n  - id: fromFlow\n    type: STRING\n"));
  const up = await run("up");
  const [down] = await fx.executions("down");
  expect(down.inputs).toEqual({ fromTask: "value of up", fromFlow: "value of up" });
  expect(down.dedupKey).toBe(`flow:${up.id}:SUCCESS:company.down:down:on_upstream`);
  expect(down.trigger).toMatchObject({
    id: "on_upstream", type: "io.kestra.plugin.core.trigger.Flow",
    variables: { executionId: up.id, namespace: "company.team", flowId: "up", state: "SUCCESS", outputs: { greeting: "value of up" } },
  });
  // The same upstream event evaluated again (another instance, a sweep) starts nothing new.
  expect(await fx.scheduler.flowTriggers.evaluate(up)).toBe(0);
  expect((await fx.executions("down")).length).toBe(1);
});

test("ExecutionStatus notIn and states; a failed upstream only triggers the failure watcher", async () => {
  const team = "  - type: io.kestra.plugin.core.condition.ExecutionNamespace\n    namespace: company.team";
  await setup(upstream("up"), failing,
    downstream("onfail", `states: [FAILED]\nconditions:\n${team}`),
    downstream("notfailed", `conditions:\n${team}\n  - type: io.kestra.plugin.core.condition.ExecutionStatus\n    notIn: [FAILED]`));
  await run("breaks");
  expect((await fx.executions("onfail")).length).toBe(1);
  expect((await fx.executions("notfailed")).length).toBe(0);
  await run("up");
  expect((await fx.executions("onfail")).length).toBe(1);
  expect((await fx.executions("notfailed")).length).toBe(1);
});

test("ExecutionNamespace PREFIX/SUFFIX/EQUALS, ExecutionLabels, Expression", async () => {
  await setup(upstream("up"), upstream("other", "acme.sales"),
    downstream("prefix", "conditions:\n  - type: io.kestra.plugin.core.condition.ExecutionNamespace\n    namespace: company.te\n    comparison: PREFIX"),
    downstream("suffix", "conditions:\n  - type: io.kestra.plugin.core.condition.ExecutionNamespace\n    namespace: sales\n    comparison: SUFFIX"),
    downstream("equals", "conditions:\n  - type: io.kestra.plugin.core.condition.ExecutionNamespace\n    namespace: acme.sales"),
    downstream("labels", "conditions:\n  - type: io.kestra.plugin.core.condition.ExecutionLabels\n    labels:\n      env: prod"),
    downstream("expr", `conditions:\n  - type: io.kestra.plugin.core.condition.Expression\n    expression: "{{ trigger.flowId == 'other' and execution.state == 'SUCCESS' }}"`));
  await run("up", "company.team", [{ key: "env", value: "prod" }]);
  await run("other", "acme.sales");
  const count = async (id: string) => (await fx.executions(id)).length;
  expect([await count("prefix"), await count("suffix"), await count("equals"), await count("labels"), await count("expr")]).toEqual([1, 1, 1, 1, 1]);
  const [byLabel] = await fx.executions("labels");
  expect((byLabel.trigger!.variables as { flowId: string }).flowId).toBe("up");
});

test("preconditions: the downstream starts once every upstream flow succeeded in the window, then resets", async () => {
  await setup(upstream("a"), upstream("b"), downstream("joined", `preconditions:
  id: both
  flows:
    - namespace: company.team
      flowId: a
      states: [SUCCESS]
    - namespace: company.team
      flowId: b
      states: [SUCCESS]
  timeWindow:
    type: DURATION_WINDOW
    window: PT1H`));
  await run("a");
  expect(await fx.executions("joined")).toEqual([]);
  await run("a");
  expect(await fx.executions("joined")).toEqual([]);
  const b = await run("b");
  const joined = await fx.executions("joined");
  expect(joined.length).toBe(1);
  expect((joined[0].trigger!.variables as { executionId: string }).executionId).toBe(b.id);
  // resetOnSuccess (default): b alone again does not fire; a then completes a new set.
  await run("b");
  expect((await fx.executions("joined")).length).toBe(1);
  await run("a");
  expect((await fx.executions("joined")).length).toBe(2);
});

test("preconditions `where` filters and the legacy MultipleCondition", async () => {
  await setup(upstream("a"), upstream("x", "acme.ops"),
    downstream("filtered", `preconditions:
  id: f
  where:
    - id: any_ops
      filters:
        - field: NAMESPACE
          type: STARTS_WITH
          value: acme.
        - field: STATE
          type: IN
          values: [SUCCESS, WARNING]`),
    downstream("multi", `conditions:
  - type: io.kestra.plugin.core.condition.MultipleCondition
    id: pair
    window: PT1H
    conditions:
      first:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: company.team
        flowId: a
      second:
        type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: acme.ops
        flowId: x`));
  await run("a");
  expect([(await fx.executions("filtered")).length, (await fx.executions("multi")).length]).toEqual([0, 0]);
  await run("x", "acme.ops");
  expect([(await fx.executions("filtered")).length, (await fx.executions("multi")).length]).toEqual([1, 1]);
});

test("states lists see non-terminal transitions (PAUSED); the n-th entry into a state is its own event", async () => {
  await setup(`id: pauses
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    delay: PT0.05S
`, downstream("onpause", "states: [PAUSED]\nconditions:\n  - type: io.kestra.plugin.core.condition.ExecutionFlow\n    namespace: company.team\n    flowId: pauses"));
  const created = new Promise<void>((resolve) => {
    fx.tern.service.events.on("execution", (ex: Execution) => ex.flowId === "onpause" && ex.state === "CREATED" && resolve());
  });
  const flow = (await fx.tern.flows.get("company.team", "pauses"))!;
  const up = await fx.tern.service.waitFor((await fx.tern.service.create({ flow })).id);
  await created;
  const [first] = await fx.executions("onpause");
  expect(first.dedupKey).toBe(`flow:${up.id}:PAUSED:company.down:onpause:on_upstream`);
  // A second Pause: PAUSED → RUNNING → PAUSED. The second PAUSED starts a second downstream,
  // and replaying either event (another instance, the sweep) starts nothing more.
  const t = "2026-01-01T00:00:00.000Z";
  const again = { ...up, state: "PAUSED", histories: [...up.histories.slice(0, -1), { state: "RUNNING", date: t }, { state: "PAUSED", date: t }] };
  expect(await fx.scheduler.flowTriggers.evaluate(again)).toBe(1);
  expect(await fx.scheduler.flowTriggers.evaluate(again)).toBe(0);
  expect((await fx.executions("onpause")).map((e) => e.dedupKey).sort()).toEqual([
    `flow:${up.id}:PAUSED#2:company.down:onpause:on_upstream`, `flow:${up.id}:PAUSED:company.down:onpause:on_upstream`,
  ]);
});

test("the catch-up sweep starts what an instance died before starting, and nothing twice", async () => {
  await setup(upstream("up"), downstream("late", "conditions:\n  - type: io.kestra.plugin.core.condition.ExecutionFlow\n    namespace: company.team\n    flowId: up"));
  fx.scheduler.flowTriggers.detach(); // as if the instance that ran `up` died before evaluating
  const flow = (await fx.tern.flows.get("company.team", "up"))!;
  const up = await fx.tern.service.waitFor((await fx.tern.service.create({ flow })).id);
  expect(await fx.executions("late")).toEqual([]);
  expect(await fx.scheduler.flowTriggers.sweep(up.endDate! - 1000, up.endDate! + 1000)).toBe(1);
  expect(await fx.scheduler.flowTriggers.sweep(up.endDate! - 1000, up.endDate! + 1000)).toBe(0);
  expect((await fx.executions("late")).length).toBe(1);
});

test("a flow never triggers itself, and downstream chains stop where conditions say", async () => {
  await setup(upstream("up"), downstream("any", "states: [SUCCESS]"));
  await run("up");
  const [first] = await fx.executions("any");
  const ended = await fx.tern.service.waitFor(first.id);
  expect(await fx.scheduler.flowTriggers.evaluate(ended)).toBe(0);
  expect((await fx.executions("any")).length).toBe(1);
});
