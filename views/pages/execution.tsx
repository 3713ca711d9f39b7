// One execution: header with state and actions, tabs (Gantt + task-run tree, outputs,
// topology, logs). While it runs, the live part re-renders itself every second; the markup of
// a finished execution carries no trigger, so polling stops by itself.
import type { Execution, TaskRun } from "../../src/engine/model.ts";
import type { InputDef } from "../../src/flow/index.ts";
import type { Gantt } from "../../src/server/ui/gantt.ts";
import type { Topology } from "../../src/server/ui/graph.ts";
import type { StoredLog } from "../../src/store/logs.ts";
import { Csrf, Duration, ErrorBox, Labels, Notice, State, Time } from "../components.tsx";
import { Header, Layout, Tabs } from "../layout.tsx";
import { ExecutionIo } from "./execution-io.tsx";
import { ExecutionLogs, type LogFilterValues } from "./execution-logs.tsx";
import { GanttSvg } from "./gantt.tsx";
import { InputFields, hasFile } from "./input-fields.tsx";
import { TaskRunTree } from "./taskrun-tree.tsx";
import { TopologySvg } from "./topology.tsx";

export type ExecTab = "gantt" | "logs" | "outputs" | "topology";

export interface ExecutionView {
  ex: Execution;
  runs: TaskRun[];
  now: number;
  tab: ExecTab;
  settled: boolean;
  gantt?: Gantt;
  topo?: Topology;
  logs?: StoredLog[];
  logFilter?: LogFilterValues;
  /** onResume inputs of the Pause task the execution waits on. */
  resumeInputs?: InputDef[];
  notice?: string;
  error?: { title: string; messages: string[] };
}

const RESTARTABLE = new Set(["FAILED", "KILLED", "PAUSED", "WARNING", "CANCELLED"]);
const base = (ex: Execution) => `/ui/executions/${encodeURIComponent(ex.id)}`;

function Action({ ex, action, label, cls, confirm }: { ex: Execution; action: string; label: string; cls?: string; confirm?: string }) {
  return (
    <form method="post" action={`${base(ex)}/${action}`} class="inline" data-confirm={confirm}>
      <Csrf />
      <button type="submit" class={cls} id={`btn-${action}`}>{label}</button>
    </form>
  );
}

function ExecHeader({ v }: { v: ExecutionView }) {
  const { ex } = v;
  const flowHref = `/ui/flows/${encodeURIComponent(ex.namespace)}/${encodeURIComponent(ex.flowId)}`;
  return (
    <>
      <Header
        title={<>{ex.flowId} <span class="muted mono">{ex.id}</span> <span id="exec-state"><State state={ex.state} /></span></>}
        crumbs={[{ href: "/ui/executions", label: "Executions" }, { href: `/ui/executions?namespace=${encodeURIComponent(ex.namespace)}`, label: ex.namespace }, { href: flowHref, label: ex.flowId }]}
      >
        {!v.settled && <Action ex={ex} action="kill" label="Kill" cls="danger" confirm="Kill this execution?" />}
        {v.settled && RESTARTABLE.has(ex.state) && <Action ex={ex} action="restart" label="Restart" />}
        {v.settled && <Action ex={ex} action="replay" label="Replay" />}
      </Header>
      {v.notice && <Notice kind="ok">{v.notice}</Notice>}
      {v.error && <ErrorBox title={v.error.title} messages={v.error.messages} />}
      <table class="list kv">
        <tr><th>Namespace</th><td>{ex.namespace}</td><th>Revision</th><td>{ex.flowRevision}</td></tr>
        <tr><th>Created</th><td><Time ms={ex.createdAt} /></td><th>Duration</th><td><Duration start={ex.startDate ?? ex.createdAt} end={ex.endDate} now={v.now} /></td></tr>
        <tr><th>Labels</th><td><Labels labels={ex.labels} link /></td><th>Parent / original</th><td>
          {ex.parentId ? <a href={`/ui/executions/${encodeURIComponent(ex.parentId)}`}>{ex.parentId}</a> : "—"}
          {ex.originalId && <> · <a href={`/ui/executions/${encodeURIComponent(ex.originalId)}`}>{ex.originalId}</a></>}
        </td></tr>
      </table>
      {ex.state === "PAUSED" && <ResumeForm v={v} />}
    </>
  );
}

function ResumeForm({ v }: { v: ExecutionView }) {
  const inputs = v.resumeInputs ?? [];
  return (
    <form class="panel" method="post" action={`${base(v.ex)}/resume`} enctype={hasFile(inputs) ? "multipart/form-data" : undefined}>
      <Csrf />
      <h2>Paused — resume</h2>
      {inputs.length > 0 && <div class="form-grid"><InputFields inputs={inputs} /></div>}
      <p><button type="submit" class="primary" id="btn-resume">Resume</button></p>
    </form>
  );
}

function TabBody({ v }: { v: ExecutionView }) {
  switch (v.tab) {
    case "gantt":
      return (
        <>
          {v.gantt && v.gantt.rows.length > 0 && <GanttSvg gantt={v.gantt} />}
          <h2>Task runs</h2>
          <TaskRunTree ex={v.ex} rows={v.gantt?.rows ?? []} canReplay={v.settled} />
        </>
      );
    case "outputs":
      return <ExecutionIo ex={v.ex} runs={v.runs} />;
    case "topology": {
      // The latest run of each task decides its colour (a ForEach child has many).
      const states = new Map<string, string>();
      for (const r of [...v.runs].sort((a, b) => a.seq - b.seq)) states.set(r.taskId, r.state);
      return v.topo ? <TopologySvg topo={v.topo} states={states} /> : <p class="empty">The flow revision of this execution is gone.</p>;
    }
    default:
      return null;
  }
}

/** The part that refreshes: polling attributes only while the execution is not settled. */
export function ExecutionLive({ v }: { v: ExecutionView }) {
  const poll = v.settled ? {} : { "hx-get": `${base(v.ex)}/live?tab=${v.tab}`, "hx-trigger": "every 1s", "hx-swap": "outerHTML" };
  const tabs = [
    { key: "gantt", label: "Gantt", href: base(v.ex) },
    { key: "logs", label: "Logs", href: `${base(v.ex)}/logs` },
    { key: "outputs", label: "Inputs & outputs", href: `${base(v.ex)}/outputs` },
    { key: "topology", label: "Topology", href: `${base(v.ex)}/topology` },
  ];
  return (
    <div id="exec-live" data-state={v.ex.state} data-settled={String(v.settled)} {...poll}>
      <ExecHeader v={v} />
      <Tabs tabs={tabs} active={v.tab} />
      <TabBody v={v} />
    </div>
  );
}

export function ExecutionPage({ v, partial }: { v: ExecutionView; partial: boolean }) {
  if (partial) return <ExecutionLive v={v} />;
  return (
    <Layout title={`${v.ex.flowId} ${v.ex.id}`} active="executions">
      <ExecutionLive v={v} />
      {v.tab === "logs" && <ExecutionLogs id={v.ex.id} logs={v.logs ?? []} f={v.logFilter ?? { level: "TRACE", q: "" }} live={!v.settled} />}
    </Layout>
  );
}
