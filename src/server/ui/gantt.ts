// Task runs -> rows of a Gantt chart and of the task-run tree: depth-first in creation order
// (a child under its parent, as Kestra lists them), each with its time span and attempts as
// fractions of the execution's span. Pure: the view turns fractions into SVG coordinates.
import type { Execution, TaskRun } from "../../engine/model.ts";

export interface GanttSegment {
  state: string;
  /** 0..1 of the execution's span. */
  x0: number;
  x1: number;
  label: string;
}

export interface GanttRow {
  run: TaskRun;
  depth: number;
  /** The run's own span, or null if it has not started. */
  x0: number | null;
  x1: number | null;
  durationMs: number | null;
  attempts: GanttSegment[];
}

export interface Gantt {
  start: number;
  end: number;
  rows: GanttRow[];
}

const parse = (d: string | undefined) => (d ? Date.parse(d) : NaN);

/** Order runs parent-first; orphans (parent not loaded) stay at the top level. */
export function treeOrder(runs: TaskRun[]): { run: TaskRun; depth: number }[] {
  const ids = new Set(runs.map((r) => r.id));
  const kids = new Map<string | null, TaskRun[]>();
  for (const r of [...runs].sort((a, b) => a.seq - b.seq)) {
    const p = r.parentTaskRunId && ids.has(r.parentTaskRunId) ? r.parentTaskRunId : null;
    const list = kids.get(p) ?? [];
    list.push(r);
    kids.set(p, list);
  }
  const out: { run: TaskRun; depth: number }[] = [];
  // Iterative walk: a deep ForEach nesting must not overflow the stack.
  const stack: { run: TaskRun; depth: number }[] = (kids.get(null) ?? []).map((run) => ({ run, depth: 0 })).reverse();
  while (stack.length) {
    const item = stack.pop()!;
    out.push(item);
    const children = kids.get(item.run.id) ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ run: children[i], depth: item.depth + 1 });
  }
  return out;
}

export function runStart(r: TaskRun): number | null {
  if (r.startDate !== null) return r.startDate;
  const first = parse(r.attempts[0]?.startDate);
  return Number.isNaN(first) ? null : first;
}

export function runEnd(r: TaskRun, now: number): number | null {
  if (r.endDate !== null) return r.endDate;
  const start = runStart(r);
  return start === null ? null : now;
}

export function buildGantt(ex: Execution, runs: TaskRun[], now: number): Gantt {
  const ordered = treeOrder(runs);
  const starts = ordered.map((o) => runStart(o.run)).filter((s): s is number => s !== null);
  const start = Math.min(ex.startDate ?? ex.createdAt, ...starts);
  const ends = ordered.map((o) => runEnd(o.run, now)).filter((e): e is number => e !== null);
  const end = Math.max(ex.endDate ?? now, ...ends, start + 1);
  const span = end - start;
  const frac = (t: number) => Math.min(1, Math.max(0, (t - start) / span));
  const rows = ordered.map(({ run, depth }): GanttRow => {
    const s = runStart(run);
    const e = runEnd(run, now);
    const attempts = run.attempts.map((a, i): GanttSegment => {
      const as = parse(a.startDate);
      const ae = Number.isNaN(parse(a.endDate)) ? (run.endDate ?? now) : parse(a.endDate);
      const st = a.state?.current ?? run.state;
      const from = Number.isNaN(as) ? (s ?? start) : as;
      return { state: st, x0: frac(from), x1: frac(ae), label: `attempt ${i + 1}: ${st}, ${Math.max(0, ae - from)}ms` };
    });
    return { run, depth, x0: s === null ? null : frac(s), x1: e === null ? null : frac(e), durationMs: s === null || e === null ? null : e - s, attempts };
  });
  return { start, end, rows };
}
