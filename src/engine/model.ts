// The in-memory shapes of an execution and its task runs, as the executor sees them.
import type { Plan, TaskDef } from "../../plugins/define.ts";
import type { StateHistory } from "./states.ts";
import type { VariablesChange } from "./variables-change.ts";

export interface Label {
  key: string;
  value: string;
}

export interface Execution {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: string;
  histories: StateHistory[];
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  labels: Label[];
  variables: Record<string, unknown>;
  trigger: Record<string, unknown> | null;
  parentId: string | null;
  originalId: string | null;
  createdAt: number;
  startDate: number | null;
  endDate: number | null;
  wakeAt: number | null;
  killRequested: boolean;
}

export interface Attempt {
  state: { current: string; histories: StateHistory[] };
  startDate?: string;
  endDate?: string;
}

export type Section = "main" | "errors" | "finally" | "after";

/** What a flowable stored when it started, plus engine bookkeeping for special tasks. */
export interface StoredPlan extends Plan {
  /** LoopUntil/WaitFor: the current iteration. */
  iteration?: number;
  /** Pause: when the delay ends / the timeout fires (ms). */
  resumeAt?: number;
  timeoutAt?: number;
  /** Subflow: the child execution. */
  childExecutionId?: string;
  /** ForEachItem `_items`: the child execution of each batch, by batch index. */
  children?: string[];
  /** ForEachItem `_items` after a restart: batches whose new child execution is still to be started. */
  restartBatches?: number[];
  /** Exit task: the state the execution must end in. */
  exit?: string;
  /** SetVariables/UnsetVariables: the change of the execution's variables (applied by the executor). */
  variables?: VariablesChange;
  /** WorkingDirectory: the shared folder. */
  workingDir?: string;
  /** Loop: when the next iteration may start. */
  nextIterationAt?: number;
}

export interface TaskRun {
  id: string;
  executionId: string;
  seq: number;
  parentTaskRunId: string | null;
  taskId: string;
  value: string | null;
  section: Section;
  branch: number;
  iteration: number;
  state: string;
  histories: StateHistory[];
  attempts: Attempt[];
  outputs: Record<string, unknown> | null;
  plan: StoredPlan | null;
  queued: boolean;
  runAt: number | null;
  startDate: number | null;
  endDate: number | null;
  /** Set when this instance claims the run as it creates it (the in-process fast path). */
  owner?: string | null;
  fence?: number;
}

export interface LogEntry {
  executionId: string;
  taskRunId: string | null;
  taskId: string | null;
  attempt: number | null;
  level: string;
  message: string;
  timestamp: number;
}

/** A flow as the engine runs it (validated, plugin defaults applied). */
export interface FlowModel {
  id: string;
  namespace: string;
  revision?: number;
  tasks: TaskDef[];
  errors?: TaskDef[];
  finally?: TaskDef[];
  afterExecution?: TaskDef[];
  outputs?: { id: string; type?: string; value: unknown }[];
  retry?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  labels?: Record<string, string> | Label[];
  inputs?: { id: string; type: string }[];
  concurrency?: { limit: number; behavior?: string };
  disabled?: boolean;
  [k: string]: unknown;
}
