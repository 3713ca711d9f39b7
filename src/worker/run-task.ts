// Runs one claimed task run: renders its properties, calls the plugin, applies timeout,
// retry and allowFailure, and returns the fenced completion to persist.
import { durationMs, NonRetriableError, TaskStateError, type Logger, type LogLevel, type RunnableDefinition, type TaskContext, type TaskDef } from "../../plugins/define.ts";
import type { Attempt, LogEntry, TaskRun } from "../engine/model.ts";
import { decideRetry } from "../engine/retry.ts";
import { withState } from "../engine/states.ts";
import type { VariablesChange } from "../engine/variables-change.ts";
import type { Completion } from "../store/task-queue.ts";
import { runWithProps } from "./task-props.ts";

/** What a task asks of the engine besides its outputs, kept with its completion. */
export interface TaskRequests {
  /** Exit: end the execution in this state. */
  exit(state: string): void;
  /** SetVariables/UnsetVariables: change the execution's variables (kept only if the task succeeds). */
  variables(change: VariablesChange): void;
}

export interface RunTaskInput {
  run: TaskRun;
  fence: number;
  owner: string;
  task: TaskDef;
  def: RunnableDefinition;
  retry: Record<string, unknown> | undefined;
  /** Builds the plugin context around a logger and a signal (storage, kv, render…). */
  context(logger: Logger, signal: AbortSignal, requests: TaskRequests): TaskContext;
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
  let requested: VariablesChange | undefined;
  let variables: VariablesChange | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let state: string;
  let outputs: Record<string, unknown> | null = null;
  let final = false;
  try {
    const ctx = input.context(logger, controller.signal, {
      exit: (s) => (exitState = s),
      variables: (change) => (requested = change),
    });
    const work = runWithProps(def, task, ctx);
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
    variables = requested;
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
  return complete(input, state, outputs, { exit: exitState, variables }, final);
}

class AbortedError extends Error {
  constructor() {
    super("Task killed");
  }
}

function complete(
  input: RunTaskInput, state: string, outputs: Record<string, unknown> | null, kept: Pick<Completion, "exit" | "variables">, final = false,
): Completion {
  const { run, task } = input;
  const now = input.now();
  const nowIso = now.toISOString();
  const attempts: Attempt[] = run.attempts.map((a) => ({ ...a }));
  const last = attempts.at(-1)!;
  last.state = { current: state, histories: withState(last.state.histories, state, now) };
  last.endDate = nowIso;
  const base = { id: run.id, owner: input.owner, fence: input.fence, outputs, attempts, ...kept };
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
