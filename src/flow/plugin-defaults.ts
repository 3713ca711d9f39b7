// pluginDefaults (alias taskDefaults): default property values per task/trigger type, applied
// before validation so a flow that relies on them validates, and so the engine gets the
// complete task. Kestra matches a type exactly or by package prefix, and merges maps deeply.
import type { PluginDefault } from "./flow-schema.ts";

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function matches(d: PluginDefault, names: string[]): boolean {
  return names.some((n) => n === d.type || n.startsWith(`${d.type}.`));
}

/** Fill what `target` lacks from `source` (recursing into maps both sides have). */
function fill(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    if (target[k] === undefined) target[k] = structuredClone(v);
    else if (isMap(target[k]) && isMap(v)) fill(target[k] as Record<string, unknown>, v);
  }
}

/** Write `source` over `target` (recursing into maps both sides have). */
function force(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    if (isMap(target[k]) && isMap(v)) force(target[k] as Record<string, unknown>, v);
    else target[k] = structuredClone(v);
  }
}

/**
 * Apply matching defaults to a task or trigger in place. `names` are every name the type goes
 * by (as written, canonical, aliases). Returns, for each top-level property a default supplied
 * or overrode, the index of that default (so errors in it can point at the pluginDefaults entry).
 */
export function applyPluginDefaults(target: Record<string, unknown>, names: string[], defaults: PluginDefault[]): Map<string, number> {
  const origins = new Map<string, number>();
  const apply = (forced: boolean) =>
    defaults.forEach((d, i) => {
      if (d.forced !== forced || !matches(d, names) || !isMap(d.values)) return;
      const values = Object.fromEntries(Object.entries(d.values).filter(([k]) => k !== "id" && k !== "type"));
      for (const k of Object.keys(values)) if (forced || target[k] === undefined) origins.set(k, i);
      (forced ? force : fill)(target, values);
    });
  apply(false);
  apply(true);
  return origins;
}
