// Engine overhead: ms per task for 200 sequential Return tasks and a ForEach over 1,000 values,
// beside the time of one single-row write transaction on the same database, same run.
// Usage: bun bench/engine-overhead.ts [--dry]   (appends to bench/RESULTS.md unless --dry)
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";

const dir = mkdtempSync(join(tmpdir(), "tern-bench-"));
const tern = await createTern(loadConfig({ data: dir }, {}), {});
const c = tern.db.$client;

// Baseline: one single-row write transaction, as the engine's writes are.
await c.execute("CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, v TEXT)");
const N = 2000;
let t = performance.now();
for (let i = 0; i < N; i++) await c.execute({ sql: "INSERT INTO bench_scratch (v) VALUES (?)", args: [`row ${i}`] });
const writeMs = (performance.now() - t) / N;

const seqTasks = Array.from({ length: 200 }, (_, i) => `  - id: r${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }}"`).join("\n");
const seqFlow = `id: bench-seq\nnamespace: bench\ntasks:\n${seqTasks}\n`;
const eachFlow = `id: bench-each\nnamespace: bench\ntasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ range(1, 1000) }}"
    concurrencyLimit: 0
    tasks:
      - id: r
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
`;

tern.service.start(1000);
async function timeFlow(source: string): Promise<{ ms: number; tasks: number; state: string }> {
  const { model } = await tern.flows.save(source, "bench.yaml");
  const t0 = performance.now();
  const ex = await tern.service.create({ flow: model });
  const done = await tern.service.waitFor(ex.id);
  const ms = performance.now() - t0;
  const rs = await c.execute({ sql: "SELECT count(*) n FROM task_runs WHERE execution_id = ?", args: [ex.id] });
  return { ms, tasks: Number(rs.rows[0].n), state: done.state };
}

/** Median of `n` runs after two warm-up runs (JIT, caches): one run is too noisy on a shared machine. */
async function medianOf(source: string, n = 7) {
  await timeFlow(source);
  await timeFlow(source);
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await timeFlow(source));
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(n / 2)];
}
const seq = await medianOf(seqFlow);
const each = await medianOf(eachFlow);
await tern.close();
rmSync(dir, { recursive: true, force: true });

const row = (name: string, r: { ms: number; tasks: number; state: string }) => {
  const per = r.ms / r.tasks;
  return `| ${name} | ${r.state} | ${r.tasks} | ${r.ms.toFixed(0)} | ${per.toFixed(3)} | ${(per / writeMs).toFixed(1)} |`;
};
const report = [
  `\n## Engine overhead (${new Date().toISOString()})`,
  "",
  `Baseline: one single-row write transaction = ${writeMs.toFixed(4)} ms (mean of ${N}, same database file, WAL).`,
  "",
  "| flow | state | task runs | total ms | ms / task run | writes-equivalent / task run |",
  "|---|---|---|---|---|---|",
  row("200 sequential Return", seq),
  row("ForEach 1,000 values (concurrencyLimit 0)", each),
  "",
  "Each flow: median of 7 executions after 2 warm-up ones.",
  "",
  "Target: under 5 write-equivalents per task run.",
].join("\n");
console.log(report);
if (!process.argv.includes("--dry")) appendFileSync(join(import.meta.dir, "RESULTS.md"), report + "\n");
