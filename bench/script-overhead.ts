// Script task overhead: what a script task costs over a bare Bun.spawn of the same command,
// in the same run, for 40 sequential tasks and 10 parallel ones (shell `true`, python `pass`).
// Three layers, measured interleaved so that the shared machine's noise hits them alike:
//   bare    Bun.spawn of the command the task ends up running (python: the real binary, not a shim)
//   plugin  the script task's run() with the real runtime (temp dir, script file, env, spawn
//           in its own process group, line-split logs, cleanup) but no engine
//   flow    a real execution of a flow of N script tasks (engine + worker + database + plugin),
//           beside the same flow shape with N Return tasks and with N 1 ms Sleep tasks: the
//           engine's own per-task cost, which is subtracted to show what the script task adds
// Usage: bun bench/script-overhead.ts [--dry] [--reps 7]   (appends to bench/RESULTS.md unless --dry)
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnableDefinition } from "../plugins/define.ts";
import { scriptTasks } from "../plugins/scripts/index.ts";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";
import { createInterpreterFinder } from "../src/runtime/interpreters.ts";
import { createHarness } from "../test/helpers/task-context.ts";

const reps = Number(process.argv[process.argv.indexOf("--reps") + 1]) || 7;
const SEQ = 40;
const PAR = 10;
const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG };

const dir = mkdtempSync(join(tmpdir(), "tern-bench-scripts-"));
const python = (await createInterpreterFinder(env).find("python3"))!;
interface Lang {
  name: string;
  type: string;
  script: string;
  /** The command the task runs (interpreter + script file) and the env it gets. */
  bare: string[];
  bareEnv: Record<string, string | undefined>;
}
writeFileSync(join(dir, "true.sh"), "true");
writeFileSync(join(dir, "pass.py"), "pass");
const langs: Lang[] = [
  { name: "shell `true`", type: "io.kestra.plugin.scripts.shell.Script", script: "true", bare: ["/bin/sh", join(dir, "true.sh")], bareEnv: env },
  { name: "python `pass`", type: "io.kestra.plugin.scripts.python.Script", script: "pass", bare: [python, join(dir, "pass.py")], bareEnv: { ...env, PYTHONUNBUFFERED: "1" } },
];

const tern = await createTern(loadConfig({ data: join(dir, "data") }, {}), env);
tern.service.start(1000);
const harness = await createHarness({ env });

const task = (type: string) => scriptTasks.find((t) => t.type === type) as RunnableDefinition<any>;

async function bare(l: Lang): Promise<void> {
  // detached as the task's process is: with the kernel's scheduler autogroups (on here), a new
  // session gets its own CPU share, so a baseline without it loses to the task on a busy host.
  const p = Bun.spawn(l.bare, { env: l.bareEnv, stdin: "ignore", stdout: "ignore", stderr: "ignore", detached: true });
  if ((await p.exited) !== 0) throw new Error(`${l.bare.join(" ")} failed`);
}

