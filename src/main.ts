// Composition root: builds the database, storage, template engine, execution service and
// (for `serve`) the HTTP server from one Config. Everything else receives what it needs.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TaskContext } from "../plugins/define.ts";
import type { Config } from "./config.ts";
import { createFlowSource } from "./executor/flow-source.ts";
import { createRenderer } from "./executor/render.ts";
import { createExecutionService, type BaseContext } from "./executor/service.ts";
import { executionRecords } from "./executor/records.ts";
import { createLocalStorage, createTaskFileStore, namespaceFileReader, type StorageBackend } from "./files/index.ts";
import { createDbStorage } from "./files/index.ts";
import { collectLocalFiles, writeLocalFiles } from "./files/local-dir.ts";
import { copyNamespaceFiles } from "./files/namespace-copy.ts";
import { createRuntimeServices } from "./runtime/services.ts";
import { databaseUrlFor, openDatabase, type Db } from "./store/db.ts";
import { createKvStore } from "./store/kv.ts";
import { createMasker, createSecretStore } from "./secrets/index.ts";
import { createTemplateEngine } from "./template/engine.ts";
import { executionLogs } from "./store/logs.ts";
import { hostname } from "node:os";
import { createTriggerAdmin } from "./scheduler/admin.ts";
import { syncFlowTriggers } from "./scheduler/sync.ts";
import { getTriggerRow } from "./store/triggers.ts";

export interface Tern {
  config: Config;
  db: Db;
  storage: StorageBackend;
  service: ReturnType<typeof createExecutionService>;
  flows: ReturnType<typeof createFlowSource>;
  secrets: ReturnType<typeof createSecretStore>;
  /** Tern's TERN_* settings (the HTTP address guard of http.Trigger reads them). */
  settings: Record<string, string | undefined>;
  close(): Promise<void>;
}

