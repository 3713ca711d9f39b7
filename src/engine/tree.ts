// Lookups over a flow's task tree: a task by id, its ancestors, and the retry policy in force.
import type { TaskDef } from "../../plugins/define.ts";
import { findTask } from "../../plugins/index.ts";
import type { FlowModel } from "./model.ts";

export interface TaskIndex {
  /** taskId -> task definition as written. */
  byId: Map<string, TaskDef>;
  /** taskId -> ids of its ancestor tasks, innermost first. */
  ancestors: Map<string, string[]>;
}

const cache = new WeakMap<FlowModel, TaskIndex>();

export function indexFlow(flow: FlowModel): TaskIndex {
  const hit = cache.get(flow);
  if (hit) return hit;
  const byId = new Map<string, TaskDef>();
  const ancestors = new Map<string, string[]>();
  const visit = (task: TaskDef, parents: string[]) => {
    byId.set(task.id, task);
    ancestors.set(task.id, parents);
    const def = findTask(task.type);
    if (def?.kind === "flowable") {
      for (const child of def.children(task)) visit(child.task, [task.id, ...parents]);
      for (const child of def.internal?.(task) ?? []) visit(child, [task.id, ...parents]);
    }
  };
  for (const list of [flow.tasks, flow.errors, flow.finally, flow.afterExecution]) {
    for (const t of list ?? []) visit(t, []);
  }
  const index = { byId, ancestors };
  cache.set(flow, index);
  return index;
}

export function taskById(flow: FlowModel, id: string): TaskDef {
  const t = indexFlow(flow).byId.get(id);
  if (!t) throw new Error(`task "${id}" is not in flow ${flow.namespace}.${flow.id}`);
  return t;
}

/**
 * The retry policy of a task: its own, else the nearest ancestor flowable's (Kestra re-runs the
 * failed children of a retried flowable as new attempts), else the flow's.
 */
export function retryOf(flow: FlowModel, taskId: string): Record<string, unknown> | undefined {
  const index = indexFlow(flow);
  const own = index.byId.get(taskId)?.retry as Record<string, unknown> | undefined;
  if (own) return own;
  for (const a of index.ancestors.get(taskId) ?? []) {
    const r = index.byId.get(a)?.retry as Record<string, unknown> | undefined;
    if (r) return r;
  }
  return flow.retry;
}
