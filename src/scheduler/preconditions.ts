// Flow-trigger preconditions (and the legacy MultipleCondition): several upstream conditions
// that must all be met inside one time window before the downstream flow starts. Each met
// condition is recorded in the database (store/preconditions.ts) so instances share windows.
import type { Execution } from "../engine/model.ts";
import { isoDurationMs, type TriggerDef } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { consumeConditions, recordCondition } from "../store/preconditions.ts";
import { conditionName, conditionPasses, type Condition, type ConditionContext } from "./conditions.ts";

export interface TimeWindow {
  type?: "DURATION_WINDOW" | "SLIDING_WINDOW" | "DAILY_TIME_WINDOW" | "DAILY_TIME_DEADLINE";
  window?: string;
  windowAdvance?: string;
  startTime?: string;
  endTime?: string;
  deadline?: string;
}

export interface MultiSpec {
  id: string;
  members: { id: string; test(ctx: ConditionContext): Promise<boolean> }[];
  window: TimeWindow;
  resetOnSuccess: boolean;
}

/** Member ids become JSON object keys in the stored window. */
const safe = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, "_");

type Filter = { field?: string; type?: string; value?: unknown; values?: unknown[] };

/** The windowed condition sets of a Flow trigger: `preconditions` and any MultipleCondition. */
export function multiSpecs(def: TriggerDef): MultiSpec[] {
  const out: MultiSpec[] = [];
  const pre = def.preconditions as Record<string, unknown> | undefined;
  if (pre) {
    const members: MultiSpec["members"] = [];
    ((pre.flows ?? []) as Record<string, unknown>[]).forEach((f, i) => members.push({ id: `flow_${i}`, test: (ctx) => upstreamMatches(f, ctx) }));
    ((pre.where ?? []) as Record<string, unknown>[]).forEach((w, i) =>
      members.push({ id: safe(`where_${String(w.id ?? i)}`), test: (ctx) => whereMatches(w, ctx) }));
    out.push({ id: String(pre.id ?? "preconditions"), members, window: (pre.timeWindow ?? {}) as TimeWindow, resetOnSuccess: pre.resetOnSuccess !== false });
  }
  for (const c of (def.conditions ?? []) as Condition[]) {
    if (conditionName(c.type) !== "Multiple") continue;
    const members = Object.entries((c.conditions ?? {}) as Record<string, Condition>)
      .map(([id, inner]) => ({ id: safe(id), test: (ctx: ConditionContext) => conditionPasses(inner, ctx) }));
    const window = (c.timeWindow as TimeWindow | undefined) ?? { type: "DURATION_WINDOW", window: c.window as string, windowAdvance: c.windowAdvance as string };
    out.push({ id: String(c.id ?? "multiple"), members, window, resetOnSuccess: c.resetOnSuccess !== false });
  }
  return out;
}

async function upstreamMatches(f: Record<string, unknown>, ctx: ConditionContext): Promise<boolean> {
  const ex = ctx.execution!;
  if (f.namespace !== undefined && ex.namespace !== f.namespace) return false;
  if (f.flowId !== undefined && ex.flowId !== f.flowId) return false;
  if (Array.isArray(f.states) && !f.states.includes(ex.state)) return false;
  const labels = (f.labels ?? {}) as Record<string, unknown>;
  return Object.entries(labels).every(([k, v]) => ex.labels.some((l) => l.key === k && l.value === String(v)));
}

async function whereMatches(w: Record<string, unknown>, ctx: ConditionContext): Promise<boolean> {
  const results: boolean[] = [];
  for (const f of (w.filters ?? []) as Filter[]) results.push(await filterMatches(f, ctx));
  return String(w.operand ?? "AND").toUpperCase() === "OR" ? results.some(Boolean) : results.every(Boolean);
}

