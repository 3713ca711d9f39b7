// /ui/logs: search across executions (text, level, namespace, flow, time), newest first.
import type { StoredLog } from "../../src/store/logs.ts";
import { Empty, Pager, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";
import { LEVELS } from "./execution-logs.tsx";

export interface LogsView {
  f: { q: string; level: string; namespace: string; flowId: string; from: string; to: string };
  rows: StoredLog[];
  total: number;
  page: number;
  size: number;
  query: string;
}

export function LogResults({ v }: { v: LogsView }) {
  return (
    <div id="log-results">
      {v.rows.length === 0 ? <Empty>No log line matches.</Empty> : (
        <table class="list logs-table">
          <thead><tr><th>Time</th><th>Level</th><th>Execution</th><th>Task</th><th>Message</th></tr></thead>
          <tbody>
            {v.rows.map((l) => (
              <tr>
                <td><Time ms={l.timestamp} /></td>
                <td><span class={`lv lv-${l.level}`}>{l.level}</span></td>
                <td><a href={`/ui/executions/${encodeURIComponent(l.executionId)}/logs`}>{l.namespace}.{l.flowId}</a></td>
                <td>{l.taskId ?? ""}</td>
                <td class="mono" style="white-space:pre-wrap">{l.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={v.page} size={v.size} total={v.total} href={(p) => `/ui/logs?${v.query}${v.query ? "&" : ""}page=${p}`} target="#log-results" />
    </div>
  );
}

export function LogsPage({ v, partial }: { v: LogsView; partial: boolean }) {
  if (partial) return <LogResults v={v} />;
  const f = v.f;
  return (
    <Layout title="Logs" active="logs">
      <Header title="Logs" />
      <form class="filters" method="get" action="/ui/logs" hx-get="/ui/logs" hx-target="#log-results" hx-swap="outerHTML" hx-push-url="true">
        <label class="f">Search<input type="search" name="q" value={f.q} placeholder="text in message" /></label>
        <label class="f">Min level<select name="level">{LEVELS.map((l) => <option value={l} selected={l === f.level}>{l}</option>)}</select></label>
        <label class="f">Namespace<input type="text" name="namespace" value={f.namespace} /></label>
        <label class="f">Flow<input type="text" name="flowId" value={f.flowId} /></label>
        <label class="f">From<input type="datetime-local" name="from" value={f.from} /></label>
        <label class="f">To<input type="datetime-local" name="to" value={f.to} /></label>
        <button type="submit" class="primary">Search</button>
      </form>
      <LogResults v={v} />
    </Layout>
  );
}
