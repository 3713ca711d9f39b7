// Small helpers shared by the filter tables.
import type { Filter, Scope } from "../scope";
import type { Dict } from "../values";
import { stringify } from "../values";

/** A filter that returns null for a null input, as nearly all Pebble/Kestra filters do. */
export function filter(params: string[], apply: (input: unknown, args: Dict, scope: Scope) => unknown): Filter {
  return { params, apply: (input, args, scope) => (input === null || input === undefined ? null : apply(input, args, scope)) };
}

/** A string → string filter. */
export function text(fn: (s: string, args: Dict) => unknown, params: string[] = []): Filter {
  return filter(params, (input, args) => fn(stringify(input), args));
}

/** Apply `fn` to every string inside maps and lists (Kestra's replace/escapeChar). */
export function deepStrings(v: unknown, fn: (s: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => deepStrings(x, fn));
  if (typeof v === "object" && v !== null && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepStrings(x, fn)]));
  }
  return fn(stringify(v));
}

export function int(v: unknown, what: string): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new Error(`${what} must be an integer, got '${stringify(v)}'`);
  return n;
}
