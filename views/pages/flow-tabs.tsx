// The flow's other tabs: revisions with a diff, triggers with enable/disable and the next
// fire time, and the Execute form generated from the flow's inputs.
import type { InputDef } from "../../src/flow/index.ts";
import type { DiffLine } from "../../src/server/ui/diff.ts";
import type { TriggerRow } from "../../src/store/trigger-rows.ts";
import { Csrf, Empty, ErrorBox, Time } from "../components.tsx";
import { flowHref } from "./flow-shell.tsx";
import { hasFile, InputFields } from "./input-fields.tsx";

export function Diff({ lines }: { lines: DiffLine[] }) {
  if (!lines.length) return <Empty>No difference.</Empty>;
  return (
    <div class="diff">
      {lines.map((l) => l.kind === "gap"
        ? <div class="gap">{l.text}</div>
        : <div class={l.kind}>{l.kind === "add" ? "+ " : l.kind === "del" ? "- " : "  "}{l.text}</div>)}
    </div>
  );
}

export interface RevisionsView {
  ns: string;
  id: string;
  revisions: { revision: number; createdAt: number }[];
  a: number;
  b: number;
  diff: DiffLine[];
  sourceB: string;
}

export function Revisions({ v }: { v: RevisionsView }) {
  const opts = (sel: number) => v.revisions.map((r) => <option value={r.revision} selected={r.revision === sel}>{`revision ${r.revision}`}</option>);
  return (
    <div>
      <table class="list">
        <thead><tr><th class="num">Revision</th><th>Saved</th><th></th></tr></thead>
        <tbody>
          {[...v.revisions].reverse().map((r) => (
            <tr><td class="num">{r.revision}</td><td><Time ms={r.createdAt} /></td>
              <td>{r.revision > 1 && <a href={`${flowHref(v.ns, v.id)}/revisions?a=${r.revision - 1}&b=${r.revision}`}>diff with {r.revision - 1}</a>}</td></tr>
          ))}
        </tbody>
      </table>
      <form class="filters" method="get" action={`${flowHref(v.ns, v.id)}/revisions`}>
        <label class="f">From<select name="a">{opts(v.a)}</select></label>
        <label class="f">To<select name="b">{opts(v.b)}</select></label>
        <button type="submit">Compare</button>
      </form>
      <h2>Revision {v.a} → {v.b}</h2>
      <Diff lines={v.diff} />
      <details><summary>Source of revision {v.b}</summary><pre>{v.sourceB}</pre></details>
    </div>
  );
}

export interface FlowTrigger { id: string; type: string; when?: string; disabledInFlow: boolean; row?: TriggerRow }

export function Triggers({ ns, id, triggers }: { ns: string; id: string; triggers: FlowTrigger[] }) {
  if (!triggers.length) return <Empty>This flow has no trigger.</Empty>;
  return (
    <table class="list">
      <thead><tr><th>Trigger</th><th>Type</th><th>Schedule</th><th>Next fire</th><th>Last fire</th><th>Status</th><th></th></tr></thead>
      <tbody>
        {triggers.map((t) => {
          const disabled = t.disabledInFlow || Boolean(t.row?.disabled);
          return (
            <tr>
              <td><b>{t.id}</b></td>
              <td class="plugin-type">{t.type.split(".").pop()}</td>
              <td class="mono">{t.when ?? "—"}</td>
              <td><Time ms={t.row?.nextDate} /></td>
              <td><Time ms={t.row?.lastDate} /></td>
              <td>{t.disabledInFlow ? "disabled in the flow" : disabled ? "disabled" : "enabled"}</td>
              <td>
                {!t.disabledInFlow && (
                  <form method="post" action={`${flowHref(ns, id)}/triggers/${encodeURIComponent(t.id)}/toggle`} class="inline">
                    <Csrf />
                    <input type="hidden" name="disabled" value={disabled ? "false" : "true"} />
                    <button type="submit" class="small">{disabled ? "Enable" : "Disable"}</button>
                  </form>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export interface ExecuteView {
  ns: string;
  id: string;
  inputs: InputDef[];
  sent?: Record<string, string | string[]>;
  errors?: Record<string, string>;
  labels?: string;
  disabled?: boolean;
}

export function ExecuteForm({ v }: { v: ExecuteView }) {
  const errs = Object.values(v.errors ?? {});
  return (
    <form method="post" action={`${flowHref(v.ns, v.id)}/execute`} enctype={hasFile(v.inputs) ? "multipart/form-data" : "application/x-www-form-urlencoded"} id="execute-form" class="panel">
      <Csrf />
      {errs.length > 0 && <ErrorBox title="The execution was not created" messages={errs} />}
      {v.disabled && <ErrorBox title="This flow is disabled" messages={["Enable it (remove disabled: true) to execute it."]} />}
      <div class="form-grid">
        {v.inputs.length === 0 && <><span></span><p class="muted">This flow has no inputs.</p></>}
        <InputFields inputs={v.inputs} sent={v.sent} errors={v.errors} />
        <label for="labels"><b>Labels</b><div class="hint">key:value, one per line</div></label>
        <textarea id="labels" name="labels" rows={2}>{v.labels ?? ""}</textarea>
      </div>
      <p><button type="submit" class="primary" id="execute">Execute</button></p>
    </form>
  );
}
