// Zod schemas of the API's bodies and answers (Kestra's JSON shapes). They document the API
// through /api/openapi.json (z.toJSONSchema) and validate the JSON bodies Tern reads.
import { z } from "zod";

const d = (description: string) => ({ description });

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().meta(d("stable machine-readable code, e.g. NOT_FOUND, INVALID")),
    message: z.string(),
    issues: z.array(z.object({
      path: z.string().optional(), message: z.string(), line: z.number().optional(), column: z.number().optional(),
    })).optional(),
  }),
}).meta({ id: "Error" });

const StateHistory = z.object({ state: z.string(), date: z.string() });
export const State = z.object({
  current: z.string().meta(d("CREATED, RUNNING, PAUSED, SUCCESS, WARNING, FAILED, KILLED …")),
  histories: z.array(StateHistory),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  duration: z.string().optional().meta(d("ISO-8601 duration")),
});
const Label = z.object({ key: z.string(), value: z.string() });

export const TaskRun = z.object({
  id: z.string(), executionId: z.string(), namespace: z.string(), flowId: z.string(), taskId: z.string(),
  parentTaskRunId: z.string().nullable(), value: z.string().nullable(), iteration: z.number().optional(),
  state: State, outputs: z.record(z.string(), z.unknown()).optional(),
  attempts: z.array(z.object({ state: z.object({ current: z.string(), histories: z.array(StateHistory) }) }).loose()).optional(),
}).meta({ id: "TaskRun" });

export const Execution = z.object({
  id: z.string(), namespace: z.string(), flowId: z.string(), flowRevision: z.number(), state: State,
  inputs: z.record(z.string(), z.unknown()), outputs: z.record(z.string(), z.unknown()).nullable(),
  labels: z.array(Label), variables: z.record(z.string(), z.unknown()).optional(),
  trigger: z.record(z.string(), z.unknown()).optional(), parentId: z.string().optional(), originalId: z.string(),
  taskRunList: z.array(TaskRun),
  url: z.string().optional().meta(d("where the dashboard shows it")),
}).meta({ id: "Execution" });

export const Flow = z.object({
  id: z.string(), namespace: z.string(), revision: z.number(), disabled: z.boolean(), deleted: z.boolean(),
  description: z.string().optional(), tasks: z.array(z.record(z.string(), z.unknown())),
  source: z.string().optional().meta(d("the YAML source (with ?source=true, and on create/update)")),
}).loose().meta({ id: "Flow" });

export const ValidationError = z.object({
  line: z.number(), column: z.number(), path: z.string(), message: z.string(),
});
export const ValidateResult = z.object({
  index: z.number(), flow: z.string().nullable(), namespace: z.string().nullable(),
  constraints: z.string().optional().meta(d("every error, one per line (Kestra's field)")),
  outdated: z.boolean(), deprecationPaths: z.array(z.string()), warnings: z.array(z.string()), infos: z.array(z.string()),
  errors: z.array(ValidationError).meta(d("Tern: the same errors with line and column")),
}).meta({ id: "ValidateConstraintViolation" });

export const LogEntry = z.object({
  namespace: z.string(), flowId: z.string(), executionId: z.string(), taskRunId: z.string().nullable(),
  taskId: z.string().nullable(), attemptNumber: z.number().nullable(), level: z.string(), message: z.string(),
  timestamp: z.string(),
}).meta({ id: "LogEntry" });

export const paged = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ results: z.array(item), total: z.number() }).meta({ id: `PagedResults${name}` });

export const Namespace = z.object({ id: z.string(), deleted: z.boolean() }).meta({ id: "Namespace" });
export const KvEntry = z.object({
  key: z.string(), type: z.string(), updateDate: z.string(), expirationDate: z.string().nullable(),
}).meta({ id: "KVEntry" });
export const KvValue = z.object({ type: z.string(), value: z.unknown() }).meta({ id: "TypedValue" });

export const Health = z.object({
  status: z.enum(["UP", "DOWN"]),
  checks: z.object({ database: z.enum(["UP", "DOWN"]), loops: z.enum(["UP", "DOWN"]) }),
}).meta({ id: "Health" });

/** POST /executions/{id}/state */
export const ChangeStateBody = z.object({
  taskRunId: z.string().min(1),
  state: z.enum(["SUCCESS", "WARNING", "FAILED", "RUNNING", "KILLED", "CANCELLED", "SKIPPED"]),
}).meta({ id: "ChangeTaskRunState" });

/** Execution inputs as JSON: input id -> value (FILE inputs need multipart). */
export const InputsBody = z.record(z.string(), z.unknown()).meta({ id: "Inputs" });

export const Sse = z.string().meta({ description: "Server-Sent Events" });
