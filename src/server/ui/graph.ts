// A flow's topology: tasks as nodes, flowables as groups holding their children, edges in
// run order, laid out left-to-right by dagre. Layout is the costly part (tens of ms for a
// large flow), and a revision never changes, so layouts are cached per flow revision.
import dagre from "@dagrejs/dagre";
import type { TaskDef } from "../../../plugins/define.ts";
import { findTask } from "../../../plugins/index.ts";

export interface GraphNode { id: string; label: string; sub: string; kind: "task" | "group" | "start" | "end"; taskId?: string; parent?: string }
export interface Placed extends GraphNode { x: number; y: number; w: number; h: number }
export interface Topology { width: number; height: number; nodes: Placed[]; groups: Placed[]; edges: { points: { x: number; y: number }[]; dashed: boolean }[] }

interface FlowLike { tasks?: TaskDef[]; errors?: TaskDef[]; finally?: TaskDef[]; afterExecution?: TaskDef[] }
interface Ends { entries: string[]; exits: string[] }

const PARALLEL = /\.(Parallel|EachParallel)$/;
const short = (type: string) => type.split(".").pop() ?? type;

function builder() {
  const nodes: GraphNode[] = [];
  const edges: { from: string; to: string; dashed: boolean }[] = [];
  const link = (from: string[], to: string[], dashed = false) => {
    for (const f of from) for (const t of to) edges.push({ from: f, to: t, dashed });
  };

  /** A list runs in order: each task's exits lead to the next one's entries. */
  function list(tasks: TaskDef[] | undefined, parent: string | undefined): Ends | null {
    let first: Ends | null = null;
    let prev: Ends | null = null;
    for (const t of tasks ?? []) {
      const cur = task(t, parent);
      if (prev) link(prev.exits, cur.entries);
      first ??= cur;
      prev = cur;
    }
    return first && prev ? { entries: first.entries, exits: prev.exits } : null;
  }

  function task(t: TaskDef, parent: string | undefined): Ends {
    const def = findTask(t.type);
    const children = def?.kind === "flowable" ? def.children(t) : [];
    if (!children.length) {
      const id = `t:${t.id}`;
      nodes.push({ id, label: t.id, sub: short(t.type), kind: "task", taskId: t.id, parent });
      return { entries: [id], exits: [id] };
    }
    const gid = `g:${t.id}`;
    nodes.push({ id: gid, label: t.id, sub: short(t.type), kind: "group", taskId: t.id, parent });
    // Branches are the child lists (then/else/cases.x/tasks); a parallel task's children are one branch each.
    const branches = new Map<string, TaskDef[]>();
    const deps = new Map<string, string[]>();
    children.forEach(({ path, task: child }, i) => {
      let key = path.slice(0, -1).join("/");
      if (path.at(-1) === "task") key = `dag/${i}`; // Dag entries: {task, dependsOn}
      if (key === "tasks" && PARALLEL.test(t.type)) key = `tasks/${i}`;
      const l = branches.get(key) ?? [];
      l.push(child);
      branches.set(key, l);
      if (key.startsWith("dag/")) deps.set(child.id, ((t.tasks as { dependsOn?: string[] }[])[Number(path[1])]?.dependsOn) ?? []);
    });
    const main: Ends[] = [];
    const byTask = new Map<string, Ends>();
    let fin: Ends | null = null;
    for (const [key, tasks] of branches) {
      const ends = list(tasks, gid);
      if (!ends) continue;
      if (key === "finally") fin = ends;
      else if (key !== "errors") main.push(ends);
      if (key.startsWith("dag/")) byTask.set(tasks[0].id, ends);
    }
    // Dag: edges follow dependsOn; the entries are the tasks without dependencies.
    let entries = main.flatMap((e) => e.entries);
    let exits = main.flatMap((e) => e.exits);
    if (byTask.size) {
      const depended = new Set<string>();
      for (const [id, ds] of deps) {
        for (const d of ds) {
          const from = byTask.get(d);
          if (from) link(from.exits, byTask.get(id)!.entries), depended.add(d);
        }
      }
      entries = [...byTask].filter(([id]) => !(deps.get(id) ?? []).some((d) => byTask.has(d))).flatMap(([, e]) => e.entries);
      exits = [...byTask].filter(([id]) => !depended.has(id)).flatMap(([, e]) => e.exits);
    }
    if (fin) link(exits, fin.entries), (exits = fin.exits);
    if (!entries.length) {
      // Only errors/finally children: keep the group reachable through a stub.
      const stub = `s:${t.id}`;
      nodes.push({ id: stub, label: t.id, sub: short(t.type), kind: "task", taskId: t.id, parent: gid });
      return { entries: [stub], exits: [stub] };
    }
    return { entries, exits };
  }
  return { nodes, edges, list, link };
}

export function buildTopology(flow: FlowLike): Topology {
  const b = builder();
  b.nodes.push({ id: "start", label: "start", sub: "", kind: "start" }, { id: "end", label: "end", sub: "", kind: "end" });
  const main = b.list(flow.tasks, undefined);
  let exits = ["start"];
  if (main) b.link(exits, main.entries), (exits = main.exits);
  for (const [name, tasks] of [["finally", flow.finally], ["afterExecution", flow.afterExecution]] as const) {
    if (!tasks?.length) continue;
    const gid = `g:_${name}`;
    b.nodes.push({ id: gid, label: name, sub: "", kind: "group" });
    const ends = b.list(tasks, gid)!;
    b.link(exits, ends.entries);
    exits = ends.exits;
  }
  b.link(exits, ["end"]);
  if (flow.errors?.length) {
    b.nodes.push({ id: "g:_errors", label: "errors", sub: "", kind: "group" });
    const ends = b.list(flow.errors, "g:_errors")!;
    b.link(["start"], ends.entries, true);
    b.link(ends.exits, ["end"], true);
  }
  return layout(b.nodes, b.edges);
}

function layout(nodes: GraphNode[], edges: { from: string; to: string; dashed: boolean }[]): Topology {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 36, marginx: 12, marginy: 24 });
  for (const n of nodes) {
    const size = n.kind === "group" ? {} : n.kind === "task" ? { width: Math.max(110, Math.max(n.label.length, n.sub.length) * 7 + 24), height: 40 } : { width: 44, height: 24 };
    g.setNode(n.id, { ...size });
    if (n.parent) g.setParent(n.id, n.parent);
  }
  edges.forEach((e, i) => g.setEdge(e.from, e.to, { dashed: e.dashed }, `e${i}`));
  dagre.layout(g);
  const placed = nodes.map((n): Placed => {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    return { ...n, x: p.x - p.width / 2, y: p.y - p.height / 2, w: p.width, h: p.height };
  });
  const info = g.graph() as { width: number; height: number };
  return {
    width: Math.ceil(info.width), height: Math.ceil(info.height) + 16,
    nodes: placed.filter((n) => n.kind !== "group"),
    groups: placed.filter((n) => n.kind === "group"),
    edges: g.edges().map((e) => ({ points: (g.edge(e) as { points: { x: number; y: number }[] }).points, dashed: Boolean((g.edge(e) as { dashed?: boolean }).dashed) })),
  };
}

const cache = new Map<string, Topology>();

/** Layout of one flow revision, computed once (bounded cache, oldest dropped first). */
export function topologyOf(key: string, flow: FlowLike): Topology {
  const hit = cache.get(key);
  if (hit) return hit;
  const t = buildTopology(flow);
  cache.set(key, t);
  if (cache.size > 200) cache.delete(cache.keys().next().value!);
  return t;
}
