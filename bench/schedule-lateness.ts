// Schedule lateness: how long after its due time each slot's execution is created, for
// per-second triggers over a couple of minutes (p50 / p99 / max), with the executions also
// running in the same process. Lateness = executions.created_at − slot time.
// Usage: bun bench/schedule-lateness.ts [seconds=120] [triggers=5]   (appends to bench/RESULTS.md)
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";
import { createTernScheduler } from "../src/scheduler/index.ts";

const SECONDS = Number(process.argv[2] ?? 120);
const TRIGGERS = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), "tern-bench-sched-"));
const tern = await createTern(loadConfig({ data: dir }, {}), {});
for (let i = 0; i < TRIGGERS; i++) {
  await tern.flows.save(`id: every_second_${i}
namespace: bench.schedule
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
triggers:
  - id: tick
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * * *"
    withSeconds: true
`);
}
tern.service.start();
const scheduler = createTernScheduler(tern, { owner: "bench" });
scheduler.start();
await Bun.sleep(SECONDS * 1000);
await scheduler.stop();

const rs = await tern.db.$client.execute("SELECT dedup_key, created_at FROM executions WHERE dedup_key LIKE 'schedule:%'");
const late = rs.rows.map((r) => Number(r.created_at) - Date.parse(String(r.dedup_key).split(":tick:")[1])).sort((a, b) => a - b);
const slots = new Set(rs.rows.map((r) => String(r.dedup_key).split(":tick:")[1])).size;
const pct = (p: number) => late[Math.min(late.length - 1, Math.floor((p / 100) * late.length))];
await tern.close();
rmSync(dir, { recursive: true, force: true });

const report = `
## Schedule lateness (bench/schedule-lateness.ts) — ${new Date().toISOString().slice(0, 16)}Z

Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Bun ${Bun.version}; one instance, embedded database file, ${TRIGGERS} per-second triggers for ${SECONDS} s (${late.length} executions over ${slots} slots), executions run in the same process. Lateness = execution created − slot due time.

| p50 | p99 | max | Target |
|---|---|---|---|
| ${pct(50)} ms | **${pct(99)} ms** | ${late.at(-1)} ms | p99 < 100 ms |
`;
console.log(report);
appendFileSync(join(import.meta.dir, "RESULTS.md"), report);
