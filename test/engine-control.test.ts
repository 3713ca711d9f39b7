// Engine behaviours through the real engine: retry (constant, exponential, maxAttempt,
// warningOnRetry, flow-level), timeout, allowFailure/allowWarning, runIf, disabled tasks,
// errors/finally (flow and flowable), afterExecution, flow outputs, variables, inputs, pluginDefaults.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEngine, history, type Engine } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (id: string, body: string) => `id: ${id}\nnamespace: engine.control\n${body}`;
/** A task that fails on its first `n` attempts. */
const flaky = (id: string, n: number, retry: string) => `
  - id: ${id}
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount < ${n} }}"
    errorMessage: "attempt {{ taskrun.attemptsCount }} failed"
    retry:
${retry}`;
const attemptStates = (r: { attempts: { state: { current: string } }[] }) => r.attempts.map((a) => a.state.current);
const attemptStarts = (r: { attempts: { startDate?: string }[] }) => r.attempts.map((a) => Date.parse(a.startDate!));

describe("retry", () => {
  test("constant: fails twice, succeeds on the third attempt; RETRYING in between; attempts kept", async () => {
    const o = await e.run(flow("retry-constant", `tasks:${flaky("t", 2, `      type: constant
      interval: PT0.1S
      maxAttempt: 5`)}`));
    expect(o.execution.state).toBe("SUCCESS");
    const t = o.run("t");
    expect(attemptStates(t)).toEqual(["FAILED", "FAILED", "SUCCESS"]);
    expect(history(t).filter((s) => s === "RETRYING")).toHaveLength(2);
    expect(t.state).toBe("SUCCESS");
    const starts = attemptStarts(t);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(100);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(100);
    expect(o.logs.filter((l) => l.taskId === "t").map((l) => [l.attempt, l.message])).toEqual([[0, "attempt 0 failed"], [1, "attempt 1 failed"]]);
  });

  test("maxAttempt bounds the attempts: always failing with maxAttempt 3 -> 3 attempts, FAILED", async () => {
    const o = await e.run(flow("retry-max", `tasks:${flaky("t", 99, `      type: constant
      interval: PT0.02S
      maxAttempt: 3`)}`));
    expect(o.execution.state).toBe("FAILED");
    expect(attemptStates(o.run("t"))).toEqual(["FAILED", "FAILED", "FAILED"]);
  });

  test("a failure no attempt can fix (a refused address) is not retried", async () => {
    const o = await e.run(flow("retry-final", `tasks:
  - id: t
    type: io.kestra.plugin.core.http.Request
    uri: http://169.254.169.254/latest/meta-data/
    retry:
      type: constant
      interval: PT0.02S
      maxAttempt: 3`));
    expect(o.execution.state).toBe("FAILED");
    expect(attemptStates(o.run("t"))).toEqual(["FAILED"]);
    expect(o.logsOf("t").join("\n")).toContain("refused");
  });

  test("exponential: the waits grow by delayFactor", async () => {
    const o = await e.run(flow("retry-exponential", `tasks:${flaky("t", 2, `      type: exponential
      interval: PT0.1S
      delayFactor: 3
      maxInterval: PT5S
      maxAttempt: 3`)}`));
    expect(o.execution.state).toBe("SUCCESS");
    const [a, b, c] = attemptStarts(o.run("t"));
    expect(b - a).toBeGreaterThanOrEqual(100);
    expect(c - b).toBeGreaterThanOrEqual(300);
  });

  test("warningOnRetry: success after a retry ends WARNING", async () => {
    const o = await e.run(flow("retry-warning", `tasks:${flaky("t", 1, `      type: constant
      interval: PT0.02S
      maxAttempt: 3
      warningOnRetry: true`)}`));
    expect(o.run("t").state).toBe("WARNING");
    expect(o.execution.state).toBe("WARNING");
  });

  test("the flow's retry applies to tasks without their own", async () => {
    const o = await e.run(flow("retry-flow-level", `
retry:
  type: constant
  interval: PT0.02S
  maxAttempt: 2
tasks:
  - id: t
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount < 1 }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(attemptStates(o.run("t"))).toEqual(["FAILED", "SUCCESS"]);
  });
});

describe("timeout", () => {
  test("a task running past its timeout is stopped and FAILED, with 'Timeout' in its log", async () => {
    const t0 = Date.now();
    const o = await e.run(flow("timeout", `
tasks:
  - id: slow
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT10S
    timeout: PT0.2S
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["slow"]);
    expect(o.run("slow").state).toBe("FAILED");
    expect(o.logsOf("slow").join("\n")).toContain("Timeout");
  });
});

describe("allowFailure / allowWarning", () => {
  test("allowFailure: the failed task ends WARNING, the flow goes on and ends WARNING", async () => {
    const o = await e.run(flow("allow-failure-prop", `
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
  - id: next
    type: io.kestra.plugin.core.log.Log
    message: next
`));
    expect(o.run("boom").state).toBe("WARNING");
    expect(o.run("next").state).toBe("SUCCESS");
    expect(o.execution.state).toBe("WARNING");
  });

  test("allowFailure + allowWarning: the failed task ends SUCCESS", async () => {
    const o = await e.run(flow("allow-warning-prop", `
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
    allowWarning: true
  - id: next
    type: io.kestra.plugin.core.log.Log
    message: next
`));
    expect(o.run("boom").state).toBe("SUCCESS");
    expect(o.execution.state).toBe("SUCCESS");
  });
});

describe("runIf and disabled", () => {
  test("runIf false -> SKIPPED, true -> runs, a render error -> FAILED", async () => {
    const o = await e.run(flow("run-if", `
tasks:
  - id: skipped
    type: io.kestra.plugin.core.log.Log
    runIf: "{{ 1 == 2 }}"
    message: no
  - id: ran
    type: io.kestra.plugin.core.log.Log
    runIf: "{{ 1 == 1 }}"
    message: yes
  - id: broken
    type: io.kestra.plugin.core.log.Log
    runIf: "{{ undefinedThing }}"
    message: never
`));
    expect(o.run("skipped").state).toBe("SKIPPED");
    expect(o.logsOf("skipped")).toEqual([]);
    expect(o.run("ran").state).toBe("SUCCESS");
    expect(o.run("broken").state).toBe("FAILED");
    expect(o.execution.state).toBe("FAILED");
  });

  test("a disabled task (or flowable) has no task run at all", async () => {
    const o = await e.run(flow("disabled-tasks", `
tasks:
  - id: off
    type: io.kestra.plugin.core.execution.Fail
    disabled: true
  - id: offSeq
    type: io.kestra.plugin.core.flow.Sequential
    disabled: true
    tasks:
      - id: inner
        type: io.kestra.plugin.core.execution.Fail
  - id: on
    type: io.kestra.plugin.core.log.Log
    message: on
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["on"]);
  });
});

describe("errors and finally", () => {
  test("flow errors run on failure (errorLogs() sees the failure); finally always runs; the execution stays FAILED", async () => {
    const o = await e.run(flow("errors-finally", `
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: kaboom
errors:
  - id: handler
    type: io.kestra.plugin.core.debug.Return
    format: "{{ errorLogs()[0].taskId }}: {{ errorLogs()[0].message }}"
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: cleanup
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["boom", "handler", "cleanup"]);
    expect(o.run("handler").outputs).toEqual({ value: "boom: kaboom" });
    expect(o.run("handler").startDate!).toBeGreaterThanOrEqual(o.run("boom").endDate!);
    expect(o.run("cleanup").startDate!).toBeGreaterThanOrEqual(o.run("handler").endDate!);
  });

  test("on success errors do not run and finally does", async () => {
    const o = await e.run(flow("errors-finally-ok", `
tasks:
  - id: fine
    type: io.kestra.plugin.core.log.Log
    message: fine
errors:
  - id: handler
    type: io.kestra.plugin.core.log.Log
    message: handler
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: cleanup
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["fine", "cleanup"]);
  });

  test("a failing finally task fails a successful execution", async () => {
    const o = await e.run(flow("finally-fails", `
tasks:
  - id: fine
    type: io.kestra.plugin.core.log.Log
    message: fine
finally:
  - id: bad
    type: io.kestra.plugin.core.execution.Fail
`));
    expect(o.execution.state).toBe("FAILED");
  });

  test("a flowable's own errors and finally run under it; the flow-level errors run too; FAILED", async () => {
    const o = await e.run(flow("local-errors", `
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: boom
        type: io.kestra.plugin.core.execution.Fail
    errors:
      - id: localHandler
        type: io.kestra.plugin.core.log.Log
        message: local
    finally:
      - id: localFinally
        type: io.kestra.plugin.core.log.Log
        message: local finally
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
errors:
  - id: globalHandler
    type: io.kestra.plugin.core.log.Log
    message: global
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["seq", "boom", "localHandler", "localFinally", "globalHandler"]);
    const seq = o.run("seq");
    expect(o.run("localHandler").parentTaskRunId).toBe(seq.id);
    expect(o.run("localFinally").parentTaskRunId).toBe(seq.id);
    expect(o.run("globalHandler").parentTaskRunId).toBeNull();
    expect(seq.state).toBe("FAILED");
  });
});

describe("afterExecution", () => {
  test("runs once the execution has its final state, and sees it and the flow outputs", async () => {
    const yaml = flow("after-execution", `
inputs:
  - id: fail
    type: BOOLEAN
    defaults: false
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: value
  - id: maybe
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.fail }}"
outputs:
  - id: out
    type: STRING
    value: "{{ outputs.ret.value }}"
afterExecution:
  - id: report
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.state }}"
`);
    const ok = await e.run(yaml);
    expect(ok.execution.state).toBe("SUCCESS");
    expect(ok.run("report").outputs).toEqual({ value: "SUCCESS" });
    expect(ok.run("report").startDate!).toBeGreaterThanOrEqual(ok.execution.endDate!);
    expect(ok.execution.outputs).toEqual({ out: "value" });
    const bad = await e.run(yaml, { inputs: { fail: true } });
    expect(bad.execution.state).toBe("FAILED");
    expect(bad.run("report").outputs).toEqual({ value: "FAILED" });
  });

  test("every task of the list runs in order, also after one that ran on a worker", async () => {
    const o = await e.run(flow("after-execution-list", `
tasks:
  - id: main
    type: io.kestra.plugin.core.log.Log
    message: main
afterExecution:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.05S
  - id: note
    type: io.kestra.plugin.core.log.Log
    message: after the nap
  - id: last
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.01S
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["main", "nap", "note", "last"]);
    expect(o.runs.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
    expect(o.run("note").startDate!).toBeGreaterThanOrEqual(o.run("nap").endDate!);
  });
});

describe("flow outputs, variables, inputs, pluginDefaults", () => {
  test("flow outputs take their declared type; a value that does not fit fails the execution", async () => {
    const ok = await e.run(flow("typed-outputs", `
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "4"
outputs:
  - { id: count, type: INT, value: "{{ outputs.r.value }}" }
  - { id: ratio, type: FLOAT, value: "{{ outputs.r.value }}.5" }
  - { id: flag, type: BOOLEAN, value: "true" }
  - { id: data, type: JSON, value: '{"a": [{{ outputs.r.value }}]}' }
  - { id: text, type: STRING, value: "{{ outputs.r.value }}" }
`));
    expect(ok.execution.state).toBe("SUCCESS");
    expect(ok.execution.outputs).toEqual({ count: 4, ratio: 4.5, flag: true, data: { a: [4] }, text: "4" });
    const bad = await e.run(flow("typed-outputs-bad", `
tasks:
  - { id: r, type: io.kestra.plugin.core.debug.Return, format: "four" }
outputs:
  - { id: count, type: INT, value: "{{ outputs.r.value }}" }
`));
    expect(bad.execution.state).toBe("FAILED");
    expect(bad.execution.outputs).toBeNull();
  });

  test("flow outputs are rendered at the end; a render error fails the execution with null outputs", async () => {
    const ok = await e.run(flow("flow-outputs", `
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "42"
outputs:
  - id: answer
    type: STRING
    value: "{{ outputs.r.value }}"
`));
    expect(ok.execution.state).toBe("SUCCESS");
    expect(ok.execution.outputs).toEqual({ answer: "42" });
    const bad = await e.run(flow("flow-outputs-bad", `
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "42"
outputs:
  - id: answer
    type: STRING
    value: "{{ outputs.nope.value }}"
`));
    expect(bad.execution.state).toBe("FAILED");
    expect(bad.execution.outputs).toBeNull();
  });

  test("variables are not rendered recursively; render() does it", async () => {
    const o = await e.run(flow("variables", `
variables:
  plain: hello
  templated: "{{ flow.id }}"
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ vars.plain }} | {{ vars.templated }} | {{ render(vars.templated) }}"
`));
    expect(o.run("r").outputs).toEqual({ value: "hello | {{ flow.id }} | variables" });
  });

  test("inputs are typed, defaults apply, nested ids nest, optional ones are null", async () => {
    const o = await e.run(flow("inputs-typed", `
inputs:
  - id: i
    type: INT
  - id: f
    type: FLOAT
    defaults: 1.5
  - id: b
    type: BOOLEAN
  - id: s
    type: SELECT
    values: [a, b]
    defaults: b
  - id: arr
    type: ARRAY
    itemType: INT
  - id: j
    type: JSON
  - id: d
    type: DATE
  - id: nested.x
    type: STRING
    defaults: deep
  - id: opt
    type: STRING
    required: false
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.i + 1 }} {{ inputs.f * 3 }} {{ inputs.b ? 'yes' : 'no' }} {{ inputs.s }} {{ inputs.arr[1] + 1 }} {{ inputs.j.k }} {{ inputs.d }} {{ inputs.nested.x }} {{ inputs.opt ?? 'none' }}"
`), { inputs: { i: "41", b: "true", arr: "[1, 2]", j: '{"k": "v"}', d: "2024-02-29" } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.execution.inputs).toEqual({ i: 41, f: 1.5, b: true, s: "b", arr: [1, 2], j: { k: "v" }, d: "2024-02-29", nested: { x: "deep" }, opt: null });
    expect(o.run("r").outputs).toEqual({ value: "42 4.5 yes b 3 v 2024-02-29 deep none" });
  });

  test("FLOAT arithmetic renders like a Java double ({{ inputs.f * 2 }} with f=1.5 -> \"3.0\")", async () => {
    const o = await e.run(flow("inputs-float", `
inputs:
  - id: f
    type: FLOAT
    defaults: 1.5
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.f * 2 }} {{ inputs.f + 0.5 }} {{ 10 / 4 }} {{ 10 / 4.0 }} {{ 'n=' ~ (2.0 * 3) }}"
`));
    expect(o.run("r").outputs).toEqual({ value: "3.0 2.0 2 2.5 n=6.0" });
  });

  test("expression defaults are rendered (flow, earlier inputs, functions) and then typed", async () => {
    const src = flow("inputs-expr-defaults", `
inputs:
  - id: greeting
    type: STRING
    defaults: "hello {{ flow.namespace }}"
  - id: again
    type: STRING
    defaults: "{{ inputs.greeting }} again"
  - id: n
    type: INT
    defaults: "{{ 40 + 2 }}"
  - id: day
    type: DATE
    defaults: "{{ now() | dateAdd(-1, 'DAYS') | date('yyyy-MM-dd') }}"
  - id: tags
    type: ARRAY
    itemType: STRING
    defaults: "{{ ['a', flow.id] | toJson }}"
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.n + 1 }} {{ inputs.again }}"
`);
    const before = Date.now();
    const o = await e.run(src);
    expect(o.execution.state).toBe("SUCCESS");
    const { day, ...rest } = o.execution.inputs as Record<string, unknown>;
    expect(rest).toEqual({ greeting: "hello engine.control", again: "hello engine.control again", n: 42, tags: ["a", "inputs-expr-defaults"] });
    const yesterday = (t: number) => new Date(t - 86_400_000).toISOString().slice(0, 10);
    expect([yesterday(before), yesterday(Date.now())]).toContain(day as string);
    expect(o.run("r").outputs).toEqual({ value: "43 hello engine.control again" });
    // A value given for an input wins over its default, and later defaults see it.
    const given = await e.run(src, { inputs: { greeting: "hi", n: "7" } });
    expect(given.execution.inputs).toMatchObject({ greeting: "hi", again: "hi again", n: 7 });
  });

  test("an expression default that renders to a bad value, or fails, is an error naming the input", async () => {
    const bad = flow("inputs-expr-bad", `
inputs:
  - id: n
    type: INT
    defaults: "{{ 'many' }}"
  - id: s
    type: STRING
    defaults: "{{ secret('NOPE_NOT_SET') }}"
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
`);
    const err = await e.start(bad).then(() => "", (x: Error) => x.message);
    expect(err).toContain("Invalid input for `n`, its default {{ 'many' }} renders a bad value");
    expect(err).toContain("Invalid input for `s`, its default could not be rendered:");
    expect(err).toContain("Cannot find secret for key 'NOPE_NOT_SET'");
  });

  test("pluginDefaults fill missing properties; forced ones override", async () => {
    const o = await e.run(flow("plugin-defaults", `
pluginDefaults:
  - type: io.kestra.plugin.core.log.Log
    values:
      level: WARN
  - type: io.kestra.plugin.core.debug.Return
    forced: true
    values:
      format: forced
tasks:
  - id: defaulted
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: explicit
    type: io.kestra.plugin.core.log.Log
    level: ERROR
    message: hi
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: mine
`));
    expect(o.logs.filter((l) => l.taskId !== "ret").map((l) => [l.taskId, l.level])).toEqual([["defaulted", "WARN"], ["explicit", "ERROR"]]);
    expect(o.run("ret").outputs).toEqual({ value: "forced" });
  });
});
