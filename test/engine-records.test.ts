// Tasks on other executions' records, through the real engine on a real database file:
// PurgeExecutions, PurgeLogs, Count and log.Fetch, and the namespace reach they are held to.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEngine, type Engine } from "./helpers/engine.ts";
import { loadExecution } from "../src/store/executions.ts";
import { executionLogs } from "../src/store/logs.ts";
import { executionPrefix } from "../src/files/uri.ts";

let e: Engine;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const flow = (ns: string, id: string, tasks: string) => `id: ${id}\nnamespace: ${ns}\ntasks:\n${tasks}`;
/** A flow that leaves an execution with a file, an INFO and a DEBUG line. */
const worker = (ns: string, id = "work") => flow(ns, id, `  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "data of {{ execution.id }}"
    extension: .txt
  - id: info
    type: io.kestra.plugin.core.log.Log
    message: "info line"
  - id: debug
    type: io.kestra.plugin.core.log.Log
    level: DEBUG
    message: "debug line"
`);
const waiting = (ns: string) => flow(ns, "waits", `  - id: hold
    type: io.kestra.plugin.core.flow.Pause
`);
const purge = (ns: string, props: string) => flow(ns, `purge_${Math.random().toString(36).slice(2, 8)}`, `  - id: purge
    type: io.kestra.plugin.core.execution.PurgeExecutions
    endDate: "{{ now() | dateAdd(1, 'MINUTES') }}"
${props}`);

/** The files stored under an execution (its namespace and flow are remembered: it may be purged). */
const where = new Map<string, { namespace: string; flowId: string }>();
async function filesOf(id: string) {
  if (!where.has(id)) where.set(id, (await loadExecution(e.tern.db, id))!);
  return e.tern.storage.list(executionPrefix({ ...where.get(id)!, executionId: id }));
}

describe("PurgeExecutions", () => {
  test("a system flow purges finished executions with their task runs, logs and files; a paused one stays", async () => {
    const done = [(await e.run(worker("purge.one"))).execution.id, (await e.run(worker("purge.one.child"))).execution.id];
    for (const id of done) expect((await filesOf(id)).length).toBe(1);
    const paused = await e.start(waiting("purge.one"));
    await e.until(paused, (o) => o.execution.state === "PAUSED");
    const kept = (await e.run(worker("purge.other"))).execution.id;

    const o = await e.run(purge("system", "    namespace: purge.one"));
    expect(o.execution.state).toBe("SUCCESS");
    // 2 executions, 2 × 2 log lines (INFO + DEBUG), 2 files.
    expect(o.run("purge").outputs).toEqual({ executionsCount: 2, logsCount: 4, metricsCount: 0, storagesCount: 2 });
    for (const id of done) {
      expect(await loadExecution(e.tern.db, id)).toBeUndefined();
      expect(await executionLogs(e.tern.db, id)).toEqual([]);
      expect(await filesOf(id)).toEqual([]);
    }
    expect((await e.read(paused)).execution.state).toBe("PAUSED");
    expect((await e.read(kept)).execution.state).toBe("SUCCESS");
    expect((await filesOf(kept)).length).toBe(1);
    await e.tern.service.kill(paused);
  });

  test("the date range, states, batches and purgeExecution: false (logs only)", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await e.run(worker("purge.two"))).execution.id);
    const failed = (await e.run(flow("purge.two", "fails", "  - id: f\n    type: io.kestra.plugin.core.execution.Fail\n"))).execution.id;
    // Nothing created before the start of the range goes.
    const future = await e.run(flow("purge.two", "later", `  - id: p
    type: io.kestra.plugin.core.execution.PurgeExecutions
    namespace: purge.two
    startDate: "{{ now() | dateAdd(1, 'MINUTES') }}"
    endDate: "{{ now() | dateAdd(2, 'MINUTES') }}"
`));
    expect(future.run("p").outputs).toMatchObject({ executionsCount: 0 });
    const logsOnly = await e.run(purge("purge.two", "    namespace: purge.two\n    flowId: work\n    purgeExecution: false\n    purgeStorage: false\n    batchSize: 2"));
    expect(logsOnly.run("purge").outputs).toEqual({ executionsCount: 0, logsCount: 10, metricsCount: 0, storagesCount: 0 });
    for (const id of ids) expect((await e.read(id)).execution.state).toBe("SUCCESS");
    const onlyFailed = await e.run(purge("purge.two", "    namespace: purge.two\n    states: [FAILED, RUNNING]\n    batchSize: 2"));
    expect(onlyFailed.run("purge").outputs).toMatchObject({ executionsCount: 1 });
    expect(onlyFailed.logsOf("purge").join("\n")).toContain("unfinished executions are never purged: RUNNING ignored");
    expect(await loadExecution(e.tern.db, failed)).toBeUndefined();
    for (const id of ids) expect((await e.read(id)).execution.state).toBe("SUCCESS");
  });

  test("a flow reaches its own namespace and those below it, not its siblings or everything", async () => {
    const child = (await e.run(worker("team.a.etl"))).execution.id;
    const sibling = (await e.run(worker("team.ab"))).execution.id;
    const own = await e.run(purge("team.a", "    namespace: team.a"));
    expect(own.run("purge").outputs).toMatchObject({ executionsCount: 1 });
    expect(await loadExecution(e.tern.db, child)).toBeUndefined();
    expect((await e.read(sibling)).execution.state).toBe("SUCCESS");
    for (const props of ["    namespace: team.ab", "    namespace: team", ""]) {
      const o = await e.run(purge("team.a", props));
      expect(o.execution.state).toBe("FAILED");
      expect(o.logsOf("purge").join("\n")).toContain("is out of reach of a flow in 'team.a'");
    }
    expect((await e.read(sibling)).execution.state).toBe("SUCCESS");
  });

  test("bad properties fail validation or the task with the property named", async () => {
    await expect(e.deploy(purge("system", "    flowId: x"))).rejects.toThrow("`flowId` needs `namespace`");
    const o = await e.run(flow("system", "bad_date", "  - id: p\n    type: io.kestra.plugin.core.execution.PurgeExecutions\n    endDate: yesterday\n"));
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("p").join("\n")).toContain('endDate: "yesterday" is not a date');
  });
});

