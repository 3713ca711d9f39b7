// List and map filters: Pebble built-ins (first, join, sort, merge, slice…) and Kestra's
// (keys, values, chunk, flatten, distinct).
import { TemplateError } from "../errors";
import type { Filter } from "../scope";
import { compare, isEmpty, isMap, stringify, toJson } from "../values";
import { filter, int } from "./define";

function list(v: unknown, name: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new TemplateError(`The '${name}' filter can only be applied to lists, got '${stringify(v)}'`);
}

function sorted(v: unknown, name: string): unknown[] {
  return [...list(v, name)].sort((a, b) => compare(a, b) ?? 0);
}

export const COLLECTION_FILTERS: Record<string, Filter> = {
  first: filter([], (v) => (Array.isArray(v) ? (v[0] ?? null) : typeof v === "string" ? v.charAt(0) : isMap(v) ? (Object.values(v)[0] ?? null) : v)),
  last: filter([], (v) =>
    Array.isArray(v) ? (v[v.length - 1] ?? null) : typeof v === "string" ? v.charAt(v.length - 1) : isMap(v) ? (Object.values(v).pop() ?? null) : v),
  length: { params: [], apply: (v) => (v === null || v === undefined ? 0 : Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : stringify(v).length) },
  keys: filter([], (v) => (isMap(v) ? Object.keys(v) : Array.isArray(v) ? v.map((_, i) => i) : [])),
  values: filter([], (v) => (isMap(v) ? Object.values(v) : list(v, "values"))),
  join: filter(["separator"], (v, a) => (Array.isArray(v) ? v.map(stringify).join(a.separator === undefined ? "" : stringify(a.separator)) : stringify(v))),
  sort: filter([], (v) => sorted(v, "sort")),
  rsort: filter([], (v) => sorted(v, "rsort").reverse()),
  reverse: filter([], (v) => (typeof v === "string" ? [...v].reverse().join("") : [...list(v, "reverse")].reverse())),
  merge: filter(["items"], (v, a) => {
    if (isMap(v) && isMap(a.items)) return { ...v, ...a.items };
    if (Array.isArray(v)) return Array.isArray(a.items) ? [...v, ...a.items] : isMap(a.items) ? [...v, a.items] : [...v, a.items];
    throw new TemplateError("The 'merge' filter can only merge a list with a list or a map with a map");
  }),
  chunk: filter(["size"], (v, a) => {
    const items = list(v, "chunk");
    const size = int(a.size, "chunk size");
    if (size <= 0) throw new TemplateError("The 'chunk' filter expects a positive size");
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  }),
  flatten: filter([], (v) => list(v, "flatten").flatMap((x) => (Array.isArray(x) ? x : [x]))),
  distinct: filter([], (v) => {
    const seen = new Set<string>();
    return list(v, "distinct").filter((x) => {
      const key = toJson(x, true);
      return seen.has(key) ? false : (seen.add(key), true);
    });
  }),
  slice: filter(["fromIndex", "toIndex"], (v, a) => {
    const length = Array.isArray(v) ? v.length : stringify(v).length;
    const from = a.fromIndex === undefined || a.fromIndex === null ? 0 : int(a.fromIndex, "fromIndex");
    const to = a.toIndex === undefined || a.toIndex === null ? length : int(a.toIndex, "toIndex");
    if (from < 0) throw new TemplateError("fromIndex must be greater than 0");
    if (to > length) throw new TemplateError(`toIndex must be smaller than input size: ${length}`);
    if (from > to) throw new TemplateError("toIndex must be greater than fromIndex");
    return Array.isArray(v) ? v.slice(from, to) : stringify(v).slice(from, to);
  }),
  default: { params: ["default"], apply: (v, a) => (isEmpty(v) ? a.default : v) },
};
