// Webhook ingestion: POSTs per second answered 200 — each one an execution committed to the
// database before the answer — with 10 concurrent clients for ~20 s, beside a bare Hono
// hello-world on Bun measured the same way in the same run. Measured with the engine off
// (`--role api`: ingestion only, as an API-only instance in front of workers) and on (`all`:
// the same process also runs every execution). Every 200 is checked against the database.
// Usage: bun bench/webhook-throughput.ts [seconds=20] [clients=10]   (appends to bench/RESULTS.md)
import { createClient } from "@libsql/client";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const SECONDS = Number(process.argv[2] ?? 20);
const CLIENTS = Number(process.argv[3] ?? 10);
const ROOT = join(import.meta.dir, "..");

async function spawn(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, "bench/webhook-server.ts", ...args], { cwd: ROOT, stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  const reader = proc.stdout.getReader();
  let out = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${out}`);
    out += new TextDecoder().decode(value);
    const url = /listening on (http:\/\/\S+?)\/?\s/.exec(out)?.[1];
    if (url) return { url, proc };
  }
}

async function load(send: () => Promise<Response>) {
  const end = performance.now() + SECONDS * 1000;
  let ok = 0;
  let failed = 0;
  const ids: string[] = [];
  const client = async () => {
    while (performance.now() < end) {
      const res = await send().catch(() => null);
      if (res?.status === 200) {
        ok++;
        const body = (await res.json()) as { id?: string };
        if (body.id) ids.push(body.id);
      } else {
        failed++;
        await res?.arrayBuffer();
      }
    }
  };
  const t = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { ok, failed, ids, seconds: (performance.now() - t) / 1000 };
}

const body = JSON.stringify({ event: "push", ref: "refs/heads/main", commits: [{ id: "abc123", message: "fix" }] });
const post = (url: string) => () => fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });

const hello = await spawn(["hello"]);
const h = await load(post(`${hello.url}/hello`));
hello.proc.kill();

const rows: string[] = [];
const results: Record<string, { rate: number; ok: number; failed: number; durable: number; success?: number }> = {};
// The server's default tick (1 s), as `tern serve` runs; "api-deferred" pushes the execution
// service's sweep to 60 s to show what its lease renewal costs an api-role instance (every
// execution it created stays leased to it and is re-leased on every tick).
const CONFIGS = { api: { TERN_ROLE: "api" }, "api-deferred": { TERN_ROLE: "api", TERN_TICK_MS: "60000" }, all: { TERN_ROLE: "all" } };
for (const [role, env] of Object.entries(CONFIGS) as [keyof typeof CONFIGS, Record<string, string>][]) {
  const dir = mkdtempSync(join(tmpdir(), "tern-bench-hook-"));
  const server = await spawn([], { TERN_DATA: dir, ...env });
  const r = await load(post(`${server.url}/api/v1/executions/webhook/bench.webhook/hook/bench-key`));
  const db = createClient({ url: `file:${join(dir, "tern.db")}` });
  // Every 200 must have its execution in the database.
  const have = new Set((await db.execute("SELECT id FROM executions")).rows.map((x) => String(x.id)));
  const durable = r.ids.filter((id) => have.has(id)).length;
  let success: number | undefined;
  if (role === "all") {
    const deadline = Date.now() + 120_000;
    for (;;) {
      success = Number((await db.execute("SELECT COUNT(*) AS n FROM executions WHERE state = 'SUCCESS'")).rows[0].n);
      if (success >= r.ok || Date.now() > deadline) break;
      await Bun.sleep(500);
    }
  }
  db.close();
  server.proc.kill();
  await server.proc.exited;
  rmSync(dir, { recursive: true, force: true });
  results[role] = { rate: r.ok / r.seconds, ok: r.ok, failed: r.failed, durable, success };
}

const f = (n: number) => Math.round(n).toString();
rows.push(
  `| Bare Hono hello-world, POST (JSON) | ${f(h.ok / h.seconds)} req/s |`,
  `| Webhook → durable execution, \`--role api\` (ingestion only) | **${f(results.api.rate)} /s** (${results.api.ok} in ${SECONDS} s, ${results.api.failed} failed; ${results.api.durable}/${results.api.ok} found in the database) |`,
  `| Same, execution-service sweep every 60 s instead of 1 s | ${f(results["api-deferred"].rate)} /s (${results["api-deferred"].ok}, ${results["api-deferred"].failed} failed; ${results["api-deferred"].durable}/${results["api-deferred"].ok} in the database) |`,
  `| Webhook → durable execution, \`--role all\` (same process runs them) | **${f(results.all.rate)} /s** (${results.all.ok}, ${results.all.failed} failed; ${results.all.durable}/${results.all.ok} in the database; ${results.all.success} reached SUCCESS) |`,
  `| Target | 3,000 executions/s |`,
);
const report = `
## Webhook ingestion (bench/webhook-throughput.ts) — ${new Date().toISOString().slice(0, 16)}Z

Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Bun ${Bun.version}; load generator, server and database file on the same machine; ${CLIENTS} concurrent clients (fetch, keep-alive), ${SECONDS} s each, a 120-byte JSON body, no signature.

| What | Figure |
|---|---|
${rows.join("\n")}
`;
console.log(report);
if (!process.env.BENCH_DRY) appendFileSync(join(ROOT, "bench/RESULTS.md"), report);
