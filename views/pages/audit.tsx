// /ui/audit: who did what, newest first, with filters and the export links (admins only).
import { Empty, Pager, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export interface AuditView {
  rows: { id: number; at: string; actor: string | null; action: string; target: string | null; detail: unknown }[];
  total: number;
  page: number;
  size: number;
  action: string;
  actor: string;
}

function Results({ v }: { v: AuditView }) {
  const qs = (page: number) => `/ui/audit?${new URLSearchParams({ ...(v.action && { action: v.action }), ...(v.actor && { actor: v.actor }), page: String(page) })}`;
  return (
    <div id="audit-results">
      {v.rows.length === 0 ? <Empty>No audit entries.</Empty> : (
        <table class="grid">
          <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Detail</th></tr></thead>
          <tbody>
            {v.rows.map((e) => (
              <tr>
                <td><Time ms={Date.parse(e.at)} /></td>
                <td class="mono">{e.actor ?? "—"}</td>
                <td class="mono">{e.action}</td>
                <td class="mono">{e.target ?? "—"}</td>
                <td class="mono">{e.detail ? JSON.stringify(e.detail) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={v.page} size={v.size} total={v.total} href={qs} target="#audit-results" />
    </div>
  );
}

export function AuditPage({ v, partial }: { v: AuditView; partial: boolean }) {
  if (partial) return <Results v={v} />;
  return (
    <Layout title="Audit log" active="">
      <Header title="Audit log">
        <a href="/api/v1/audit/export?format=jsonl">Export JSON lines</a> · <a href="/api/v1/audit/export?format=csv">Export CSV</a>
      </Header>
      <form method="get" action="/ui/audit" class="filters">
        <label class="f">Action<input type="text" name="action" value={v.action} placeholder="login.failed" /></label>
        <label class="f">Actor<input type="text" name="actor" value={v.actor} placeholder="user:alice" /></label>
        <button type="submit">Filter</button>
      </form>
      <Results v={v} />
    </Layout>
  );
}
