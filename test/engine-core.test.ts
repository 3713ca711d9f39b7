// Runnable core tasks through the real engine (libSQL file, workers, executor): Log, Return,
// Echo, Sleep, Fail, Exit, OutputValues, Labels, LocalFiles, state.*, kv.* — asserting Kestra's
// states, task-run lists, outputs and logs as stored in the database.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEngine, history, type Engine } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (id: string, body: string) => `id: ${id}\nnamespace: engine.core\n${body}`;

describe("log.Log", () => {
  test("each level is stored at that level; a list logs one line per message; messages are rendered", async () => {
    const o = await e.run(flow("log-levels", `
tasks:
  - id: trace
    type: io.kestra.plugin.core.log.Log
    level: TRACE
    message: "t {{ flow.id }}"
  - id: debug
    type: io.kestra.plugin.core.log.Log
    level: DEBUG
    message: d
  - id: info
    type: io.kestra.plugin.core.log.Log
    message: "default level"
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: w
  - id: error
    type: io.kestra.plugin.core.log.Log
    level: ERROR
    message: e
  - id: many
    type: io.kestra.core.tasks.log.Log
    message:
      - "first {{ execution.id }}"
      - second
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["trace", "debug", "info", "warn", "error", "many"]);
    const at = (taskId: string) => o.logs.filter((l) => l.taskId === taskId).map((l) => [l.level, l.message]);
    expect(at("trace")).toEqual([["TRACE", "t log-levels"]]);
    expect(at("debug")).toEqual([["DEBUG", "d"]]);
    expect(at("info")).toEqual([["INFO", "default level"]]);
    expect(at("warn")).toEqual([["WARN", "w"]]);
    expect(at("error")).toEqual([["ERROR", "e"]]);
    expect(at("many")).toEqual([["INFO", `first ${o.execution.id}`], ["INFO", "second"]]);
    // An ERROR log line does not fail the task (Kestra: only an exception does).
    expect(o.run("error").state).toBe("SUCCESS");
    for (const r of o.runs) expect(history(r)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    for (const r of o.runs) expect(r.attempts.map((a) => a.state.current)).toEqual(["SUCCESS"]);
  });

  test("logLevel drops lines below it", async () => {
    const o = await e.run(flow("log-level-filter", `
tasks:
  - id: quiet
    type: io.kestra.plugin.core.log.Log
    logLevel: WARN
    level: INFO
    message: dropped
  - id: loud
    type: io.kestra.plugin.core.log.Log
    logLevel: WARN
    level: ERROR
    message: kept
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.logsOf("quiet")).toEqual([]);
    expect(o.logsOf("loud")).toEqual(["kept"]);
  });
});

describe("debug.Return and debug.Echo", () => {
  test("Return renders format into outputs.value; the next task reads it (ids with dashes too)", async () => {
    const o = await e.run(flow("return", `
tasks:
  - id: first-one
    type: io.kestra.plugin.core.debug.Return
    format: "{{ flow.namespace }}/{{ task.id }}"
  - id: second
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ outputs['first-one'].value | upper }}"
  - id: empty
    type: io.kestra.plugin.core.debug.Return
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("first-one").outputs).toEqual({ value: "engine.core/first-one" });
    expect(o.run("second").outputs).toEqual({ value: "ENGINE.CORE/FIRST-ONE" });
    expect(o.run("empty").outputs?.value ?? null).toBeNull();
  });

  test("Echo (deprecated) logs the rendered format at its level, no outputs", async () => {
    const o = await e.run(flow("echo", `
tasks:
  - id: echo
    type: io.kestra.plugin.core.debug.Echo
    level: WARN
    format: "echo {{ flow.id }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.logs.filter((l) => l.taskId === "echo").map((l) => [l.level, l.message])).toEqual([["WARN", "echo echo"]]);
    expect(o.run("echo").outputs ?? {}).toEqual({});
  });
});

describe("flow.Sleep", () => {
  test("waits its duration, then the next task runs", async () => {
    const o = await e.run(flow("sleep", `
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: awake
`));
    expect(o.execution.state).toBe("SUCCESS");
    const nap = o.run("nap");
    expect(nap.endDate! - nap.startDate!).toBeGreaterThanOrEqual(290);
    expect(o.run("after").startDate!).toBeGreaterThanOrEqual(nap.endDate!);
  });
});

describe("execution.Fail", () => {
  test("fails the task with errorMessage; the execution is FAILED and later tasks never run", async () => {
    const o = await e.run(flow("fail", `
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: before
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "bad {{ flow.id }}"
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["before", "boom"]);
    expect(o.run("boom").state).toBe("FAILED");
    expect(o.logs.filter((l) => l.taskId === "boom").map((l) => [l.level, l.message])).toEqual([["ERROR", "bad fail"]]);
    expect(history(o.execution)).toEqual(["CREATED", "RUNNING", "FAILED"]);
  });

  test("with a condition: fails only when it renders truthy; default message 'Task failure'", async () => {
    const yaml = flow("fail-condition", `
inputs:
  - id: n
    type: INT
tasks:
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.n < 1 }}"
  - id: ok
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.n }}"
`);
    const good = await e.run(yaml, { inputs: { n: 3 } });
    expect(good.execution.state).toBe("SUCCESS");
    expect(good.run("check").state).toBe("SUCCESS");
    expect(good.run("ok").outputs).toEqual({ value: "3" });
    const bad = await e.run(yaml, { inputs: { n: 0 } });
    expect(bad.execution.state).toBe("FAILED");
    expect(bad.taskIds()).toEqual(["check"]);
    expect(bad.logsOf("check")).toEqual(["Task failure"]);
  });
});

describe("execution.Exit", () => {
  const exitFlow = (state: string) => flow(`exit-${state.toLowerCase()}`, `
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: exit
    type: io.kestra.plugin.core.execution.Exit
    state: ${state}
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`);

  for (const state of ["SUCCESS", "WARNING", "KILLED"]) {
    test(`state ${state}: the execution ends ${state} right there`, async () => {
      const o = await e.run(exitFlow(state));
      expect(o.execution.state).toBe(state);
      expect(o.taskIds()).toEqual(["first", "exit"]);
      expect(o.runsOf("never")).toHaveLength(0);
    });
  }

  test("KILLED inside a Parallel kills the sibling still running", async () => {
    const o = await e.run(flow("exit-parallel", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: long
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT10S
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: short
            type: io.kestra.plugin.core.flow.Sleep
            duration: PT0.1S
          - id: exit
            type: io.kestra.plugin.core.execution.Exit
            state: KILLED
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`));
    expect(o.execution.state).toBe("KILLED");
    expect(o.run("long").state).toBe("KILLED");
    expect(o.run("par").state).toBe("KILLED");
    expect(o.runsOf("never")).toHaveLength(0);
    expect(o.execution.endDate! - o.execution.startDate!).toBeLessThan(5_000);
  });
});

