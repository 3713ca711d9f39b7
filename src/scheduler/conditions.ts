// Kestra's trigger conditions (io.kestra.plugin.core.condition.* and the legacy
// io.kestra.core.models.conditions.types.*Condition names). A list passes when every
// condition passes. MultipleCondition is not judged here: the Flow trigger keeps its window.
import type { Execution } from "../engine/model.ts";
import { DAYS, parseOffsetTime, parseZoned, utcSecondsOfDay } from "./zoned.ts";

export interface ConditionContext {
  /** Variables expressions see (trigger.*, flow.*, execution.*, outputs…). */
  vars: Record<string, unknown>;
  render(template: string, vars: Record<string, unknown>): Promise<string>;
  /** The upstream execution (Flow triggers). */
  execution?: Execution;
}

export type Condition = { type: string; [k: string]: unknown };

/** `io.kestra.plugin.core.condition.ExecutionStatus` / `...types.ExecutionStatusCondition` → `ExecutionStatus`. */
export function conditionName(type: string): string {
  const last = type.slice(type.lastIndexOf(".") + 1);
  return last.endsWith("Condition") && last !== "Condition" ? last.slice(0, -"Condition".length) : last;
}

export async function conditionsPass(list: Condition[] | undefined, ctx: ConditionContext): Promise<boolean> {
  for (const c of list ?? []) if (!(await conditionPasses(c, ctx))) return false;
  return true;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

export async function conditionPasses(c: Condition, ctx: ConditionContext): Promise<boolean> {
  const ex = ctx.execution;
  const str = async (v: unknown) => ctx.render(String(v), ctx.vars);
  const dateOf = async () => parseZoned(await str(c.date ?? "{{ trigger.date }}"));
  switch (conditionName(c.type)) {
    case "Expression":
    case "ExecutionOutputs":
      return (await str(c.expression)).trim().toLowerCase() === "true";
    case "ExecutionStatus": {
      const state = needExecution(ex, c).state;
      if (c.in !== undefined && !strings(c.in).includes(state)) return false;
      if (c.notIn !== undefined && strings(c.notIn).includes(state)) return false;
      return true;
    }
    case "ExecutionFlow": {
      const e = needExecution(ex, c);
      return e.namespace === (await str(c.namespace)) && e.flowId === (await str(c.flowId));
    }
    case "ExecutionNamespace": {
      const ns = needExecution(ex, c).namespace;
      const want = await str(c.namespace);
      const comparison = c.comparison ? String(c.comparison) : c.prefix === true ? "PREFIX" : "EQUALS";
      if (comparison === "PREFIX") return ns.startsWith(want);
      if (comparison === "SUFFIX") return ns.endsWith(want);
      return ns === want;
    }
    case "ExecutionLabels": {
      const labels = needExecution(ex, c).labels;
      const want = Array.isArray(c.labels)
        ? (c.labels as { key: string; value: unknown }[]).map((l) => [l.key, String(l.value)])
        : Object.entries((c.labels ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
      return want.every(([k, v]) => labels.some((l) => l.key === k && l.value === v));
    }
    case "DayWeek": {
      const d = await dateOf();
      return DAYS[d.dayOfWeek - 1] === String(c.dayOfWeek).toUpperCase();
    }
    case "DayWeekInMonth": {
      const d = await dateOf();
      if (DAYS[d.dayOfWeek - 1] !== String(c.dayOfWeek).toUpperCase()) return false;
      const nth = Math.ceil(d.day / 7);
      const daysInMonth = new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
      const which = String(c.dayInMonth).toUpperCase();
      if (which === "LAST") return d.day + 7 > daysInMonth;
      return ["FIRST", "SECOND", "THIRD", "FOURTH"].indexOf(which) + 1 === nth;
    }
    case "Weekend":
      return (await dateOf()).dayOfWeek >= 6;
    case "DateTimeBetween": {
      // Inclusive bounds, as Kestra's !isBefore / !isAfter.
      const d = (await dateOf()).epochMs;
      if (c.after === undefined && c.before === undefined) throw new Error("DateTimeBetween: invalid condition with no before nor after");
      if (c.after !== undefined && d < parseZoned(await str(c.after)).epochMs) return false;
      if (c.before !== undefined && d > parseZoned(await str(c.before)).epochMs) return false;
      return true;
    }
    case "TimeBetween": {
      // Exclusive bounds compared on the UTC time of day, as java.time.OffsetTime does.
      const d = await dateOf();
      const t = utcSecondsOfDay(d);
      if (c.after === undefined && c.before === undefined) throw new Error("TimeBetween: invalid condition with no before nor after");
      if (c.after !== undefined && !(t > parseOffsetTime(await str(c.after), d.offsetMin))) return false;
      if (c.before !== undefined && !(t < parseOffsetTime(await str(c.before), d.offsetMin))) return false;
      return true;
    }
    case "Not":
      for (const inner of (c.conditions ?? []) as Condition[]) if (await conditionPasses(inner, ctx)) return false;
      return true;
    case "Or":
      for (const inner of (c.conditions ?? []) as Condition[]) if (await conditionPasses(inner, ctx)) return true;
      return false;
    case "Multiple":
      return true; // judged by the Flow trigger's window (see preconditions.ts)
    default:
      throw new Error(`unsupported condition type "${c.type}"`);
  }
}

function needExecution(ex: Execution | undefined, c: Condition): Execution {
  if (!ex) throw new Error(`condition ${conditionName(c.type)} only applies to Flow triggers`);
  return ex;
}
