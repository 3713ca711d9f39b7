// Dashboard server time: the executions list and an execution page with 100,000 executions in
// the database and a real 200-task execution. Measured in-process with app.request() (render +
// queries, no network). Target: under 50 ms each.
// Usage: bun bench/ui-pages.ts   (appends to bench/RESULTS.md)
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";
import { createUi } from "../src/server/ui/index.ts";
import { insertSyntheticExecutions } from "../src/store/bench-fixtures.ts";

const COUNT = 100_000;
const RUNS = 40;
const dir = mkdtempSync(join(tmpdir(), "tern-bench-ui-"));
const tern = await createTern(loadConfig({ data: dir, tick: "50" }, {}), {});
tern.service.start(50);
const ui = createUi({ tern });

let t = performance.now();
await insertSyntheticExecutions(tern.db, {
  count: COUNT, namespaces: ["company.team", "company.data", "acme.ops"], flowIds: ["etl", "report", "sync", "cleanup"],
  newest: Date.now(), stepMs: 30_000,
});
const insertMs = performance.now() - t;

// A real 200-task execution: 200 Log tasks in sequence, run by the engine.
const tasks = Array.from({ length: 200 }, (_, i) => `  - id: t${i}\n    type: io.kestra.plugin.core.log.Log\n    message: "line {{ task.id }}"`).join("\n");
const { model } = await tern.flows.save(`id: big\nnamespace: company.team\ntasks:\n${tasks}\n`);
const big = await tern.service.create({ flow: model });
const done = await tern.service.waitFor(big.id);
if (done.state !== "SUCCESS") throw new Error(`200-task execution ended ${done.state}`);

async function measure(path: string, headers: Record<string, string> = {}) {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const s = performance.now();
    const r = await ui.request(path, { headers });
    await r.text();
    if (r.status !== 200) throw new Error(`${path} -> ${r.status}`);
    if (i >= 5) times.push(performance.now() - s); // the first runs warm the JIT and caches
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)] };
}

const cases: [string, string, Record<string, string>?][] = [
  ["Executions list, page 1 (100,000 rows)", "/ui/executions"],
  ["Executions list, page 1, htmx fragment", "/ui/executions", { "HX-Request": "true" }],
  ["Executions list, page 200", "/ui/executions?page=200"],
  ["Executions list, state=FAILED + namespace", "/ui/executions?state=FAILED&namespace=company"],
  ["Executions list, label filter", "/ui/executions?label=batch:b7"],
  ["Execution page, 200 task runs (Gantt + tree)", `/ui/executions/${big.id}`],
  ["Execution live fragment, 200 task runs", `/ui/executions/${big.id}/live?tab=gantt`, { "HX-Request": "true" }],
  ["Execution logs tab, 200 lines", `/ui/executions/${big.id}/logs`],
  ["Execution topology tab, 200 tasks (layout cached)", `/ui/executions/${big.id}/topology`],
  ["Overview", "/"],
];
const rows: string[] = [];
for (const [name, path, headers] of cases) {
  const m = await measure(path, headers);
  rows.push(`| ${name} | ${m.p50.toFixed(1)} | ${m.p95.toFixed(1)} |`);
  console.log(name, m.p50.toFixed(1), m.p95.toFixed(1));
}
t = performance.now();
const { buildTopology } = await import("../src/server/ui/graph.ts");
buildTopology(model);
const layoutMs = performance.now() - t;

const report = `
## Dashboard pages (bench/ui-pages.ts) — ${new Date().toISOString().slice(0, 16)}Z

${COUNT.toLocaleString("en-US")} executions bulk-inserted in ${(insertMs / 1000).toFixed(1)} s, plus one real 200-task execution (200 Log tasks).
Server time per request in-process (app.request: queries + rendering, no network), ${RUNS} runs after 5 warm-up runs.

| Page | p50 ms | p95 ms |
|---|---|---|
${rows.join("\n")}

Topology layout of the 200-task flow, uncached (dagre): ${layoutMs.toFixed(1)} ms. Target: under 50 ms per page.
`;
appendFileSync(join(import.meta.dir, "RESULTS.md"), report);
console.log(report);
await tern.close();
rmSync(dir, { recursive: true, force: true });
