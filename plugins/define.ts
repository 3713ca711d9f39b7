// The plugin contract: every task type is one `defineTask` (runs in a worker and returns
// outputs) or one `defineFlowable` (tells the executor which child tasks run next).
// Plugins only touch what the context gives them; they never import the store or Bun.*.
import { z } from "zod";

/** A task as written in a flow (validated): id, type and its properties. */
export interface TaskDef {
  id: string;
  type: string;
  [prop: string]: unknown;
}

export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface Logger {
  trace(msg: string): void;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  log(level: LogLevel, msg: string): void;
}

/** Internal storage (kestra:/// URIs). */
export interface FileStore {
  /** Store bytes at a URI inside the current task run's folder; returns the kestra:/// URI. */
  put(name: string, data: Uint8Array | string | ReadableStream<Uint8Array>): Promise<string>;
  get(uri: string): Promise<Uint8Array>;
  getText(uri: string): Promise<string>;
  exists(uri: string): Promise<boolean>;
  size(uri: string): Promise<number>;
  delete(uri: string): Promise<boolean>;
  /** A local filesystem path holding the file's content (downloaded if needed). */
  localPath(uri: string): Promise<string>;
  /** Every URI of the current execution (inputs, task outputs, trigger files), e.g. to purge them. */
  listExecution?(): Promise<string[]>;
}

export interface NamespaceFileReader {
  /** Every file, as a path relative to the namespace root (`lib/helper.py`), sorted. */
  list(): Promise<string[]>;
  get(path: string): Promise<Uint8Array>;
  /**
   * The files of the flow's namespace or of a namespace below it, to read and write (the
   * namespace.* tasks); any other namespace throws, as the flow's author may not act there.
   */
  of?(namespace: string): NamespaceFileStore;
}

