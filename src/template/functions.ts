// Functions callable in expressions: Kestra's (now, secret, kv, read, render, currentEachOutput…)
// and Pebble's (range, max, min). Everything that reaches outside goes through services.
import { parse as parseYaml } from "yaml";
import { formatTime } from "./dates";
import { TemplateError } from "./errors";
import { isIn, range } from "./operators";
import type { Callable, Scope } from "./scope";
import type { TemplateServices } from "./index";
import { compare, isMap, stringify } from "./values";
import { zoneOf } from "./zones";

const ZONE_LIKE = /^([A-Za-z_]+\/[A-Za-z0-9_/+-]+|UTC|GMT|Z|[+-]\d{2}(:?\d{2})?)$/;

function fn(params: string[], call: Callable["call"]): Callable {
  return { params, call };
}

function service<K extends keyof TemplateServices>(scope: Scope, name: K, fnName: string): NonNullable<TemplateServices[K]> {
  const s = scope.services[name];
  if (typeof s !== "function") throw new TemplateError(`The '${fnName}' function is not available here (no ${name} service)`);
  return (s as Function).bind(scope.services);
}

function required(args: Record<string, unknown>, name: string, fnName: string): string {
  const v = args[name];
  if (v === undefined || v === null) throw new TemplateError(`The '${fnName}' function expects an argument '${name}'.`);
  return stringify(v);
}

function parseJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  try {
    return JSON.parse(stringify(v));
  } catch (e) {
    throw new TemplateError(`Invalid json: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Kestra's IdUtils: a random 128-bit id in base62. */
function base62Id(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let n = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let out = "";
  while (n > 0n) {
    out = alphabet[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(22, "0");
}

/** outputs.x indexed by the iteration values from the outermost loop to the current one. */
function currentEachOutput(outputs: unknown, scope: Scope): unknown {
  if (!isMap(outputs)) throw new TemplateError("The 'currentEachOutput' function expects an argument 'outputs' with type map.");
  const parents = scope.lookup("parents");
  const chain = Array.isArray(parents) ? [...parents].reverse() : [];
  const taskrun = scope.lookup("taskrun");
  let current: unknown = outputs;
  for (const parent of chain) {
    const value = isMap(parent) && isMap(parent.taskrun) ? parent.taskrun.value : null;
    if (value === null || value === undefined) continue;
    const next = isMap(current) ? current[stringify(value)] : undefined;
    if (next === undefined || next === null) throw new TemplateError("No execution outputs for the current task runs path");
    current = next;
  }
  const value = isMap(taskrun) ? taskrun.value : null;
  if (value === null || value === undefined) return current;
  return isMap(current) ? (current[stringify(value)] ?? null) : null;
}

function extreme(values: unknown[], sign: 1 | -1): unknown {
  const items = values.length === 1 && Array.isArray(values[0]) ? values[0] : values;
  return items.reduce((best, x) => (best === undefined || (compare(x, best) ?? 0) * sign > 0 ? x : best), undefined) ?? null;
}

export const FUNCTIONS: Record<string, Callable> = {
  now: fn(["format", "timeZone", "existingFormat", "locale"], (args, scope) => {
    // now('Europe/Paris') is common in flows although Kestra's first argument is the format.
    const a = typeof args.format === "string" && args.timeZone === undefined && ZONE_LIKE.test(args.format)
      ? { ...args, format: undefined, timeZone: args.format } : args;
    return formatTime({ epochMs: scope.services.now().getTime(), nanos: 0, zone: zoneOf(a.timeZone) }, a);
  }),
  fromJson: fn(["json"], (a) => parseJson(a.json)),
  json: fn(["json"], (a) => parseJson(a.json)),
  jsonDecode: fn(["json"], (a) => parseJson(a.json)),
  yaml: fn(["yaml"], (a) => (a.yaml === null || a.yaml === undefined ? null : parseYaml(stringify(a.yaml)))),
  secret: fn(["key"], (a, scope) => service(scope, "secret", "secret")(required(a, "key", "secret"))),
  kv: fn(["key", "namespace", "errorOnMissing"], async (a, scope) => {
    const namespace = a.namespace === undefined || a.namespace === null ? undefined : stringify(a.namespace);
    const value = await service(scope, "kv", "kv")(required(a, "key", "kv"), namespace, a.errorOnMissing === true);
    return value === undefined ? null : value;
  }),
  read: fn(["path"], (a, scope) => service(scope, "read", "read")(required(a, "path", "read"))),
  fileSize: fn(["path"], (a, scope) => service(scope, "fileSize", "fileSize")(required(a, "path", "fileSize"))),
  fileExists: fn(["path"], (a, scope) => service(scope, "fileExists", "fileExists")(required(a, "path", "fileExists"))),
  isFileEmpty: fn(["path"], async (a, scope) => (await service(scope, "read", "isFileEmpty")(required(a, "path", "isFileEmpty"))).length === 0),
  errorLogs: fn([], (_a, scope) => service(scope, "errorLogs", "errorLogs")()),
  render: fn(["toRender", "recursive"], (a, scope) =>
    typeof a.toRender === "string" ? scope.renderString(a.toRender, a.recursive !== false) : (a.toRender ?? null)),
  renderOnce: fn(["toRender"], (a, scope) => (typeof a.toRender === "string" ? scope.renderString(a.toRender, false) : (a.toRender ?? null))),
  currentEachOutput: fn(["outputs"], (a, scope) => currentEachOutput(a.outputs, scope)),
  printContext: fn([], (_a, scope) => scope.variables()),
  uuid: fn([], () => crypto.randomUUID()),
  id: fn([], () => base62Id()),
  randomInt: fn(["lower", "upper"], (a) => {
    const [lower, upper] = [Number(a.lower), Number(a.upper)];
    if (!Number.isInteger(lower) || !Number.isInteger(upper) || upper <= lower) {
      throw new TemplateError("The 'randomInt' function expects integers 'lower' < 'upper'.");
    }
    const [r] = crypto.getRandomValues(new Uint32Array(1));
    return lower + (r % (upper - lower));
  }),
  range: fn(["start", "end", "increment"], (a) => range(a.start, a.end, a.increment ?? 1)),
  max: fn([], (_a, _s, values) => extreme(values, 1)),
  min: fn([], (_a, _s, values) => extreme(values, -1)),
  isIn: fn(["value", "values"], (a) => isIn(a.value, a.values)),
};
FUNCTIONS.fetchContext = FUNCTIONS.printContext;
FUNCTIONS.fileEmpty = FUNCTIONS.isFileEmpty;
