// The flows list: namespace filter and search (live with htmx, plain GET without), each flow
// with its revision and the state of its last execution.
import type { FlowRow } from "../../src/store/dashboard.ts";
import { Csrf, Empty, ErrorBox, State, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export interface FlowsView {
  rows: FlowRow[]; namespace: string; q: string; namespaces: string[];
  /** After an import: what was stored and what was not, with file:line:col errors. */
  imported?: { count: number; invalid: { name: string; errors: string[] }[]; error?: string };
}

/** The current filter as Kestra's export by query (a ZIP of the matching flows' YAML). */
const exportHref = (v: FlowsView) => {
  const p = new URLSearchParams();
  if (v.namespace) p.set("namespace", v.namespace);
  if (v.q) p.set("q", v.q);
  const qs = p.toString();
  return `/api/v1/flows/export/by-query${qs ? `?${qs}` : ""}`;
};

function ImportResult({ r }: { r: NonNullable<FlowsView["imported"]> }) {
  if (r.error) return <ErrorBox title="Import failed" messages={[r.error]} />;
  return (
    <>
      <p class="notice" role="status">Imported {r.count} flow{r.count === 1 ? "" : "s"}.</p>
      {r.invalid.map((i) => <ErrorBox title={`Not imported: ${i.name}`} messages={i.errors} />)}
    </>
  );
}

export function FlowTable({ v }: { v: FlowsView }) {
  return (
    <div id="flow-results">
      {v.rows.length === 0 ? <Empty>No flow matches. <a href="/ui/flows/new">Create one</a>.</Empty> : (
        <table class="list">
          <thead><tr><th>Flow</th><th>Namespace</th><th class="num">Revision</th><th>Updated</th><th>Last execution</th><th></th></tr></thead>
          <tbody>
            {v.rows.map((f) => {
              const href = `/ui/flows/${encodeURIComponent(f.namespace)}/${encodeURIComponent(f.id)}`;
              return (
                <tr>
                  <td><a href={href}><b>{f.id}</b></a>{f.disabled && <span class="muted"> (disabled)</span>}</td>
                  <td>{f.namespace}</td>
                  <td class="num">{f.revision}</td>
                  <td><Time ms={f.updatedAt} /></td>
                  <td>{f.lastState ? <><State state={f.lastState} /> <Time ms={f.lastDate} /></> : <span class="muted">never run</span>}</td>
                  <td><a href={`${href}/execute`}>Execute</a> · <a href={`/ui/executions?namespace=${encodeURIComponent(f.namespace)}&flowId=${encodeURIComponent(f.id)}`}>Executions</a></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function FlowsPage({ v, partial }: { v: FlowsView; partial: boolean }) {
  if (partial) return <FlowTable v={v} />;
  return (
    <Layout title="Flows" active="flows">
      <Header title="Flows">
        <a class="btn" href={exportHref(v)} download="flows.zip">Export</a>
        <a class="btn primary" href="/ui/flows/new">+ New flow</a>
      </Header>
      {v.imported && <ImportResult r={v.imported} />}
      <form class="filters" method="post" action="/ui/flows/import" enctype="multipart/form-data">
        <Csrf />
        <label class="f">Import flows (.yaml, .yml or .zip)<input type="file" name="fileUpload" accept=".zip,.yml,.yaml" required /></label>
        <button type="submit">Import</button>
      </form>
      <form class="filters" method="get" action="/ui/flows" hx-get="/ui/flows" hx-target="#flow-results" hx-swap="outerHTML" hx-push-url="true" hx-trigger="submit, input changed delay:300ms from:find input, change from:find select">
        <label class="f">Namespace
          <select name="namespace"><option value="">all</option>{v.namespaces.map((n) => <option value={n} selected={n === v.namespace}>{n}</option>)}</select>
        </label>
        <label class="f">Search<input type="search" name="q" value={v.q} placeholder="flow id or namespace" /></label>
        <button type="submit">Filter</button>
      </form>
      <FlowTable v={v} />
    </Layout>
  );
}
