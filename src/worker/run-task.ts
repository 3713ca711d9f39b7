// Runs one claimed task run: renders its properties, calls the plugin, applies timeout,
// retry and allowFailure, and returns the fenced completion to persist.
import { durationMs, NonRetriableError, TaskStateError, type Logger, type LogLevel, type RunnableDefinition, type TaskContext, type TaskDef } from "../../plugins/define.ts";
import type { Attempt, LogEntry, TaskRun } from "../engine/model.ts";
import { decideRetry } from "../engine/retry.ts";
import { withState } from "../engine/states.ts";
import type { Completion } from "../store/task-queue.ts";

/** Properties every task has; the engine reads them, the plugin never sees them. */
const COMMON = new Set([
  "id", "type", "description", "retry", "timeout", "disabled", "runIf", "when", "allowFailure", "allowWarning",
  "logLevel", "logToFile", "workerGroup",
]);

export interface RunTaskInput {
  run: TaskRun;
  fence: number;
  owner: string;
  task: TaskDef;
  def: RunnableDefinition;
  retry: Record<string, unknown> | undefined;
  /** Builds the plugin context around a logger and a signal (storage, kv, render…). */
  context(logger: Logger, signal: AbortSignal, exit: (s: string) => void): TaskContext;
  now(): Date;
  onLog(entry: LogEntry): void;
  /** Aborted by kill or a lost lease. */
  signal: AbortSignal;
}

const LEVELS: LogLevel[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

export async function runTask(input: RunTaskInput): Promise<Completion> {
  const { run, task, def } = input;
  const attempt = run.attempts.length - 1;
  const minLevel = LEVELS.indexOf((task.logLevel as LogLevel) ?? "TRACE");
  const log = (level: LogLevel, message: string) => {
    if (LEVELS.indexOf(level) < minLevel) return;
    input.onLog({ executionId: run.executionId, taskRunId: run.id, taskId: run.taskId, attempt, level, message, timestamp: input.now().getTime() });
  };
  const logger: Logger = {
    trace: (m) => log("TRACE", m), debug: (m) => log("DEBUG", m), info: (m) => log("INFO", m),
    warn: (m) => log("WARN", m), error: (m) => log("ERROR", m), log: (l, m) => log(l, m),
  };
  const controller = new AbortController();
  const abort = () => controller.abort(input.signal.reason);
  input.signal.addEventListener("abort", abort, { once: true });
  let exitState: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let state: string;
  let outputs: Record<string, unknown> | null = null;
  let final = false;
  try {
    const ctx = input.context(logger, controller.signal, (s) => (exitState = s));
    const work = (async () => {
      const props: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(task)) {
        if (COMMON.has(k)) continue;
        props[k] = def.raw.includes(k) ? v : await ctx.renderDeep(v);
      }
      const parsed = def.schema.safeParse(props);
      if (!parsed.success) throw new Error(`invalid properties: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return (await def.run(ctx, parsed.data)) ?? null;
    })();
    const timeoutMs = task.timeout ? durationMs(await ctx.render(String(task.timeout))) : 0;
    const guards: Promise<never>[] = [
      new Promise((_, reject) => controller.signal.addEventListener("abort", () => reject(new AbortedError()), { once: true })),
    ];
    if (timeoutMs > 0) {
      guards.push(new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`Timeout after ${task.timeout}`));
          controller.abort(new Error("timeout"));
        }, timeoutMs);
      }));
    }
    outputs = await Promise.race([work, ...guards]);
    state = exitState ?? "SUCCESS";
  } catch (e) {
    if (e instanceof AbortedError) state = "KILLED";
    else if (e instanceof TaskStateError) state = e.state;
    else state = "FAILED";
    // A failure that another attempt cannot fix (refused address, 4xx, bad property) ends it now.
    if (e instanceof NonRetriableError) final = true;
    if (state !== "KILLED") logger.error((e as Error).message ?? String(e));
  } finally {
    if (timer) clearTimeout(timer);
    input.signal.removeEventListener("abort", abort);
  }
  return complete(input, state, outputs, exitState, final);
}

class AbortedError extends Error {
  constructor() {
    super("Task killed");
  }
}

function complete(input: RunTaskInput, state: string, outputs: Record<string, unknown> | null, exit?: string, final = false): Completion {
  const { run, task } = input;
  const now = input.now();
  const nowIso = now.toISOString();
  const attempts: Attempt[] = run.attempts.map((a) => ({ ...a }));
  const last = attempts.at(-1)!;
  last.state = { current: state, histories: withState(last.state.histories, state, now) };
  last.endDate = nowIso;
  const base = { id: run.id, owner: input.owner, fence: input.fence, outputs, attempts, exit };
  if (state === "FAILED") {
    const first = Date.parse(attempts[0]?.startDate ?? nowIso);
    const retry = decideRetry(input.retry, attempts.length, first, now.getTime());
    if (retry.retry && !final) {
      const histories = withState(run.histories, "RETRYING", now);
      return { ...base, state: "RETRYING", histories, requeueAt: now.getTime() + retry.delayMs, endDate: null };
    }
    if (task.allowFailure === true) state = task.allowWarning === true ? "SUCCESS" : "WARNING";
  } else if (state === "SUCCESS" && attempts.length > 1 && input.retry?.warningOnRetry === true) {
    state = "WARNING";
  }
  return { ...base, state, histories: withState(run.histories, state, now), endDate: now.getTime() };
}
