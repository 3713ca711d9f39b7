// ForEachItem through the real engine: an input file in internal storage is split into batch
// files, one subflow execution runs per batch, and the `_split`/`_items`/`_merge` task runs
// look as in Kestra (ForEachItemCaseTest).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseBytes, readLines, splitRows } from "../src/files/split.ts";
import { putInputFile } from "../src/files/index.ts";
import { parseFlow } from "../src/flow/index.ts";
import { loadExecution } from "../src/store/executions.ts";
import { createKvStore } from "../src/store/kv.ts";
import { createEngine, history, type Engine } from "./helpers/engine.ts";

const NS = "engine.fei";
let e: Engine;
let uploads = 0;

beforeAll(async () => {
  e = await createEngine();
  await e.deploy(`id: child
namespace: ${NS}
inputs:
  - id: items
    type: STRING
  - id: index
    type: INT
    defaults: -1
outputs:
  - id: content
    type: STRING
    value: "{{ outputs.show.value }}"
tasks:
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.items) }}"
  - id: maybeFail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ read(inputs.items) contains 'bad' }}"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: "{{ read(inputs.items) contains 'slow' ? 'PT2S' : 'PT0S' }}"
`);
});
afterAll(() => e.close());

/** Put a file where an uploaded FILE input would be; returns its kestra:/// URI. */
async function upload(content: string, name = "items.txt") {
  return putInputFile(e.tern.storage, { namespace: NS, flowId: "uploads", executionId: `upload${++uploads}` }, "file", name, content);
}

const lines = (n: number, word = "line") => Array.from({ length: n }, (_, i) => `${word} ${i + 1}`).join("\n") + "\n";

const parentFlow = (id: string, props = "", after = true) => `id: ${id}
namespace: ${NS}
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: 4
    namespace: ${NS}
    flowId: child
    inputs:
      items: "{{ taskrun.items }}"
      index: "{{ taskrun.iteration }}"
${props}${after ? `
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "merged {{ outputs.each_merge.subflowOutputs ?? 'none' }}"` : ""}
`;

async function childrenOf(itemsRun: { plan: { children?: string[] } | null }) {
  return Promise.all((itemsRun.plan?.children ?? []).map((id) => e.ended(id)));
}

