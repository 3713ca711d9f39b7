// The executions list: filters (a GET form: works without JavaScript, htmx swaps only the
// results), a page of rows, bulk kill/restart/delete. A running row re-renders itself every 2s
// and stops when its state is final (the final markup has no trigger).
import type { ExecutionSummary } from "../../src/store/dashboard.ts";
import { Csrf, Duration, Empty, Labels, Notice, Pager, State, Time, isTerminalState } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export const ALL_STATES = ["CREATED", "QUEUED", "RUNNING", "PAUSED", "RESTARTED", "KILLING", "SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"];

export interface ExecFilterValues {
  namespace: string;
  flowId: string;
  states: string[];
  from: string;
  to: string;
  labels: string;
  q: string;
}

export interface ExecutionsView {
  f: ExecFilterValues;
  rows: ExecutionSummary[];
  total: number;
  page: number;
  size: number;
  now: number;
  query: string;
  namespaces: string[];
  notice?: string;
  /** Hide the namespace/flow columns (a flow's own Executions tab). */
  embedded?: boolean;
}

export function ExecutionRow({ r, now, checked = false }: { r: ExecutionSummary; now: number; checked?: boolean }) {
  const live = !isTerminalState(r.state);
  const poll = live ? { "hx-get": `/ui/executions/${encodeURIComponent(r.id)}/row`, "hx-trigger": "every 2s", "hx-swap": "outerHTML", "hx-include": "find input[name=id]" } : {};
  return (
    <tr id={`row-${r.id}`} data-state={r.state} {...poll}>
      <td><input type="checkbox" name="id" value={r.id} checked={checked} aria-label={`select ${r.id}`} /></td>
      <td><a class="mono" href={`/ui/executions/${encodeURIComponent(r.id)}`}>{r.id.slice(0, 10)}…</a></td>
      <td><Time ms={r.createdAt} /></td>
      <td><Duration start={r.startDate ?? r.createdAt} end={r.endDate} now={now} /></td>
      <td>{r.namespace}</td>
      <td><a href={`/ui/flows/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.flowId)}`}>{r.flowId}</a> <span class="muted">r{r.flowRevision}</span></td>
      <td><Labels labels={r.labels} link /></td>
      <td><State state={r.state} /></td>
    </tr>
  );
}

export function ExecutionResults({ v }: { v: ExecutionsView }) {
  const href = (p: number) => `/ui/executions?${v.query}${v.query ? "&" : ""}page=${p}`;
  return (
    <div id="exec-results">
      {v.notice && <Notice kind="ok">{v.notice}</Notice>}
      <form id="bulk" method="post" action="/ui/executions/bulk">
        <Csrf />
        <input type="hidden" name="back" value={`/ui/executions?${v.query}`} />
        <div class="pager">
          <span class="muted">With selected:</span>
          <button type="submit" name="action" value="kill" class="danger">Kill</button>
          <button type="submit" name="action" value="restart">Restart</button>
          <button type="submit" name="action" value="delete" class="danger">Delete</button>
        </div>
        {v.rows.length === 0 ? <Empty>No execution matches these filters.</Empty> : (
          <table class="list executions">
            <thead><tr><th></th><th>Id</th><th>Created</th><th>Duration</th><th>Namespace</th><th>Flow</th><th>Labels</th><th>State</th></tr></thead>
            <tbody>{v.rows.map((r) => <ExecutionRow r={r} now={v.now} />)}</tbody>
          </table>
        )}
      </form>
      <Pager page={v.page} size={v.size} total={v.total} href={href} target="#exec-results" />
    </div>
  );
}

export function ExecutionFilters({ v }: { v: ExecutionsView }) {
  const f = v.f;
  return (
    <form class="filters" method="get" action="/ui/executions" hx-get="/ui/executions" hx-target="#exec-results" hx-swap="outerHTML" hx-push-url="true">
      <label class="f">Namespace
        <input type="text" name="namespace" value={f.namespace} list="ns-list" placeholder="any" />
        <datalist id="ns-list">{v.namespaces.map((n) => <option value={n} />)}</datalist>
      </label>
      <label class="f">Flow<input type="text" name="flowId" value={f.flowId} placeholder="any" /></label>
      <label class="f">State
        <select name="state" multiple size={3}>{ALL_STATES.map((s) => <option value={s} selected={f.states.includes(s)}>{s}</option>)}</select>
      </label>
      <label class="f">From<input type="datetime-local" name="from" value={f.from} /></label>
      <label class="f">To<input type="datetime-local" name="to" value={f.to} /></label>
      <label class="f">Labels<input type="text" name="label" value={f.labels} placeholder="key:value, key2:value2" /></label>
      <label class="f">Id<input type="search" name="q" value={f.q} placeholder="part of id" /></label>
      <button type="submit" class="primary">Apply</button>
      <a class="btn" href="/ui/executions">Reset</a>
    </form>
  );
}

export function ExecutionsPage({ v, partial }: { v: ExecutionsView; partial: boolean }) {
  if (partial) return <ExecutionResults v={v} />;
  return (
    <Layout title="Executions" active="executions">
      <Header title="Executions" />
      <ExecutionFilters v={v} />
      <ExecutionResults v={v} />
    </Layout>
  );
}
