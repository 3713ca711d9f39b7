// /ui/namespaces: every namespace; one namespace shows its flows, KV entries and the names of
// its secrets (never their values: the page never decrypts anything).
import { Empty, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export function NamespacesPage({ namespaces }: { namespaces: string[] }) {
  return (
    <Layout title="Namespaces" active="namespaces">
      <Header title="Namespaces" />
      {namespaces.length === 0 ? <Empty>No namespace yet: save a flow first.</Empty> : (
        <table class="list"><tbody>
          {namespaces.map((n) => <tr><td style={`padding-left:${8 + (n.split(".").length - 1) * 16}px`}><a href={`/ui/namespaces/${encodeURIComponent(n)}`}>{n}</a></td></tr>)}
        </tbody></table>
      )}
    </Layout>
  );
}

export interface NamespaceView {
  namespace: string;
  flows: { id: string; revision: number }[];
  kv: { key: string; type: string; preview: string; size: number; updatedAt: number; expiresAt: number | null }[];
  secrets: string[];
}

export function NamespacePage({ v }: { v: NamespaceView }) {
  return (
    <Layout title={v.namespace} active="namespaces">
      <Header title={v.namespace} crumbs={[{ href: "/ui/namespaces", label: "Namespaces" }]} />
      <section class="panel">
        <h2>Flows</h2>
        {v.flows.length === 0 ? <Empty>No flow in this namespace.</Empty> : (
          <ul>{v.flows.map((f) => <li><a href={`/ui/flows/${encodeURIComponent(v.namespace)}/${encodeURIComponent(f.id)}`}>{f.id}</a> <span class="muted">r{f.revision}</span></li>)}</ul>
        )}
      </section>
      <section class="panel">
        <h2>KV store</h2>
        {v.kv.length === 0 ? <Empty>No KV entry.</Empty> : (
          <table class="list">
            <thead><tr><th>Key</th><th>Type</th><th>Value</th><th>Updated</th><th>Expires</th></tr></thead>
            <tbody>{v.kv.map((e) => (
              <tr><td class="mono">{e.key}</td><td>{e.type}</td><td class="mono">{e.preview}{e.size > e.preview.length && <span class="muted"> … ({e.size} bytes)</span>}</td><td><Time ms={e.updatedAt} /></td><td><Time ms={e.expiresAt} /></td></tr>
            ))}</tbody>
          </table>
        )}
      </section>
      <section class="panel">
        <h2>Secrets</h2>
        <p class="muted">Names only: values are never shown.</p>
        {v.secrets.length === 0 ? <Empty>No secret.</Empty> : <ul>{v.secrets.map((s) => <li class="mono">{s}</li>)}</ul>}
      </section>
    </Layout>
  );
}
