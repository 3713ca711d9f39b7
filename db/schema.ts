// Every table of Tern, in one place (Drizzle). camelCase in TS, snake_case in SQL.
// Times are milliseconds since the epoch (INTEGER); JSON columns hold text.
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { UNFINISHED } from "../src/store/sql.ts";

export const flows = sqliteTable(
  "flows",
  {
    namespace: text("namespace").notNull(),
    id: text("id").notNull(),
    revision: integer("revision").notNull(),
    source: text("source").notNull(),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.id] })],
);

export const flowRevisions = sqliteTable(
  "flow_revisions",
  {
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    revision: integer("revision").notNull(),
    source: text("source").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.flowId, t.revision] })],
);

export const executions = sqliteTable(
  "executions",
  {
    id: text("id").primaryKey(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    flowRevision: integer("flow_revision").notNull(),
    state: text("state").notNull(),
    /** [{state, date}] */
    histories: text("histories").notNull(),
    inputs: text("inputs"),
    outputs: text("outputs"),
    labels: text("labels"),
    variables: text("variables"),
    trigger: text("trigger"),
    parentId: text("parent_id"),
    originalId: text("original_id"),
    /** Unique key per trigger firing (schedule slot, webhook delivery) so a retry cannot double-create. */
    dedupKey: text("dedup_key"),
    createdAt: integer("created_at").notNull(),
    startDate: integer("start_date"),
    endDate: integer("end_date"),
    /** When the executor must look at this execution again (pause delay, retry wait), or null. */
    wakeAt: integer("wake_at"),
    /** Executor lease: the instance walking this execution now. */
    owner: text("owner"),
    leaseUntil: integer("lease_until"),
    killRequested: integer("kill_requested", { mode: "boolean" }).notNull().default(false),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("executions_flow_idx").on(t.namespace, t.flowId, t.createdAt),
    index("executions_state_idx").on(t.state, t.createdAt),
    index("executions_created_idx").on(t.createdAt),
    uniqueIndex("executions_dedup_idx").on(t.dedupKey),
    // Unfinished executions only: what the executors' pick-up and recovery scan.
    index("executions_active_idx")
      .on(t.owner, t.leaseUntil)
      .where(sql.raw(UNFINISHED)),
  ],
);

export const taskRuns = sqliteTable(
  "task_runs",
  {
    id: text("id").primaryKey(),
    executionId: text("execution_id").notNull(),
    /** Creation order inside the execution (Kestra's taskRunList order). */
    seq: integer("seq").notNull(),
    parentTaskRunId: text("parent_task_run_id"),
    taskId: text("task_id").notNull(),
    value: text("value"),
    /** Which list of the parent this run belongs to: main | errors | finally | after, and branch index. */
    section: text("section").notNull().default("main"),
    branch: integer("branch").notNull().default(0),
    /** Loop iteration (LoopUntil/WaitFor) the run belongs to. */
    iteration: integer("iteration").notNull().default(0),
    state: text("state").notNull(),
    histories: text("histories").notNull(),
    /** [{state: {current, histories}, startDate, endDate}] */
    attempts: text("attempts").notNull().default("[]"),
    outputs: text("outputs"),
    /** A flowable's plan (branches decided when it started). */
    plan: text("plan"),
    /** Runnable task runs wait in QUEUED (state CREATED) until runAt; workers claim them. */
    queued: integer("queued", { mode: "boolean" }).notNull().default(false),
    runAt: integer("run_at"),
    owner: text("owner"),
    leaseUntil: integer("lease_until"),
    fence: integer("fence").notNull().default(0),
    startDate: integer("start_date"),
    endDate: integer("end_date"),
  },
  (t) => [
    index("task_runs_execution_idx").on(t.executionId, t.seq),
    index("task_runs_queue_idx").on(t.queued, t.runAt),
    // Claimed runs only: lease renewal, expiry and take-over checks look them up by owner.
    index("task_runs_owner_idx").on(t.owner, t.leaseUntil).where(sql`owner IS NOT NULL`),
  ],
);

export const logs = sqliteTable(
  "logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    executionId: text("execution_id").notNull(),
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    taskRunId: text("task_run_id"),
    taskId: text("task_id"),
    attempt: integer("attempt"),
    level: text("level").notNull(),
    message: text("message").notNull(),
    timestamp: integer("timestamp").notNull(),
  },
  (t) => [index("logs_execution_idx").on(t.executionId, t.id), index("logs_time_idx").on(t.timestamp)],
);

export const metrics = sqliteTable(
  "metrics",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    executionId: text("execution_id").notNull(),
    taskRunId: text("task_run_id"),
    taskId: text("task_id"),
    name: text("name").notNull(),
    type: text("type").notNull(),
    value: real("value").notNull(),
    tags: text("tags"),
    timestamp: integer("timestamp").notNull(),
  },
  (t) => [index("metrics_execution_idx").on(t.executionId)],
);

export const kv = sqliteTable(
  "kv",
  {
    namespace: text("namespace").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
    type: text("type").notNull().default("STRING"),
    expiresAt: integer("expires_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.key] })],
);

export const secrets = sqliteTable(
  "secrets",
  {
    namespace: text("namespace").notNull(),
    key: text("key").notNull(),
    /** AES-256-GCM: base64 of iv | ciphertext | tag. */
    ciphertext: text("ciphertext").notNull(),
    keyId: text("key_id").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.key] })],
);

/** Internal storage when files live in the database (instances sharing one libSQL server). */
export const files = sqliteTable("files", {
  uri: text("uri").primaryKey(),
  data: blob("data", { mode: "buffer" }).notNull(),
  size: integer("size").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const triggers = sqliteTable(
  "triggers",
  {
    namespace: text("namespace").notNull(),
    flowId: text("flow_id").notNull(),
    triggerId: text("trigger_id").notNull(),
    type: text("type").notNull(),
    nextDate: integer("next_date"),
    lastDate: integer("last_date"),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    /** Backfill state {start, end, currentDate, paused, inputs, labels}. */
    backfill: text("backfill"),
    owner: text("owner"),
    leaseUntil: integer("lease_until"),
    fence: integer("fence").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.flowId, t.triggerId] }), index("triggers_next_idx").on(t.nextDate)],
);

/** Named leases (singleton loops, schedule slots): holder + fencing token, database time. */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  fence: integer("fence").notNull().default(0),
  expiresAt: integer("expires_at").notNull(),
});

/** Webhook deliveries already accepted (de-duplication on delivery id). */
export const webhookDeliveries = sqliteTable("webhook_deliveries", {
  id: text("id").primaryKey(),
  executionId: text("execution_id").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
});

export const grants = sqliteTable(
  "grants",
  {
    subject: text("subject").notNull(),
    role: text("role").notNull(),
    namespacePrefix: text("namespace_prefix").notNull().default("*"),
  },
  (t) => [primaryKey({ columns: [t.subject, t.role, t.namespacePrefix] })],
);

export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  /** Free text for admins (Kestra's `description`). */
  description: text("description"),
  /** Epoch ms after which the token is refused; null (every token made before 0005): never. */
  expiresAt: integer("expires_at"),
});

/** Dashboard sessions: the cookie holds a random token, the table its SHA-256 (a leaked
 * database does not hand out live sessions). */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const audit = sqliteTable(
  "audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor"),
    action: text("action").notNull(),
    target: text("target"),
    detail: text("detail"),
  },
  (t) => [index("audit_at_idx").on(t.at)],
);

/** Database time in ms (leases must not trust local clocks). */
export const dbNowMs = sql<number>`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;
