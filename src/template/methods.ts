// The few Java methods Pebble users call on values (`s.toUpperCase()`, `list.size()`),
// since Pebble resolves `obj.name(args)` against the Java object.
import { TemplateError, UndefinedError } from "./errors";
import { equals, isMap, stringify } from "./values";

type Method = (self: never, ...args: never[]) => unknown;

const STRING: Record<string, Method> = {
  length: (s: string) => s.length,
  size: (s: string) => s.length,
  isEmpty: (s: string) => s.length === 0,
  isBlank: (s: string) => s.trim().length === 0,
  toUpperCase: (s: string) => s.toUpperCase(),
  toLowerCase: (s: string) => s.toLowerCase(),
  trim: (s: string) => s.trim(),
  strip: (s: string) => s.trim(),
  contains: (s: string, x: unknown) => s.includes(stringify(x)),
  startsWith: (s: string, x: unknown) => s.startsWith(stringify(x)),
  endsWith: (s: string, x: unknown) => s.endsWith(stringify(x)),
  indexOf: (s: string, x: unknown) => s.indexOf(stringify(x)),
  substring: (s: string, a: number, b?: number) => s.substring(a, b),
  replace: (s: string, a: unknown, b: unknown) => s.split(stringify(a)).join(stringify(b)),
  split: (s: string, re: string) => s.split(new RegExp(re)),
  charAt: (s: string, i: number) => s.charAt(i),
  equals: (s: string, x: unknown) => s === x,
  equalsIgnoreCase: (s: string, x: unknown) => typeof x === "string" && s.toLowerCase() === x.toLowerCase(),
  toString: (s: string) => s,
};

const LIST: Record<string, Method> = {
  size: (l: unknown[]) => l.length,
  isEmpty: (l: unknown[]) => l.length === 0,
  get: (l: unknown[], i: number) => l[i],
  contains: (l: unknown[], x: unknown) => l.some((y) => equals(x, y)),
  indexOf: (l: unknown[], x: unknown) => l.findIndex((y) => equals(x, y)),
  toString: (l: unknown[]) => stringify(l),
};

const MAP: Record<string, Method> = {
  size: (m: Record<string, unknown>) => Object.keys(m).length,
  isEmpty: (m: Record<string, unknown>) => Object.keys(m).length === 0,
  get: (m: Record<string, unknown>, k: unknown) => m[stringify(k)] ?? null,
  getOrDefault: (m: Record<string, unknown>, k: unknown, d: unknown) => (Object.hasOwn(m, stringify(k)) ? m[stringify(k)] : d),
  containsKey: (m: Record<string, unknown>, k: unknown) => Object.hasOwn(m, stringify(k)),
  keySet: (m: Record<string, unknown>) => Object.keys(m),
  values: (m: Record<string, unknown>) => Object.values(m),
  toString: (m: Record<string, unknown>) => stringify(m),
};

export function callMethod(obj: unknown, name: string, args: unknown[], src: string): unknown {
  if (obj === null || obj === undefined) throw new UndefinedError(src);
  const table = typeof obj === "string" ? STRING : Array.isArray(obj) ? LIST : isMap(obj) ? MAP : {};
  const method = Object.hasOwn(table, name) ? table[name] : name === "toString" ? () => stringify(obj) : undefined;
  if (!method) throw new TemplateError(`Method [${name}] is not available on '${stringify(obj)}' (in ${src})`);
  return (method as (...a: unknown[]) => unknown)(obj, ...args);
}
