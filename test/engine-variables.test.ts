// SetVariables, UnsetVariables and TemplatedTask through the real engine (libSQL file): the
// variables later tasks see, what the execution row keeps, restart and replay, and every way a
// templated spec can be refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEngine, type Engine } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (id: string, body: string) => `id: ${id}\nnamespace: engine.variables\n${body}`;
const errorsOf = (o: { logs: { taskId: string | null; level: string; message: string }[] }, taskId: string) =>
  o.logs.filter((l) => l.taskId === taskId && l.level === "ERROR").map((l) => l.message);

describe("SetVariables", () => {
  test("rendered variables are deep-merged into the flow's; later tasks see them and the execution keeps them", async () => {
    const o = await e.run(flow("set", `variables:
  name: World
  settings:
    retries: 1
    region: eu
tasks:
  - id: before
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.name }}"
  - id: set_vars
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      message: Hello
      name: "{{ flow.id }}-{{ outputs.before.value }}"
      settings:
        retries: 3
      list: [1, 2]
  - id: hello
    type: io.kestra.plugin.core.output.OutputValues
    values:
      message: "{{ vars.message }} {{ vars.name }}"
      settings: "{{ vars.settings | json }}"
      list: "{{ vars.list | length }}"`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("before").outputs).toEqual({ value: "World" });
    expect(o.run("hello").outputs).toEqual({ values: { message: "Hello set-World", settings: '{"retries":3,"region":"eu"}', list: "2" } });
    expect(o.execution.variables).toEqual({
      name: "set-World", settings: { retries: 3, region: "eu" }, message: "Hello", list: [1, 2],
    });
    expect(o.run("set_vars").outputs).toBeNull();
  });

  test("overwrite: false fails naming the variables that exist (flow variables included); new names are set", async () => {
    const o = await e.run(flow("no-overwrite", `variables:
  name: World
tasks:
  - id: fresh
    type: io.kestra.plugin.core.execution.SetVariables
    overwrite: false
    variables:
      other: 1
  - id: again
    type: io.kestra.plugin.core.execution.SetVariables
    overwrite: false
    retry:
      type: constant
      interval: PT0.01S
      maxAttempt: 3
    variables:
      name: Loïc
      other: 2
      third: 3
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.run("fresh").state).toBe("SUCCESS");
    const again = o.run("again");
    expect(again.state).toBe("FAILED");
    // A name that exists cannot be fixed by another attempt: no retry.
    expect(again.attempts).toHaveLength(1);
    expect(errorsOf(o, "again")).toEqual(["`overwrite` is set to false and the following variables already exist: name,other"]);
    expect(o.taskIds()).toEqual(["fresh", "again"]);
    expect(o.execution.variables).toEqual({ name: "World", other: 1 });
  });

  test("a failed SetVariables changes nothing, even when its failure is allowed", async () => {
    const o = await e.run(flow("failed-set", `variables:
  a: 1
tasks:
  - id: set
    type: io.kestra.plugin.core.execution.SetVariables
    overwrite: false
    allowFailure: true
    variables:
      a: 2
      b: 2
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.a }} {{ vars.b ?? 'none' }}"`));
    expect(o.execution.state).toBe("WARNING");
    expect(o.run("set").state).toBe("WARNING");
    expect(o.run("show").outputs).toEqual({ value: "1 none" });
    expect(o.execution.variables).toEqual({ a: 1 });
  });

  test("parallel branches run by the worker (not inline) both land; a loop counts with them", async () => {
    // The failed Fail logs an ERROR in the executor's pass, so what follows goes to a worker.
    const o = await e.run(flow("worker-set", `variables:
  count: 0
tasks:
  - id: oops
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
    errorMessage: expected
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: left
        type: io.kestra.plugin.core.execution.SetVariables
        variables:
          left: L
      - id: right
        type: io.kestra.plugin.core.execution.SetVariables
        variables:
          right: R
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ vars.count | number >= 3 }}"
    checkFrequency:
      interval: PT0.01S
      maxIterations: 10
    tasks:
      - id: inc
        type: io.kestra.plugin.core.execution.SetVariables
        variables:
          count: "{{ (vars.count | number) + 1 }}"
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.left }}{{ vars.right }} {{ vars.count }}"`));
    expect(o.logs.filter((l) => l.level === "ERROR").map((l) => `${l.taskId}: ${l.message}`)).toEqual(["oops: expected"]);
    expect(o.execution.state).toBe("WARNING");
    expect(o.run("show").outputs).toEqual({ value: "LR 3" });
    expect(o.runsOf("inc")).toHaveLength(3);
    expect(o.execution.variables).toEqual({ count: "3", left: "L", right: "R" });
  });

  test("set by the afterExecution task on a worker, after the execution ended: still kept", async () => {
    // The allowed failure logs an ERROR in the executor's pass: the afterExecution task then runs
    // on a worker, and its completion is the last thing the execution writes.
    const o = await e.run(flow("after-set", `tasks:
  - id: oops
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
afterExecution:
  - id: record
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      finalState: "{{ execution.state }}"`));
    expect(o.execution.state).toBe("WARNING");
    expect(o.run("record").state).toBe("SUCCESS");
    expect(o.run("record").plan?.variables?.applied).toBe(true);
    expect(o.execution.variables).toEqual({ finalState: "WARNING" });
  });
});

describe("UnsetVariables", () => {
  test("removes names and dotted keys of maps; later tasks no longer see them", async () => {
    const o = await e.run(flow("unset", `variables:
  keep: yes
  message: bye
  settings:
    token: secret
    region: eu
tasks:
  - id: set
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      temp: 1
  - id: unset
    type: io.kestra.plugin.core.execution.UnsetVariables
    variables:
      - message
      - "{{ 'te' ~ 'mp' }}"
      - settings.token
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.message ?? 'default' }} {{ vars.temp ?? 'none' }} {{ vars.settings | json }}"`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("show").outputs).toEqual({ value: 'default none {"region":"eu"}' });
    expect(o.execution.variables).toEqual({ keep: "yes", settings: { region: "eu" } });
  });

  test("a missing name fails the task unless ignoreMissing", async () => {
    const o = await e.run(flow("unset-missing", `variables:
  a: 1
  m:
    x: 1
tasks:
  - id: lenient
    type: io.kestra.plugin.core.execution.UnsetVariables
    ignoreMissing: true
    variables: [nope, a]
  - id: strict
    type: io.kestra.plugin.core.execution.UnsetVariables
    variables: [m.x, a, m.y.z]
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.run("lenient").state).toBe("SUCCESS");
    expect(o.run("strict").state).toBe("FAILED");
    expect(errorsOf(o, "strict")).toEqual(["the following variables do not exist: a,m.y.z (set `ignoreMissing: true` to ignore them)"]);
    expect(o.execution.variables).toEqual({ m: { x: 1 } });
  });
});

describe("variables across restart and replay", () => {
  test("a restarted execution keeps the variables it had; the SetVariables run does not run again", async () => {
    const id = await e.start(flow("restart-vars", `tasks:
  - id: set
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      token: "{{ execution.id }}"
  - id: flaky
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount < 1 }}"
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.token }}"`));
    const failed = await e.ended(id);
    expect(failed.execution.state).toBe("FAILED");
    expect(failed.execution.variables).toEqual({ token: id });
    await e.tern.service.restart(id);
    const o = await e.until(id, (x) => x.execution.state === "SUCCESS");
    expect(o.run("show").outputs).toEqual({ value: id });
    expect(o.run("set").attempts).toHaveLength(1);
    expect(o.execution.variables).toEqual({ token: id });
  });

  test("a replay from a task run starts with the variables the original had at that point", async () => {
    const id = await e.start(flow("replay-vars", `variables:
  base: 0
tasks:
  - id: set
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      a: 1
      b: 2
  - id: unset
    type: io.kestra.plugin.core.execution.UnsetVariables
    variables: [b, base]
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars | json }}"
  - id: set_late
    type: io.kestra.plugin.core.execution.SetVariables
    variables:
      late: true`));
    const original = await e.ended(id);
    expect(original.execution.variables).toEqual({ a: 1, late: true });
    const replay = await e.tern.service.replay(id, original.run("show").id);
    const o = await e.ended(replay.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("show").outputs).toEqual({ value: '{"a":1}' });
    expect(o.run("set").id).not.toBe(original.run("set").id);
    expect(o.execution.variables).toEqual({ a: 1, late: true });
  });
});

