// Rendering for the executor and workers: the template engine plus the services behind
// secret(), kv(), read(), with Kestra's rule that only strings are rendered.
import type { TemplateEngine, TemplateServices } from "../template/index.ts";

export type Vars = Record<string, unknown>;

export interface Renderer {
  render(template: string, vars: Vars): Promise<string>;
  renderDeep<T>(value: T, vars: Vars): Promise<T>;
}

/** `servicesFor` binds secret(), kv(), read(), errorLogs() to the execution the variables describe. */
export function createRenderer(engine: TemplateEngine, servicesFor: (vars: Vars) => TemplateServices): Renderer {
  const render = (template: string, vars: Vars) =>
    template.includes("{{") || template.includes("{%") ? engine.render(template, vars, servicesFor(vars)) : Promise.resolve(template);
  const renderDeep = async <T,>(value: T, vars: Vars): Promise<T> => {
    if (typeof value === "string") return (await render(value, vars)) as T;
    if (Array.isArray(value)) return (await Promise.all(value.map((v) => renderDeep(v, vars)))) as T;
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      // Keys are dynamic too (Labels: `"{{ inputs.key }}": value`).
      for (const [k, v] of Object.entries(value)) out[k.includes("{{") ? await render(k, vars) : k] = await renderDeep(v, vars);
      return out as T;
    }
    return value;
  };
  return { render, renderDeep };
}
