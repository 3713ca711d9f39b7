// Shared by the kv.* tasks: key rules and the namespace a task acts on.
import { z } from "zod";
import type { TaskContext } from "../define.ts";

/** Kestra's KV key pattern. */
export const kvKey = () =>
  z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { message: "KV keys use letters, digits, '.', '_' and '-', starting with a letter or digit" })
    .meta({ description: "The key" });

export const kvNamespace = () => z.string().optional().meta({ description: "Namespace of the store (default: the flow's namespace)" });

export const namespaceOf = (ctx: TaskContext, ns: string | undefined) => ns || ctx.execution.namespace;
