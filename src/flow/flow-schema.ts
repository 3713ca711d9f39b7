// The top level of a flow. Tasks, inputs and triggers are only checked for shape here; their
// own validators (tasks.ts, inputs.ts, triggers.ts) check each item against its type.
import { z } from "zod";
import { isoDuration, labelsSchema, retrySchema } from "./common.ts";
import { INPUT_TYPES } from "./inputs.ts";

export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;

// Items are z.unknown(): each item's own validator reports a non-mapping, once.
const items = (what: string) => z.array(z.unknown()).meta({ description: what });

export const outputSchema = z.strictObject({
  id: z.string().min(1),
  type: z.enum(INPUT_TYPES),
  value: z.unknown(),
  description: z.string().optional(),
  displayName: z.string().optional(),
  required: z.boolean().optional(),
});

export const pluginDefaultSchema = z.strictObject({
  type: z.string().min(1).meta({ description: "A task or trigger type, or a package prefix of types" }),
  forced: z.boolean().default(false).meta({ description: "Override values the task sets itself" }),
  values: z.record(z.string(), z.unknown()),
});

const slaSchema = z
  .strictObject({
    id: z.string().min(1),
    type: z.enum(["MAX_DURATION", "EXECUTION_ASSERTION"]),
    behavior: z.enum(["FAIL", "CANCEL", "NONE"]).default("FAIL"),
    duration: isoDuration().optional(),
    assert: z.string().optional(),
    labels: labelsSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const need = s.type === "MAX_DURATION" ? "duration" : "assert";
    if (s[need] === undefined) ctx.addIssue({ code: "custom", path: [], message: `missing required property "${need}" (needed by SLA type ${s.type})` });
  });

const checkSchema = z.strictObject({
  condition: z.string().optional(),
  when: z.string().optional(),
  message: z.string(),
  style: z.enum(["ERROR", "SUCCESS", "WARNING", "INFO"]).default("INFO"),
  behavior: z.enum(["BLOCK_EXECUTION", "FAIL_EXECUTION", "CREATE_EXECUTION"]).default("BLOCK_EXECUTION"),
});

export const flowSchema = z.strictObject({
  id: z.string().max(100).regex(FLOW_ID, { message: `must match ${FLOW_ID.source}` }),
  namespace: z.string().max(150).regex(NAMESPACE, { message: `must match ${NAMESPACE.source}` }),
  /** Server-managed; accepted and ignored. */
  revision: z.number().int().optional(),
  description: z.string().optional(),
  labels: labelsSchema.optional(),
  inputs: items("Inputs").optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
  outputs: z.array(outputSchema).optional(),
  tasks: items("Tasks").min(1, { message: "a flow needs at least one task" }),
  errors: items("Tasks run when the flow fails").optional(),
  finally: items("Tasks always run at the end").optional(),
  afterExecution: items("Tasks run after the execution ended").optional(),
  triggers: items("Triggers").optional(),
  concurrency: z
    .strictObject({ limit: z.number().int().min(1), behavior: z.enum(["QUEUE", "CANCEL", "FAIL"]).default("QUEUE"), duration: isoDuration().optional() })
    .optional(),
  disabled: z.boolean().default(false),
  deleted: z.boolean().optional(),
  retry: retrySchema.optional(),
  pluginDefaults: z.array(pluginDefaultSchema).optional(),
  /** Older name of pluginDefaults. */
  taskDefaults: z.array(pluginDefaultSchema).optional(),
  sla: z.array(slaSchema).optional(),
  checks: z.array(checkSchema).optional(),
  tenantId: z.string().optional(),
});

export type FlowOutput = z.output<typeof outputSchema>;
export type PluginDefault = z.output<typeof pluginDefaultSchema>;
export type Sla = z.output<typeof slaSchema>;
export type Check = z.output<typeof checkSchema>;
export type Concurrency = NonNullable<z.output<typeof flowSchema>["concurrency"]>;
