// Async evaluation of an expression tree. Async because functions such as secret(), kv() and
// read() ask services; strictness follows Pebble: a missing variable or key throws
// UndefinedError, which only `??`, `???`, `default`, `is defined` and `is null` absorb.
import type { Args, Node } from "./ast";
import { TemplateError, UndefinedError } from "./errors";
import { FILTERS } from "./filters/index";
import { FUNCTIONS } from "./functions";
import { callMethod } from "./methods";
import { arithmetic, contains, isIn, range } from "./operators";
import { bindArgs, MISSING, type Scope } from "./scope";
import { TESTS } from "./tests";
import { compare, equals, isMap, isNumber, JavaDouble, plain, stringify, truthy } from "./values";

export async function evaluate(node: Node, scope: Scope): Promise<unknown> {
  switch (node.k) {
    case "lit":
      return node.value;
    case "var": {
      const v = scope.lookup(node.name);
      if (v === MISSING) throw new UndefinedError(node.src);
      return v;
    }
    case "get":
      return attribute(await evaluate(node.obj, scope), await evaluate(node.key, scope), node.src);
    case "dash": {
      const obj = await evaluate(node.obj, scope);
      const first = node.key.split("-")[0];
      const useKey = !isMap(obj) || Object.hasOwn(obj, node.key) || !Object.hasOwn(obj, first);
      return evaluate(useKey ? node.dashed : node.fallback, scope);
    }
    case "list":
      return Promise.all(node.items.map((n) => evaluate(n, scope)));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) out[stringify(await evaluate(k, scope))] = await evaluate(v, scope);
      return out;
    }
    case "interp": {
      const parts = await Promise.all(node.parts.map((n) => evaluate(n, scope)));
      return parts.map(stringify).join("");
    }
    case "call":
      return call(node.name, node.args, scope);
    case "method": {
      const obj = plain(await evaluate(node.obj, scope));
      return callMethod(obj, node.name, await positional(node.args, scope), node.src);
    }
    case "filter":
      return filter(node, scope);
    case "test":
      return test(node, scope);
    case "unary": {
      const v = await evaluate(node.arg, scope);
      if (node.op === "not") return !truthy(v);
      if (!isNumber(v)) throw new TemplateError(`unary '${node.op}' needs a number, got '${stringify(v)}'`);
      if (v instanceof JavaDouble) return node.op === "-" ? new JavaDouble(-v.value) : v;
      return node.op === "-" ? -v : v;
    }
    case "binary":
      return binary(node.op, node.left, node.right, scope);
    case "cond":
      return evaluate(truthy(await evaluate(node.test, scope)) ? node.then : node.else, scope);
  }
}

/** `obj.key` / `obj[key]`, strict: a missing key is an error, as is any key of null. */
export function attribute(obj: unknown, key: unknown, src: string): unknown {
  key = plain(key);
  if (Array.isArray(obj)) {
    const i = typeof key === "number" ? key : /^\d+$/.test(String(key)) ? Number(key) : NaN;
    if (i >= 0 && i < obj.length) return obj[i];
    if (key === "size" || key === "length") return obj.length;
    if (key === "empty") return obj.length === 0;
  } else if (isMap(obj)) {
    const k = stringify(key);
    if (Object.hasOwn(obj, k)) return obj[k];
    // Flat dotted keys read as nested maps: labels["system.correlationId"] via labels.system.correlationId
    const prefix = k + ".";
    const nested = Object.entries(obj).filter(([name]) => name.startsWith(prefix));
    if (nested.length) return Object.fromEntries(nested.map(([name, v]) => [name.slice(prefix.length), v]));
  } else if (typeof obj === "string") {
    if (key === "length" || key === "size") return obj.length;
    if (key === "empty") return obj.length === 0;
  }
  throw new UndefinedError(src);
}

// Arguments of functions, filters, tests and methods: plain values (see JavaDouble).
async function positional(args: Args, scope: Scope): Promise<unknown[]> {
  return Promise.all(args.positional.map(async (n) => plain(await evaluate(n, scope))));
}

async function named(args: Args, scope: Scope): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  for (const [k, n] of args.named) out.push([k, plain(await evaluate(n, scope))]);
  return out;
}

async function call(name: string, args: Args, scope: Scope): Promise<unknown> {
  const fn = FUNCTIONS[name];
  if (!fn) throw new TemplateError(`Function or Macro [${name}] does not exist`);
  const pos = await positional(args, scope);
  return fn.call(bindArgs(name, fn.params, pos, await named(args, scope)), scope, pos);
}

async function filter(node: Extract<Node, { k: "filter" }>, scope: Scope): Promise<unknown> {
  const f = FILTERS[node.name];
  if (!f) throw new TemplateError(`Filter [${node.name}] does not exist`);
  let input: unknown;
  try {
    input = await evaluate(node.input, scope);
    // className names the Java type, which is all a whole double still tells apart.
    if (node.name !== "className") input = plain(input);
  } catch (e) {
    // Pebble lets `default` see an undefined input as null.
    if (node.name !== "default" || !(e instanceof UndefinedError)) throw e;
    input = null;
  }
  const args = bindArgs(node.name, f.params, await positional(node.args, scope), await named(node.args, scope));
  return f.apply(input, args, scope);
}

async function test(node: Extract<Node, { k: "test" }>, scope: Scope): Promise<boolean> {
  const t = TESTS[node.name];
  if (!t) throw new TemplateError(`Test [${node.name}] does not exist`);
  let value: unknown;
  try {
    value = plain(await evaluate(node.input, scope));
  } catch (e) {
    if (!(e instanceof UndefinedError) || (node.name !== "defined" && node.name !== "null")) throw e;
    return node.negate !== (node.name === "null");
  }
  const result = t(value, await positional(node.args, scope));
  return node.negate ? !result : result;
}

async function binary(op: string, left: Node, right: Node, scope: Scope): Promise<unknown> {
  if (op === "and") return truthy(await evaluate(left, scope)) && truthy(await evaluate(right, scope));
  if (op === "or") return truthy(await evaluate(left, scope)) || truthy(await evaluate(right, scope));
  if (op === "??" || op === "???") {
    try {
      const v = await evaluate(left, scope);
      if (op === "???" || (v !== null && v !== undefined)) return v;
    } catch (e) {
      if (!(e instanceof UndefinedError)) throw e;
    }
    return evaluate(right, scope);
  }
  const a = await evaluate(left, scope);
  const b = await evaluate(right, scope);
  switch (op) {
    case "==":
    case "equals":
      return equals(a, b);
    case "!=":
      return !equals(a, b);
    case "<": case ">": case "<=": case ">=": {
      const c = compare(a, b);
      if (c === null) return false;
      return op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<=" ? c <= 0 : c >= 0;
    }
    case "~":
      return stringify(a) + stringify(b);
    case "contains":
      return contains(a, b);
    case "in":
      return isIn(a, b);
    case "..":
      return range(a, b);
  }
  return arithmetic(op, a, b);
}
