// THE DURABILITY TEST: kill -9 the server while executions run, restart it on the same data
// dir, and check that every accepted execution still succeeds, no task run that had finished
// runs again, and no log line acknowledged before the kill is lost.
//
// Recovery waits for the dead instance's leases to expire: TERN_LEASE_MS=3000 here (30 s by
// default), so the restarted instance takes over after about three seconds.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type ServerProcess } from "./helpers/server.ts";

const FLOW = `id: durable
namespace: dur
tasks:
  - id: r1
    type: io.kestra.plugin.core.debug.Return
    format: "start {{ execution.id }}"
  - id: s1
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
  - id: l1
    type: io.kestra.plugin.core.log.Log
    message: "after s1 {{ execution.id }}"
  - id: s2
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
  - id: r2
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.r1.value }} then r2"
  - id: s3
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
  - id: l3
    type: io.kestra.plugin.core.log.Log
    message: "done {{ outputs.r2.value }}"
`;
const N = 6;
const TERMINAL = new Set(["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED"]);

interface Run { id: string; taskId: string; state: { current: string; histories: unknown[] }; attempts?: unknown[]; outputs?: unknown }
interface Ex { id: string; state: { current: string }; taskRunList: Run[] }

const dir = mkdtempSync(join(tmpdir(), "tern-durable-"));
let server: ServerProcess | undefined;
afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.kill9();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string, id: string): Promise<Ex> => (await fetch(`${url}/api/v1/executions/${id}`)).json();
const logs = async (url: string, id: string): Promise<{ taskRunId: string; timestamp: string; message: string }[]> =>
  (await fetch(`${url}/api/v1/logs/${id}`)).json();
const lineKey = (l: { taskRunId: string; timestamp: string; message: string }) => `${l.taskRunId}|${l.timestamp}|${l.message}`;

test("kill -9 mid-way: every accepted execution succeeds after a restart, nothing finished runs twice, no acknowledged log is lost", async () => {
  const flows = join(dir, "flows");
  mkdirSync(flows);
  writeFileSync(join(flows, "durable.yaml"), FLOW);
  const data = join(dir, "data");
  server = await startServer({ data, flows, env: { TERN_LEASE_MS: "3000" } });

  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const res = await fetch(`${server.url}/api/v1/executions/dur/durable`, { method: "POST" });
    expect(res.status).toBe(200);
    ids.push((await res.json()).id);
  }
  // Mid-way: every execution has finished l1 (some task runs done, logs written) and none has finished.
  let before: Ex[] = [];
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await Bun.sleep(20)) {
    before = await Promise.all(ids.map((id) => get(server!.url, id)));
    if (before.every((ex) => ex.taskRunList.some((r) => r.taskId === "l1" && r.state.current === "SUCCESS"))) break;
  }
  const acknowledged = new Map(await Promise.all(ids.map(async (id) => [id, await logs(server!.url, id)] as const)));
  await server.kill9();
  expect(before.every((ex) => !TERMINAL.has(ex.state.current))).toBe(true);
  const finishedBefore = before.flatMap((ex) => ex.taskRunList.filter((r) => TERMINAL.has(r.state.current)));
  expect(finishedBefore.length).toBeGreaterThanOrEqual(N * 3);
  for (const lines of acknowledged.values()) expect(lines.length).toBeGreaterThan(0);

  server = await startServer({ data, env: { TERN_LEASE_MS: "3000" } });
  const after = new Map<string, Ex>();
  for (const deadline = Date.now() + 75_000; after.size < N && Date.now() < deadline; await Bun.sleep(100)) {
    for (const id of ids) {
      if (after.has(id)) continue;
      const ex = await get(server.url, id);
      if (TERMINAL.has(ex.state.current) && ex.taskRunList.every((r) => TERMINAL.has(r.state.current))) after.set(id, ex);
    }
  }
  expect([...after.values()].map((ex) => ex.state.current)).toEqual(ids.map(() => "SUCCESS"));

  for (const ex of before) {
    const done = after.get(ex.id)!;
    expect(done.taskRunList.map((r) => r.taskId)).toEqual(["r1", "s1", "l1", "s2", "r2", "s3", "l3"]);
    expect(done.taskRunList.find((r) => r.taskId === "r2")!.outputs).toEqual({ value: `start ${ex.id} then r2` });
    for (const r of ex.taskRunList.filter((x) => TERMINAL.has(x.state.current))) {
      // The same run (id), never attempted again, its history untouched.
      const now = done.taskRunList.find((x) => x.id === r.id);
      expect(now).toBeDefined();
      expect(now!.attempts?.length).toBe(r.attempts?.length);
      expect(now!.state).toEqual(r.state);
      expect(now!.outputs).toEqual(r.outputs);
    }
    const lines = (await logs(server.url, ex.id)).map(lineKey);
    for (const l of acknowledged.get(ex.id)!) expect(lines.filter((k) => k === lineKey(l))).toHaveLength(1);
    expect(lines.filter((k) => k.includes("|done start"))).toHaveLength(1);
  }
  expect(await server.stop()).toBe(0);
}, 120_000);
