// A restart of the process in the middle of a run, at the engine level: a child Bun process runs
// createTern + the execution service on a data dir; we kill -9 it mid-ForEach, start a fresh one
// on the same dir, kill -9 that one while a delayed Pause waits (the delay passes while nothing
// runs), start a third, and check the execution finishes SUCCESS with every task run that had
// finished before a kill unchanged (same id, attempts, outputs, logs) and no task run doubled.
import { afterAll, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskRun } from "../src/engine/model.ts";
import { isTerminal } from "../src/engine/states.ts";
import { databaseUrlFor, openDatabase, type Db } from "../src/store/db.ts";
import { loadExecution, loadTaskRuns } from "../src/store/executions.ts";
import { executionLogs } from "../src/store/logs.ts";

const ROOT = join(import.meta.dir, "..");
const FLOW = `id: durable
namespace: engine.restart
tasks:
  - id: r1
    type: io.kestra.plugin.core.debug.Return
    format: "start {{ execution.id }}"
  - id: s1
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
  - id: l1
    type: io.kestra.plugin.core.log.Log
    message: "after s1 {{ execution.id }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c", "d"]
    concurrencyLimit: 2
    tasks:
      - id: ret
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}-{{ outputs.r1.value }}"
      - id: nap
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT0.8S
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
    delay: PT1S
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: p1
        type: io.kestra.plugin.core.debug.Return
        format: p1
      - id: p2
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT0.2S
  - id: r2
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.r1.value }} then {{ outputs.ret['d'].value }}"
  - id: l3
    type: io.kestra.plugin.core.log.Log
    message: "done {{ outputs.r2.value }}"
`;

interface EngineProc {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output(): string;
}

