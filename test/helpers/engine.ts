// Engine test harness: a real Tern (libSQL file in a temp dir, real migrations, the real
// execution service with its workers) that runs flows and reads back what the database holds:
// the execution, its task runs and its logs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import type { Execution, FlowModel, Label, TaskRun } from "../../src/engine/model.ts";
import { isTerminal } from "../../src/engine/states.ts";
import { createTern, type Tern } from "../../src/main.ts";
import { loadExecution, loadTaskRuns } from "../../src/store/executions.ts";
import { executionLogs, type StoredLog } from "../../src/store/logs.ts";

/** What one execution looks like in the database. */
export interface Outcome {
  execution: Execution;
  /** Task runs in creation order. */
  runs: TaskRun[];
  logs: StoredLog[];
  /** The task runs of a task id (creation order). */
  runsOf(taskId: string): TaskRun[];
  /** The one task run of a task id (fails the test when there are 0 or several). */
  run(taskId: string): TaskRun;
  /** Task ids in creation order. */
  taskIds(): string[];
  /** Messages logged by a task id. */
  logsOf(taskId: string): string[];
}

export interface Engine {
  tern: Tern;
  dir: string;
  /** Save a flow (validated) and return its model. */
  deploy(yaml: string): Promise<FlowModel>;
  /** Create an execution of a flow (YAML source or a deployed model); inputs are resolved like the API does. */
  start(flow: string | FlowModel, opts?: { inputs?: Record<string, unknown>; labels?: Label[] }): Promise<string>;
  /** Start and wait for the end. */
  run(flow: string | FlowModel, opts?: { inputs?: Record<string, unknown>; labels?: Label[] }): Promise<Outcome>;
  /** Wait until the execution (and its afterExecution tasks) has ended, then read it back. */
  ended(id: string, timeoutMs?: number): Promise<Outcome>;
  /** Read the execution back until `check` holds (on every engine event, and every 25 ms). */
  until(id: string, check: (o: Outcome) => boolean, timeoutMs?: number): Promise<Outcome>;
  read(id: string): Promise<Outcome>;
  close(): Promise<void>;
}

export async function createEngine(env: Record<string, string> = {}): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), "tern-engine-"));
  const config = loadConfig({ data: dir, tick: "50" }, env);
  const tern = await createTern(config, env);
  tern.service.start(config.tickMs);

  async function read(id: string): Promise<Outcome> {
    const execution = await loadExecution(tern.db, id);
    if (!execution) throw new Error(`execution ${id} not found`);
    const runs = (await loadTaskRuns(tern.db, id)).sort((a, b) => a.seq - b.seq);
    const logs = await executionLogs(tern.db, id);
    return outcome(execution, runs, logs);
  }

  async function deploy(yaml: string) {
    return (await tern.flows.save(yaml)).model;
  }

  async function start(flow: string | FlowModel, opts: { inputs?: Record<string, unknown>; labels?: Label[] } = {}) {
    const model = typeof flow === "string" ? await deploy(flow) : flow;
    const resolved = await tern.service.resolveInputs(model, opts.inputs ?? {});
    if (resolved.errors.length) throw new Error(resolved.errors.map((e) => e.message).join("; "));
    const ex = await tern.service.create({ flow: model, inputs: resolved.values, labels: opts.labels });
    return ex.id;
  }

  async function ended(id: string, timeoutMs = 20_000) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(async () => {
        const o = await read(id).catch(() => undefined);
        reject(new Error(`execution ${id} did not end in ${timeoutMs} ms: ${o?.execution.state} ${o?.runs.map((r) => `${r.taskId}=${r.state}`).join(", ")}`));
      }, timeoutMs);
    });
    try {
      await Promise.race([tern.service.waitFor(id), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return read(id);
  }

  async function until(id: string, check: (o: Outcome) => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    let last: Outcome | undefined;
    for (;;) {
      last = await read(id);
      if (check(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`condition not met for ${id} in ${timeoutMs} ms: ${last.execution.state} ${last.runs.map((r) => `${r.taskId}=${r.state}`).join(", ")}`);
      }
      await nextEvent(tern, 25);
    }
  }

  return {
    tern, dir, deploy, start, ended, until, read,
    run: async (flow, opts) => ended(await start(flow, opts)),
    async close() {
      await tern.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves on the service's next execution/task-run event, or after `ms`. */
function nextEvent(tern: Tern, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const events = tern.service.events;
    const done = () => {
      clearTimeout(timer);
      events.off("execution", done);
      events.off("taskRun", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    events.on("execution", done);
    events.on("taskRun", done);
  });
}

export function outcome(execution: Execution, runs: TaskRun[], logs: StoredLog[]): Outcome {
  return {
    execution, runs, logs,
    runsOf: (taskId) => runs.filter((r) => r.taskId === taskId),
    run(taskId) {
      const found = runs.filter((r) => r.taskId === taskId);
      if (found.length !== 1) throw new Error(`expected one task run of ${taskId}, found ${found.length} (${runs.map((r) => r.taskId).join(", ")})`);
      return found[0];
    },
    taskIds: () => runs.map((r) => r.taskId),
    logsOf: (taskId) => logs.filter((l) => l.taskId === taskId).map((l) => l.message),
  };
}

/** The states a task run went through, in order. */
export const history = (r: { histories: { state: string }[] }) => r.histories.map((h) => h.state);

export const finished = (o: Outcome) => isTerminal(o.execution.state);
