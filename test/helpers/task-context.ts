// A real TaskContext for plugin tests: files in a temp dir (or the db backend), kv on a real
// libSQL file with the real migrations, real runtime services, and a logger that records lines.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogLevel, RunnableDefinition, TaskContext } from "../../plugins/define.ts";
import { createDbStorage, createLocalStorage, createTaskFileStore, namespaceFileReader, type StorageBackend, type TaskFileStore } from "../../src/files/index.ts";
import { createRuntimeServices } from "../../src/runtime/services.ts";
import { openDatabase, type Db } from "../../src/store/db.ts";
import { createKvStore } from "../../src/store/kv.ts";
import { createTemplateEngine } from "../../src/template/index.ts";

export interface LogLine {
  level: LogLevel;
  message: string;
}

export interface Harness {
  ctx: TaskContext;
  logs: LogLine[];
  metrics: { name: string; type: string; value: number; tags?: Record<string, string> }[];
  storage: TaskFileStore;
  backend: StorageBackend;
  db: Db;
  dir: string;
  abort: AbortController;
  engineCalls: { exit?: string; labels?: { key: string; value: string }[] };
  /** Run a task definition the way the worker does: render (except raw props), validate, run. */
  run(def: RunnableDefinition<any>, props: Record<string, unknown>): Promise<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  db?: Db;
  storage?: "local" | "db";
  vars?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  workingDir?: string;
  namespace?: string;
  taskId?: string;
  /** The clock of the kv store and ctx.now() (ms since the epoch). */
  clock?: () => number;
}

/** A real database file with migrations applied, in its own temp dir. */
export async function createTestDb(): Promise<{ db: Db; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "tern-test-db-"));
  return { db: await openDatabase({ url: `file:${join(dir, "tern.db")}` }), dir };
}

/** The real template engine (Pebble syntax), with kv() on the harness's store. */
const templates = createTemplateEngine();

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "tern-test-"));
  const db = opts.db ?? (await openDatabase({ url: `file:${join(dir, "tern.db")}` }));
  const backend = opts.storage === "db" ? createDbStorage(db) : createLocalStorage(join(dir, "storage"));
  const namespace = opts.namespace ?? "company.team";
  const execution = { id: "exec1", namespace, flowId: "my_flow", flowRevision: 1, labels: [], state: "RUNNING" };
  const taskRun = { id: "tr1", taskId: opts.taskId ?? "task1", value: null, attempt: 1, parentTaskRunId: null };
  const storage = createTaskFileStore(backend, { namespace, flowId: execution.flowId, executionId: execution.id, taskId: taskRun.taskId, taskRunId: taskRun.id });
  const logs: LogLine[] = [];
  const metrics: Harness["metrics"] = [];
  const abort = new AbortController();
  const engineCalls: Harness["engineCalls"] = {};
  const log = (level: LogLevel, message: string) => void logs.push({ level, message });
  const vars: Record<string, unknown> = { flow: { id: execution.flowId, namespace }, execution: { id: execution.id }, ...opts.vars };
  const kvStore = createKvStore(db, { now: opts.clock });
  const services = {
    now: () => new Date(opts.clock ? opts.clock() : Date.now()),
    kv: async (key: string, ns?: string) => (await kvStore.get(ns ?? namespace, key))?.value ?? null,
    read: (uri: string) => storage.getText(uri),
  };
  const env = opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG };

  const ctx: TaskContext = {
    execution,
    taskRun,
    logger: {
      trace: (m) => log("TRACE", m),
      debug: (m) => log("DEBUG", m),
      info: (m) => log("INFO", m),
      warn: (m) => log("WARN", m),
      error: (m) => log("ERROR", m),
      log,
    },
    signal: abort.signal,
    storage,
    namespaceFiles: namespaceFileReader(backend, namespace),
    kv: kvStore,
    render: (t) => templates.render(t, ctx.vars, services),
    renderDeep: async <T>(v: T): Promise<T> => (await renderDeep(v, (s) => templates.render(s, ctx.vars, services))) as T,
    vars,
    workingDir: opts.workingDir,
    metric: (name, type, value, tags) => void metrics.push({ name, type, value, tags }),
    runtime: createRuntimeServices(env),
    engine: {
      setLabels: async (labels) => void (engineCalls.labels = labels),
      exit: (state) => void (engineCalls.exit = state),
    },
    now: () => new Date(opts.clock ? opts.clock() : Date.now()),
  };

  return {
    ctx, logs, metrics, storage, backend, db, dir, abort, engineCalls,
    async run(def, props) {
      const rendered: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(props)) rendered[k] = def.raw.includes(k) ? v : await ctx.renderDeep(v);
      const parsed = def.schema.parse(rendered);
      return ((await def.run(ctx, parsed)) ?? {}) as Record<string, unknown>;
    },
    async cleanup() {
      await storage.cleanup();
      if (!opts.db) db.$client.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function renderDeep(v: unknown, f: (s: string) => Promise<string>): Promise<unknown> {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return Promise.all(v.map((x) => renderDeep(x, f)));
  if (v && typeof v === "object") return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await renderDeep(x, f)])));
  return v;
}
