// Walks the task tree (tasks, errors, finally, afterExecution and every flowable's children)
// and validates each task against its plugin's schema plus the common task properties.
// Unknown properties are errors: a misspelt property would otherwise be silently ignored.
import type { TaskDefinition } from "../../plugins/define.ts";
import { dropNulls } from "./common.ts";
import { checkDag, DAG_TYPE } from "./dag.ts";
import { describe, formatPath, prefixIssues, type Issue, type Path } from "./errors.ts";
import type { PluginDefault } from "./flow-schema.ts";
import { applyPluginDefaults } from "./plugin-defaults.ts";
import { looksLikeKestraType, suggest } from "./suggest.ts";
import { COMMON_KEYS, commonFlowableSchema, commonTaskSchema, FLOWABLE_KEYS } from "./task-common.ts";
import { nestedUnknownKeys, objectKeys, runSchema } from "./zod-tools.ts";

/** Where task types come from (plugins/index.ts by default; tests may pass their own). */
export interface TaskRegistry {
  findTask(type: string): TaskDefinition | undefined;
  taskTypeNames(): string[];
}

export const TASK_LISTS = ["tasks", "errors", "finally", "afterExecution"] as const;
const LENIENT = { lenient: true, strictKeys: ["id", "type"] };
const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

interface Walk {
  registry: TaskRegistry;
  defaults: PluginDefault[];
  /** The flow key the defaults were written under (pluginDefaults or taskDefaults). */
  defaultsKey: string;
  seen: Map<string, Path>;
  issues: Issue[];
}

/** Validate every task of a flow in place (plugin defaults are written into the tasks). */
export function validateTaskTree(flow: Record<string, unknown>, registry: TaskRegistry, defaults: PluginDefault[], defaultsKey: string): Issue[] {
  const walk: Walk = { registry, defaults, defaultsKey, seen: new Map(), issues: [] };
  for (const list of TASK_LISTS) {
    const tasks = flow[list];
    if (Array.isArray(tasks)) tasks.forEach((t, i) => visit(walk, t, [list, i]));
  }
  return walk.issues;
}

/** Validate one task on its own, as in a flow without plugin defaults (TemplatedTask's rendered spec). */
export function validateTask(task: unknown, registry: TaskRegistry): Issue[] {
  const walk: Walk = { registry, defaults: [], defaultsKey: "pluginDefaults", seen: new Map(), issues: [] };
  visit(walk, task, []);
  return walk.issues;
}

function visit(walk: Walk, task: unknown, path: Path): void {
  if (!isMap(task)) {
    walk.issues.push({ path, message: "expected a task (a mapping with id and type)" });
    return;
  }
  dropNulls(task);
  const { id, type } = task;
  if (typeof id === "string") {
    const first = walk.seen.get(id);
    if (first) walk.issues.push({ path: [...path, "id"], message: `duplicate task id "${id}" (also used at ${formatPath(first)})` });
    else walk.seen.set(id, path);
  }
  if (type === undefined) return void walk.issues.push({ path, message: 'missing required property "type"' });
  if (typeof type !== "string") return void walk.issues.push({ path: [...path, "type"], message: `expected a string, got ${describe(type)}` });
  const def = walk.registry.findTask(type);
  if (!def) return void walk.issues.push({ path: [...path, "type"], message: unknownType(type, walk.registry) });

  const origins = applyPluginDefaults(task, [type, def.type, ...def.aliases], walk.defaults);
  const children = def.kind === "flowable" ? childrenOf(def, task) : [];
  // Child tasks are validated by their own visit; the parent's schema must not judge them too.
  const inChild = (i: Issue) => children.some((c) => c.path.every((seg, k) => i.path[k] === seg));
  const issues = [...validateProps(task, def).filter((i) => !inChild(i)), ...(def.type === DAG_TYPE ? checkDag(task, []) : [])];
  walk.issues.push(...prefixIssues(path, issues.map((i) => fromDefaults(i, origins, walk))));

  for (const child of children) visit(walk, child.task, [...path, ...child.path]);
}

function unknownType(type: string, registry: TaskRegistry): string {
  const hint = suggest(type, registry.taskTypeNames());
  if (hint) return `unknown task type "${type}" (did you mean ${hint}?)`;
  if (looksLikeKestraType(type)) return `unknown task type "${type}": a Kestra type not implemented by Tern`;
  return `unknown task type "${type}"`;
}

/** Errors in a property a plugin default supplied say so (the value has no place in the task's source). */
function fromDefaults(issue: Issue, origins: Map<string, number>, walk: Walk): Issue {
  const key = issue.path[0];
  const at = typeof key === "string" ? origins.get(key) : undefined;
  if (at === undefined) return issue;
  return { ...issue, message: `${issue.message} (value from ${walk.defaultsKey}[${at}])` };
}

function validateProps(task: Record<string, unknown>, def: TaskDefinition): Issue[] {
  const pluginKeys = objectKeys(def.schema);
  const commonKeys = def.kind === "flowable" ? FLOWABLE_KEYS : COMMON_KEYS;
  const common: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(task)) {
    if (pluginKeys?.has(key)) own[key] = value;
    else if (commonKeys.has(key)) common[key] = value;
    else if (!pluginKeys) own[key] = value;
    else {
      const hint = suggest(key, [...pluginKeys, ...commonKeys]);
      issues.push({ path: [key], atKey: true, message: `unknown property "${key}" for ${def.type}${hint ? ` (did you mean ${hint}?)` : ""}` });
    }
  }
  // id and type are checked once, by the common schema, even when the plugin declares them too.
  common.id = task.id;
  common.type = task.type;
  const commonSchema = def.kind === "flowable" ? commonFlowableSchema : commonTaskSchema;
  issues.push(...runSchema(commonSchema, common, LENIENT).issues);
  try {
    const result = runSchema(def.schema, own, LENIENT);
    issues.push(...result.issues.filter((i) => i.path[0] !== "id" && i.path[0] !== "type"));
    const reported = new Set(issues.map((i) => formatPath(i.path)));
    issues.push(...nestedUnknownKeys(def.schema, own).filter((i) => !reported.has(formatPath(i.path))));
  } catch (e) {
    issues.push({ path: [], message: `could not validate ${def.type}: ${(e as Error).message}` });
  }
  return issues;
}

/** The flowable's children plus its errors/finally lists when its children() leaves them out. */
function childrenOf(def: Extract<TaskDefinition, { kind: "flowable" }>, task: Record<string, unknown>) {
  let children: { path: Path; task: unknown }[] = [];
  try {
    children = def.children(task as never);
  } catch {
    // A malformed task (already reported) can make children() throw; its children are skipped.
  }
  const covered = new Set(children.map((c) => formatPath(c.path)));
  for (const key of ["errors", "finally"]) {
    const list = task[key];
    if (Array.isArray(list)) list.forEach((t, i) => covered.has(formatPath([key, i])) || children.push({ path: [key, i], task: t }));
  }
  return children;
}
