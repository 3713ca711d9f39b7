// API throughput against the running server: executions created per second (POST, 10
// concurrent clients, a 3-task Return/Log flow, bounded to ~20 s), the p50/p99 time from POST
// to SUCCESS, and whether every accepted execution reached SUCCESS — beside a bare Hono
// hello-world on Bun measured the same way in the same run.
// Usage: bun bench/api-throughput.ts [seconds=20] [clients=10]   (appends to bench/RESULTS.md)
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const SECONDS = Number(process.argv[2] ?? 20);
const CLIENTS = Number(process.argv[3] ?? 10);
const ROOT = join(import.meta.dir, "..");
const FLOW = `id: bench
namespace: bench.api
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.first.value }}"
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: done
`;

async function spawnServer(cmd: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, ...cmd], { cwd: ROOT, stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  const reader = proc.stdout.getReader();
  let out = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${out}`);
    out += new TextDecoder().decode(value);
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url) return { url, proc };
  }
}

/** `clients` loops sending requests back to back for `seconds`; returns ok count and ids. */
async function load(seconds: number, send: () => Promise<Response>, onOk?: (res: Response, t0: number) => Promise<void>) {
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const client = async () => {
    while (performance.now() < end) {
      const t0 = Date.now();
      const res = await send().catch(() => null);
      if (res?.ok) {
        ok++;
        await (onOk ? onOk(res, t0) : res.arrayBuffer());
      } else {
        failed++;
        await res?.arrayBuffer();
      }
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { ok, failed, seconds: (performance.now() - t) / 1000 };
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// ---- baseline: bare Hono --------------------------------------------------------------------
const hello = await spawnServer(["bench/api-hello.ts"]);
await load(1, () => fetch(`${hello.url}/`)); // warm-up
const helloGet = await load(Math.min(5, SECONDS), () => fetch(`${hello.url}/`));
const helloPost = await load(Math.min(5, SECONDS), () => fetch(`${hello.url}/`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
hello.proc.kill("SIGTERM");
await hello.proc.exited;

// ---- Tern ------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), "tern-api-bench-"));
mkdirSync(join(dir, "flows"));
writeFileSync(join(dir, "flows", "bench.yaml"), FLOW);

// The API path alone: --role api accepts and stores executions but runs none of them.
const apiOnly = await spawnServer(["src/cli.ts", "serve", "--port", "0", "--role", "api", "--data", join(dir, "api-only"), "--flows", join(dir, "flows")]);
const postApiOnly = () => fetch(`${apiOnly.url}/api/v1/executions/bench.api/bench`, { method: "POST" });
await load(1, postApiOnly);
const accepted = await load(Math.min(5, SECONDS), postApiOnly);
apiOnly.proc.kill("SIGTERM");
await apiOnly.proc.exited;
const tern = await spawnServer(["src/cli.ts", "serve", "--port", "0", "--data", join(dir, "data"), "--flows", join(dir, "flows")]);
const post = () => fetch(`${tern.url}/api/v1/executions/bench.api/bench`, { method: "POST" });
const started = new Map<string, number>();
await load(1, post); // warm-up (not counted below: filtered by id)
const created = await load(SECONDS, post, async (res, t0) => {
  started.set(((await res.json()) as { id: string }).id, t0);
});
// The server's resident memory right after the load (Linux /proc), and its peak.
const memory = (() => {
  try {
    const status = readFileSync(`/proc/${tern.proc.pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
  }
})();

// The backlog: how long after the load stopped until no execution of the flow is unfinished.
const settleStart = performance.now();
const UNFINISHED = ["CREATED", "QUEUED", "RUNNING"].map((s) => `state=${s}`).join("&");
while (performance.now() - settleStart < 120_000) {
  const r = (await (await fetch(`${tern.url}/api/v1/executions/search?flowId=bench&${UNFINISHED}&size=1`)).json()) as { total: number };
  if (r.total === 0) break;
  await Bun.sleep(50);
}
const settleSeconds = (performance.now() - settleStart) / 1000;

// Every accepted execution must reach SUCCESS: read (bounded) the stored states.
type Page = { results: { id: string; state: { current: string; histories: { state: string; date: string }[] } }[]; total: number };
const readStart = performance.now();
const done = new Map<string, number>();
const states = new Map<string, string>();
while (performance.now() - readStart < 120_000) {
  states.clear();
  for (let page = 1; ; page++) {
    const r = (await (await fetch(`${tern.url}/api/v1/executions/search?flowId=bench&size=1000&page=${page}`)).json()) as Page;
    for (const ex of r.results) {
      states.set(ex.id, ex.state.current);
      const success = ex.state.histories.find((h) => h.state === "SUCCESS");
      if (success) done.set(ex.id, Date.parse(success.date));
    }
    if (page * 1000 >= r.total) break;
  }
  if ([...started.keys()].every((id) => done.has(id))) break;
  await Bun.sleep(500);
}
const latencies = [...started].filter(([id]) => done.has(id)).map(([id, t0]) => done.get(id)! - t0).sort((a, b) => a - b);
const lost = [...started.keys()].filter((id) => !states.has(id)).length;
const notSuccess = [...started.keys()].filter((id) => states.has(id) && states.get(id) !== "SUCCESS").length;
tern.proc.kill("SIGTERM");
await tern.proc.exited;
rmSync(dir, { recursive: true, force: true });

const rate = (x: { ok: number; seconds: number }) => Math.round(x.ok / x.seconds);
const lines = [
  "",
  `## API throughput (bench/api-throughput.ts) — ${new Date().toISOString().slice(0, 16)}Z`,
  "",
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Bun ${Bun.version}; load generator, server and database on the same machine; ${CLIENTS} concurrent clients (fetch, keep-alive).`,
  "",
  "| What | Figure |",
  "|---|---|",
  `| Bare Hono hello-world, GET | ${rate(helloGet)} req/s |`,
  `| Bare Hono hello-world, POST (JSON) | ${rate(helloPost)} req/s |`,
  `| Tern, API path only (\`--role api\`: validated and stored, not run) | ${rate(accepted)} /s (${accepted.failed} failed) |`,
  `| Tern: executions created (POST /api/v1/executions/…, 3-task Return/Log flow) | **${rate(created)} /s** (${created.ok} in ${created.seconds.toFixed(1)} s, ${created.failed} failed requests) |`,
  `| POST → SUCCESS, p50 / p99 | ${latencies.length ? `${pct(latencies, 0.5)} ms / ${pct(latencies, 0.99)} ms` : "n/a"} |`,
  `| Reached SUCCESS | ${latencies.length} of ${started.size} (lost ${lost}, other state ${notSuccess}); backlog drained ${settleSeconds.toFixed(1)} s after the load stopped |`,
  `| Server memory (RSS) right after the load / peak | ${memory ? `${memory.rss.toFixed(0)} MB / ${memory.peak.toFixed(0)} MB` : "n/a"} |`,
  `| Target | 2,000 executions created/s, all SUCCESS |`,
  "",
];
console.log(lines.join("\n"));
if (!process.env.BENCH_DRY) appendFileSync(join(import.meta.dir, "RESULTS.md"), lines.join("\n"));