export async function createTern(config: Config, env: Record<string, string | undefined> = process.env): Promise<Tern> {
  mkdirSync(config.dataDir, { recursive: true });
  const db = await openDatabase({ url: config.databaseUrl ?? databaseUrlFor(config.dataDir), authToken: config.databaseAuthToken });
  // Instances sharing a database server share files through it; an embedded database keeps them on disk.
  const storage = config.databaseUrl && !config.databaseUrl.startsWith("file:")
    ? createDbStorage(db)
    : createLocalStorage(join(config.dataDir, "storage"));
  const kv = createKvStore(db);
  const secrets = createSecretStore(db, { key: config.secretKey, env });
  // Tasks see the environment without TERN_* and SECRET_*; plugins read the TERN_* settings apart.
  const runtime = createRuntimeServices(env, { tmpRoot: join(config.dataDir, "tmp") });
  mkdirSync(join(config.dataDir, "tmp"), { recursive: true });
  const flows = createFlowSource(db);
  const templates = createTemplateEngine();
  const now = () => new Date();
  // Every secret value a render revealed is masked in logs from then on.
  const revealed = new Set<string>();
  let masker = { size: -1, extra: "", fn: (t: string) => t };
  const mask = (text: string, sensitive: string[]) => {
    const extra = sensitive.join("\u0000");
    if (masker.size !== revealed.size || masker.extra !== extra) {
      masker = { size: revealed.size, extra, fn: createMasker([...revealed, ...sensitive]) };
    }
    return masker.fn(text);
  };
  const renderer = createRenderer(templates, (vars) => {
    const ns = (vars.flow as { namespace?: string } | undefined)?.namespace ?? "";
    const executionId = (vars.execution as { id?: string } | undefined)?.id;
    const scope = executionId ? fileScope(ns, vars, executionId) : undefined;
    return {
      now,
      secret: async (name) => {
        const v = await secrets.get(name, ns);
        if (v === undefined) throw new Error(`Cannot find secret for key '${name}'`);
        revealed.add(v);
        return v;
      },
      kv: async (key, namespace, errorOnMissing) => {
        const hit = await kv.get(namespace ?? ns, key);
        if (!hit && errorOnMissing) throw new Error(`The key '${key}' does not exist in the namespace '${namespace ?? ns}'.`);
        return hit?.value ?? null;
      },
      read: scope ? (uri) => createTaskFileStore(storage, scope).getText(uri) : undefined,
      fileSize: scope ? (uri) => createTaskFileStore(storage, scope).size(uri) : undefined,
      fileExists: scope ? (uri) => createTaskFileStore(storage, scope).exists(uri) : undefined,
      errorLogs: executionId
        ? async () => (await executionLogs(db, executionId, { minLevel: "ERROR" })).map((l) => ({ taskId: l.taskId ?? "", message: l.message, timestamp: new Date(l.timestamp).toISOString() }))
        : undefined,
    };
  });
  const owner = config.instanceId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const service = createExecutionService({
    db, owner, flows, dataDir: config.dataDir, now,
    renderer: {
      // kv() without a namespace means the flow's namespace: bind it from the variables.
      render: (t, vars) => renderer.render(t, vars),
      renderDeep: (v, vars) => renderer.renderDeep(v, vars),
    },
    workerConcurrency: config.workerConcurrency,
    mask,
    envs: kestraEnvs(env),
    files: {
      write: (scope, dir, files) => writeLocalFiles(createTaskFileStore(storage, scope), dir, files),
      collect: (scope, dir, globs) => collectLocalFiles(createTaskFileStore(storage, scope), dir, globs),
      namespaceFiles: (scope, dir, filter) => copyNamespaceFiles(namespaceFileReader(storage, scope.namespace), dir, filter),
      store: (scope) => createTaskFileStore(storage, scope),
    },
    tickMs: config.tickMs,
    leaseMs: config.leaseMs,
    worker: config.role === "all" || config.role === "worker",
    executor: config.role !== "api",
    taskContext: (base: BaseContext): TaskContext => ({
      ...base,
      storage: createTaskFileStore(storage, {
        namespace: base.execution.namespace, flowId: base.execution.flowId, executionId: base.execution.id,
        taskId: base.taskRun.taskId, taskRunId: base.taskRun.id,
      }),
      namespaceFiles: namespaceFileReader(storage, base.execution.namespace),
      kv,
      runtime,
      engine: { ...base.engine, toggleTrigger: (key, enabled) => toggleTrigger(db, flows, key, enabled) },
      records: executionRecords(db, storage, base.execution.namespace),
    }),
  });
  return {
    config, db, storage, service, flows, secrets, settings: runtime.settings ?? {},
    async close() {
      await service.stop(0);
      db.$client.close();
    },
  };
}

/** trigger.Toggle: enable or disable a trigger row, as the API does (Kestra's messages when missing). */
async function toggleTrigger(db: Db, flows: ReturnType<typeof createFlowSource>, key: { namespace: string; flowId: string; triggerId: string }, enabled: boolean) {
  const name = `${key.namespace}.${key.flowId}`;
  if (!(await flows.get(key.namespace, key.flowId))) {
    throw new Error(`Unable to find flow ${name}. Make sure the flow exists and the current execution is authorized to access it.`);
  }
  // Rows are written by the scheduler's sync; a process without one (tern run) syncs this flow now.
  if (!(await getTriggerRow(db, key))) await syncFlowTriggers({ db, flows, log: () => {} }, key.namespace, key.flowId, Date.now());
  if (!(await getTriggerRow(db, key))) throw new Error(`Unable to find trigger ${key.triggerId} for the flow ${name}`);
  await createTriggerAdmin({ db, flows }).setDisabled(key, !enabled);
}

/** The storage scope of the task run the variables describe (for read(), fileSize()…). */
function fileScope(namespace: string, vars: Record<string, unknown>, executionId: string) {
  const flowId = (vars.flow as { id?: string }).id ?? "";
  const task = (vars.task as { id?: string } | undefined)?.id ?? "_";
  const taskRun = (vars.taskrun as { id?: string } | undefined)?.id ?? "_";
  return { namespace, flowId, executionId, taskId: task, taskRunId: taskRun };
}

/** `envs.*`: KESTRA_X / ENV_X environment variables as `envs.x` (Kestra's env-vars-prefix). */
function kestraEnvs(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^(?:KESTRA|ENV)_(.+)$/.exec(k);
    if (m && v !== undefined) out[m[1].toLowerCase()] = v;
  }
  return out;
}
