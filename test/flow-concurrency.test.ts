// Flow concurrency (`concurrency: {limit, behavior}`): beyond `limit` running executions a new
// one is QUEUED (and starts when a slot frees), CANCELLED or FAILED, as Kestra does.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createEngine, type Engine } from "./helpers/engine.ts";

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
afterAll(() => engine.close());

const flow = (id: string, behavior: string) => `id: ${id}
namespace: conc
concurrency:
  limit: 1
  behavior: ${behavior}
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
`;

const states = (o: { execution: { histories: { state: string }[] } }) => o.execution.histories.map((h) => h.state);

test("QUEUE: the second execution waits, then runs once the first has ended", async () => {
  const model = await engine.deploy(flow("queue", "QUEUE"));
  const a = await engine.start(model);
  const b = await engine.start(model);
  const c = await engine.start(model);
  const first = await engine.ended(a);
  const second = await engine.ended(b);
  const third = await engine.ended(c);
  expect(states(first)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
  expect(states(second)).toEqual(["CREATED", "QUEUED", "RUNNING", "SUCCESS"]);
  expect(states(third)).toEqual(["CREATED", "QUEUED", "RUNNING", "SUCCESS"]);
  // One at a time: each started after the previous one ended.
  const start = (o: typeof first) => Date.parse(o.execution.histories.find((h) => h.state === "RUNNING")!.date);
  expect(start(second)).toBeGreaterThanOrEqual(first.execution.endDate!);
  expect(start(third)).toBeGreaterThanOrEqual(second.execution.endDate!);
  expect(second.run("done").outputs).toEqual({ value: b });
});

test("CANCEL and FAIL end the extra execution at once, without running a task", async () => {
  for (const [behavior, final] of [["CANCEL", "CANCELLED"], ["FAIL", "FAILED"]]) {
    const model = await engine.deploy(flow(`limit-${behavior.toLowerCase()}`, behavior));
    const a = await engine.start(model);
    const b = await engine.start(model);
    const extra = await engine.ended(b);
    expect(states(extra)).toEqual(["CREATED", final]);
    expect(extra.runs).toHaveLength(0);
    expect((await engine.ended(a)).execution.state).toBe("SUCCESS");
    // With the slot free again, the next one runs.
    expect((await engine.run(model)).execution.state).toBe("SUCCESS");
  }
});

test("a flow without a limit runs its executions side by side", async () => {
  const model = await engine.deploy(flow("free", "QUEUE").replace(/concurrency:\n  limit: 1\n  behavior: QUEUE\n/, ""));
  const ids = [await engine.start(model), await engine.start(model)];
  const outs = await Promise.all(ids.map((id) => engine.ended(id)));
  expect(outs.map((o) => states(o))).toEqual([["CREATED", "RUNNING", "SUCCESS"], ["CREATED", "RUNNING", "SUCCESS"]]);
});
