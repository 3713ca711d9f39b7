// The topology SVG: groups (flowables) as dashed boxes, tasks as boxes coloured by the state
// of their latest task run when an execution is shown.
import type { Topology } from "../../src/server/ui/graph.ts";

function path(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

export function TopologySvg({ topo, states = new Map() }: { topo: Topology; states?: Map<string, string> }) {
  const stateOf = (taskId?: string) => (taskId ? states.get(taskId) : undefined);
  return (
    <div class="graph-scroll">
      <svg class="topology" width={topo.width} height={topo.height} viewBox={`0 -12 ${topo.width} ${topo.height}`} role="img" aria-label="Flow topology">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#9aa1b5" />
          </marker>
        </defs>
        {topo.groups.map((g) => {
          const st = stateOf(g.taskId);
          return (
            <g class="group" data-task={g.taskId}>
              <rect x={g.x} y={g.y - 12} width={g.w} height={g.h + 12} rx="6" />
              <text x={g.x + 6} y={g.y - 1} font-weight="600">{g.label}{g.sub ? ` · ${g.sub}` : ""}</text>
              {st && <circle class={`fill-${st.toLowerCase()}`} cx={g.x + g.w - 8} cy={g.y - 5} r="4"><title>{st}</title></circle>}
            </g>
          );
        })}
        {topo.edges.map((e) => <path class="edge" d={path(e.points)} marker-end="url(#arrow)" stroke-dasharray={e.dashed ? "4 3" : undefined} />)}
        {topo.nodes.map((n) => {
          if (n.kind !== "task") {
            return <g class="node"><rect x={n.x} y={n.y} width={n.w} height={n.h} rx={n.h / 2} /><text x={n.x + n.w / 2} y={n.y + n.h / 2 + 4} text-anchor="middle" class="muted">{n.label}</text></g>;
          }
          const st = stateOf(n.taskId);
          return (
            <g class={`node${st ? " st" : ""}`} data-task={n.taskId} data-state={st}>
              <rect x={n.x} y={n.y} width={n.w} height={n.h} rx="5" />
              {st && <rect class={`fill-${st.toLowerCase()}`} x={n.x} y={n.y} width="5" height={n.h} rx="2" />}
              <text x={n.x + 12} y={n.y + 16} font-weight="600">{n.label}</text>
              <text x={n.x + 12} y={n.y + 31} fill="#6b7385">{st ? `${n.sub} · ${st}` : n.sub}</text>
              <title>{`${n.label} (${n.sub})${st ? `: ${st}` : ""}`}</title>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