const dir = mkdtempSync(join(tmpdir(), "tern-engine-restart-"));
const procs: EngineProc[] = [];
let db: Db | undefined;
afterAll(async () => {
  for (const p of procs) if (p.proc.exitCode === null) (p.proc.kill(9), await p.proc.exited);
  db?.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startEngine(env: Record<string, string>): Promise<EngineProc & { executionId?: string }> {
  const proc = Bun.spawn([process.execPath, "test/helpers/engine-node.ts"], {
    cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe",
    env: { ...process.env, TERN_DATA: dir, TERN_LEASE_MS: "2000", TERN_TICK_MS: "100", ...env },
  });
  let out = "";
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s as unknown as AsyncIterable<Uint8Array>) {
      out += new TextDecoder().decode(chunk);
      if (/^ready$/m.test(out)) ready();
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  await Promise.race([started, proc.exited.then((code) => Promise.reject(new Error(`engine exited ${code}:\n${out}`)))]);
  const p = { proc, output: () => out, executionId: /^execution (\S+)$/m.exec(out)?.[1] };
  procs.push(p);
  return p;
}

async function kill9(p: EngineProc) {
  p.proc.kill(9);
  await p.proc.exited;
}

async function runs(id: string): Promise<TaskRun[]> {
  return (await loadTaskRuns(db!, id)).sort((a, b) => a.seq - b.seq);
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** Every running task run's lease ends within `ms` (database time). */
async function leasesWithin(id: string, ms: number): Promise<boolean> {
  const rs = await db!.$client.execute({
    sql: `SELECT count(*) AS n FROM task_runs WHERE execution_id = ? AND state = 'RUNNING' AND owner IS NOT NULL
          AND lease_until > CAST(unixepoch('subsec') * 1000 AS INTEGER) + ?`,
    args: [id, ms],
  });
  return Number(rs.rows[0].n) === 0;
}

/** The finished task runs and their log lines, as they stand now. */
async function snapshot(id: string) {
  const done = (await runs(id)).filter((r) => isTerminal(r.state));
  const logs = await executionLogs(db!, id);
  return done.map((r) => ({
    id: r.id, taskId: r.taskId, value: r.value, state: r.state, attempts: r.attempts.length, outputs: r.outputs, endDate: r.endDate,
    logs: logs.filter((l) => l.taskRunId === r.id).map((l) => `${l.attempt}|${l.timestamp}|${l.message}`),
  }));
}

test("kill -9 mid-ForEach and again mid-Pause: the execution resumes and finishes; nothing that had finished runs again", async () => {
  const flowFile = join(dir, "durable.yaml");
  writeFileSync(flowFile, FLOW);
  const first = await startEngine({ TERN_FLOW_FILE: flowFile, TERN_RUN: "engine.restart/durable", TERN_INSTANCE_ID: "first" });
  const id = first.executionId!;
  expect(id).toBeDefined();
  db = await openDatabase({ url: databaseUrlFor(dir) });

  // Mid-ForEach: the first value's Return has finished and a Sleep is running (leased for
  // TERN_LEASE_MS, so the next process takes over after about two seconds).
  await until("the ForEach to be half-way", async () => {
    const rs = await runs(id);
    return rs.some((r) => r.taskId === "ret" && r.state === "SUCCESS") && rs.some((r) => r.taskId === "nap" && r.state === "RUNNING")
      && (await leasesWithin(id, 2_500));
  });
  const before1 = await snapshot(id);
  await kill9(first);
  expect(isTerminal((await loadExecution(db, id))!.state)).toBe(false);
  expect(before1.map((r) => r.taskId)).toEqual(expect.arrayContaining(["r1", "s1", "l1", "ret"]));
  const interrupted = (await runs(id)).filter((r) => !isTerminal(r.state) && r.taskId === "nap").map((r) => r.id);
  expect(interrupted.length).toBeGreaterThan(0);

  const second = await startEngine({ TERN_INSTANCE_ID: "second" });
  await until("the Pause", async () => (await runs(id)).some((r) => r.taskId === "pause" && r.state === "PAUSED"), 30_000);
  const before2 = await snapshot(id);
  await kill9(second);
  // The Pause's delay passes while no process runs.
  await Bun.sleep(1_100);

  const third = await startEngine({ TERN_INSTANCE_ID: "third" });
  const ex = await until("the end", async () => {
    const e = await loadExecution(db!, id);
    const rs = await runs(id);
    return e && isTerminal(e.state) && rs.every((r) => isTerminal(r.state)) ? e : undefined;
  }, 30_000);
  expect(ex.state).toBe("SUCCESS");

  const final = await runs(id);
  const after = new Map((await snapshot(id)).map((r) => [r.id, r]));
  for (const r of [...before1, ...before2]) expect(after.get(r.id)).toEqual(r);
  // One task run per task and loop value: nothing was created twice.
  const keys = final.map((r) => `${r.taskId}|${r.value ?? ""}|${r.parentTaskRunId ?? ""}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(final.filter((r) => !r.parentTaskRunId).map((r) => r.taskId)).toEqual(["r1", "s1", "l1", "each", "pause", "par", "r2", "l3"]);
  const each = final.find((r) => r.taskId === "each")!;
  for (const t of ["ret", "nap"]) {
    const inLoop = final.filter((r) => r.taskId === t);
    expect(inLoop.map((r) => r.value).sort()).toEqual(["a", "b", "c", "d"]);
    expect(inLoop.every((r) => r.parentTaskRunId === each.id)).toBe(true);
  }
  expect(final).toHaveLength(18);
  expect(final.every((r) => r.state === "SUCCESS")).toBe(true);
  // The Sleep that the kill interrupted ran again as a new attempt of the same task run.
  for (const rid of interrupted) expect(final.find((r) => r.id === rid)!.attempts.length).toBeGreaterThanOrEqual(2);
  expect(final.find((r) => r.taskId === "r2")!.outputs).toEqual({ value: `start ${id} then d-start ${id}` });
  const logs = await executionLogs(db, id);
  expect(logs.filter((l) => l.message === `after s1 ${id}`)).toHaveLength(1);
  expect(logs.filter((l) => l.message.startsWith("done start"))).toHaveLength(1);
  const pause = final.find((r) => r.taskId === "pause")!;
  expect(pause.histories.filter((h) => h.state === "PAUSED")).toHaveLength(1);

  third.proc.kill("SIGTERM");
  expect(await third.proc.exited).toBe(0);
}, 90_000);

// Runs claimed as they are created carry the service's lease (TERN_LEASE_MS), so a crash before
// the first renewal is recovered within it.
test("a run claimed as it was created, killed before its first lease renewal, is recovered within TERN_LEASE_MS", async () => {
  const data = mkdtempSync(join(tmpdir(), "tern-engine-lease-"));
  const flowFile = join(data, "lease.yaml");
  writeFileSync(flowFile, "id: lease\nnamespace: engine.restart\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT3S\n");
  const a = await startEngine({ TERN_DATA: data, TERN_FLOW_FILE: flowFile, TERN_RUN: "engine.restart/lease", TERN_TICK_MS: "5000" });
  const own = await openDatabase({ url: databaseUrlFor(data) });
  await until("the Sleep to run", async () => (await loadTaskRuns(own, a.executionId!)).some((r) => r.state === "RUNNING"));
  await kill9(a);
  const b = await startEngine({ TERN_DATA: data });
  const t0 = Date.now();
  await until("recovery", async () => (await loadExecution(own, a.executionId!))?.state === "SUCCESS", 45_000);
  expect(Date.now() - t0).toBeLessThan(6_000);
  await kill9(b);
  own.$client.close();
  rmSync(data, { recursive: true, force: true });
}, 60_000);
