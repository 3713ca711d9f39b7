// The Gantt chart of an execution: one row per task run (tree order, indented), the run's span
// as a faint bar and each attempt as a solid segment in its state's colour.
import type { Gantt } from "../../src/server/ui/gantt.ts";
import { formatDuration } from "../components.tsx";

const ROW = 22;
const LABEL = 230;
const CHART = 720;
const DUR = 70;

export function GanttSvg({ gantt }: { gantt: Gantt }) {
  const width = LABEL + CHART + DUR;
  const height = gantt.rows.length * ROW + 24;
  const x = (f: number) => LABEL + f * CHART;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div class="gantt-scroll">
      <svg class="gantt" width="100%" viewBox={`0 0 ${width} ${height}`} style={`min-width:${width}px`} role="img" aria-label="Gantt chart of task runs">
        {ticks.map((t) => (
          <g>
            <line class="axis" x1={x(t)} x2={x(t)} y1="16" y2={height} />
            <text x={x(t)} y="11" text-anchor={t === 1 ? "end" : t === 0 ? "start" : "middle"} fill="#6b7385">+{formatDuration(t * (gantt.end - gantt.start))}</text>
          </g>
        ))}
        {gantt.rows.map((r, i) => {
          const y = 18 + i * ROW;
          const label = r.run.value !== null ? `${r.run.taskId} [${r.run.value}]` : r.run.taskId;
          const cls = `fill-${r.run.state.toLowerCase()}`;
          return (
            <g class="row" data-task={r.run.taskId} data-state={r.run.state}>
              <rect class="bg" x="0" y={y} width={width} height={ROW - 2} fill="transparent" />
              <text x={6 + r.depth * 12} y={y + 14}>{label.length > 34 - r.depth * 2 ? `${label.slice(0, 32 - r.depth * 2)}…` : label}</text>
              {r.x0 !== null && r.x1 !== null && (
                <rect class={cls} opacity={r.attempts.length ? 0.25 : 0.85} x={x(r.x0)} y={y + 4} width={Math.max(2, (r.x1 - r.x0) * CHART)} height={ROW - 10} rx="2">
                  <title>{`${label}: ${r.run.state}, ${formatDuration(r.durationMs)}`}</title>
                </rect>
              )}
              {r.attempts.map((a) => (
                <rect class={`fill-${a.state.toLowerCase()}`} x={x(a.x0)} y={y + 4} width={Math.max(2, (a.x1 - a.x0) * CHART)} height={ROW - 10} rx="2">
                  <title>{`${label} ${a.label}`}</title>
                </rect>
              ))}
              <text x={width - 4} y={y + 14} text-anchor="end" fill="#6b7385">{formatDuration(r.durationMs)}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
