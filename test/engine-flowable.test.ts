// Flowable core tasks through the real engine: Sequential, Parallel (really concurrent), If,
// Switch, AllowFailure, Dag, ForEach / EachSequential / EachParallel, LoopUntil / WaitFor and
// WorkingDirectory — task-run trees, values, outputs keyed by value, states and timings.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskRun } from "../src/engine/model.ts";
import { createEngine, type Engine, type Outcome } from "./helpers/engine.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (id: string, body: string) => `id: ${id}\nnamespace: engine.flowable\n${body}`;
const sleep = (id: string, d = "PT0.3S") => `{ id: ${id}, type: io.kestra.plugin.core.flow.Sleep, duration: ${d} }`;

/** The largest number of these task runs running at the same moment. */
function maxOverlap(runs: TaskRun[]): number {
  const edges = runs.flatMap((r) => [[r.startDate!, 1], [r.endDate!, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (cur += d));
  return max;
}

const parentOf = (o: Outcome, r: TaskRun) => o.runs.find((p) => p.id === r.parentTaskRunId)?.taskId ?? null;

describe("flow.Sequential", () => {
  test("children run in order under the Sequential task run; nested Sequential too", async () => {
    const o = await e.run(flow("sequential", `
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: a
        type: io.kestra.plugin.core.debug.Return
        format: a
      - id: inner
        type: io.kestra.core.tasks.flows.Sequential
        tasks:
          - id: b
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.a.value }}b"
      - id: c
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.b.value }}c"
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: done
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["seq", "a", "inner", "b", "c", "last"]);
    expect(o.runs.map((r) => parentOf(o, r))).toEqual([null, "seq", "seq", "inner", "seq", null]);
    expect(o.run("c").outputs).toEqual({ value: "abc" });
    expect(o.run("seq").state).toBe("SUCCESS");
    expect(o.run("last").startDate!).toBeGreaterThanOrEqual(o.run("seq").endDate!);
  });

  test("a failing child fails the Sequential; its siblings after it never run", async () => {
    const o = await e.run(flow("sequential-fail", `
tasks:
  - id: seq
    type: io.kestra.plugin.core.flow.Sequential
    tasks:
      - id: ok
        type: io.kestra.plugin.core.log.Log
        message: ok
      - id: boom
        type: io.kestra.plugin.core.execution.Fail
      - id: skipped
        type: io.kestra.plugin.core.log.Log
        message: never
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["seq", "ok", "boom"]);
    expect(o.run("seq").state).toBe("FAILED");
  });
});

describe("flow.Parallel", () => {
  test("children really run at the same time (three 300 ms sleeps overlap)", async () => {
    const o = await e.run(flow("parallel", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - ${sleep("s1")}
      - ${sleep("s2")}
      - ${sleep("s3")}
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after
`));
    expect(o.execution.state).toBe("SUCCESS");
    const sleeps = ["s1", "s2", "s3"].map((id) => o.run(id));
    expect(maxOverlap(sleeps)).toBe(3);
    const par = o.run("par");
    expect(par.endDate! - par.startDate!).toBeLessThan(850);
    expect(o.run("after").startDate!).toBeGreaterThanOrEqual(Math.max(...sleeps.map((r) => r.endDate!)));
  });

  test("concurrent: 2 never runs more than two children at once", async () => {
    const o = await e.run(flow("parallel-limit", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    concurrent: 2
    tasks:
      - ${sleep("s1", "PT0.2S")}
      - ${sleep("s2", "PT0.2S")}
      - ${sleep("s3", "PT0.2S")}
      - ${sleep("s4", "PT0.2S")}
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(maxOverlap(o.runs.filter((r) => r.taskId !== "par"))).toBe(2);
  });

  test("one failing child fails the Parallel and the execution; the others already started finish", async () => {
    const o = await e.run(flow("parallel-fail", `
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - ${sleep("slow", "PT0.2S")}
      - id: boom
        type: io.kestra.plugin.core.execution.Fail
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.run("par").state).toBe("FAILED");
    expect(o.run("slow").state).toBe("SUCCESS");
    expect(o.runsOf("never")).toHaveLength(0);
  });
});

describe("flow.If", () => {
  const ifFlow = flow("if", `
inputs:
  - id: cond
    type: STRING
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ inputs.cond }}"
    then:
      - id: yes
        type: io.kestra.plugin.core.debug.Return
        format: then
    else:
      - id: no
        type: io.kestra.plugin.core.debug.Return
        format: else
`);
  for (const [cond, branch, result] of [["true", "yes", true], ["1", "yes", true], ["false", "no", false], ["0", "no", false], ["-0", "no", false]] as const) {
    test(`condition "${cond}" runs ${branch === "yes" ? "then" : "else"}; evaluationResult ${result}`, async () => {
      const o = await e.run(ifFlow, { inputs: { cond } });
      expect(o.execution.state).toBe("SUCCESS");
      expect(o.taskIds()).toEqual(["if", branch]);
      expect(o.run("if").outputs).toEqual({ evaluationResult: result });
    });
  }

  test("a false condition without else runs nothing and succeeds", async () => {
    const o = await e.run(flow("if-no-else", `
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ 1 > 2 }}"
    then:
      - id: yes
        type: io.kestra.plugin.core.log.Log
        message: yes
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["if"]);
  });

  test("a condition naming an undefined variable fails the If", async () => {
    const o = await e.run(flow("if-undefined", `
tasks:
  - id: if
    type: io.kestra.plugin.core.flow.If
    condition: "{{ nope }}"
    then:
      - id: yes
        type: io.kestra.plugin.core.log.Log
        message: yes
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["if"]);
    expect(o.logsOf("if").join("\n")).toContain("nope");
  });
});

describe("flow.Switch", () => {
  const sw = flow("switch", `
inputs:
  - id: v
    type: STRING
tasks:
  - id: sw
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ inputs.v }}"
    cases:
      A:
        - id: a1
          type: io.kestra.plugin.core.debug.Return
          format: a1
        - id: a2
          type: io.kestra.plugin.core.debug.Return
          format: a2
      B:
        - id: b
          type: io.kestra.plugin.core.debug.Return
          format: b
    defaults:
      - id: d
        type: io.kestra.plugin.core.debug.Return
        format: "default {{ outputs.sw.value }}"
`);
  test("the matching case runs; outputs value and defaults=false", async () => {
    const o = await e.run(sw, { inputs: { v: "A" } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["sw", "a1", "a2"]);
    expect(o.run("sw").outputs).toEqual({ value: "A", defaults: false });
  });

  test("no match runs defaults; defaults=true", async () => {
    const o = await e.run(sw, { inputs: { v: "Z" } });
    expect(o.taskIds()).toEqual(["sw", "d"]);
    expect(o.run("sw").outputs).toEqual({ value: "Z", defaults: true });
    expect(o.run("d").outputs).toEqual({ value: "default Z" });
  });

  test("no match and no defaults: the Switch fails", async () => {
    const o = await e.run(flow("switch-impossible", `
tasks:
  - id: sw
    type: io.kestra.plugin.core.flow.Switch
    value: nothing
    cases:
      A:
        - id: a
          type: io.kestra.plugin.core.log.Log
          message: a
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["sw"]);
    expect(o.run("sw").state).toBe("FAILED");
  });
});

describe("flow.AllowFailure", () => {
  test("a failing child makes it WARNING; the flow goes on and ends WARNING", async () => {
    const o = await e.run(flow("allow-failure", `
tasks:
  - id: allow
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: boom
        type: io.kestra.plugin.core.execution.Fail
      - id: notReached
        type: io.kestra.plugin.core.log.Log
        message: never
  - id: next
    type: io.kestra.plugin.core.log.Log
    message: next
`));
    expect(o.execution.state).toBe("WARNING");
    expect(o.taskIds()).toEqual(["allow", "boom", "next"]);
    expect(o.run("boom").state).toBe("FAILED");
    expect(o.run("allow").state).toBe("WARNING");
    expect(o.run("next").state).toBe("SUCCESS");
  });

  test("children that succeed leave it SUCCESS", async () => {
    const o = await e.run(flow("allow-failure-ok", `
tasks:
  - id: allow
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: fine
        type: io.kestra.plugin.core.log.Log
        message: fine
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("allow").state).toBe("SUCCESS");
  });
});

describe("flow.Dag", () => {
  test("tasks start once their dependencies ended; independent ones run together", async () => {
    const o = await e.run(flow("dag", `
tasks:
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: d
          type: io.kestra.plugin.core.debug.Return
          format: "{{ tasks.b.state }}+{{ outputs.c.value }}"
        dependsOn: [b, c]
      - task: ${sleep("b", "PT0.25S")}
        dependsOn: [a]
      - task:
          id: a
          type: io.kestra.plugin.core.debug.Return
          format: a
      - task: { id: c, type: io.kestra.plugin.core.debug.Return, format: "c-{{ outputs.a.value }}" }
        dependsOn: [a]
`));
    expect(o.execution.state).toBe("SUCCESS");
    const [a, b, c, d] = ["a", "b", "c", "d"].map((id) => o.run(id));
    expect(o.taskIds().slice(0, 2)).toEqual(["dag", "a"]);
    expect(b.startDate!).toBeGreaterThanOrEqual(a.endDate!);
    expect(c.startDate!).toBeGreaterThanOrEqual(a.endDate!);
    // c does not wait for b.
    expect(c.endDate!).toBeLessThan(b.endDate!);
    expect(d.startDate!).toBeGreaterThanOrEqual(Math.max(b.endDate!, c.endDate!));
    expect(d.outputs).toEqual({ value: "SUCCESS+c-a" });
  });

  test("a failed dependency: its dependents never run, the Dag fails", async () => {
    const o = await e.run(flow("dag-fail", `
tasks:
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: { id: a, type: io.kestra.plugin.core.execution.Fail }
      - task: { id: b, type: io.kestra.plugin.core.log.Log, message: b }
        dependsOn: [a]
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["dag", "a"]);
    expect(o.run("dag").state).toBe("FAILED");
  });
});

describe("flow.ForEach", () => {
  test("values as a list: one group per value, taskrun.value set on direct children, outputs keyed by value", async () => {
    const o = await e.run(flow("foreach-list", `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b b", 3, {"k": "v"}]
    tasks:
      - id: ret
        type: io.kestra.plugin.core.debug.Return
        format: "v={{ taskrun.value }}"
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: nested
            type: io.kestra.plugin.core.debug.Return
            format: "{{ taskrun.value }}/{{ parent.taskrun.value }}"
  - id: pick
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.ret['b b'].value }}|{{ outputs.ret['3'].value }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    // 1 ForEach + 4 values x (ret + seq + nested) + pick
    expect(o.runs).toHaveLength(14);
    expect(o.runsOf("ret").map((r) => r.value)).toEqual(["a", "b b", "3", '{"k":"v"}']);
    expect(o.runsOf("ret").map((r) => r.outputs?.value)).toEqual(["v=a", "v=b b", "v=3", 'v={"k":"v"}']);
    expect(o.runsOf("seq").map((r) => r.value)).toEqual(["a", "b b", "3", '{"k":"v"}']);
    // value is only set on direct children of the loop
    expect(o.runsOf("nested").map((r) => r.value)).toEqual([null, null, null, null]);
    expect(o.runsOf("nested").map((r) => r.outputs?.value)).toEqual(["a/a", "b b/b b", "3/3", '{"k":"v"}/{"k":"v"}']);
    expect(o.run("pick").outputs).toEqual({ value: "v=b b|v=3" });
    expect(o.run("each").state).toBe("SUCCESS");
  });

  test("values as a JSON string and as an expression", async () => {
    const o = await e.run(flow("foreach-json", `
inputs:
  - id: list
    type: JSON
    defaults: '["x", "y"]'
tasks:
  - id: fromString
    type: io.kestra.plugin.core.flow.ForEach
    values: '["p", "q"]'
    tasks:
      - id: s
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: fromExpr
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ inputs.list }}"
    tasks:
      - id: x
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.runsOf("s").map((r) => r.outputs?.value)).toEqual(["p", "q"]);
    expect(o.runsOf("x").map((r) => r.outputs?.value)).toEqual(["x", "y"]);
  });

  test("concurrencyLimit: 1 (default) runs values one after another; 0 runs them all at once", async () => {
    const o = await e.run(flow("foreach-concurrency", `
tasks:
  - id: one
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2, 3]
    tasks:
      - ${sleep("seqSleep", "PT0.15S")}
  - id: all
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2, 3]
    concurrencyLimit: 0
    tasks:
      - ${sleep("parSleep", "PT0.3S")}
  - id: two
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2, 3, 4]
    concurrencyLimit: 2
    tasks:
      - ${sleep("twoSleep", "PT0.15S")}
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(maxOverlap(o.runsOf("seqSleep"))).toBe(1);
    expect(maxOverlap(o.runsOf("parSleep"))).toBe(3);
    expect(maxOverlap(o.runsOf("twoSleep"))).toBe(2);
  });

  test("nested loops: outputs keyed by both values; parent is the enclosing iteration", async () => {
    const o = await e.run(flow("foreach-nested", `
tasks:
  - id: outer
    type: io.kestra.plugin.core.flow.ForEach
    values: ["o1", "o2"]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.flow.ForEach
        values: ["i1", "i2"]
        tasks:
          - id: leaf
            type: io.kestra.plugin.core.debug.Return
            format: "{{ taskrun.value }}<{{ parent.taskrun.value }}<{{ parents[0].taskrun.value }}<{{ parents | length }}"
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.leaf['o2']['i1'].value }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.runsOf("leaf").map((r) => r.outputs?.value)).toEqual(["i1<o1<o1<1", "i2<o1<o1<1", "i1<o2<o2<1", "i2<o2<o2<1"]);
    expect(o.run("read").outputs).toEqual({ value: o.runsOf("leaf")[2].outputs?.value });
  });

  test("a null value fails the ForEach with Kestra's message", async () => {
    const o = await e.run(flow("foreach-null", `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: '[1, null]'
    tasks:
      - id: x
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["each"]);
    expect(o.logsOf("each")).toContain("Found '1' null values on Each, with values=[1, null]");
  });

  test("a failing iteration fails the ForEach; later values do not start", async () => {
    const o = await e.run(flow("foreach-fail", `
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["ok", "bad", "later"]
    tasks:
      - id: check
        type: io.kestra.plugin.core.execution.Fail
        condition: "{{ taskrun.value == 'bad' }}"
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.runsOf("check").map((r) => [r.value, r.state])).toEqual([["ok", "SUCCESS"], ["bad", "FAILED"]]);
  });
});

describe("EachSequential / EachParallel (deprecated)", () => {
  test("EachSequential runs values in order; EachParallel runs value x task at once", async () => {
    const o = await e.run(flow("each-legacy", `
tasks:
  - id: es
    type: io.kestra.core.tasks.flows.EachSequential
    value: ["a", "b"]
    tasks:
      - ${sleep("esSleep", "PT0.1S")}
      - id: esRet
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: ep
    type: io.kestra.plugin.core.flow.EachParallel
    value: '["x", "y"]'
    tasks:
      - ${sleep("epSleep", "PT0.3S")}
      - ${sleep("epSleep2", "PT0.3S")}
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(maxOverlap(o.runsOf("esSleep"))).toBe(1);
    expect(o.runsOf("esRet").map((r) => [r.value, r.outputs?.value])).toEqual([["a", "a"], ["b", "b"]]);
    expect(maxOverlap([...o.runsOf("epSleep"), ...o.runsOf("epSleep2")])).toBe(4);
    expect(o.runsOf("epSleep").map((r) => r.value)).toEqual(["x", "y"]);
    // 2 parents + 2 x 2 + 2 x 2 children
    expect(o.runs).toHaveLength(10);
  });
});

describe("flow.LoopUntil / WaitFor", () => {
  test("repeats its tasks until the condition holds; each iteration makes new task runs", async () => {
    const o = await e.run(flow("loop-until", `
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ outputs.count.values.n == '3' }}"
    checkFrequency:
      interval: PT0.05S
    tasks:
      - id: count
        type: io.kestra.plugin.core.output.OutputValues
        values:
          n: "{{ outputs.loop.iterationCount + 1 }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.count.values.n }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.runsOf("count").map((r) => (r.outputs!.values as { n: string }).n)).toEqual(["1", "2", "3"]);
    expect(o.runsOf("count").map((r) => r.iteration)).toEqual([0, 1, 2]);
    expect(o.run("after").outputs).toEqual({ value: "3" });
    expect(o.run("loop").state).toBe("SUCCESS");
  });

  test("WaitFor: maxIterations reached ends SUCCESS, or FAILED with failOnMaxReached", async () => {
    const body = (fail: boolean) => `
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.WaitFor
    condition: "{{ false }}"
    failOnMaxReached: ${fail}
    checkFrequency:
      maxIterations: 3
      interval: PT0.05S
    tasks:
      - id: tick
        type: io.kestra.plugin.core.log.Log
        message: "tick {{ outputs.wait.iterationCount }}"
`;
    const soft = await e.run(flow("waitfor-soft", body(false)));
    expect(soft.execution.state).toBe("SUCCESS");
    expect(soft.runsOf("tick")).toHaveLength(3);
    expect(soft.logs.filter((l) => l.taskId === "tick").map((l) => l.message)).toEqual(["tick 0", "tick 1", "tick 2"]);
    const hard = await e.run(flow("waitfor-hard", body(true)));
    expect(hard.execution.state).toBe("FAILED");
    expect(hard.run("wait").state).toBe("FAILED");
    expect(hard.runsOf("tick")).toHaveLength(3);
  });

  test("a failing child stops the loop and fails it", async () => {
    const o = await e.run(flow("loop-fail", `
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: "{{ false }}"
    checkFrequency: { interval: PT0.05S }
    tasks:
      - id: boom
        type: io.kestra.core.tasks.executions.Fail
`));
    expect(o.execution.state).toBe("FAILED");
    expect(o.runsOf("boom")).toHaveLength(1);
  });
});

describe("flow.WorkingDirectory", () => {
  test("children share one folder: inputFiles are there, a later child reads what an earlier one wrote", async () => {
    const o = await e.run(flow("working-dir", `
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      in.txt: "hello {{ flow.id }}"
    tasks:
      - id: first
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          made.txt: "made by first"
      - id: second
        type: io.kestra.plugin.core.storage.LocalFiles
        outputs: ["*.txt"]
      - id: show
        type: io.kestra.plugin.core.debug.Return
        format: "{{ read(outputs.second.uris['in.txt']) }} / {{ read(outputs.second.uris['made.txt']) }}"
`));
    expect(o.execution.state).toBe("SUCCESS");
    expect(Object.keys(o.run("second").outputs!.uris as object).sort()).toEqual(["in.txt", "made.txt"]);
    expect(o.run("show").outputs).toEqual({ value: "hello working-dir / made by first" });
    expect(o.runs.filter((r) => r.taskId !== "wd").every((r) => r.parentTaskRunId === o.run("wd").id)).toBe(true);
  });
});
