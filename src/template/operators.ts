// Binary operators on values, after Pebble's OperatorUtils: Java integer arithmetic when both
// sides are integers, `+` concatenates as soon as one side is a string, lists add/remove items.
import { TemplateError } from "./errors";
import { double, equals, isMap, isNumber, JavaDouble, stringify } from "./values";

export function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (op === "+" && (typeof a === "string" || typeof b === "string")) return javaString(a) + javaString(b);
  if (op === "+" && Array.isArray(a)) return Array.isArray(b) ? [...a, ...b] : [...a, b];
  if (op === "-" && Array.isArray(a)) return a.filter((x) => !(Array.isArray(b) ? b.some((y) => equals(x, y)) : equals(x, b)));
  if (!isNumber(a) || !isNumber(b)) {
    throw new TemplateError(`invalid operands for mathematical operation [${op}]: ${javaString(a)} and ${javaString(b)}`);
  }
  if (a instanceof JavaDouble || b instanceof JavaDouble) return doubleArithmetic(op, Number(a), Number(b));
  if (typeof a === "bigint" || typeof b === "bigint") return bigArithmetic(op, BigInt(a), BigInt(b));
  // A JS number with a fraction is a Java double: so is the result, even when whole (1.5 * 2 = 3.0).
  if (!Number.isInteger(a) || !Number.isInteger(b)) return doubleArithmetic(op, a, b);
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/":
      if (b === 0) throw new TemplateError("/ by zero");
      return Math.trunc(a / b);
    case "%":
      if (b === 0) throw new TemplateError("/ by zero");
      return a % b;
  }
  throw new TemplateError(`unknown operator ${op}`);
}

function doubleArithmetic(op: string, a: number, b: number): number | JavaDouble {
  switch (op) {
    case "+": return double(a + b);
    case "-": return double(a - b);
    case "*": return double(a * b);
    case "/": return double(a / b);
    case "%": return double(a % b);
  }
  throw new TemplateError(`unknown operator ${op}`);
}

function bigArithmetic(op: string, a: bigint, b: bigint): bigint {
  if ((op === "/" || op === "%") && b === 0n) throw new TemplateError("/ by zero");
  return op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : op === "/" ? a / b : a % b;
}

/** String.valueOf as Java would write it for `+`: null is "null". */
function javaString(v: unknown): string {
  return v === null || v === undefined ? "null" : stringify(v);
}

/** Pebble `contains`: list membership (all of a list), map key, or substring. */
export function contains(container: unknown, item: unknown): boolean {
  if (container === null || container === undefined) return false;
  if (Array.isArray(container)) {
    const wanted = Array.isArray(item) ? item : [item];
    return wanted.every((w) => container.some((x) => equals(x, w)));
  }
  if (isMap(container)) return Object.hasOwn(container, stringify(item));
  return stringify(container).includes(stringify(item));
}

/** Kestra `in` / `isIn`: compares string forms, against list items or map keys and values. */
export function isIn(item: unknown, container: unknown): boolean {
  if (item === null || item === undefined || container === null || container === undefined) return false;
  const s = stringify(item);
  if (Array.isArray(container)) return container.some((x) => stringify(x) === s);
  if (isMap(container)) return Object.entries(container).some(([k, v]) => k === s || stringify(v) === s);
  return false;
}

/** `a..b` and range(a, b, step): inclusive bounds, like Pebble. */
export function range(from: unknown, to: unknown, step: unknown = 1): number[] {
  const [a, b, s] = [from, to, step].map(Number);
  if (![a, b, s].every(Number.isFinite) || s === 0) throw new TemplateError(`invalid range(${stringify(from)}, ${stringify(to)}, ${stringify(step)})`);
  if ((b - a) / s > 1_000_000) throw new TemplateError("range too large");
  const out: number[] = [];
  if (s > 0) for (let i = a; i <= b; i += s) out.push(i);
  else for (let i = a; i >= b; i += s) out.push(i);
  return out;
}
