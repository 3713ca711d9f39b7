// Query-string parsing for the list pages: lenient (a bad value is dropped, not an error page),
// and the canonical query string the pager and bulk forms carry forward.
import type { Context } from "hono";
import type { Label } from "../../engine/model.ts";
import type { ExecutionFilter } from "../../store/dashboard.ts";
import type { ExecFilterValues } from "../../../views/pages/executions.tsx";

export function pageParams(c: Context, defSize = 25): { page: number; size: number } {
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(c.req.query("page") ?? "1", 10) || 1));
  const size = Math.max(1, Math.min(200, Number.parseInt(c.req.query("size") ?? String(defSize), 10) || defSize));
  return { page, size };
}

/** `datetime-local` values have no zone: they are read as UTC, like every time shown. */
export function parseLocalTime(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** `k:v, k2:v2` (also `k=v`) -> labels; pieces without a separator are dropped. */
export function parseLabels(v: string | string[] | undefined): Label[] {
  const parts = (Array.isArray(v) ? v : [v ?? ""]).flatMap((s) => s.split(","));
  const out: Label[] = [];
  for (const p of parts) {
    const m = /^\s*([^:=]+?)\s*[:=]\s*(.*?)\s*$/.exec(p);
    if (m && m[1]) out.push({ key: m[1], value: m[2] });
  }
  return out;
}

export function execFilter(c: Context): { values: ExecFilterValues; filter: ExecutionFilter; query: string } {
  const q = (k: string) => (c.req.query(k) ?? "").trim();
  const states = (c.req.queries("state") ?? []).flatMap((s) => s.split(",")).map((s) => s.trim().toUpperCase()).filter(Boolean);
  const labelsRaw = (c.req.queries("label") ?? []).join(", ");
  const values: ExecFilterValues = { namespace: q("namespace"), flowId: q("flowId"), states, from: q("from"), to: q("to"), labels: labelsRaw, q: q("q") };
  const filter: ExecutionFilter = {
    namespace: values.namespace || undefined, flowId: values.flowId || undefined, states: states.length ? states : undefined,
    from: parseLocalTime(values.from), to: parseLocalTime(values.to), labels: parseLabels(labelsRaw), q: values.q || undefined,
  };
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ namespace: values.namespace, flowId: values.flowId, from: values.from, to: values.to, label: values.labels, q: values.q })) if (v) sp.append(k, v);
  for (const s of states) sp.append("state", s);
  return { values, filter, query: sp.toString() };
}