test("PurgeLogs deletes lines in bulk by level, namespace and date", async () => {
  const a = (await e.run(worker("logs.one"))).execution.id;
  const b = (await e.run(worker("logs.other"))).execution.id;
  const o = await e.run(flow("logs.one", "purge_logs", `  - id: p
    type: io.kestra.plugin.core.log.PurgeLogs
    namespace: logs.one
    logLevels: [DEBUG]
    endDate: "{{ now() | dateAdd(1, 'MINUTES') }}"
`));
  expect(o.run("p").outputs).toEqual({ count: 1 });
  expect((await executionLogs(e.tern.db, a)).map((l) => l.message)).toContain("info line");
  expect((await executionLogs(e.tern.db, a)).map((l) => l.message)).not.toContain("debug line");
  expect((await executionLogs(e.tern.db, b)).map((l) => l.message)).toContain("debug line");
});

test("Count lists each named flow (0 included) and keeps the lines its expression accepts", async () => {
  await e.run(worker("count.ns", "busy"));
  await e.run(worker("count.ns", "busy"));
  await e.deploy(worker("count.ns", "idle"));
  const counts = (expression: string, extra = "") => e.run(flow("count.ns", `counter_${Math.random().toString(36).slice(2, 8)}`, `  - id: c
    type: io.kestra.plugin.core.execution.Count
    expression: "${expression}"
    startDate: "{{ now() | dateAdd(-1, 'DAYS') }}"
    flows:
      - namespace: count.ns
        flowId: busy
      - namespace: count.ns
        flowId: idle
${extra}`));
  expect((await counts("{{ count == 0 }}")).run("c").outputs).toEqual({ results: [{ namespace: "count.ns", flowId: "idle", count: 0 }], total: 1 });
  expect((await counts("{{ count >= 1 }}")).run("c").outputs).toEqual({ results: [{ namespace: "count.ns", flowId: "busy", count: 2 }], total: 1 });
  expect((await counts("{{ count == 0 }}", "    states: [FAILED]\n")).run("c").outputs).toMatchObject({ total: 2 });
  const outside = await e.run(flow("count.ns", "peek", `  - id: c
    type: io.kestra.plugin.core.execution.Count
    expression: "{{ count > 0 }}"
    startDate: "{{ now() | dateAdd(-1, 'DAYS') }}"
    namespaces: [logs]
`));
  expect(outside.execution.state).toBe("FAILED");
});

