// `tern serve`: open the database, load flows (--flows, and examples/ on a fresh data dir),
// start the executor/worker loops and answer HTTP on Bun.serve. SIGTERM/SIGINT stop taking
// requests, let running tasks finish for a grace period, hand leases back and exit 0.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { configFrom } from "../cli.ts";
import { parseFlows } from "../flow/index.ts";
import { createTern, type Tern } from "../main.ts";
import { createApp } from "../server/app.ts";
import { createUi } from "../server/ui/index.ts";
import { createTernScheduler, createTernTriggerAdmin, triggerRenderer } from "../scheduler/index.ts";
import { createWebhooks } from "../webhooks/app.ts";
import { listFlows } from "../store/flows.ts";
import { hasCredentials } from "../store/auth.ts";
import { ensureFirstAdmin } from "../auth/accounts.ts";
import { startCheckpointer } from "../store/checkpointer.ts";
import { databaseUrlFor } from "../store/db.ts";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));
/** Requests that may stay open for long (SSE, ?wait=true): exempt from the idle timeout. */
const LONG_LIVED = /\/follow(\?|$)|[?&]wait=true/;

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" }, host: { type: "string" }, flows: { type: "string" }, data: { type: "string" },
      role: { type: "string" }, workers: { type: "string" }, tick: { type: "string" },
      grace: { type: "string", default: "10" },
    },
  });
  const config = configFrom(values);
  const graceMs = Math.max(0, Number(values.grace) * 1000 || 0);
  const tern = await createTern(config);
  if (await ensureFirstAdmin(tern.db, config)) console.log(`tern: created the first admin "${config.adminUser}" (TERN_ADMIN_USER)`);
  // Beyond loopback, someone must be able to log in: otherwise anyone could run flows.
  if (!isLoopback(config.host) && !config.allowInsecureBind && !(await hasCredentials(tern.db))) {
    console.error(
      `tern serve: refusing to listen on ${config.host}: no user or API token is configured, so anyone who can reach this ` +
        `address could run flows. Set TERN_ADMIN_USER and TERN_ADMIN_PASSWORD (the first admin is created on start), or run ` +
        `\`tern user add NAME --role admin\`; or bind 127.0.0.1 (the default). TERN_ALLOW_INSECURE_BIND=1 skips this check ` +
        `(only behind a proxy that authenticates every request).`,
    );
    await tern.close();
    return 2;
  }
  // The embedded file's log is copied back into the database by a thread of its own (started
  // beside the rest: until it runs, the main connection checkpoints as SQLite does by default).
  const checkpointer = startCheckpointer(tern.db, config.databaseUrl ?? databaseUrlFor(config.dataDir));
  const fresh = (await listFlows(tern.db)).length === 0;
  if (config.flowsDir) await loadFlowFiles(tern, config.flowsDir);
  if (fresh && isDir(EXAMPLES)) await loadFlowFiles(tern, EXAMPLES);

  // The service runs what the role asks for (executor, worker); loops stop with the process.
  tern.service.start(config.tickMs);
  // Schedules run where the role is all or scheduler; Flow triggers react to executions that
  // end in this process (and a sweep catches the others).
  const scheduler = createTernScheduler(tern);
  if (config.role === "all" || config.role === "scheduler") scheduler.start();
  else if (config.role === "worker") scheduler.flowTriggers.attach(tern.service.events);
  const webhooks = createWebhooks({
    db: tern.db, service: tern.service, flows: tern.flows, renderer: triggerRenderer(tern), maxBodyBytes: config.maxBodyBytes,
  });
  const flowChanged = (namespace: string, flowId: string) => {
    webhooks.invalidate(namespace, flowId);
    void scheduler.syncFlow(namespace, flowId).catch((e: Error) => console.error(`[tern] trigger sync of ${namespace}.${flowId}: ${e.message}`));
  };
  tern.flows.onChange(flowChanged);
  let alive = true;
  // The dashboard (/ and /ui) is mounted after the API routes through the app's hook.
  const app = createApp({
    tern, loopsAlive: () => alive, mountUi: (a) => a.route("/", createUi({ tern })),
    webhooks, triggers: { admin: createTernTriggerAdmin(tern), onChange: flowChanged },
  });
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    // Bun's maximum; SSE streams also send a heartbeat comment every 15 s.
    idleTimeout: 255,
    // Well above the API's own limit so the API answers 413 itself (as JSON, from the
    // Content-Length, before reading); Bun's own cap stays as a last line of defence.
    maxRequestBodySize: Math.max(config.maxBodyBytes * 2, 128 * 1024 * 1024),
    fetch(req, srv) {
      if (LONG_LIVED.test(req.url)) srv.timeout(req, 0);
      return app.fetch(req, srv);
    },
  });
  // performance.now() counts from process start: the whole start-up, imports included.
  const readyMs = Math.round(performance.now());
  console.log(`tern: listening on ${server.url.href.replace(/\/$/, "")} (data ${config.dataDir}, role ${config.role}, ready in ${readyMs} ms)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`tern: ${signal}: stopping (grace ${graceMs / 1000}s)`);
    // Stop listening first; in-flight requests (and SSE streams) are left to finish or close.
    void server.stop(false);
    alive = false;
    try {
      await scheduler.stop();
      await tern.service.stop(graceMs);
      await (await checkpointer)?.stop();
      await tern.close();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  return new Promise<number>(() => {});
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every *.yml/*.yaml below `dir`, sorted, hidden entries skipped. */
export function flowFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...flowFiles(path));
    else if (/\.ya?ml$/i.test(name)) out.push(path);
  }
  return out;
}

/** Store the flows of a directory (multi-document files too); invalid ones are reported, not fatal. */
async function loadFlowFiles(tern: Tern, dir: string): Promise<void> {
  let loaded = 0;
  for (const path of flowFiles(dir)) {
    const text = readFileSync(path, "utf8");
    const results = parseFlows(text, path);
    for (const r of results) {
      if (!r.flow) {
        for (const e of r.errors) console.error(`warning: not loaded: ${e.format()}`);
        continue;
      }
      // A one-flow file is stored exactly as written (leading comments included).
      await tern.flows.save(results.length === 1 ? text : r.flow.source, path);
      loaded++;
    }
  }
  console.log(`tern: ${loaded} flow(s) loaded from ${dir}`);
}
