// Failures across real processes: kill -9 of the instance running a task (another instance
// finishes it once the task's lease expires), and every instance down for a while (missed
// schedules recovered per recoverMissedSchedules when one comes back).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";
import { createTernScheduler, createTernTriggerAdmin } from "../src/scheduler/index.ts";
import { observe, startNode, until, type Node } from "./helpers/cluster.ts";

const dirs: string[] = [];
const nodes: Node[] = [];
afterAll(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) await n.kill9();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(flows: string) {
  const d = mkdtempSync(join(tmpdir(), "tern-recovery-"));
  dirs.push(d);
  writeFileSync(join(d, "flows.yaml"), flows);
  return d;
}
async function node(id: string, env: Record<string, string>) {
  const n = await startNode(id, env);
  nodes.push(n);
  return n;
}

const SLOW = `id: slow
namespace: cluster
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT4S
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: done
triggers:
  - id: yearly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 1 1 *"
`;

// The engine's task-run lease is 30 s (not configurable yet), so recovery takes ~35 s.
test("kill -9 of the instance running a task: another instance finishes the execution", async () => {
  const dir = tempDir(SLOW);
  const env = { TERN_DATA: dir, TERN_FLOWS_FILE: join(dir, "flows.yaml") };
  const a = await node("node-a", env);
  // One execution, fired by node-a's scheduler: a backfill of the one slot of 2026-01-01.
  const tern = await createTern(loadConfig({ data: dir }, {}), {});
  await createTernScheduler(tern, { owner: "test" }).syncFlow("cluster", "slow");
  await createTernTriggerAdmin(tern).backfill({ namespace: "cluster", flowId: "slow", triggerId: "yearly" }, { start: "2026-01-01T00:00:00Z", end: "2026-01-01T00:00:00Z" });
  await tern.close();
  const db = observe(`file:${join(dir, "tern.db")}`);
  await until("node-a to run the nap", async () =>
    (await db.execute("SELECT 1 FROM task_runs WHERE task_id = 'nap' AND state = 'RUNNING' AND owner = 'node-a'")).rows.length > 0);
  const b = await node("node-b", env);
  await a.kill9();
  const ex = await until("the execution to succeed", async () => {
    const rs = await db.execute("SELECT id, state FROM executions WHERE flow_id = 'slow'");
    return rs.rows[0]?.state === "SUCCESS" ? rs.rows[0] : undefined;
  }, 90_000, 250);
  const runs = await db.execute({ sql: "SELECT task_id, state, attempts FROM task_runs WHERE execution_id = ? ORDER BY seq", args: [ex.id] });
  db.close();
  expect(runs.rows.map((r) => [r.task_id, r.state])).toEqual([["nap", "SUCCESS"], ["after", "SUCCESS"]]);
  // The nap ran twice: attempt 1 died with node-a, attempt 2 ran on node-b.
  expect(JSON.parse(String(runs.rows[0].attempts)).length).toBe(2);
  await b.stop();
}, 120_000);

const perSecond = (id: string, policy: string) => `id: ${id}
namespace: cluster
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: tick
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
    recoverMissedSchedules: ${policy}
`;

test("every instance down for 6 s: missed slots come back per recoverMissedSchedules", async () => {
  const dir = tempDir([perSecond("rec_all", "ALL"), perSecond("rec_last", "LAST"), perSecond("rec_none", "NONE")].join("---\n"));
  // A slot more than 2 s old when first seen counts as missed (default 10 s).
  const env = { TERN_DATA: dir, TERN_FLOWS_FILE: join(dir, "flows.yaml"), TERN_MISSED_AFTER_MS: "2000" };
  const first = await node("node-1", env);
  await Bun.sleep(3_000);
  await first.stop();
  const downAt = Date.now();
  await Bun.sleep(6_000);
  const second = await node("node-2", env);
  await Bun.sleep(3_000);
  await second.stop();
  const db = observe(`file:${join(dir, "tern.db")}`);
  const slots = async (flow: string) => (await db.execute({ sql: "SELECT dedup_key FROM executions WHERE flow_id = ?", args: [flow] })).rows
    .map((r) => Date.parse(String(r.dedup_key).split(":tick:")[1])).sort((x, y) => x - y);
  const [all, last, none] = [await slots("rec_all"), await slots("rec_last"), await slots("rec_none")];
  db.close();
  // ALL: no gap at all, each slot once.
  for (let i = 1; i < all.length; i++) expect(all[i] - all[i - 1]).toBe(1000);
  const missed = all.filter((s) => s > downAt + 1000 && s < downAt + 4000);
  expect(missed.length).toBe(3);
  // NONE lost the slots older than 2 s at restart; LAST got exactly one of them back.
  expect(all.length - none.length).toBeGreaterThanOrEqual(3);
  expect(last.length).toBe(none.length + 1);
  for (const s of none) expect(all).toContain(s);
}, 60_000);