test("log.Fetch writes an execution's lines at a level and above to a file", async () => {
  const o = await e.run(flow("fetch.ns", "fetcher", `  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: careful
  - id: info
    type: io.kestra.plugin.core.log.Log
    message: fine
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
    level: WARN
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.fetch.uri) }}"
`));
  expect(o.execution.state).toBe("SUCCESS");
  expect(o.run("fetch").outputs?.size).toBe(1);
  const lines = String(o.run("read").outputs?.value).trim().split("\n").map((l) => JSON.parse(l));
  expect(lines).toEqual([expect.objectContaining({ taskId: "warn", level: "WARN", message: "careful" })]);
  const other = await e.run(flow("elsewhere", "fetcher", `  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
    executionId: ${o.execution.id}
`));
  expect(other.execution.state).toBe("FAILED");
  expect(other.logsOf("fetch").join("\n")).toContain("namespace 'fetch.ns' is out of reach of a flow in 'elsewhere'");
});

test("Assert passes when every condition is truthy, and names each failed one", async () => {
  const ok = await e.run(flow("assert.ns", "passes", `  - id: check
    type: io.kestra.plugin.core.execution.Assert
    conditions:
      - "{{ 1 + 1 == 2 }}"
      - "{{ flow.id }}"
`));
  expect(ok.execution.state).toBe("SUCCESS");
  const bad = await e.run(flow("assert.ns", "fails", `  - id: check
    type: io.kestra.plugin.core.execution.Assert
    errorMessage: arithmetic is broken
    conditions:
      - "{{ 1 + 1 == 3 }}"
      - "{{ 2 > 1 }}"
      - "{{ null }}"
`));
  expect(bad.execution.state).toBe("FAILED");
  const lines = bad.logsOf("check").join("\n");
  expect(lines).toContain("Assertion `{{ 1 + 1 == 3 }}` failed!");
  expect(lines).toContain("Assertion `{{ null }}` failed!");
  expect(lines).not.toContain("{{ 2 > 1 }}");
  expect(lines).toContain("2 assertions failed!\narithmetic is broken");
});

test("PurgeKV deletes expired keys by default, by pattern when asked, within the flow's reach", async () => {
  const setKeys = (ns: string) => e.run(flow(ns, "setter", `  - id: stale
    type: io.kestra.plugin.core.kv.Set
    key: stale
    value: old
    ttl: PT0.001S
  - id: fresh
    type: io.kestra.plugin.core.kv.Set
    key: tmp_fresh
    value: new
  - id: keep
    type: io.kestra.plugin.core.kv.Set
    key: keep
    value: kept
`));
  for (const ns of ["kv.team", "kv.team.sub", "kv.other"]) expect((await setKeys(ns)).execution.state).toBe("SUCCESS");
  await Bun.sleep(20);
  const purgeKv = (props: string) => e.run(flow("kv.team", `purge_kv_${Math.random().toString(36).slice(2, 8)}`, `  - id: p
    type: io.kestra.plugin.core.kv.PurgeKV
${props}`));
  const keys = async (ns: string) => (await e.tern.db.$client.execute({ sql: "SELECT key FROM kv WHERE namespace = ? ORDER BY key", args: [ns] })).rows.map((r) => r.key);
  expect((await purgeKv("    namespaces: [kv.team]")).run("p").outputs).toEqual({ size: 2 });
  expect(await keys("kv.team")).toEqual(["keep", "tmp_fresh"]);
  expect(await keys("kv.team.sub")).toEqual(["keep", "tmp_fresh"]);
  expect(await keys("kv.other")).toEqual(["keep", "stale", "tmp_fresh"]);
  expect((await purgeKv("    namespaces: [kv.team]\n    includeChildNamespaces: false\n    expiredOnly: false\n    keyPattern: \"tmp_*\"")).run("p").outputs).toEqual({ size: 1 });
  expect(await keys("kv.team")).toEqual(["keep"]);
  expect(await keys("kv.team.sub")).toEqual(["keep", "tmp_fresh"]);
  for (const props of ["    namespaces: [kv.other]", "    namespacePattern: \"kv.*\""]) {
    const o = await purgeKv(props);
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("p").join("\n")).toContain("out of reach of a flow in 'kv.team'");
  }
  expect(await keys("kv.other")).toEqual(["keep", "stale", "tmp_fresh"]);
});
