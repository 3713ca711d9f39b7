// Typing one input value the way Kestra's FlowInputOutput does: strings from the CLI/API or
// JSON values in, typed values out, or the reason (worded like Kestra's) why not.
import { parse as parseYamlText } from "yaml";
import { isoDurationMs } from "./common.ts";
import type { InputDef, InputType } from "./inputs.ts";

export type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const fail = (reason: string): Parsed => ({ ok: false, reason });
const expected = (type: string, v: unknown) => fail(`Expected \`${type}\` but received \`${show(v)}\``);

/** Java-ish rendering of a received value inside messages. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
// Lenient on purpose: Kestra's own URI_PATTERN rejects http://localhost:8080.
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** Instant as Java prints it: UTC, milliseconds only when not zero. */
export function instantString(s: string): string | undefined {
  if (!DATETIME.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace(".000Z", "Z");
}

const timeSeconds = (s: string) => {
  const [, h, m, sec, frac] = TIME.exec(s)!;
  return +h * 3600 + +m * 60 + +(sec ?? 0) + +(frac ?? 0);
};
/** LocalTime.toString(): seconds are omitted when zero ("01:00"). */
const javaTime = (s: string) => {
  const [, h, m, sec, frac] = TIME.exec(s)!;
  return +(sec ?? 0) === 0 && !frac ? `${h}:${m}` : `${h}:${m}:${sec}${frac ?? ""}`;
};
/** Float.toString() of a whole number keeps ".0". */
const javaFloat = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

function parseList(v: unknown, type: string): unknown[] | Parsed {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") {
    try {
      const parsed = JSON.parse(v);
      if (Array.isArray(parsed)) return parsed;
    } catch {}
  }
  return expected(type, v);
}

export function parseValue(def: InputDef, v: unknown): Parsed {
  return parseTyped(def.type, def, v);
}

function parseTyped(type: InputType, def: InputDef, v: unknown): Parsed {
  switch (type) {
    case "STRING":
    case "SECRET": {
      if (typeof v === "object" && v !== null) return expected(type, v);
      const s = String(v);
      if (def.validator !== undefined && !new RegExp(`^(?:${def.validator})$`).test(s)) return fail(`it must match the pattern \`${def.validator}\``);
      return ok(s);
    }
    case "ENUM":
    case "SELECT": {
      if (typeof v === "object" && v !== null) return expected(type, v);
      const s = String(v);
      const values = def.values ?? [];
      if (def.allowCustomValue || (values.length === 0 && def.expression) || values.includes(s)) return ok(s);
      return fail(`it must match the values \`[${values.join(", ")}]\``);
    }
    case "MULTISELECT": {
      const list = parseList(v, type);
      if (!Array.isArray(list)) return list;
      const values = def.values ?? def.options ?? [];
      if (!def.allowCustomValue && values.length > 0) {
        const bad = list.find((item) => !values.includes(String(item)));
        if (bad !== undefined) return fail(`value \`${show(bad)}\` doesn't match the values \`[${values.join(", ")}]\``);
      }
      return ok(list.map(String));
    }
    case "INT": {
      const n = typeof v === "number" ? v : typeof v === "string" && INT.test(v.trim()) ? Number(v.trim()) : NaN;
      if (!Number.isSafeInteger(n)) return expected(type, v);
      if (typeof def.min === "number" && n < def.min) return fail(`it must be more than \`${def.min}\``);
      if (typeof def.max === "number" && n > def.max) return fail(`it must be less than \`${def.max}\``);
      return ok(n);
    }
    case "FLOAT": {
      const n = typeof v === "number" ? v : typeof v === "string" && FLOAT.test(v.trim()) ? Number(v.trim()) : NaN;
      if (!Number.isFinite(n)) return expected(type, v);
      if (typeof def.min === "number" && n < def.min) return fail(`it must be more than \`${javaFloat(def.min)}\``);
      if (typeof def.max === "number" && n > def.max) return fail(`it must be less than \`${javaFloat(def.max)}\``);
      return ok(n);
    }
    case "BOOLEAN":
    case "BOOL": {
      if (typeof v === "boolean") return ok(v);
      const s = typeof v === "string" ? v.trim().toLowerCase() : "";
      return s === "true" || s === "false" ? ok(s === "true") : expected(type, v);
    }
    case "DATETIME": {
      const iso = typeof v === "string" ? instantString(v.trim()) : undefined;
      if (!iso) return expected(type, v);
      const t = Date.parse(iso);
      if (def.after && t < Date.parse(def.after)) return fail(`it must be after \`${instantString(def.after) ?? def.after}\``);
      if (def.before && t > Date.parse(def.before)) return fail(`it must be before \`${instantString(def.before) ?? def.before}\``);
      return ok(iso);
    }
    case "DATE": {
      if (typeof v !== "string" || !validDate(v.trim())) return expected(type, v);
      const s = v.trim();
      if (def.after && s < def.after) return fail(`it must be after \`${def.after}\``);
      if (def.before && s > def.before) return fail(`it must be before \`${def.before}\``);
      return ok(s);
    }
    case "TIME": {
      if (typeof v !== "string" || !TIME.test(v.trim())) return expected(type, v);
      const s = v.trim();
      if (def.after && TIME.test(def.after) && timeSeconds(s) < timeSeconds(def.after)) return fail(`it must be after \`${javaTime(def.after)}\``);
      if (def.before && TIME.test(def.before) && timeSeconds(s) > timeSeconds(def.before)) return fail(`it must be before \`${javaTime(def.before)}\``);
      return ok(s);
    }
    case "DURATION": {
      const ms = typeof v === "string" ? isoDurationMs(v.trim()) : undefined;
      if (ms === undefined) return expected(type, v);
      // Kestra capitalises these two messages (DurationInput), unlike the others.
      if (typeof def.min === "string" && ms < (isoDurationMs(def.min) ?? -Infinity)) return fail(`It must be more than \`${def.min}\``);
      if (typeof def.max === "string" && ms > (isoDurationMs(def.max) ?? Infinity)) return fail(`It must be less than \`${def.max}\``);
      return ok((v as string).trim());
    }
    case "FILE":
      // Uploading to internal storage is the caller's job; a URI or path string is kept as is.
      return typeof v === "string" && v !== "" ? ok(v) : expected(type, v);
    case "JSON": {
      if (typeof v !== "string") return ok(v);
      try {
        return ok(JSON.parse(v));
      } catch {
        return expected(type, v);
      }
    }
    case "YAML": {
      if (typeof v !== "string") return ok(v);
      try {
        return ok(parseYamlText(v, { maxAliasCount: 100 }));
      } catch {
        return expected(type, v);
      }
    }
    case "URI":
      return typeof v === "string" && URI.test(v) ? ok(v) : expected(type, v);
    case "EMAIL":
      return typeof v === "string" && EMAIL.test(v) ? ok(v) : fail("it must be a valid email address");
    case "ARRAY": {
      const list = parseList(v, type);
      if (!Array.isArray(list)) return list;
      const itemType = def.itemType ?? "STRING";
      const out: unknown[] = [];
      for (const item of list) {
        const r = parseTyped(itemType, { id: def.id, type: itemType, required: true }, item);
        if (!r.ok) return fail(`Unable to parse array element as \`${itemType}\` on \`${show(item)}\``);
        out.push(r.value);
      }
      return ok(out);
    }
  }
}