describe("ForEachItem", () => {
  test("10 lines, rows 4: three subflow executions with the right batch files; Kestra's task runs and outputs", async () => {
    const o = await e.run(parentFlow("fei-basic"), { inputs: { file: await upload(lines(10)) } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["each", "each_split", "each_items", "each_merge", "after"]);
    const [each, split, items, merge] = o.runs;
    expect([split, items, merge].map((r) => r.parentTaskRunId)).toEqual([each.id, each.id, each.id]);
    expect(o.runs.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"]);
    expect(items.outputs).toEqual({
      numberOfBatches: 3,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 3 },
      subflowOutputsBaseUri: expect.stringMatching(new RegExp(`^/engine/fei/fei-basic/executions/${o.execution.id}/tasks/each-items/${items.id}$`)),
    });
    expect(items.attempts.map((a) => a.state.current)).toEqual(["SUCCESS"]);
    expect(each.outputs).toBeNull();
    expect(split.outputs!.splits).toMatch(/^kestra:\/\/\/.*\/tasks\/each-split\/.*\/splits\.txt$/);

    const children = await childrenOf(items);
    expect(children.map((c) => c.execution.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
    expect(children.map((c) => c.run("show").outputs!.value)).toEqual([
      "line 1\nline 2\nline 3\nline 4\n", "line 5\nline 6\nline 7\nline 8\n", "line 9\nline 10\n",
    ]);
    for (const [i, c] of children.entries()) {
      expect(c.execution.inputs.items as string).toMatch(new RegExp(`^kestra:///engine/fei/fei-basic/executions/${o.execution.id}/tasks/each-split/.*\\.txt$`));
      expect(c.execution.inputs.index).toBe(i);
      expect(c.execution.parentId).toBe(o.execution.id);
      expect(c.execution.labels).toContainEqual({ key: "system.correlationId", value: o.execution.id });
      expect(c.execution.trigger).toMatchObject({
        type: "io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable",
        variables: { executionId: o.execution.id, flowId: "fei-basic", taskId: "each_items", taskRunId: items.id, taskRunIteration: i },
      });
    }
  });

  test("the merge step gathers each subflow's flow outputs, one line per subflow, in batch order", async () => {
    const o = await e.run(parentFlow("fei-merge"), { inputs: { file: await upload(lines(9, "row")) } });
    expect(o.execution.state).toBe("SUCCESS");
    const uri = o.run("each_merge").outputs!.subflowOutputs as string;
    expect(uri).toMatch(/^kestra:\/\/\/.*\/tasks\/each-merge\/.*\/outputs\.ion$/);
    expect(o.logsOf("after")).toEqual([`merged ${uri}`]);
    const merged = new TextDecoder().decode(await e.tern.storage.get(uri.replace("kestra:///", "")));
    expect(merged.trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual([
      { content: "row 1\nrow 2\nrow 3\nrow 4\n" }, { content: "row 5\nrow 6\nrow 7\nrow 8\n" }, { content: "row 9\n" },
    ]);
  });

  test("a failed subflow fails the step and the execution (transmitFailed default); merge never runs", async () => {
    const o = await e.run(parentFlow("fei-fail"), { inputs: { file: await upload("ok 1\nok 2\nok 3\nok 4\nbad 5\nok 6\n") } });
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["each", "each_split", "each_items"]);
    const items = o.run("each_items");
    expect(items.state).toBe("FAILED");
    expect(items.attempts.map((a) => a.state.current)).toEqual(["FAILED"]);
    expect(items.outputs).toMatchObject({ numberOfBatches: 2, iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 1, FAILED: 1 } });
    expect(o.run("each").state).toBe("FAILED");
  });

  test("transmitFailed: false: failed subflows leave the step SUCCESS and the flow goes on", async () => {
    const o = await e.run(parentFlow("fei-nofail", "    transmitFailed: false"), { inputs: { file: await upload("bad\nbad\nbad\nbad\nbad\n") } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["each", "each_split", "each_items", "each_merge", "after"]);
    expect(o.run("each_items").outputs).toMatchObject({ numberOfBatches: 2, iterations: { FAILED: 2 } });
    const children = await childrenOf(o.run("each_items"));
    expect(children.map((c) => c.execution.state)).toEqual(["FAILED", "FAILED"]);
  });

  test("wait: false: the step succeeds at once and the subflows run on their own", async () => {
    const o = await e.run(parentFlow("fei-nowait", "    wait: false"), { inputs: { file: await upload("slow 1\n") } });
    expect(o.execution.state).toBe("SUCCESS");
    const items = o.run("each_items");
    expect(items.outputs).toMatchObject({ numberOfBatches: 1, iterations: { RUNNING: 0, SUCCESS: 1 } });
    expect((items.outputs!.iterations as Record<string, number>).CREATED).toBeUndefined();
    const [child] = await childrenOf(items);
    expect(child.execution.state).toBe("SUCCESS");
    expect(child.execution.endDate!).toBeGreaterThan(o.execution.endDate!);
  }, 15_000);

  test("an empty file: no batches, four task runs, SUCCESS, `_items` outputs null", async () => {
    const o = await e.run(parentFlow("fei-empty", "", false), { inputs: { file: await upload("") } });
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["each", "each_split", "each_items", "each_merge"]);
    expect(o.runs[2].outputs).toBeNull();
    expect(o.runs[2].plan!.children).toEqual([]);
    expect(o.run("each_merge").outputs).toBeNull();
  });

  test("items that are not an internal storage URI fail the split step with Kestra's message", async () => {
    const o = await e.run(parentFlow("fei-nouri"), { inputs: { file: "/etc/passwd" } });
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["each", "each_split"]);
    expect(o.logsOf("each_split")).toContain("Unable to split the items from /etc/passwd, this is not an internal storage URI!");
  });

  test("killing the parent kills the running subflows", async () => {
    const id = await e.start(parentFlow("fei-kill"), { inputs: { file: await upload("slow a\nslow b\nslow c\nslow d\nslow e\n") } });
    const running = await e.until(id, (o) => (o.runsOf("each_items")[0]?.plan?.children?.length ?? 0) === 2);
    const childIds = running.run("each_items").plan!.children!;
    await Promise.all(childIds.map((c) => e.until(c, (o) => o.execution.state === "RUNNING")));
    await e.tern.service.kill(id);
    const o = await e.ended(id);
    expect(o.execution.state).toBe("KILLED");
    expect(o.run("each_items").state).toBe("KILLED");
    for (const c of childIds) expect((await e.ended(c)).execution.state).toBe("KILLED");
  });

  test("the ForEachItem's errors tasks run when a batch fails", async () => {
    const o = await e.run(parentFlow("fei-errors", `    errors:
      - id: onError
        type: io.kestra.plugin.core.log.Log
        message: "batch failed"`, false), { inputs: { file: await upload("bad\n") } });
    expect(o.execution.state).toBe("FAILED");
    expect(o.taskIds()).toEqual(["each", "each_split", "each_items", "onError"]);
    expect(o.logsOf("onError")).toEqual(["batch failed"]);
    expect(history(o.run("each")).at(-1)).toBe("FAILED");
  });
});

test("inside a ForEach: each iteration splits, runs and merges its own batches", async () => {
  const file = await upload(lines(3));
  const o = await e.run(`id: fei-in-foreach
namespace: ${NS}
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: ["x", "y"]
    tasks:
      - id: each
        type: io.kestra.plugin.core.flow.ForEachItem
        items: "${file}"
        batch:
          rows: 2
        namespace: ${NS}
        flowId: child
        inputs:
          items: "{{ taskrun.items }}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.each_items.x.numberOfBatches }} {{ outputs.each_merge.y.subflowOutputs }}"
`);
  expect(o.execution.state).toBe("SUCCESS");
  expect(o.runsOf("each_items").map((r) => r.outputs!.numberOfBatches)).toEqual([2, 2]);
  const merges = o.runsOf("each_merge");
  expect(merges.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS"]);
  expect(new Set(merges.map((r) => r.outputs!.subflowOutputs)).size).toBe(2);
  expect(o.logsOf("after")).toEqual([`2 ${merges[1].outputs!.subflowOutputs}`]);
  const children = (await Promise.all(o.runsOf("each_items").map(childrenOf))).flat();
  expect(children.map((c) => c.run("show").outputs!.value)).toEqual(["line 1\nline 2\n", "line 3\n", "line 1\nline 2\n", "line 3\n"]);
});

describe("ForEachItem validation", () => {
  test("a valid flow parses; the legacy alias is accepted; a misspelt property is an error", () => {
    const ok = parseFlow(parentFlow("fei-valid"), "fei.yaml");
    expect(ok.errors).toEqual([]);
    const legacy = parseFlow(parentFlow("fei-legacy").replace("io.kestra.plugin.core.flow.ForEachItem", "io.kestra.core.tasks.flows.ForEachItem"), "fei.yaml");
    expect(legacy.errors).toEqual([]);
    const bad = parseFlow(parentFlow("fei-bad").replace("    batch:", "    bach:"), "fei.yaml");
    expect(bad.errors.map((x) => x.message).join("\n")).toContain('unknown property "bach" for io.kestra.plugin.core.flow.ForEachItem');
  });
});

describe("batch splitting (Kestra's StorageService.split)", () => {
  const ten = readLines(lines(10));
  test("lines end at \\n, \\r\\n or \\r; a last terminator adds no empty line; an empty file has none", () => {
    expect(readLines("a\r\nb\rc\nd")).toEqual(["a", "b", "c", "d"]);
    expect(readLines("a\n")).toEqual(["a"]);
    expect(readLines("")).toEqual([]);
    expect(readLines("\n")).toEqual([""]);
  });
  test("rows (default 1), partitions (round-robin, empty ones dropped), bytes, regexPattern, separator", () => {
    expect(splitRows(["a", "b"], {})).toEqual(["a\n", "b\n"]);
    expect(splitRows(ten, { rows: "4" }).map((b) => b.split("\n").length - 1)).toEqual([4, 4, 2]);
    expect(splitRows(["1", "2", "3", "4", "5"], { partitions: 2 })).toEqual(["1\n3\n5\n", "2\n4\n"]);
    expect(splitRows(["1"], { partitions: 3 })).toEqual(["1\n"]);
    // A batch closes once it holds at least `bytes`.
    expect(splitRows(["aaaa", "bb", "cc", "d"], { bytes: "5" })).toEqual(["aaaa\n", "bb\ncc\n", "d\n"]);
    expect(splitRows(["x:1", "y:2", "x:3", "none"], { regexPattern: "^(\\w):" })).toEqual(["x:1\nx:3\n", "y:2\n"]);
    expect(splitRows(["a", "b"], { rows: 2, separator: ";" })).toEqual(["a;b;"]);
    expect(() => splitRows(ten, { rows: 0 }, "batch.")).toThrow("batch.rows must be a positive integer");
    expect(parseBytes("10KB")).toBe(10240);
    expect(parseBytes("2mb")).toBe(2 * 1024 * 1024);
    expect(() => parseBytes("ten")).toThrow("Invalid size with value 'ten'");
  });
});

describe("restart (Kestra's restartBehavior)", () => {
  const kv = () => createKvStore(e.tern.db);
  // Fails a batch holding "gated" until the namespace's KV `<flow id>_gate` is "open".
  const gatedChild = (id: string) => `id: ${id}
namespace: ${NS}
inputs:
  - id: items
    type: STRING
outputs:
  - id: content
    type: STRING
    value: "{{ outputs.show.value }}"
tasks:
  - id: gate
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ (read(inputs.items) contains 'gated') and kv('${id}_gate', errorOnMissing=false) != 'open' }}"
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.items) }}"
`;
  const parent = (id: string, childId: string, props = "") => `id: ${id}
namespace: ${NS}
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: 2
    namespace: ${NS}
    flowId: ${childId}
    inputs:
      items: "{{ taskrun.items }}"
${props}
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.each_items.iterations.SUCCESS }} of {{ outputs.each_items.numberOfBatches }}"
`;
  const merged = async (o: { run(id: string): { outputs: Record<string, unknown> | null } }) => {
    const uri = o.run("each_merge").outputs!.subflowOutputs as string;
    return new TextDecoder().decode(await e.tern.storage.get(uri.replace("kestra:///", ""))).trimEnd().split("\n").map((l) => JSON.parse(l));
  };

  test("RETRY_FAILED (default): the failed children are restarted in place, the one that succeeded is not run again", async () => {
    await e.deploy(gatedChild("gated"));
    const first = await e.run(parent("fei-restart", "gated"), { inputs: { file: await upload("a 1\na 2\ngated 3\na 4\ngated 5\n") } });
    expect(first.execution.state).toBe("FAILED");
    const before = first.run("each_items");
    expect(before.outputs).toMatchObject({ numberOfBatches: 3, iterations: { SUCCESS: 1, FAILED: 2 } });
    const ids = before.plan!.children!;
    const kids = await childrenOf(before);
    expect(kids.map((c) => c.execution.state)).toEqual(["SUCCESS", "FAILED", "FAILED"]);

    // The cause is fixed; the restart re-runs what failed.
    await kv().set(NS, "gated_gate", "open");
    await e.tern.service.restart(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.taskIds()).toEqual(["each", "each_split", "each_items", "each_merge", "after"]);
    expect(o.run("each_split").id).toBe(first.run("each_split").id);
    const items = o.run("each_items");
    expect(items.id).toBe(before.id);
    expect(items.plan!.children).toEqual(ids);
    expect(items.outputs).toEqual({
      numberOfBatches: 3, iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 3 }, subflowOutputsBaseUri: before.outputs!.subflowOutputsBaseUri,
    });
    expect(items.attempts.map((a) => a.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(history(items)).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
    expect(o.logsOf("after")).toEqual(["3 of 3"]);
    expect(await merged(o)).toEqual([{ content: "a 1\na 2\n" }, { content: "gated 3\na 4\n" }, { content: "gated 5\n" }]);

    const after = await Promise.all(ids.map((id) => e.ended(id)));
    expect(after.map((c) => c.execution.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
    // The first batch's child is the same execution, untouched; the others went through RESTARTED.
    expect(after[0].execution.histories).toEqual(kids[0].execution.histories);
    expect(after[0].runs.map((r) => r.attempts.length)).toEqual([1, 1]);
    for (const c of after.slice(1)) {
      expect(history(c.execution)).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
      expect(c.run("gate").attempts.map((a) => a.state.current)).toEqual(["FAILED", "SUCCESS"]);
      expect(c.run("show").state).toBe("SUCCESS");
    }
  });

  test("a batch whose child never started (its flow was missing) gets a new child execution on restart", async () => {
    const first = await e.run(parent("fei-restart-missing", "late"), { inputs: { file: await upload("x 1\nx 2\nx 3\n") } });
    expect(first.execution.state).toBe("FAILED");
    expect(first.logsOf("each_items").join("\n")).toContain("Unable to find flow 'engine.fei'.'late'");
    // The failed step's attempt ends FAILED with it.
    expect(first.run("each_items").attempts.map((a) => a.state.current)).toEqual(["FAILED"]);
    const before = first.run("each_items").plan!.children!;
    for (const id of before) expect(await loadExecution(e.tern.db, id)).toBeUndefined();

    await e.deploy(gatedChild("late"));
    await e.tern.service.restart(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    const ids = o.run("each_items").plan!.children!;
    expect(ids).toHaveLength(2);
    expect(ids.filter((id) => before.includes(id))).toEqual([]);
    expect((await Promise.all(ids.map((id) => e.ended(id)))).map((c) => c.execution.state)).toEqual(["SUCCESS", "SUCCESS"]);
    expect(await merged(o)).toEqual([{ content: "x 1\nx 2\n" }, { content: "x 3\n" }]);
  });

  test("NEW_EXECUTION: a new child execution per batch, on the child flow's latest revision", async () => {
    await e.deploy(gatedChild("flaky"));
    const first = await e.run(parent("fei-restart-new", "flaky", "    restartBehavior: NEW_EXECUTION"), { inputs: { file: await upload("a 1\na 2\ngated 3\n") } });
    expect(first.execution.state).toBe("FAILED");
    const old = first.run("each_items").plan!.children!;

    // The child flow is fixed by a new revision (a restarted child would keep its old one).
    await e.deploy(gatedChild("flaky").replace("contains 'gated'", "contains 'never'"));
    await e.tern.service.restart(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    const ids = o.run("each_items").plan!.children!;
    expect(ids.filter((id) => old.includes(id))).toEqual([]);
    const kids = await Promise.all(ids.map((id) => e.ended(id)));
    expect(kids.map((c) => [c.execution.state, c.execution.flowRevision])).toEqual([["SUCCESS", 2], ["SUCCESS", 2]]);
    expect((await Promise.all(old.map((id) => e.ended(id)))).map((c) => c.execution.state)).toEqual(["SUCCESS", "FAILED"]);
    expect(o.run("each_items").attempts.map((a) => a.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(await merged(o)).toEqual([{ content: "a 1\na 2\n" }, { content: "gated 3\n" }]);
  });

  test("Subflow: the failed child execution is restarted in place", async () => {
    await e.deploy(gatedChild("sub"));
    const file = await upload("gated\n");
    const first = await e.run(`id: subflow-restart
namespace: ${NS}
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: ${NS}
    flowId: sub
    inputs:
      items: "${file}"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.call.outputs.content }}"
`);
    expect(first.execution.state).toBe("FAILED");
    const childId = first.run("call").outputs!.executionId as string;
    await kv().set(NS, "sub_gate", "open");
    await e.tern.service.restart(first.execution.id);
    const o = await e.ended(first.execution.id);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("call").outputs).toEqual({ executionId: childId, state: "SUCCESS", outputs: { content: "gated\n" } });
    expect(o.run("call").attempts.map((a) => a.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(o.logsOf("after")).toEqual(["gated\n"]);
    expect(history((await e.ended(childId)).execution)).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
  });
});
