// Running zod schemas for flow validation: issues with Tern's wording, "did you mean" for
// unknown keys, and leniency for `{{ }}` expressions standing in for typed values.
import type { z } from "zod";
import { describe, type Issue, type Path } from "./errors.ts";
import { suggest } from "./suggest.ts";

type Any = z.ZodType;
const def = (s: Any): any => (s as any)._zod.def;

/** Strip wrappers that do not change which keys an object accepts. */
export function unwrap(schema: Any): Any {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = def(s);
    if (["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional"].includes(d.type)) s = d.innerType;
    else if (d.type === "pipe") s = d.in;
    else if (d.type === "lazy") s = d.getter();
    else break;
  }
  return s;
}

/** Property names an object-like schema accepts, or null when it accepts any key. */
export function objectKeys(schema: Any): Set<string> | null {
  const s = unwrap(schema);
  const d = def(s);
  if (d.type === "object") {
    const catchall = d.catchall ? def(d.catchall).type : undefined;
    if (catchall && catchall !== "never") return null;
    return new Set(Object.keys(d.shape));
  }
  if (d.type === "union" || d.type === "intersection") {
    const parts = d.type === "union" ? d.options : [d.left, d.right];
    const keys = new Set<string>();
    for (const p of parts) {
      const k = objectKeys(p);
      if (!k) return null;
      k.forEach((x) => keys.add(x));
    }
    return keys;
  }
  return null;
}

/** The sub-schema at a value path (best effort: unions take the first object branch that has the key). */
export function schemaAt(schema: Any, path: Path): Any | undefined {
  let s: Any | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    const d = def(unwrap(s));
    if (d.type === "object") s = d.shape[seg] ?? undefined;
    else if (d.type === "array") s = d.element;
    else if (d.type === "record") s = d.valueType;
    else if (d.type === "union") s = d.options.map((o: Any) => schemaAt(o, [seg])).find(Boolean);
    else return undefined;
  }
  return s;
}

const SENTINEL = "\u0000tern";
const NOUN: Record<string, string> = {
  object: "a mapping", record: "a mapping", map: "a mapping", array: "a list", string: "a string",
  number: "a number", int: "an integer", boolean: "a boolean (true or false)", null: "null",
};
const noun = (t: string) => NOUN[t] ?? t;
const got = (input: unknown) => (input === undefined ? "" : `, got ${describe(input)}`);

export const isExpression = (v: unknown): v is string => typeof v === "string" && v.includes("{{");

export interface RunOptions {
  /** Accept a `{{ }}` string wherever a typed value is expected, except under these top keys. */
  lenient?: boolean;
  strictKeys?: string[];
}

export function runSchema<S extends Any>(schema: S, value: unknown, opts: RunOptions = {}): { data?: z.output<S>; issues: Issue[] } {
  const result = schema.safeParse(value, { reportInput: true, error: () => SENTINEL });
  if (result.success) return { data: result.data, issues: [] };
  const issues: Issue[] = [];
  for (const zi of result.error.issues) issues.push(...convert(schema, zi as any, [], opts));
  // Only expressions failed: the value is acceptable as written (typed later, once rendered).
  if (issues.length === 0) return { data: value as z.output<S>, issues };
  return { issues };
}

/**
 * Lists of mappings (child tasks, Dag entries) are structure the engine walks before anything
 * is rendered, so an expression cannot stand in for them.
 */
function mayBeExpression(root: Any, path: Path): boolean {
  const at = schemaAt(root, path);
  if (!at) return true;
  const d = def(unwrap(at));
  return !(d.type === "array" && def(unwrap(d.element)).type === "object");
}

