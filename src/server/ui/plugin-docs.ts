// Task-type docs from the plugins' own zod schemas (z.toJSONSchema), built once: the same
// schema that validates a task documents it, so the docs cannot drift from the validator.
import { z } from "zod";
import { allTasks } from "../../../plugins/index.ts";
import type { PluginDoc, PluginProp } from "../../../views/pages/plugins.tsx";

type Js = { type?: string | string[]; description?: string; default?: unknown; enum?: unknown[]; items?: Js; anyOf?: Js[]; oneOf?: Js[]; const?: unknown; properties?: Record<string, Js>; required?: string[] };

function typeName(s: Js): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return "enum";
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeName))].join(" | ");
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (s.type === "array") return `array of ${s.items ? typeName(s.items) : "any"}`;
  return s.type ?? "any";
}

function props(schema: z.ZodType): PluginProp[] {
  let js: Js;
  try {
    js = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Js;
  } catch {
    return [];
  }
  const required = new Set(js.required ?? []);
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name, type: typeName(p), required: required.has(name), description: p.description,
    default: p.default === undefined ? undefined : JSON.stringify(p.default), values: p.enum?.map(String),
  }));
}

let docs: PluginDoc[] | undefined;

export function pluginDocs(): PluginDoc[] {
  docs ??= allTasks
    .map((d) => ({
      type: d.type, title: d.title, kind: d.kind, aliases: d.aliases, description: d.description,
      props: props(d.schema), examples: d.examples,
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
  return docs;
}