test("execution.Exit WARNING inside a Parallel ends the execution WARNING but lets the running sibling finish (Kestra: only KILLED kills)", async () => {
  const o = await e.run(flow("exit-parallel-warning", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: long
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT0.5S
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: exit
            type: io.kestra.plugin.core.execution.Exit
            state: WARNING
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`));
  expect(o.execution.state).toBe("WARNING");
  expect(["exit", "seq", "par"].map((t) => o.run(t).state)).toEqual(["WARNING", "WARNING", "WARNING"]);
  const long = o.run("long");
  expect(long.state).toBe("SUCCESS");
  expect(long.endDate! - long.startDate!).toBeGreaterThanOrEqual(490);
  expect(o.runsOf("never")).toHaveLength(0);
});

describe("output.OutputValues", () => {
  test("renders a map into outputs.values, readable by later tasks", async () => {
    const o = await e.run(flow("output-values", `
tasks:
  - id: vals
    type: io.kestra.plugin.core.output.OutputValues
    values:
      greeting: "hello {{ flow.id }}"
      nested:
        n: "{{ 1 + 2 }}"
  - id: use
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.vals.values.greeting }} {{ outputs.vals.values.nested.n }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("vals").outputs).toEqual({ values: { greeting: "hello output-values", nested: { n: "3" } } });
    expect(o.run("use").outputs).toEqual({ value: "hello output-values 3" });
  });
});