function convert(root: Any, zi: any, prefix: Path, opts: RunOptions): Issue[] {
  const path: Path = [...prefix, ...zi.path];
  const input = zi.input;
  if (opts.lenient && isExpression(input) && !opts.strictKeys?.includes(String(path[0])) && mayBeExpression(root, path)) return [];
  const own = zi.message !== SENTINEL ? zi.message : undefined;
  switch (zi.code) {
    case "unrecognized_keys": {
      const known = objectKeys(schemaAt(root, path) ?? root);
      return zi.keys.map((k: string) => {
        const hint = known ? suggest(k, known) : undefined;
        return { path: [...path, k], atKey: true, message: `unknown property "${k}"${hint ? ` (did you mean ${hint}?)` : ""}` };
      });
    }
    case "invalid_type":
      if (input === undefined && !own && path.length) {
        return [{ path: path.slice(0, -1), message: `missing required property "${path[path.length - 1]}"` }];
      }
      return [{ path, message: (own ?? `expected ${noun(zi.expected)}`) + got(input) }];
    case "invalid_value": {
      if (input === undefined && !own && path.length) return [{ path: path.slice(0, -1), message: `missing required property "${path[path.length - 1]}"` }];
      const values = zi.values.map((v: unknown) => (typeof v === "string" ? v : JSON.stringify(v)));
      return [{ path, message: (own ?? `expected ${values.length > 1 ? "one of " : ""}${values.join(", ")}`) + got(input) }];
    }
    case "invalid_format":
      return [{ path, message: (own ?? (zi.format === "regex" ? `must match ${zi.pattern}` : `expected a valid ${zi.format}`)) + got(input) }];
    case "too_small":
    case "too_big": {
      const small = zi.code === "too_small";
      const n = small ? zi.minimum : zi.maximum;
      const what = zi.origin === "array" ? "item(s)" : zi.origin === "string" ? "character(s)" : "";
      const msg = what ? `expected at ${small ? "least" : "most"} ${n} ${what}` : `must be ${small ? ">" : "<"}${zi.inclusive ? "=" : ""} ${n}`;
      return [{ path, message: (own ?? msg) + (what ? "" : got(input)) }];
    }
    case "invalid_union":
      return own ? [{ path, message: own + got(input) }] : convertUnion(root, zi, path, opts);
    case "invalid_key":
    case "invalid_element":
      return zi.issues.flatMap((sub: any) => convert(root, sub, path, opts));
    default:
      return [{ path, message: own ?? zi.code }];
  }
}

/** A union failed: name the expected shapes when none fit, else report the closest branch. */
function convertUnion(root: Any, zi: any, path: Path, opts: RunOptions): Issue[] {
  if (zi.input === undefined && path.length) return [{ path: path.slice(0, -1), message: `missing required property "${path[path.length - 1]}"` }];
  const branches: any[][] = zi.errors ?? [];
  const wrongShape = (b: any[]) => b.length === 1 && b[0].code === "invalid_type" && b[0].path.length === 0;
  const close = branches.filter((b) => !wrongShape(b));
  if (close.length === 0) {
    const expected = [...new Set(branches.map((b) => noun(b[0].expected)))];
    return [{ path, message: `expected ${expected.join(" or ")}${got(zi.input)}` }];
  }
  const best = close.reduce((a, b) => (b.length < a.length ? b : a));
  return best.flatMap((sub) => convert(root, { input: undefined, ...sub }, path, opts));
}

const isPlainMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Unknown keys in nested objects of a value: plugin schemas use plain z.object, which strips
 * unknown keys silently, so each nested mapping is compared with the keys its sub-schema
 * declares. Levels whose keys cannot be known (records, loose objects, mixed unions) are skipped.
 */
export function nestedUnknownKeys(schema: Any, value: unknown, path: Path = []): Issue[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => nestedUnknownKeys(schema, v, [...path, i]));
  if (!isPlainMap(value)) return [];
  const at = path.length ? schemaAt(schema, path) : undefined;
  const known = at ? objectKeys(at) : null;
  return Object.keys(value).flatMap((k): Issue[] => {
    if (!known || known.has(k)) return nestedUnknownKeys(schema, value[k], [...path, k]);
    const hint = suggest(k, known);
    return [{ path: [...path, k], atKey: true, message: `unknown property "${k}"${hint ? ` (did you mean ${hint}?)` : ""}` }];
  });
}
