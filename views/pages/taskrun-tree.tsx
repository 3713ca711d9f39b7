// The task-run tree: every run under its parent with state, attempts, start, duration, its
// outputs folded away, and a "replay from here" button.
import type { Execution } from "../../src/engine/model.ts";
import type { GanttRow } from "../../src/server/ui/gantt.ts";
import { Csrf, formatDuration, State, Time, json } from "../components.tsx";
import { OutputValue } from "./execution-io.tsx";

export function TaskRunTree({ ex, rows, canReplay }: { ex: Execution; rows: GanttRow[]; canReplay: boolean }) {
  if (!rows.length) return <p class="empty">No task run yet.</p>;
  return (
    <table class="list tree">
      <thead><tr><th>Task</th><th>State</th><th>Attempts</th><th>Started</th><th class="num">Duration</th><th>Outputs</th><th></th></tr></thead>
      <tbody>
        {rows.map(({ run, depth, durationMs }) => (
          <tr id={`tr-${run.id}`} data-task={run.taskId} data-state={run.state}>
            <td class="task">
              <span class="indent" style={`width:${depth * 16}px`}></span>
              <b>{run.taskId}</b>{run.value !== null && <span class="muted"> [{run.value}]</span>}
            </td>
            <td><State state={run.state} /></td>
            <td class="num">{run.attempts.length || ""}</td>
            <td><Time ms={run.startDate} /></td>
            <td class="num">{formatDuration(durationMs)}</td>
            <td>
              {run.outputs && Object.keys(run.outputs).length > 0 ? (
                <details>
                  <summary>{Object.keys(run.outputs).length} output(s)</summary>
                  <table class="list kv">
                    {Object.entries(run.outputs).map(([k, v]) => <tr><th>{k}</th><td><OutputValue ex={ex} value={v} /></td></tr>)}
                  </table>
                </details>
              ) : <span class="muted">—</span>}
              {run.plan?.exit && <div class="muted">exit: {json(run.plan.exit)}</div>}
            </td>
            <td>
              {canReplay && (
                <form method="post" action={`/ui/executions/${ex.id}/replay`} class="inline">
                  <Csrf />
                  <input type="hidden" name="taskRunId" value={run.id} />
                  <button class="small" type="submit" title="New execution replaying from this task run">Replay</button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
