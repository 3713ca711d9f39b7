// The Dag flowable's extra checks (Kestra does them at validation time too): every dependsOn
// names a task of the same Dag, and the dependencies have no cycle.
import type { Issue, Path } from "./errors.ts";

export const DAG_TYPE = "io.kestra.plugin.core.flow.Dag";

export function checkDag(dag: Record<string, unknown>, path: Path): Issue[] {
  const entries = Array.isArray(dag.tasks) ? (dag.tasks as unknown[]) : [];
  const idOf = (e: unknown) => {
    const id = (e as { task?: { id?: unknown } } | null)?.task?.id;
    return typeof id === "string" ? id : undefined;
  };
  const ids = entries.map(idOf);
  const known = new Set(ids.filter((x): x is string => !!x));
  const issues: Issue[] = [];
  const edges = new Map<string, string[]>();
  entries.forEach((e, i) => {
    const deps = (e as { dependsOn?: unknown } | null)?.dependsOn;
    if (!Array.isArray(deps)) return;
    const id = ids[i];
    deps.forEach((d, j) => {
      if (typeof d !== "string") return;
      if (!known.has(d)) issues.push({ path: [...path, "tasks", i, "dependsOn", j], message: `unknown task id "${d}" in dependsOn (not a task of this Dag)` });
      else if (id) edges.set(id, [...(edges.get(id) ?? []), d]);
    });
  });
  const cyclic = cyclicNodes([...known], edges);
  if (cyclic.size) {
    const names = ids.filter((id): id is string => !!id && cyclic.has(id));
    issues.push({ path, message: `Cyclic dependency detected: ${names.join(", ")}` });
  }
  return issues;
}

/** Nodes on a cycle: members of a strongly connected component of size > 1, or self-loops (Tarjan). */
function cyclicNodes(nodes: string[], edges: Map<string, string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out = new Set<string>();
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) component.forEach((c) => out.add(c));
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}