describe("TemplatedTask", () => {
  test("the rendered spec runs as its task; its outputs are the task's", async () => {
    const o = await e.run(flow("templated", `inputs:
  - id: property
    type: STRING
    defaults: format
variables:
  who: World
tasks:
  - id: dynamic
    type: io.kestra.plugin.core.templating.TemplatedTask
    spec: |
      type: io.kestra.plugin.core.debug.Return
      {{ inputs.property }}: "Hello {{ vars.who }} from {{ task.id }}"
  - id: legacy
    type: io.kestra.core.tasks.templating.TemplatedTask
    spec: |
      id: inner
      type: io.kestra.plugin.core.output.OutputValues
      values:
        previous: "{{ outputs.dynamic.value }}"
        rendered: "{{ '{{' }} taskrun.id }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.legacy.values.previous }}"`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("dynamic").outputs).toEqual({ value: "Hello World from dynamic" });
    // The task's own properties are rendered again when it runs, as for any task.
    expect(o.run("legacy").outputs).toEqual({ values: { previous: "Hello World from dynamic", rendered: o.run("legacy").id } });
    expect(o.logsOf("log")).toEqual(["Hello World from dynamic"]);
  });

  const refused: [string, string, string][] = [
    ["yaml", "type: [oops", "spec: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ] (line 1, column 12 of the rendered spec)"],
    ["scalar", "just text", 'spec must be a YAML mapping of one task (type and its properties), got "just text"'],
    ["no-type", "format: x", 'invalid spec: missing required property "type"'],
    ["unknown-type", "type: io.kestra.plugin.core.debug.Retrun", 'invalid spec: type: unknown task type "io.kestra.plugin.core.debug.Retrun" (did you mean io.kestra.plugin.core.debug.Return?)'],
    ["bad-property", "type: io.kestra.plugin.core.log.Log\\nmessage: hi\\nlevel: LOUD\\nmesage: x",
      'invalid spec: mesage: unknown property "mesage" for io.kestra.plugin.core.log.Log (did you mean message?); level: expected one of TRACE, DEBUG, INFO, WARN, ERROR, got "LOUD"'],
    ["bad-id", "id: no spaces\\ntype: io.kestra.plugin.core.debug.Return\\nformat: x", 'invalid spec: id: must match ^[a-zA-Z0-9][a-zA-Z0-9_-]*$, got "no spaces"'],
    ["flowable", "type: io.kestra.plugin.core.flow.Sequential\\ntasks: []", "spec: io.kestra.plugin.core.flow.Sequential is a flowable task; a TemplatedTask runs runnable tasks only"],
    ["itself", "type: io.kestra.core.tasks.templating.TemplatedTask\\nspec: x", "spec: a TemplatedTask cannot run another TemplatedTask (type io.kestra.core.tasks.templating.TemplatedTask)"],
  ];
  for (const [name, spec, message] of refused) {
    test(`a bad spec fails the task and says why: ${name}`, async () => {
      const o = await e.run(flow(`templated-${name}`, `tasks:
  - id: t
    type: io.kestra.plugin.core.templating.TemplatedTask
    retry:
      type: constant
      interval: PT0.01S
      maxAttempt: 3
    spec: "${spec}"`));
      expect(o.execution.state).toBe("FAILED");
      expect(o.run("t").attempts).toHaveLength(1);
      expect(errorsOf(o, "t")).toEqual([message]);
    });
  }

  test("the rendered task's own failure is the task's, and follows the task's retry", async () => {
    const o = await e.run(flow("templated-fails", `tasks:
  - id: t
    type: io.kestra.plugin.core.templating.TemplatedTask
    retry:
      type: constant
      interval: PT0.01S
      maxAttempt: 2
    spec: |
      type: io.kestra.plugin.core.execution.Fail
      errorMessage: "inner failure {{ taskrun.attemptsCount }}"`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.run("t").attempts).toHaveLength(2);
    expect(errorsOf(o, "t")).toEqual(["inner failure 0", "inner failure 1"]);
  });
});