/** The same, reading stdout and stderr to their end: what any runner that keeps the output pays. */
async function bareOut(l: Lang): Promise<void> {
  const p = Bun.spawn(l.bare, { env: l.bareEnv, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
  const drain = async (s: ReadableStream<Uint8Array>) => {
    const r = s.getReader();
    while (!(await r.read()).done);
  };
  await Promise.all([drain(p.stdout), drain(p.stderr)]);
  if ((await p.exited) !== 0) throw new Error(`${l.bare.join(" ")} failed`);
}

async function plugin(l: Lang): Promise<void> {
  const out = await harness.run(task(l.type), { script: l.script });
  if (out.exitCode !== 0) throw new Error("script failed");
}

const taskYaml = (i: number, type: string, body: string, indent: string) =>
  `${indent}- id: t${i}\n${indent}  type: ${type}\n${indent}  ${body}\n`;

function flowSource(id: string, n: number, parallel: boolean, type: string, body: string): string {
  const tasks = Array.from({ length: n }, (_, i) => taskYaml(i, type, body, parallel ? "      " : "  ")).join("");
  if (!parallel) return `id: ${id}\nnamespace: bench\ntasks:\n${tasks}`;
  return `id: ${id}\nnamespace: bench\ntasks:\n  - id: par\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${tasks}`;
}

const flows = new Map<string, Awaited<ReturnType<typeof tern.flows.save>>["model"]>();
async function runFlow(id: string): Promise<void> {
  const ex = await tern.service.create({ flow: flows.get(id)! });
  const done = await tern.service.waitFor(ex.id);
  if (done.state !== "SUCCESS") throw new Error(`${id} ended ${done.state}`);
}

for (const [i, l] of langs.entries()) {
  for (const [shape, n, par] of [["seq", SEQ, false], ["par", PAR, true]] as const) {
    const id = `script-${i}-${shape}`;
    flows.set(id, (await tern.flows.save(flowSource(id, n, par, l.type, `script: "${l.script}"`), `${id}.yaml`)).model);
  }
}
for (const [shape, n, par] of [["seq", SEQ, false], ["par", PAR, true]] as const) {
  const id = `return-${shape}`;
  flows.set(id, (await tern.flows.save(flowSource(id, n, par, "io.kestra.plugin.core.debug.Return", `format: "{{ task.id }}"`), `${id}.yaml`)).model);
  // A task that yields to the event loop for ~1 ms, as a script task does while its process runs.
  const sleepId = `sleep-${shape}`;
  flows.set(sleepId, (await tern.flows.save(flowSource(sleepId, n, par, "io.kestra.plugin.core.flow.Sleep", "duration: PT0.001S"), `${sleepId}.yaml`)).model);
}
const sleep1 = () => new Promise<void>((r) => setTimeout(r, 1));

async function time(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const sequentially = (n: number, f: () => Promise<void>) => async () => {
  for (let i = 0; i < n; i++) await f();
};
const together = (n: number, f: () => Promise<void>) => () => Promise.all(Array.from({ length: n }, f));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Workload {
  label: string;
  n: number;
  variants: Record<"bare" | "bareOut" | "plugin" | "flow" | "engine" | "sleepFlow" | "sleeps", () => Promise<unknown>>;
  ms: Record<string, number[]>;
  ratios: Record<"plugin" | "pluginOut" | "flow" | "net", number[]>;
  /** Per round: (plugin − bare) / tasks, in ms. */
  perTask: number[];
}
const workloads: Workload[] = [];
for (const [i, l] of langs.entries()) {
  for (const [shape, n, par] of [["seq", SEQ, false], ["par", PAR, true]] as const) {
    const batch = par ? together : sequentially;
    workloads.push({
      label: `${l.name}, ${n} ${par ? "parallel" : "sequential"}`,
      n,
      variants: {
        bare: batch(n, () => bare(l)),
        bareOut: batch(n, () => bareOut(l)),
        plugin: batch(n, () => plugin(l)),
        flow: () => runFlow(`script-${i}-${shape}`),
        engine: () => runFlow(`return-${shape}`),
        sleepFlow: () => runFlow(`sleep-${shape}`),
        sleeps: batch(n, sleep1),
      },
      ms: {},
      ratios: { plugin: [], pluginOut: [], flow: [], net: [] },
      perTask: [],
    });
  }
}

// The machine is shared: the variants of a workload run back to back (order rotated each
// round) so that each round's ratios compare runs made under the same load; the report gives
// the median of those per-round ratios. Round 0 warms up (JIT, interpreter lookup, page cache).
for (let round = 0; round <= reps; round++) {
  for (const w of workloads) {
    const names = Object.keys(w.variants) as (keyof Workload["variants"])[];
    const got: Record<string, number> = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]!;
      got[name] = await time(w.variants[name]);
    }
    if (round === 0) continue;
    for (const [k, v] of Object.entries(got)) (w.ms[k] ??= []).push(v);
    w.ratios.plugin.push(got.plugin! / got.bare!);
    w.ratios.pluginOut.push(got.plugin! / got.bareOut!);
    w.perTask.push((got.plugin! - got.bare!) / w.n);
    w.ratios.flow.push(got.flow! / got.bare!);
    // The engine's own cost for yielding tasks: the Sleep flow less the sleeping itself.
    const engine = Math.max(got.engine!, got.sleepFlow! - got.sleeps!);
    (w.ms.engineAsync ??= []).push(engine);
    w.ratios.net.push(Math.max(0, got.flow! - engine) / got.bare!);
  }
}

await harness.cleanup();
await tern.close();
rmSync(dir, { recursive: true, force: true });

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const spread = (xs: number[]) => `${f2(Math.min(...xs))}–${f2(Math.max(...xs))}`;

const rows = workloads.map((w) => {
  const m = (k: string) => median(w.ms[k]!);
  const perTask = median(w.perTask);
  return `| ${w.label} | ${f1(m("bare"))} | ${f1(m("bareOut"))} | ${f1(m("plugin"))} | **${f2(median(w.ratios.plugin))}x** (${spread(w.ratios.plugin)}) | ${f2(median(w.ratios.pluginOut))}x | ${f1(m("flow"))} | ${f2(median(w.ratios.flow))}x (${spread(w.ratios.flow)}) | ${f1(m("engine"))} / ${f1(m("engineAsync"))} | **${f2(median(w.ratios.net))}x** (${spread(w.ratios.net)}) | ${f2(perTask)} |`;
});

const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/)?.[1]?.trim() ?? "unknown CPU";
const report = [
  `\n## Script task overhead (bench/script-overhead.ts) — ${new Date().toISOString().slice(0, 16)}Z`,
  "",
  `Machine: ${navigator.hardwareConcurrency} × ${cpu}, Bun ${Bun.version}, ${python}; shared and noisy, so the variants of a workload run back to back in each of ${reps} rounds (order rotated, after one warm-up round); ms are medians over the rounds, ratios are medians of the per-round ratios (min–max in brackets). Milliseconds for the whole batch.`,
  "",
  "- **bare**: `Bun.spawn` of the same command (the interpreter on a script file holding `true` / `pass`, the same minimal env, `detached` like the task's process since scheduler autogroups give a new session its own CPU share), stdio ignored; python is the real binary the task uses, not the pyenv shim. **bare + output**: the same with stdout and stderr piped and read to their end, as any runner that keeps a script's output must.",
  "- **plugin**: the script task's `run()` with the real runtime — temp working dir, script file, env, spawn in its own process group, stdout/stderr line-split into logs, cleanup — no engine.",
  "- **flow**: one real execution of a flow of those tasks (engine, worker, libSQL file, plugin).",
  "- **engine**: the engine's own cost for the same flow shape, which is being optimised separately: a flow of `Return` tasks (instant) / a flow of `Sleep PT0.001S` tasks less the same sleeps done bare (tasks that yield, as a script does while its process runs). **flow − engine** uses the larger of the two: what the script task adds inside a real execution.",
  "",
  "| Workload | bare ms | bare + output ms | plugin ms | plugin / bare | plugin / (bare + output) | flow ms | flow / bare | engine ms (Return / Sleep) | (flow − engine) / bare | plugin overhead ms / task |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
  ...rows,
  "",
  "Target: within 1.5x of the bare spawn (the plugin and (flow − engine) ratios).",
].join("\n");
console.log(report);
if (!process.argv.includes("--dry")) appendFileSync(join(import.meta.dir, "RESULTS.md"), report + "\n");
