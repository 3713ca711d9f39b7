// Composition root: builds the database, storage, template engine, execution service and
// (for `serve`) the HTTP server from one Config. Everything else receives what it needs.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TaskContext } from "../plugins/define.ts";
import type { Config } from "./config.ts";
import { createFlowSource } from "./executor/flow-source.ts";
import { createRenderer } from "./executor/render.ts";
import { createExecutionService, type BaseContext } from "./executor/service.ts";
import { createLocalStorage, createTaskFileStore, type StorageBackend } from "./files/index.ts";
import { createDbStorage } from "./files/index.ts";
import { createRuntimeServices } from "./runtime/services.ts";
import { databaseUrlFor, openDatabase, type Db } from "./store/db.ts";
import { createKvStore } from "./store/kv.ts";
import { createSecretStore } from "./secrets/index.ts";
import { createTemplateEngine } from "./template/engine.ts";
import { hostname } from "node:os";

export interface Tern {
  config: Config;
  db: Db;
  storage: StorageBackend;
  service: ReturnType<typeof createExecutionService>;
  flows: ReturnType<typeof createFlowSource>;
  secrets: ReturnType<typeof createSecretStore>;
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
  const runtime = createRuntimeServices(taskEnv(env), { tmpRoot: join(config.dataDir, "tmp") });
  mkdirSync(join(config.dataDir, "tmp"), { recursive: true });
  const flows = createFlowSource(db);
  const templates = createTemplateEngine();
  const now = () => new Date();
  const renderer = createRenderer(templates, {
    now,
    secret: async (name) => {
      const v = await secrets.get(name);
      if (v === undefined) throw new Error(`Cannot find secret for key '${name}'`);
      return v;
    },
    kv: async (key, namespace) => (await kv.get(namespace ?? "", key))?.value,
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
    tickMs: config.tickMs,
    worker: config.role === "all" || config.role === "worker",
    executor: config.role !== "api",
    taskContext: (base: BaseContext): TaskContext => ({
      ...base,
      storage: createTaskFileStore(storage, {
        namespace: base.execution.namespace, flowId: base.execution.flowId, executionId: base.execution.id,
        taskId: base.taskRun.taskId, taskRunId: base.taskRun.id,
      }),
      kv,
      runtime,
    }),
  });
  return {
    config, db, storage, service, flows, secrets,
    async close() {
      await service.stop(0);
      db.$client.close();
    },
  };
}

/** The environment scripts may see: never Tern's own settings or secrets. */
function taskEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith("TERN_") || k.startsWith("SECRET_")) continue;
    out[k] = v;
  }
  return out;
}
