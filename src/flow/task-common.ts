// Properties every task has (Kestra Task.java), whatever its type; flowables add errors/finally.
import { z } from "zod";
import { isoDuration, retrySchema } from "./common.ts";

export const TASK_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

const condition = () => z.union([z.string(), z.boolean()]);

export const commonTaskShape = {
  id: z.string().regex(TASK_ID, { message: `must match ${TASK_ID.source}` }).meta({ description: "Unique id of the task in the flow" }),
  type: z.string().meta({ description: "Task type" }),
  description: z.string().optional(),
  retry: retrySchema.optional(),
  timeout: isoDuration().optional().meta({ description: "Maximum duration of a run (ISO-8601), or an expression" }),
  disabled: z.boolean().optional(),
  runIf: condition().optional().meta({ description: "Skip the task when this renders falsy" }),
  when: condition().optional().meta({ description: "Newer name of runIf" }),
  allowFailure: z.boolean().optional(),
  allowWarning: z.boolean().optional(),
  logLevel: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]).optional(),
  logToFile: z.boolean().optional(),
  workerGroup: z.strictObject({ key: z.string(), fallback: z.enum(["FAIL", "WAIT", "CANCEL"]).optional() }).optional(),
};

/** Child lists are validated task by task by the tree walk, so only their shape is checked here. */
const childList = () => z.array(z.unknown()).meta({ description: "Tasks (any task type)" });

export const flowableExtraShape = { errors: childList(), finally: childList() };

export const commonTaskSchema = z.strictObject(commonTaskShape);
export const commonFlowableSchema = z.strictObject({
  ...commonTaskShape,
  errors: flowableExtraShape.errors.optional(),
  finally: flowableExtraShape.finally.optional(),
});

export const COMMON_KEYS = new Set(Object.keys(commonTaskShape));
export const FLOWABLE_KEYS = new Set([...COMMON_KEYS, "errors", "finally"]);
