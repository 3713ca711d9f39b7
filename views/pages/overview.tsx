// The overview: executions per day by state (a stacked bar chart drawn on the server), what
// runs now, recent failures and the next scheduled fires.
import type { ExecutionSummary } from "../../src/store/dashboard.ts";
import { Duration, Empty, State, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export interface OverviewView {
  days: number[];
  perDay: { day: number; state: string; n: number }[];
  failures: ExecutionSummary[];
  running: ExecutionSummary[];
  nextFires: { namespace: string; flowId: string; triggerId: string; nextDate: number }[];
  now: number;
}

const ORDER = ["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RUNNING", "PAUSED", "CREATED", "QUEUED"];

export function DayChart({ days, perDay }: Pick<OverviewView, "days" | "perDay">) {
  const W = 1100, H = 150, PAD = 28;
  const byDay = new Map<number, Map<string, number>>();
  for (const r of perDay) {
    const m = byDay.get(r.day) ?? new Map();
    m.set(r.state, (m.get(r.state) ?? 0) + r.n);
    byDay.set(r.day, m);
  }
  const totals = days.map((d) => [...(byDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const bw = (W - PAD) / days.length;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H + 20}`} width="100%" role="img" aria-label="Executions per day by state">
      <line class="axis" x1={PAD} x2={W} y1={H} y2={H} />
      <text x="0" y="12" fill="#6b7385">{max}</text>
      <text x="0" y={H} fill="#6b7385">0</text>
      {days.map((d, i) => {
        let y = H;
        const states = byDay.get(d) ?? new Map<string, number>();
        const keys = [...states.keys()].sort((a, b) => (ORDER.indexOf(a) + 99) % 99 - (ORDER.indexOf(b) + 99) % 99);
        return (
          <g>
            {keys.map((s) => {
              const h = (states.get(s)! / max) * (H - 10);
              y -= h;
              return <rect class={`fill-${s.toLowerCase()}`} x={PAD + i * bw + 2} y={y} width={Math.max(1, bw - 4)} height={h}><title>{`${new Date(d * 86400000).toISOString().slice(0, 10)} ${s}: ${states.get(s)}`}</title></rect>;
            })}
            {(i % Math.ceil(days.length / 10) === 0) && <text x={PAD + i * bw + bw / 2} y={H + 14} text-anchor="middle" fill="#6b7385">{new Date(d * 86400000).toISOString().slice(5, 10)}</text>}
          </g>
        );
      })}
    </svg>
  );
}

function ExecList({ rows, now }: { rows: ExecutionSummary[]; now: number }) {
  if (!rows.length) return <Empty>None.</Empty>;
  return (
    <table class="list">
      <tbody>
        {rows.map((r) => (
          <tr>
            <td><a href={`/ui/executions/${encodeURIComponent(r.id)}`}>{r.namespace}.{r.flowId}</a></td>
            <td><Time ms={r.createdAt} /></td>
            <td><Duration start={r.startDate ?? r.createdAt} end={r.endDate} now={now} /></td>
            <td><State state={r.state} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OverviewPage({ v }: { v: OverviewView }) {
  const count = (s: string) => v.perDay.filter((r) => r.state === s).reduce((a, r) => a + r.n, 0);
  const total = v.perDay.reduce((a, r) => a + r.n, 0);
  return (
    <Layout title="Overview" active="overview">
      <Header title="Overview"><a class="btn primary" href="/ui/flows/new">+ New flow</a></Header>
      <div class="stats">
        <div class="stat"><span class="muted">Executions ({v.days.length} days)</span><b>{total}</b></div>
        <div class="stat"><span class="muted">Success</span><b>{count("SUCCESS")}</b></div>
        <div class="stat"><span class="muted">Failed</span><b>{count("FAILED")}</b></div>
        <div class="stat"><span class="muted">Running now</span><b>{v.running.length}</b></div>
      </div>
      <section class="panel"><h2>Executions per day</h2><DayChart days={v.days} perDay={v.perDay} /></section>
      <div class="grid2">
        <section class="panel"><h2>Running now</h2><ExecList rows={v.running} now={v.now} /></section>
        <section class="panel"><h2>Recent failures</h2><ExecList rows={v.failures} now={v.now} /></section>
      </div>
      <section class="panel">
        <h2>Next scheduled fires</h2>
        {v.nextFires.length === 0 ? <Empty>No schedule is due.</Empty> : (
          <table class="list"><tbody>
            {v.nextFires.map((t) => <tr><td><a href={`/ui/flows/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.flowId)}/triggers`}>{t.namespace}.{t.flowId}</a></td><td>{t.triggerId}</td><td><Time ms={t.nextDate} /></td></tr>)}
          </tbody></table>
        )}
      </section>
    </Layout>
  );
}
