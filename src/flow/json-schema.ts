// JSON Schema of a flow for editors and `tern schema`: the flow's zod schema, with tasks as a
// oneOf over every registered task type (discriminated by a `type` const) and inputs and
// triggers as a oneOf over their types.
import { z } from "zod";
import type { TaskDefinition } from "../../plugins/define.ts";
import { allTasks } from "../../plugins/index.ts";
import { flowSchema } from "./flow-schema.ts";
import { inputSchemas } from "./inputs.ts";
import { commonFlowableSchema, commonTaskSchema } from "./task-common.ts";
import { TRIGGER_TYPES, triggerSchemas } from "./triggers.ts";

type Json = Record<string, any>;
const OPTS = { io: "input", unrepresentable: "any", target: "draft-2020-12" } as const;
const TASK_REF = { $ref: "#/$defs/task" };
const TASK_LIST_DESCRIPTION = "Tasks (any task type)";

function toJson(schema: z.ZodType, defs: Json): Json {
  const json = z.toJSONSchema(schema, OPTS) as Json;
  delete json.$schema;
  // Named sub-schemas of plugins are hoisted to the root so their $refs still resolve.
  if (json.$defs) Object.assign(defs, json.$defs);
  delete json.$defs;
  return json;
}

/** Point every nested "list of tasks" at the task union, recursively. */
function linkTaskLists(node: unknown): void {
  if (!node || typeof node !== "object") return;
  const n = node as Json;
  if (n.type === "array" && n.description === TASK_LIST_DESCRIPTION) n.items = TASK_REF;
  for (const v of Object.values(n)) linkTaskLists(v);
}

function taskJson(def: TaskDefinition, defs: Json): Json {
  const common = toJson(def.kind === "flowable" ? commonFlowableSchema : commonTaskSchema, defs);
  const own = toJson(def.schema, defs);
  const names = [def.type, ...def.aliases];
  const schema: Json = {
    type: "object",
    title: def.title,
    description: def.description,
    properties: { ...common.properties, ...(own.properties ?? {}), type: names.length === 1 ? { const: def.type } : { enum: names } },
    required: [...new Set([...(common.required ?? []), ...(own.required ?? [])])],
    additionalProperties: false,
  };
  allowExpressions(schema.properties);
  linkTaskLists(schema);
  return schema;
}

/** Like the validator, accept a `{{ }}` string for typed task properties (not for lists of mappings). */
function allowExpressions(properties: Json): void {
  for (const [key, prop] of Object.entries(properties)) {
    const plainString = prop.type === "string" && !prop.enum && !prop.pattern;
    if (key === "id" || key === "type" || plainString || prop.items?.type === "object" || !Object.keys(prop).length) continue;
    properties[key] = { anyOf: [prop, { type: "string", pattern: "\\{\\{" }], ...(prop.description ? { description: prop.description } : {}) };
  }
}

function typedUnion(schemas: Record<string, z.ZodType>, names: (type: string) => string[], defs: Json): Json {
  return {
    oneOf: Object.entries(schemas).map(([type, schema]) => {
      const json = toJson(schema, defs);
      const all = names(type);
      json.properties.type = all.length === 1 ? { const: all[0] } : { enum: all };
      return json;
    }),
  };
}

export function flowJsonSchema(tasks: TaskDefinition[] = allTasks): object {
  const defs: Json = {};
  const root = toJson(flowSchema, defs);
  defs.task = { oneOf: tasks.map((t) => taskJson(t, defs)) };
  for (const list of ["tasks", "errors", "finally", "afterExecution"]) root.properties[list].items = TASK_REF;
  root.properties.inputs.items = typedUnion(inputSchemas, (t) => [t], defs);
  const aliases = (type: string) => Object.keys(TRIGGER_TYPES).filter((k) => TRIGGER_TYPES[k] === type);
  root.properties.triggers.items = typedUnion(triggerSchemas, aliases, defs);
  return { $schema: "https://json-schema.org/draft/2020-12/schema", title: "Tern flow", ...root, $defs: defs };
}
