// /health (database reachable, loops alive) and /metrics (Prometheus text exposition).
import { z } from "zod";
import { ping, readStats, type Stats } from "../../store/stats.ts";
import { defineRoute, type RouteDef } from "../route.ts";
import { Health } from "../schemas.ts";
import type { ApiDeps } from "./common.ts";

const DB_TIMEOUT_MS = 2000;

export function systemRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get", path: "/health", tag: "System", summary: "Liveness: the database answers and the loops run",
      access: { role: "public" },
      responses: { 200: { description: "UP", schema: Health }, 503: { description: "DOWN", schema: Health } },
      async handler(c) {
        const database = await Promise.race([
          ping(deps.tern.db).then(() => "UP" as const, () => "DOWN" as const),
          new Promise<"DOWN">((r) => setTimeout(() => r("DOWN"), DB_TIMEOUT_MS).unref?.()),
        ]);
        const loops = deps.loopsAlive() ? "UP" : "DOWN";
        const status = database === "UP" && loops === "UP" ? "UP" : "DOWN";
        return c.json({ status, checks: { database, loops } }, status === "UP" ? 200 : 503);
      },
    }),
    defineRoute({
      method: "get", path: "/metrics", tag: "System", summary: "Prometheus metrics",
      access: { role: "viewer", ns: "global" },
      responses: { 200: { description: "text exposition format 0.0.4", media: "prometheus", schema: z.string() } },
      async handler(c) {
        return c.body(prometheus(await readStats(deps.tern.db)), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      },
    }),
  ];
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function prometheus(s: Stats): string {
  const out: string[] = [];
  const metric = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  metric("tern_executions", "gauge", "Executions stored, by state.");
  for (const r of s.executionsByState) out.push(`tern_executions{state="${esc(r.state)}"} ${r.n}`);
  metric("tern_task_runs_duration_seconds", "summary", "Durations of the most recently finished task runs.");
  const sorted = [...s.recentDurations].sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.99]) {
    const v = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN;
    out.push(`tern_task_runs_duration_seconds{quantile="${q}"} ${v}`);
  }
  out.push(`tern_task_runs_duration_seconds_sum ${sorted.reduce((a, b) => a + b, 0)}`);
  out.push(`tern_task_runs_duration_seconds_count ${sorted.length}`);
  metric("tern_queue_depth", "gauge", "Task runs queued for a worker.");
  out.push(`tern_queue_depth ${s.queueDepth}`);
  metric("tern_leases", "gauge", "Executions and task runs leased, by kind and owner instance.");
  for (const l of s.leases) out.push(`tern_leases{kind="${l.kind}",owner="${esc(l.owner)}"} ${l.n}`);
  return out.join("\n") + "\n";
}
