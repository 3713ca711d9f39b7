// How template values behave: printing (Kestra's JsonWriter), truthiness, equality and
// ordering (Pebble's OperatorUtils with Kestra's string comparison).
import { TemplateError } from "./errors";

export type Dict = Record<string, unknown>;

/**
 * A Java double whose value is a whole number, which Pebble prints with its fraction: `{{ 1.5 *
 * 2 }}` and `{{ 2.0 }}` write "3.0" and "2.0" where a JS number would write "3" and "2". Other
 * doubles (4.5) stay plain JS numbers: they print the same in both. It lives only inside
 * expressions: filters, functions and tests receive plain numbers (`plain`), and whatever leaves
 * the engine is text or unwrapped.
 */
export class JavaDouble {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return javaDoubleString(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** A double result: wrapped when it is whole, so it still prints as a double. */
export const double = (n: number): number | JavaDouble => (Number.isInteger(n) ? new JavaDouble(n) : n);

/** Java's Double.toString: a fraction always, scientific below 10^-3 and from 10^7. */
export function javaDoubleString(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  const abs = Math.abs(n);
  if (n === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(n) ? n.toFixed(1) : String(n);
  const [mantissa, exponent] = n.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A value as the rest of the system knows it: JavaDouble as a number (lists one level deep). */
export function plain(v: unknown): unknown {
  if (v instanceof JavaDouble) return v.value;
  if (Array.isArray(v) && v.some((x) => x instanceof JavaDouble)) return v.map((x) => (x instanceof JavaDouble ? x.value : x));
  return v;
}

export function isMap(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof JavaDouble);
}

/** Numbers of every kind: JS numbers, big integers and whole doubles (compare them with Number()). */
export function isNumber(v: unknown): v is number | bigint | JavaDouble {
  return typeof v === "number" || typeof v === "bigint" || v instanceof JavaDouble;
}

/** Java's Instant.toString: fraction only when non-zero, in groups of three digits. */
export function instantString(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? iso.slice(0, -5) + "Z" : iso;
}

export function numberString(n: number | bigint | JavaDouble): string {
  if (n instanceof JavaDouble) return javaDoubleString(n.value);
  if (typeof n === "bigint") return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

/** Text written for `{{ value }}`: maps and lists as compact JSON, null as nothing. */
export function stringify(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (isNumber(v)) return numberString(v);
  if (typeof v === "boolean") return String(v);
  if (v instanceof Date) return instantString(v);
  if (typeof v === "object") return toJson(v);
  return String(v);
}

/** Jackson as configured by Kestra: null map entries dropped unless asked for. */
export function toJson(v: unknown, includeNulls = false): string {
  return JSON.stringify(v === undefined ? null : v, (_key, value: unknown) => {
    if (typeof value === "bigint") return Number(value);
    if (!includeNulls && isMap(value)) {
      return Object.fromEntries(Object.entries(value).filter(([, x]) => x !== null && x !== undefined));
    }
    return value;
  });
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "bigint") return v !== 0n;
  if (v instanceof JavaDouble) return v.value !== 0;
  if (typeof v === "string") return v !== "" && v.toLowerCase() !== "false";
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

export function equals(a: unknown, b: unknown): boolean {
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b) || (typeof a === "bigint" && a === b);
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equals(a[k], b[k]));
  }
  return false;
}

/** -1/0/1 for `<`-style operators; null on either side makes every comparison false. */
export function compare(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (isNumber(a) && isNumber(b)) {
    const [x, y] = [typeof a === "bigint" ? a : Number(a), typeof b === "bigint" ? b : Number(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  throw new TemplateError(`Could not compare ${typeName(a)} with ${typeName(b)}`);
}

/** Java-ish type names, used in messages and by the `className` filter. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return "java.lang.String";
  if (typeof v === "boolean") return "java.lang.Boolean";
  if (typeof v === "bigint") return "java.math.BigInteger";
  if (v instanceof JavaDouble) return "java.lang.Double";
  if (typeof v === "number") {
    if (!Number.isInteger(v)) return "java.lang.Double";
    return Math.abs(v) <= 2147483647 ? "java.lang.Integer" : "java.lang.Long";
  }
  if (Array.isArray(v)) return "java.util.ArrayList";
  if (v instanceof Date) return "java.time.Instant";
  return "java.util.LinkedHashMap";
}

/** Pebble's `empty` test: null, blank string, empty list or map. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/** What `{% for %}` iterates: lists as is, maps as {key, value} entries, null as nothing. */
export function iterable(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.entries(v).map(([key, value]) => ({ key, value }));
  return [v];
}
