// Kestra's stdout protocol: a line `::{"outputs":{…},"metrics":[…],"logs":[…]}::` sets outputs,
// emits metrics and writes logs instead of being logged itself (PluginUtilsService.parseOut).
import type { LogLevel, TaskContext } from "../define.ts";
import { durationMs } from "../define.ts";

const LINE = /^::(\{.*\})::$/;
const LEVELS = new Set(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]);

/** Handles a protocol line and returns true, or returns false for an ordinary line. */
export function handleProtocolLine(line: string, ctx: TaskContext, vars: Record<string, unknown>): boolean {
  const m = LINE.exec(line.trim());
  if (!m) return false;
  let msg: { outputs?: unknown; metrics?: unknown; logs?: unknown };
  try {
    msg = JSON.parse(m[1]!);
  } catch {
    return false; // Not JSON after all: log the line as written.
  }
  if (msg.outputs && typeof msg.outputs === "object") Object.assign(vars, msg.outputs);
  for (const metric of Array.isArray(msg.metrics) ? msg.metrics : []) {
    const { name, type, value, tags } = metric ?? {};
    if (typeof name !== "string" || (type !== "counter" && type !== "timer")) continue;
    const num = metricValue(type, value);
    if (num !== undefined) ctx.metric(name, type, num, tags && typeof tags === "object" ? stringTags(tags) : undefined);
  }
  for (const log of Array.isArray(msg.logs) ? msg.logs : []) {
    const level = String(log?.level ?? "INFO").toUpperCase();
    ctx.logger.log((LEVELS.has(level) ? level : "INFO") as LogLevel, String(log?.message ?? ""));
  }
  return true;
}

/** Counters are numbers; timers are seconds (a number, as the Kestra SDKs send) or an ISO duration. */
function metricValue(type: string, value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (type === "timer" && value.startsWith("P")) return durationMs(value) / 1000;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function stringTags(tags: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
}
