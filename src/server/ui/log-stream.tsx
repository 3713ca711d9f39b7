// Live logs over SSE: `log` events carry server-rendered (escaped) lines, a final `end` event
// carries the execution's last state, then the stream closes.
//
// The database is the source of truth: lines are read from it after the last id sent (the
// SSE id, so a reconnect resumes with Last-Event-ID). In-process events only make this
// faster: a worker's lines are emitted before they are written (a long task writes its lines
// when it ends), so they are sent at once and their row is skipped when it shows up; an
// executor's lines are emitted after their write, so a line already read from the database
// is not sent twice. Another instance's work is seen by the 1s re-read.
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Execution, LogEntry } from "../../engine/model.ts";
import { executionState } from "../../store/dashboard.ts";
import { executionLogs, levelsFrom } from "../../store/logs.ts";
import { LogLine } from "../../../views/pages/execution-logs.tsx";
import type { Ctx } from "./deps.ts";
import { logLevel } from "./execution.tsx";

const keyOf = (l: { taskRunId: string | null; timestamp: number; level: string; message: string }) =>
  `${l.taskRunId}\u0000${l.timestamp}\u0000${l.level}\u0000${l.message}`;

export function mountLogStream(app: Hono, ctx: Ctx) {
  const { db, service } = ctx.deps.tern;

  app.get("/ui/executions/:id/logs/follow", (c) => {
    const id = c.req.param("id");
    const level = logLevel(c.req.query("level"));
    const levels = new Set(levelsFrom(level));
    const needle = (c.req.query("q") ?? "").trim().toLowerCase();
    const matches = (l: { level: string; message: string }) => levels.has(l.level) && (!needle || l.message.toLowerCase().includes(needle));
    const lastEventId = Number(c.req.header("Last-Event-ID"));
    let lastId = Number.isFinite(lastEventId) && lastEventId > 0 ? lastEventId : Math.max(0, Number(c.req.query("after")) || 0);

    return streamSSE(c, async (stream) => {
      const sentLive = new Map<string, number>();
      const fromDb = new Set<string>();
      let wake: (() => void) | undefined;
      let closed = false;
      const nudge = () => wake?.();
      const onLog = (l: LogEntry) => {
        if (l.executionId !== id) return;
        const k = keyOf(l);
        if (fromDb.delete(k)) return; // already read from the database
        if (!matches(l)) return;
        sentLive.set(k, (sentLive.get(k) ?? 0) + 1);
        void stream.writeSSE({ event: "log", data: String(<LogLine log={l} />) });
      };
      const onChange = (ex: Execution) => ex.id === id && nudge();
      service.events.on("log", onLog);
      service.events.on("execution", onChange);
      service.events.on("taskRun", onChange);
      service.events.on("end", onChange);
      stream.onAbort(() => {
        closed = true;
        nudge();
      });
      let quietSince = Date.now();
      try {
        while (!closed) {
          // State first, lines second: the final state and its last lines are written in one
          // batch, so lines read after seeing the end include every line there will be.
          const st = await executionState(db, id);
          for (;;) {
            const rows = await executionLogs(db, id, { afterId: lastId }, 500);
            for (const r of rows) {
              lastId = r.id;
              const k = keyOf(r);
              const live = sentLive.get(k);
              if (live) {
                if (live === 1) sentLive.delete(k);
                else sentLive.set(k, live - 1);
                continue;
              }
              if (fromDb.size > 5000) fromDb.clear();
              fromDb.add(k);
              if (matches(r)) await stream.writeSSE({ event: "log", data: String(<LogLine log={r} />), id: String(r.id) }), (quietSince = Date.now());
            }
            if (rows.length < 500) break;
          }
          if (!st || st.settled) {
            await stream.writeSSE({ event: "end", data: st?.state ?? "NOT_FOUND" });
            break;
          }
          // A comment line now and then keeps proxies and idle timeouts from closing a quiet stream.
          if (Date.now() - quietSince > 15_000) await stream.write(": keep-alive\n\n"), (quietSince = Date.now());
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 1000);
            wake = () => (clearTimeout(t), resolve());
          });
          wake = undefined;
        }
      } finally {
        service.events.off("log", onLog);
        service.events.off("execution", onChange);
        service.events.off("taskRun", onChange);
        service.events.off("end", onChange);
      }
    });
  });
}