describe("execution.Labels", () => {
  test("map, list and JSON forms merge into the execution labels; inputs feed them; later tasks see labels", async () => {
    const o = await e.run(flow("labels-task", `
labels:
  flowLabel: fromFlow
  overridden: original
inputs:
  - id: env
    type: STRING
    defaults: prod
tasks:
  - id: map
    type: io.kestra.plugin.core.execution.Labels
    labels:
      env: "{{ inputs.env }}"
      overridden: "{{ taskrun.id }}"
  - id: list
    type: io.kestra.plugin.core.execution.Labels
    labels:
      - key: fromList
        value: "{{ 40 + 2 }}"
  - id: json
    type: io.kestra.plugin.core.execution.Labels
    labels: '{"fromJson": "yes"}'
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ labels.env }}-{{ labels.fromJson }}"
`), { inputs: { env: "staging" }, labels: [{ key: "fromExecution", value: "x" }] });
    expect(o.execution.state).toBe("SUCCESS");
    const labels = Object.fromEntries(o.execution.labels.map((l) => [l.key, l.value]));
    expect(labels).toEqual({
      flowLabel: "fromFlow", overridden: o.run("map").id, fromExecution: "x", "system.correlationId": o.execution.id,
      env: "staging", fromList: "42", fromJson: "yes",
    });
    expect(o.run("read").outputs).toEqual({ value: "staging-yes" });
  });

  test("a system label cannot be set by the task: it fails", async () => {
    const o = await e.run(flow("labels-system", `
tasks:
  - id: sys
    type: io.kestra.plugin.core.execution.Labels
    labels:
      system.correlationId: nope
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.execution.labels.find((l) => l.key === "system.correlationId")?.value).toBe(o.execution.id);
  });
});

describe("storage.LocalFiles inside WorkingDirectory", () => {
  test("files written by LocalFiles are seen by the next task in the same folder and uploaded as outputs", async () => {
    const o = await e.run(flow("local-files", `
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      seed.txt: "seed {{ flow.id }}"
    outputFiles:
      - "*.csv"
    tasks:
      - id: write
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          data.csv: "a,b\\n1,2"
          other.txt: "not collected"
        outputs:
          - "seed.txt"
      - id: readBack
        type: io.kestra.plugin.core.debug.Return
        format: "{{ read(outputs.write.uris['seed.txt']) }}"
  - id: afterwards
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.wd.outputFiles['data.csv']) }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["wd", "write", "readBack", "afterwards"]);
    const uris = o.run("write").outputs!.uris as Record<string, string>;
    expect(Object.keys(uris)).toEqual(["seed.txt"]);
    expect(uris["seed.txt"]).toStartWith("kestra:///engine/core/local-files/executions/");
    expect(o.run("readBack").outputs).toEqual({ value: "seed local-files" });
    expect(Object.keys(o.run("wd").outputs!.outputFiles as object)).toEqual(["data.csv"]);
    expect(o.run("afterwards").outputs).toEqual({ value: "a,b\n1,2" });
    expect(o.run("write").parentTaskRunId).toBe(o.run("wd").id);
  });
});

