// Execution inputs: provided values (CLI/API strings or JSON values) + definitions -> typed
// values, following Kestra's FlowInputOutput: defaults fill missing values, a missing
// required input is an error, a missing optional one is null, dotted ids nest.
import type { InputDef } from "./inputs.ts";
import { parseValue, show } from "./input-values.ts";
import { isExpression } from "./zod-tools.ts";

export interface InputError {
  input: string;
  message: string;
}

export interface ResolveOptions {
  /** Keep dotted ids flat (`{"a.b": 1}`) instead of nesting them (`{a: {b: 1}}`). Default false. */
  flat?: boolean;
}

function lookup(provided: Record<string, unknown>, id: string): unknown {
  if (id in provided) return provided[id];
  // A JSON body may already nest dotted ids.
  let cur: unknown = provided;
  for (const part of id.split(".")) {
    if (!cur || typeof cur !== "object" || !(part in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Type every defined input. Defaults that contain `{{ }}` are returned untouched (use
 * resolveRenderedInputs to have them rendered and typed).
 */
export function resolveInputs(defs: InputDef[], provided: Record<string, unknown>, opts: ResolveOptions = {}): { values: Record<string, unknown>; errors: InputError[] } {
  const { flatValues, errors } = typeInputs(defs, provided);
  return { values: opts.flat ? flatValues : nest(flatValues), errors };
}

/** Renders an expression default; `inputs` are the inputs defined before it, typed and nested. */
export type RenderDefault = (template: string, inputs: Record<string, unknown>) => Promise<unknown>;

/**
 * resolveInputs, with expression defaults rendered (Kestra 0.24+: `defaults: "{{ now() |
 * date('yyyy-MM-dd') }}"`) in the order the inputs are defined, each seeing the inputs before it,
 * then typed like a provided value. A default that cannot be rendered is an error on its input.
 */
export async function resolveRenderedInputs(
  defs: InputDef[], provided: Record<string, unknown>, render: RenderDefault, opts: ResolveOptions = {},
): Promise<{ values: Record<string, unknown>; errors: InputError[] }> {
  const { flatValues, errors, unrendered } = typeInputs(defs, provided);
  for (const def of defs) {
    if (!unrendered.has(def.id)) continue;
    const before = Object.fromEntries(Object.entries(flatValues).filter(([id]) => id !== def.id && !unrendered.has(id)));
    try {
      const rendered = await render(def.defaults as string, nest(before));
      const r = parseValue(def, rendered);
      if (r.ok) flatValues[def.id] = r.value;
      else errors.push({ input: def.id, message: invalid(def.id, `its default ${show(def.defaults)} renders a bad value: ${r.reason}`, rendered) });
    } catch (e) {
      errors.push({ input: def.id, message: `Invalid input for \`${def.id}\`, its default could not be rendered: ${(e as Error).message}` });
    }
    unrendered.delete(def.id);
  }
  return { values: opts.flat ? flatValues : nest(flatValues), errors };
}

function typeInputs(defs: InputDef[], provided: Record<string, unknown>) {
  const flatValues: Record<string, unknown> = {};
  const errors: InputError[] = [];
  /** Ids whose value is still their expression default. */
  const unrendered = new Set<string>();
  for (const def of defs) {
    let value = lookup(provided ?? {}, def.id);
    let fromDefault = false;
    if ((value === undefined || value === null) && def.defaults !== undefined && def.defaults !== null) {
      value = def.defaults;
      fromDefault = true;
    }
    const received = value === undefined ? null : value;
    if (received === null) {
      if (def.required !== false) errors.push({ input: def.id, message: invalid(def.id, "missing required input", null) });
      else flatValues[def.id] = null;
      continue;
    }
    if (fromDefault && isExpression(value)) {
      flatValues[def.id] = value;
      unrendered.add(def.id);
      continue;
    }
    const r = parseValue(def, value);
    if (r.ok) flatValues[def.id] = r.value;
    else errors.push({ input: def.id, message: invalid(def.id, r.reason, value) });
  }
  return { flatValues, errors, unrendered };
}

/** Kestra's Input.toConstraintViolationException wording. */
const invalid = (id: string, reason: string, value: unknown) => `Invalid input for \`${id}\`, ${reason}, but received \`${show(value)}\``;

function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(flat)) {
    const parts = id.split(".");
    let cur = out;
    for (const part of parts.slice(0, -1)) {
      if (!cur[part] || typeof cur[part] !== "object") cur[part] = {};
      cur = cur[part] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1]] = value;
  }
  return out;
}
