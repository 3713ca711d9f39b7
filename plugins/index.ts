// The static list of task types (no directory scanning). Group index files add theirs here.
import type { TaskDefinition } from "./define.ts";
import { coreInternalTasks, coreTasks } from "./core/index.ts";
import { httpTasks } from "./http/index.ts";
import { kvTasks } from "./kv/index.ts";
import { namespaceTasks } from "./namespace/index.ts";
import { notificationTasks } from "./notifications/index.ts";
import { scriptTasks } from "./scripts/index.ts";
import { sqlTasks } from "./sql/index.ts";
import { storageTasks } from "./storage/index.ts";

export const allTasks: TaskDefinition[] = [...coreTasks, ...kvTasks, ...httpTasks, ...scriptTasks, ...notificationTasks, ...sqlTasks, ...storageTasks, ...namespaceTasks];

const byType = new Map<string, TaskDefinition>();
for (const def of allTasks) {
  for (const name of [def.type, ...def.aliases]) byType.set(name, def);
}
const internal = new Map(coreInternalTasks.map((def) => [def.type, def]));

/** The definition of a task type (Kestra name, legacy alias or short alias). */
export function findTask(type: string): TaskDefinition | undefined {
  return byType.get(type) ?? internal.get(type);
}

/** Every accepted type name, for "did you mean" suggestions. */
export function taskTypeNames(): string[] {
  return [...byType.keys()];
}
