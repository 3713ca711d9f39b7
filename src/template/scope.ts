// What an expression sees while it is evaluated, and the shape of filters/functions/tests.
import type { TemplateServices } from "./index";
import type { Dict } from "./values";

/** Returned by Scope.lookup for a name that no scope defines (undefined is a valid value). */
export const MISSING: unique symbol = Symbol("missing");

export interface Scope {
  lookup(name: string): unknown;
  /** All visible variables, innermost winning (printContext, render()). */
  variables(): Dict;
  services: TemplateServices;
  /** Render a template with the current variables; `recursive` re-renders until stable. */
  renderString(template: string, recursive: boolean): Promise<string>;
}

/** Arguments by name: positional ones are named after `params` in order. */
export interface Callable {
  params: string[];
  call(args: Dict, scope: Scope, positional: unknown[]): unknown;
}

export interface Filter {
  params: string[];
  apply(input: unknown, args: Dict, scope: Scope): unknown;
}

export type Test = (value: unknown, args: unknown[]) => boolean;

/** Map call arguments onto parameter names; extra positional ones stay in `positional`. */
export function bindArgs(name: string, params: string[], positional: unknown[], named: [string, unknown][]): Dict {
  const args: Dict = {};
  positional.forEach((v, i) => {
    if (i < params.length) args[params[i]] = v;
  });
  for (const [k, v] of named) {
    if (params.length && !params.includes(k)) {
      throw new Error(`'${name}' has no argument named '${k}' (expected one of ${params.join(", ")})`);
    }
    args[k] = v;
  }
  return args;
}