describe("state.Set / Get / Delete", () => {
  test("state survives across executions of the flow, per loop value; Delete removes it", async () => {
    const yaml = flow("state-store", `
inputs:
  - id: mode
    type: STRING
tasks:
  - id: sw
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.mode }}"
    cases:
      set:
        - id: set
          type: io.kestra.plugin.core.state.Set
          name: counter
          data:
            n: "{{ inputs.mode }}-1"
        - id: merge
          type: io.kestra.plugin.core.state.Set
          name: counter
          data:
            m: two
      get:
        - id: get
          type: io.kestra.plugin.core.state.Get
          name: counter
        - id: each
          type: io.kestra.plugin.core.flow.ForEach
          values: ["a"]
          tasks:
            - id: perValue
              type: io.kestra.plugin.core.state.Get
              name: counter
      delete:
        - id: del
          type: io.kestra.plugin.core.state.Delete
          name: counter
        - id: again
          type: io.kestra.plugin.core.state.Get
          name: counter
          errorOnMissing: true
`);
    const set = await e.run(yaml, { inputs: { mode: "set" } });
    expect(set.execution.state).toBe("SUCCESS");
    expect(set.run("set").outputs).toMatchObject({ count: 1 });
    expect(set.run("merge").outputs).toMatchObject({ count: 2 });
    const get = await e.run(yaml, { inputs: { mode: "get" } });
    expect(get.execution.state).toBe("SUCCESS");
    expect(get.run("get").outputs).toEqual({ count: 2, data: { n: "set-1", m: "two" } });
    // Inside a loop the state is keyed by the iteration value: nothing stored for "a".
    expect(get.run("perValue").outputs).toEqual({ count: 0, data: {} });
    const del = await e.run(yaml, { inputs: { mode: "delete" } });
    expect(del.run("del").outputs).toEqual({ deleted: true });
    expect(del.run("again").state).toBe("FAILED");
    expect(del.execution.state).toBe("FAILED");
  });
});

describe("kv.Set / Get / GetKeys / Delete", () => {
  test("values round-trip with their types, kv() reads them, Delete reports whether the key existed", async () => {
    const o = await e.run(flow("kv-tasks", `
tasks:
  - id: setNum
    type: io.kestra.plugin.core.kv.Set
    key: kv_num
    value: "{{ 40 + 2 }}"
    kvType: NUMBER
  - id: setJson
    type: io.kestra.plugin.core.kv.Set
    key: kv_json
    value: '{"a": [1, 2]}'
    kvType: JSON
  - id: getNum
    type: io.kestra.plugin.core.kv.Get
    key: kv_num
  - id: getJson
    type: io.kestra.plugin.core.kv.Get
    key: kv_json
  - id: fn
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('kv_json').a[1] }}"
  - id: keys
    type: io.kestra.plugin.core.kv.GetKeys
    prefix: kv_
  - id: del
    type: io.kestra.plugin.core.kv.Delete
    key: kv_num
  - id: delAgain
    type: io.kestra.plugin.core.kv.Delete
    key: kv_num
  - id: missing
    type: io.kestra.plugin.core.kv.Get
    key: kv_num
  - id: missingStrict
    type: io.kestra.plugin.core.kv.Get
    key: kv_num
    errorOnMissing: true
`));
    expect(o.run("getNum").outputs).toEqual({ value: 42 });
    expect(o.run("getJson").outputs).toEqual({ value: { a: [1, 2] } });
    expect(o.run("fn").outputs).toEqual({ value: "2" });
    expect((o.run("keys").outputs!.keys as string[]).sort()).toEqual(["kv_json", "kv_num"]);
    expect(o.run("del").outputs).toEqual({ deleted: true });
    expect(o.run("delAgain").outputs).toEqual({ deleted: false });
    expect(o.run("missing").state).toBe("SUCCESS");
    expect(o.run("missing").outputs?.value).toBeUndefined();
    expect(o.run("missingStrict").state).toBe("FAILED");
    expect(o.execution.state).toBe("FAILED");
  });
});
