// /ui/triggers: every trigger of every flow with its next fire time, enable/disable, and a
// backfill form for schedules (stored on the trigger's row for the scheduler to run).
import type { TriggerRow } from "../../src/store/trigger-rows.ts";
import { Csrf, Empty, Notice, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export interface TriggerItem { namespace: string; flowId: string; triggerId: string; type: string; when?: string; disabledInFlow: boolean; row?: TriggerRow }

/** When a trigger fires, in a few words: its cron, its polling interval, how many dates it has. */
export function triggerWhen(t: { type: string; cron?: unknown; interval?: unknown; dates?: unknown }): string | undefined {
  if (typeof t.cron === "string") return t.cron;
  if (/ScheduleOnDates$/.test(t.type)) return Array.isArray(t.dates) ? `${t.dates.length} date${t.dates.length === 1 ? "" : "s"}` : "dates (expression)";
  if (/\.http\.Trigger$/.test(t.type)) return `polls every ${typeof t.interval === "string" ? t.interval : "PT60S"}`;
  return undefined;
}

const SCHEDULE = /Schedule$/;

function Backfill({ t }: { t: TriggerItem }) {
  const action = `/ui/triggers/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.flowId)}/${encodeURIComponent(t.triggerId)}/backfill`;
  const b = t.row?.backfill;
  return (
    <details>
      <summary>{b ? `backfill ${b.paused ? "paused" : "running"} at ${new Date(b.currentDate).toISOString().slice(0, 16)}` : "Backfill…"}</summary>
      <form method="post" action={action} class="filters">
        <Csrf />
        <label class="f">Start (UTC)<input type="datetime-local" name="start" required /></label>
        <label class="f">End (UTC)<input type="datetime-local" name="end" /></label>
        <label class="f">Labels<input type="text" name="labels" placeholder="key:value, …" /></label>
        <button type="submit" class="small">Start backfill</button>
        {b && <button type="submit" name="cancel" value="1" class="small danger">Cancel backfill</button>}
      </form>
    </details>
  );
}

export function TriggersPage({ items, notice }: { items: TriggerItem[]; notice?: string }) {
  return (
    <Layout title="Triggers" active="triggers">
      <Header title="Triggers" />
      {notice && <Notice kind="ok">{notice}</Notice>}
      {items.length === 0 ? <Empty>No flow declares a trigger.</Empty> : (
        <table class="list">
          <thead><tr><th>Flow</th><th>Trigger</th><th>Type</th><th>Schedule</th><th>Next fire</th><th>Last fire</th><th>Status</th><th></th></tr></thead>
          <tbody>
            {items.map((t) => {
              const disabled = t.disabledInFlow || Boolean(t.row?.disabled);
              const flow = `/ui/flows/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.flowId)}`;
              return (
                <tr>
                  <td><a href={`${flow}/triggers`}>{t.namespace}.{t.flowId}</a></td>
                  <td><b>{t.triggerId}</b></td>
                  <td class="plugin-type">{t.type.split(".").pop()}</td>
                  <td class="mono">{t.when ?? "—"}</td>
                  <td><Time ms={t.row?.nextDate} /></td>
                  <td><Time ms={t.row?.lastDate} /></td>
                  <td>
                    {t.disabledInFlow ? "disabled in the flow" : (
                      <form method="post" action={`${flow}/triggers/${encodeURIComponent(t.triggerId)}/toggle`} class="inline">
                        <Csrf />
                        <input type="hidden" name="disabled" value={disabled ? "false" : "true"} />
                        <input type="hidden" name="back" value="/ui/triggers" />
                        {disabled ? "disabled " : "enabled "}<button type="submit" class="small">{disabled ? "Enable" : "Disable"}</button>
                      </form>
                    )}
                  </td>
                  <td>{SCHEDULE.test(t.type) && <Backfill t={t} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
