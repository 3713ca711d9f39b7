// An execution's logs: a filter form (level, search) that works without JavaScript, the lines
// already written, and — while the execution runs — a live tail over SSE (views/static/app.js
// appends the server-rendered lines the stream sends and stops at its final `end` event).
import type { StoredLog } from "../../src/store/logs.ts";

export const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;

export function LogLine({ log }: { log: Pick<StoredLog, "timestamp" | "level" | "taskId" | "message"> }) {
  const iso = new Date(log.timestamp).toISOString();
  return (
    <div class="line" data-level={log.level}>
      <span class="ts" title={iso}>{iso.slice(0, 23).replace("T", " ")}</span>
      <span class={`lv lv-${log.level}`}>{log.level}</span>
      <span class="task" title={log.taskId ?? ""}>{log.taskId ?? ""}</span>
      <span class="msg">{log.message}</span>
    </div>
  );
}

export interface LogFilterValues { level: string; q: string }

export function LogFilterForm({ action, f, hidden = {} }: { action: string; f: LogFilterValues; hidden?: Record<string, string> }) {
  return (
    <form class="filters" method="get" action={action}>
      {Object.entries(hidden).map(([k, v]) => <input type="hidden" name={k} value={v} />)}
      <label class="f">Min level
        <select name="level">{LEVELS.map((l) => <option value={l} selected={l === f.level}>{l}</option>)}</select>
      </label>
      <label class="f">Search<input type="search" name="q" value={f.q} placeholder="text in message" /></label>
      <button type="submit">Filter</button>
    </form>
  );
}

export function ExecutionLogs({ id, logs, f, live }: { id: string; logs: StoredLog[]; f: LogFilterValues; live: boolean }) {
  const last = logs.at(-1)?.id ?? 0;
  const stream = `/ui/executions/${encodeURIComponent(id)}/logs/follow?after=${last}&level=${encodeURIComponent(f.level)}&q=${encodeURIComponent(f.q)}`;
  return (
    <section>
      <LogFilterForm action={`/ui/executions/${encodeURIComponent(id)}/logs`} f={f} />
      <div class="log-status" id="log-status">{live ? "Following live…" : `${logs.length} line(s)`}</div>
      <div class="logs" id="logs" data-stream={live ? stream : undefined}>
        {logs.map((l) => <LogLine log={l} />)}
        {!logs.length && !live && <div class="line muted"><span></span><span></span><span></span><span>No log lines match.</span></div>}
      </div>
    </section>
  );
}
