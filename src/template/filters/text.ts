// String filters: Pebble built-ins (upper, title, split, replace…) and Kestra's additions
// (slugify, substring*, indent, escapeChar…).
import { TemplateError } from "../errors";
import type { Filter } from "../scope";
import { isMap, stringify } from "../values";
import { deepStrings, filter, int, text } from "./define";

/** Java's String.split(regex, limit): trailing empty strings dropped when limit is 0. */
export function javaSplit(s: string, regex: string, limit = 0): string[] {
  const re = new RegExp(regex, "g");
  const parts: string[] = [];
  let last = 0;
  let matched = false;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      if (m.index === 0 || m.index >= s.length) continue;
    }
    if (limit > 0 && parts.length === limit - 1) break;
    matched = true;
    parts.push(s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  parts.push(s.slice(last));
  if (matched && limit === 0) while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function replacePairs(pairs: unknown, second: unknown, regexp: boolean): (s: string) => string {
  const entries: [string, string][] = isMap(pairs)
    ? Object.entries(pairs).map(([k, v]) => [k, stringify(v)])
    : [[stringify(pairs), stringify(second)]];
  return (s) => entries.reduce((acc, [from, to]) => (regexp ? acc.replace(new RegExp(from, "g"), to) : acc.split(from).join(to)), s);
}

const ESCAPES: Record<string, [string, string]> = { single: ["'", "\\'"], double: ['"', '\\"'], shell: ["'", "'\\''"] };

function indent(first: boolean) {
  return filter(["amount", "prefix"], (input, args) => {
    const s = stringify(input);
    if (s === "") return s;
    const amount = int(args.amount, "indent amount");
    const nl = s.includes("\r\n") ? "\r\n" : s.includes("\n") ? "\n" : s.includes("\r") ? "\r" : "\n";
    const pad = (args.prefix === undefined ? " " : stringify(args.prefix)).repeat(amount);
    return (first ? nl + s : s).split(nl).join(nl + pad);
  });
}

export const TEXT_FILTERS: Record<string, Filter> = {
  upper: text((s) => s.toUpperCase()),
  lower: text((s) => s.toLowerCase()),
  trim: text((s) => s.trim()),
  capitalize: text((s) => s.charAt(0).toUpperCase() + s.slice(1)),
  title: text((s) => s.replace(/(^|\s)(\S)/g, (_, sp: string, c: string) => sp + c.toUpperCase())),
  abbreviate: text((s, a) => {
    const n = int(a.length, "abbreviate length");
    return s.length <= n ? s : n < 3 ? s.slice(0, n) : s.slice(0, n - 3) + "...";
  }, ["length"]),
  split: text((s, a) => {
    if (a.delimiter === undefined || a.delimiter === null) throw new TemplateError("missing delimiter parameter in split filter");
    return javaSplit(s, stringify(a.delimiter), a.limit === undefined ? 0 : int(a.limit, "split limit"));
  }, ["delimiter", "limit"]),
  replace: filter(["replace_pairs", "regexp"], (input, a) => {
    const twoStrings = !isMap(a.replace_pairs);
    const regexp = twoStrings ? false : a.regexp === true;
    return deepStrings(input, replacePairs(a.replace_pairs, a.regexp, regexp));
  }),
  slugify: text((s) =>
    s.replace(/\s/g, "-").normalize("NFD").replace(/[^\w-]/g, "").replace(/_/g, "-").replace(/-{2,}/g, "-")
      .replace(/^-/, "").replace(/-$/, "").toLowerCase()),
  substringBefore: text((s, a) => {
    const i = s.indexOf(stringify(a.separator));
    return i < 0 ? s : s.slice(0, i);
  }, ["separator"]),
  substringAfter: text((s, a) => {
    const sep = stringify(a.separator);
    const i = s.indexOf(sep);
    return i < 0 ? "" : s.slice(i + sep.length);
  }, ["separator"]),
  substringBeforeLast: text((s, a) => {
    const i = s.lastIndexOf(stringify(a.separator));
    return i < 0 || a.separator === "" ? s : s.slice(0, i);
  }, ["separator"]),
  substringAfterLast: text((s, a) => {
    const sep = stringify(a.separator);
    const i = s.lastIndexOf(sep);
    return i < 0 || sep === "" || i + sep.length === s.length ? "" : s.slice(i + sep.length);
  }, ["separator"]),
  startsWith: text((s, a) => s.startsWith(stringify(a.prefix)), ["prefix"]),
  endsWith: text((s, a) => s.endsWith(stringify(a.suffix)), ["suffix"]),
  escapeChar: filter(["type"], (input, a) => {
    const esc = ESCAPES[stringify(a.type).toLowerCase()];
    if (!esc) throw new TemplateError("The 'escapeChar' filter expects the value of 'type' to be either 'single', 'double', or 'shell'.");
    return deepStrings(input, (s) => s.split(esc[0]).join(esc[1]));
  }),
  indent: indent(false),
  nindent: indent(true),
  string: filter([], (input) => stringify(input)),
};