/** One namespace's files; paths are relative to its root (`lib/helper.py`; a leading `/` is allowed). */
export interface NamespaceFileStore {
  readonly namespace: string;
  list(): Promise<string[]>;
  get(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  put(path: string, data: Uint8Array | string | ReadableStream<Uint8Array>): Promise<void>;
  delete(path: string): Promise<boolean>;
}

export interface KvStore {
  get(namespace: string, key: string): Promise<{ value: unknown; type: string } | undefined>;
  set(namespace: string, key: string, value: unknown, opts?: { type?: string; ttlMs?: number; overwrite?: boolean }): Promise<void>;
  delete(namespace: string, key: string): Promise<boolean>;
  keys(namespace: string, prefix?: string): Promise<string[]>;
}

export interface ExecutionInfo {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  labels: { key: string; value: string }[];
  state: string;
}

export interface TaskRunInfo {
  id: string;
  taskId: string;
  value: string | null;
  attempt: number;
  parentTaskRunId: string | null;
}

/** What a runnable task's `run` gets. */
export interface TaskContext {
  execution: ExecutionInfo;
  taskRun: TaskRunInfo;
  logger: Logger;
  signal: AbortSignal;
  storage: FileStore;
  /** The flow's own namespace files, read-only (another namespace's cannot be named). */
  namespaceFiles?: NamespaceFileReader;
  kv: KvStore;
  /** Render a template string (Kestra/Pebble expressions) in this task run's context, plus `extra` variables. */
  render(template: string, extra?: Record<string, unknown>): Promise<string>;
  /** Render any value: strings rendered, arrays/objects rendered deeply. */
  renderDeep<T = unknown>(value: T): Promise<T>;
  /** The variables visible to expressions (flow, execution, inputs, outputs, ...). */
  vars: Record<string, unknown>;
  /** A shared working directory when the task runs inside a WorkingDirectory task. */
  workingDir?: string;
  /** Emit a metric (counter or timer). */
  metric(name: string, type: "counter" | "timer", value: number, tags?: Record<string, string>): void;
  /** Runtime services (process spawning, environment) supplied by src/runtime. */
  runtime: RuntimeServices;
  /** Engine hooks for tasks that act on executions (Labels, Exit, Subflow...). */
  engine: EngineHooks;
  /** Other executions' records (PurgeExecutions, PurgeLogs, Count, log.Fetch). */
  records?: ExecutionRecords;
  now(): Date;
}

export interface RuntimeServices {
  /** The host environment a task may see: without Tern's own settings (TERN_*) and secrets (SECRET_*). */
  env: Record<string, string | undefined>;
  /** Tern's own TERN_* settings (HTTP guard, log caps …), read by plugins, never handed to scripts. */
  settings?: Record<string, string | undefined>;
  tmpDir(): Promise<string>;
  removeDir(path: string): Promise<void>;
  spawn(opts: SpawnOptions): Promise<SpawnResult>;
  /** SQL databases for the jdbc-style tasks (libSQL/SQLite files and URLs, PostgreSQL). */
  sql?: SqlConnector;
}

export interface SqlConnector {
  /** `file:`/`libsql:`/`jdbc:sqlite:` or `postgres://`/`jdbc:postgresql:` URLs. */
  open(url: string, auth?: { username?: string; password?: string }): Promise<SqlConnection>;
}

export interface SqlConnection {
  dialect: "sqlite" | "postgres";
  /** Named parameters (`:name`) from an object, or positional ones from an array. */
  query(sql: string, params?: Record<string, unknown> | unknown[]): Promise<{ rows: Record<string, unknown>[]; rowsAffected: number }>;
  /** Statements run in one transaction, all or nothing. */
  batch(statements: { sql: string; params?: unknown[] }[]): Promise<void>;
  close(): Promise<void>;
}

export interface SpawnOptions {
  cmd: string[];
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  onStdout(line: string): void;
  onStderr(line: string): void;
  stdin?: string;
  /** Limits applied to the process (best effort; see README). */
  limits?: { memoryBytes?: number; cpuSeconds?: number };
  killGraceMs?: number;
}

export interface SpawnResult {
  exitCode: number;
  signal?: string;
}

export interface EngineHooks {
  /** Replace/merge execution labels. */
  setLabels(labels: { key: string; value: string }[]): Promise<void>;
  /** Ask the engine to end the execution in `state` once this task returns. */
  exit(state: string): void;
  /**
   * Ask the engine to change the execution's variables (`vars`) once this task succeeds:
   * `set` is deep-merged in, then each of `unset` (`a.b` names key b of map a) is removed.
   */
  variables?(change: { set?: Record<string, unknown>; unset?: string[] }): void;
  /** Resume a PAUSED execution with the Pause task's onResume input values (execution.Resume). */
  resume?(executionId: string, inputs?: Record<string, unknown>): Promise<void>;
  /** Enable or disable a flow's trigger (trigger.Toggle); throws when the flow or trigger is unknown. */
  toggleTrigger?(key: { namespace: string; flowId: string; triggerId: string }, enabled: boolean): Promise<void>;
}

/**
 * Executions' records for the tasks that purge, count or read them. A flow reaches its own
 * namespace and the ones below it (a flow in `system` reaches all); beyond, calls throw.
 */
export interface ExecutionRecords {
  /** Finished executions created in [startDate, endDate) with what hangs off them. */
  purge(r: {
    namespace?: string; flowId?: string; startDate?: number; endDate: number; states?: string[];
    purgeExecution: boolean; purgeLog: boolean; purgeMetric: boolean; purgeStorage: boolean; batchSize: number;
  }): Promise<{ executionsCount: number; logsCount: number; metricsCount: number; storagesCount: number }>;
  /** Log lines written in [startDate, endDate); returns how many went. */
  purgeLogs(r: { namespace?: string; flowId?: string; executionId?: string; startDate?: number; endDate: number; levels?: string[] }): Promise<number>;
  /** Executions per flow created in the range; each named flow has a line, 0 included. */
  count(r: {
    flows?: { namespace: string; flowId: string }[]; namespaces?: string[]; states?: string[]; startDate?: number; endDate?: number;
  }): Promise<{ namespace: string; flowId: string; count: number }[]>;
  /** KV entries of namespaces (globs on namespace and key; expired ones only by default); returns how many went. */
  purgeKv(r: { namespaces?: string[]; includeChildNamespaces: boolean; namespacePattern?: string; keyPattern?: string; expiredOnly: boolean }): Promise<number>;
  /** An execution's log lines at `minLevel` and above (of some tasks only, when named). */
  logs(executionId: string, minLevel: LogLevel, taskIds?: string[]): Promise<
    { taskId: string | null; taskRunId: string | null; attempt: number | null; level: string; message: string; timestamp: number }[]
  >;
}

/** Thrown to fail without retry. */
export class NonRetriableError extends Error {
  override name = "NonRetriableError";
}

/** Thrown to end the task in a given state instead of FAILED (e.g. WARNING, KILLED). */
export class TaskStateError extends Error {
  constructor(readonly state: string, message: string) {
    super(message);
  }
}

export interface Example {
  title: string;
  code: string;
}

export interface RunnableDefinition<S extends z.ZodType = z.ZodType> {
  kind: "runnable";
  type: string;
  aliases: string[];
  title: string;
  description: string;
  schema: S;
  examples: Example[];
  /** Property names not rendered before `run` (the task renders them itself, or never). */
  raw: string[];
  /**
   * Instant and free of side effects outside the execution (Log, Return …): the executor may
   * run it inside its own pass, so a chain of such tasks costs one write, not one per task. If
   * the process dies before that write, the task simply runs again: nothing of it was kept.
   */
  inline?: boolean;
  run(ctx: TaskContext, props: z.infer<S>): Promise<Record<string, unknown> | void>;
}

/** A resolved child: a task and the iteration value it runs under (ForEach). */
export interface Branch {
  value?: string | null;
  tasks: TaskDef[];
  /** Indices of branches that must finish (SUCCESS/WARNING/SKIPPED) first (Dag). */
  after?: number[];
}

/**
 * What a flowable decides when it starts: the branches of children, how many run at once,
 * and how a child failure maps onto its own state. The plan is stored with the task run, so
 * a restarted engine continues the same plan (the expressions are not rendered twice).
 */
export interface Plan {
  branches: Branch[];
  /** Branches running at once; 0 means all. Inside a branch tasks run one after another. */
  concurrency: number;
  outputs?: Record<string, unknown>;
  /** AllowFailure: a failed child makes this task WARNING instead of FAILED. */
  childFailure?: "fail" | "warn";
  /** Run every branch even after one failed (ForEach childFailurePolicy = CONTINUE). */
  continueOnFailure?: boolean;
}

export interface FlowableContext {
  execution: ExecutionInfo;
  taskRun: TaskRunInfo;
  logger: Logger;
  render(template: string): Promise<string>;
  renderDeep<T = unknown>(value: T): Promise<T>;
  vars: Record<string, unknown>;
}

export interface FlowableDefinition<S extends z.ZodType = z.ZodType> {
  kind: "flowable";
  type: string;
  aliases: string[];
  title: string;
  description: string;
  schema: S;
  examples: Example[];
  /** The child task lists of a task as written, with their property path (validation, graphs). */
  children(task: TaskDef): { path: (string | number)[]; task: TaskDef }[];
  /** Decide the branches when the task starts (may render expressions). */
  plan(ctx: FlowableContext, task: TaskDef): Promise<Plan>;
  /**
   * Special engine behaviour: Subflow (child execution), Pause (waits), LoopUntil (repeats its
   * children), WorkingDirectory (shared folder). Plain flowables leave it undefined.
   */
  special?: "subflow" | "pause" | "loop" | "workingDirectory" | "forEachItem";
  /**
   * Tasks the engine runs under this one that are not written in the flow (ForEachItem's
   * `_split`, `_items`, `_merge`): indexed by id like written children, never validated.
   */
  internal?(task: TaskDef): TaskDef[];
}

export type TaskDefinition = RunnableDefinition<any> | FlowableDefinition<any>;

type RunnableInput<S extends z.ZodType> = Omit<RunnableDefinition<S>, "kind" | "aliases" | "examples" | "raw" | "title"> &
  Partial<Pick<RunnableDefinition<S>, "aliases" | "examples" | "raw" | "title">>;

export function defineTask<S extends z.ZodType>(def: RunnableInput<S>): RunnableDefinition<S> {
  return {
    kind: "runnable",
    aliases: [],
    examples: [],
    raw: [],
    title: def.type.split(".").pop() ?? def.type,
    ...def,
  };
}

type FlowableInput<S extends z.ZodType> = Omit<FlowableDefinition<S>, "kind" | "aliases" | "examples" | "title" | "children"> &
  Partial<Pick<FlowableDefinition<S>, "aliases" | "examples" | "title" | "children">>;

/** Child task lists found under these keys unless a flowable says otherwise. */
const DEFAULT_CHILD_KEYS = ["tasks", "then", "else", "defaults", "errors", "finally"];

export function defineFlowable<S extends z.ZodType>(def: FlowableInput<S>): FlowableDefinition<S> {
  return {
    kind: "flowable",
    aliases: [],
    examples: [],
    title: def.type.split(".").pop() ?? def.type,
    children: (task) => childrenUnder(task, DEFAULT_CHILD_KEYS),
    ...def,
  };
}

/** Child tasks found in the given list-valued keys of a task. */
export function childrenUnder(task: TaskDef, keys: string[]): { path: (string | number)[]; task: TaskDef }[] {
  const out: { path: (string | number)[]; task: TaskDef }[] = [];
  for (const key of keys) {
    const list = task[key];
    if (!Array.isArray(list)) continue;
    list.forEach((t, i) => {
      if (t && typeof t === "object") out.push({ path: [key, i], task: t as TaskDef });
    });
  }
  return out;
}

/** A list of child tasks inside a flowable's schema (validated task by task by the flow validator). */
export const taskList = () =>
  z.array(z.looseObject({ id: z.string(), type: z.string() })).meta({ description: "Tasks (any task type)" });

/** ISO-8601 duration such as PT1S, PT5M, P1D (Kestra's java.time.Duration). */
export const DURATION_RE = /^P(?!$)(\d+(?:\.\d+)?D)?(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?$/i;

export const duration = () =>
  z.string().regex(DURATION_RE, { message: "expected an ISO-8601 duration such as PT30S, PT5M or P1D" });

/** Parse an ISO-8601 duration to milliseconds; throws on a bad value. */
export function durationMs(text: string): number {
  const t = text.trim().toUpperCase();
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(t);
  if (!m || t === "P" || t.endsWith("T")) throw new Error(`invalid ISO-8601 duration "${text}"`);
  const [, neg, d, h, min, s] = m;
  const ms = ((+(d ?? 0) * 24 + +(h ?? 0)) * 60 + +(min ?? 0)) * 60_000 + +(s ?? 0) * 1000;
  return neg ? -ms : ms;
}

/** Kestra's truthiness of a rendered condition: "", "false", "0", "-0", "null" are false. */
export function isTruthy(rendered: string): boolean {
  const t = rendered.trim().toLowerCase();
  return !(t === "" || t === "false" || t === "0" || t === "-0" || t === "null" || t === "0.0");
}
