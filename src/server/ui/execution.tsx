// /ui/executions/{id}[/logs|/outputs|/topology]: one execution, and /live, the fragment the
// page polls while the execution runs. Kestra's /ui/executions/{ns}/{flow}/{id} redirects here.
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { InputDef } from "../../flow/index.ts";
import { isTerminal } from "../../engine/states.ts";
import { taskById } from "../../engine/tree.ts";
import { loadExecution, loadTaskRuns } from "../../store/executions.ts";
import { executionLogs, LEVELS, type Level } from "../../store/logs.ts";
import { ExecutionPage, type ExecTab, type ExecutionView } from "../../../views/pages/execution.tsx";
import type { Ctx } from "./deps.ts";
import { notFound } from "./errors.tsx";
import { buildGantt } from "./gantt.ts";
import { topologyOf } from "./graph.ts";
import { send, wantsFragment } from "./render.ts";

const TABS: ExecTab[] = ["gantt", "logs", "outputs", "topology"];
const DONE: Record<string, string> = {
  kill: "Kill requested.", restart: "Execution restarted.", resume: "Execution resumed.", created: "Execution created.", replay: "Replay created.",
};

export function logLevel(v: string | undefined): Level {
  const up = (v ?? "").toUpperCase();
  return (LEVELS as readonly string[]).includes(up) ? (up as Level) : up === "WARNING" ? "WARN" : "TRACE";
}

export async function loadExecutionView(ctx: Ctx, id: string, tab: ExecTab, c?: Context): Promise<ExecutionView> {
  const { db, flows } = ctx.deps.tern;
  const ex = await loadExecution(db, id);
  if (!ex) throw notFound(`Execution ${id}`);
  const runs = await loadTaskRuns(db, id);
  const now = ctx.now();
  const v: ExecutionView = { ex, runs, now, tab, settled: isTerminal(ex.state) && runs.every((r) => isTerminal(r.state)) };
  if (tab === "gantt") v.gantt = buildGantt(ex, runs, now);
  const needFlow = tab === "topology" || ex.state === "PAUSED";
  const flow = needFlow ? await flows.get(ex.namespace, ex.flowId, ex.flowRevision).catch(() => undefined) : undefined;
  if (tab === "topology" && flow) v.topo = topologyOf(`${ex.namespace}\u0000${ex.flowId}\u0000${ex.flowRevision}`, flow);
  if (ex.state === "PAUSED" && flow) {
    const paused = runs.find((r) => r.state === "PAUSED");
    try {
      if (paused) v.resumeInputs = ((taskById(flow, paused.taskId).onResume as InputDef[] | undefined) ?? []).map((i) => ({ ...i, required: i.required !== false }));
    } catch {
      // the task is gone from this revision: resume without inputs
    }
  }
  // The live fragment never carries the logs: they stream separately.
  if (tab === "logs" && c && !c.req.path.endsWith("/live")) {
    const level = logLevel(c.req.query("level"));
    const q = (c.req.query("q") ?? "").trim();
    const rows = await executionLogs(db, id, { minLevel: level }, 10_000);
    const needle = q.toLowerCase();
    v.logs = needle ? rows.filter((l) => l.message.toLowerCase().includes(needle)) : rows;
    v.logFilter = { level, q };
  }
  const done = c?.req.query("done");
  if (done && DONE[done]) v.notice = DONE[done];
  return v;
}

export async function renderExecution(c: Context, ctx: Ctx, id: string, tab: ExecTab, extra: Partial<ExecutionView> = {}, status: ContentfulStatusCode = 200) {
  const v = { ...(await loadExecutionView(ctx, id, tab, c)), ...extra };
  return send(c, <ExecutionPage v={v} partial={wantsFragment(c)} />, status);
}

export function mountExecution(app: Hono, ctx: Ctx) {
  app.get("/ui/executions/:id", (c) => renderExecution(c, ctx, c.req.param("id"), "gantt"));
  app.get("/ui/executions/:id/live", (c) => {
    const tab = TABS.find((t) => t === c.req.query("tab")) ?? "gantt";
    return renderExecution(c, ctx, c.req.param("id"), tab);
  });
  for (const tab of ["logs", "outputs", "topology"] as const) {
    app.get(`/ui/executions/:id/${tab}`, (c) => renderExecution(c, ctx, c.req.param("id"), tab));
  }
  app.get("/ui/executions/:ns/:flowId/:id", (c) => c.redirect(`/ui/executions/${encodeURIComponent(c.req.param("id"))}`, 301));
  app.get("/ui/executions/:ns/:flowId/:id/:tab", (c) => {
    const tab = TABS.includes(c.req.param("tab") as ExecTab) && c.req.param("tab") !== "gantt" ? `/${c.req.param("tab")}` : "";
    return c.redirect(`/ui/executions/${encodeURIComponent(c.req.param("id"))}${tab}`, 301);
  });
}