async function filterMatches(f: Filter, ctx: ConditionContext): Promise<boolean> {
  const ex: Execution = ctx.execution!;
  const field = String(f.field ?? "").toUpperCase();
  const expression = field === "EXPRESSION";
  const subject: unknown = expression ? await ctx.render(String(f.value ?? ""), ctx.vars)
    : field === "FLOW_ID" ? ex.flowId : field === "NAMESPACE" ? ex.namespace : field === "STATE" ? ex.state : undefined;
  const s = subject === undefined || subject === null ? null : String(subject);
  const value = expression ? f.values?.[0] : f.value;
  const values = (f.values ?? []).map(String);
  switch (String(f.type ?? "EQUAL_TO").toUpperCase()) {
    case "EQUAL_TO": return s === String(value);
    case "NOT_EQUAL_TO": return s !== String(value);
    case "IN": return s !== null && values.includes(s);
    case "NOT_IN": return s === null || !values.includes(s);
    case "IS_TRUE": return s?.toLowerCase() === "true";
    case "IS_FALSE": return s?.toLowerCase() === "false";
    case "IS_NULL": return s === null || s === "";
    case "IS_NOT_NULL": return s !== null && s !== "";
    case "STARTS_WITH": return s !== null && s.startsWith(String(value));
    case "ENDS_WITH": return s !== null && s.endsWith(String(value));
    case "CONTAINS": return s !== null && s.includes(String(value));
    case "REGEX": return s !== null && new RegExp(`^(?:${String(value)})$`).test(s);
    default: throw new Error(`unsupported precondition filter type "${f.type}"`);
  }
}

/** Which window `now` falls in (its key), or null when the window does not accept events now. */
export function windowAt(tw: TimeWindow, now: number): { key: string; since?: number } | null {
  const type = tw.type ?? "DURATION_WINDOW";
  const day = new Date(now).toISOString().slice(0, 10);
  const tod = now - Date.parse(`${day}T00:00:00Z`);
  const time = (t: string | undefined, dflt: number) => (t ? timeOfDayMs(t) : dflt);
  switch (type) {
    case "SLIDING_WINDOW":
      return { key: "sliding", since: now - (isoDurationMs(tw.window ?? "PT24H") ?? 86_400_000) };
    case "DAILY_TIME_WINDOW":
      return tod >= time(tw.startTime, 0) && tod <= time(tw.endTime, 86_399_999) ? { key: day } : null;
    case "DAILY_TIME_DEADLINE":
      return tod <= time(tw.deadline, 86_399_999) ? { key: day } : null;
    default: {
      // Fixed windows of `window` length aligned on the epoch (= on UTC midnight for
      // windows that divide a day), shifted by windowAdvance.
      const size = isoDurationMs(tw.window ?? "PT24H") ?? 86_400_000;
      const advance = isoDurationMs(tw.windowAdvance ?? "PT0S") ?? 0;
      return { key: String(Math.floor((now - advance) / size) * size + advance) };
    }
  }
}

function timeOfDayMs(t: string): number {
  const [h, m, s] = t.split(":").map((x) => Number.parseFloat(x));
  return ((h || 0) * 3600 + (m || 0) * 60 + (s || 0)) * 1000;
}

/**
 * Record what this upstream execution satisfies and say whether the whole set is now met.
 * `key` identifies the trigger; returns the members (condition → execution) when ready.
 */
export async function evaluateMulti(
  db: Db, key: string, spec: MultiSpec, ctx: ConditionContext, now: number,
): Promise<{ ready: boolean; consume(): Promise<void> }> {
  const notReady = { ready: false, consume: async () => {} };
  const win = windowAt(spec.window, now);
  if (!win) return notReady;
  const matched: string[] = [];
  for (const m of spec.members) if (await m.test(ctx)) matched.push(m.id);
  if (!matched.length) return notReady;
  const stateKey = `${key}/${spec.id}`;
  let state;
  for (const id of matched) state = await recordCondition(db, stateKey, win.key, id, ctx.execution!.id, now);
  const seen = state!.seen;
  const ready = spec.members.every((m) => seen[m.id] && (win.since === undefined || seen[m.id].date >= win.since));
  if (!ready) return notReady;
  const members = Object.fromEntries(spec.members.map((m) => [m.id, seen[m.id].executionId]));
  return { ready, consume: async () => void (spec.resetOnSuccess && (await consumeConditions(db, stateKey, win.key, members))) };
}
