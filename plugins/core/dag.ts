// io.kestra.plugin.core.flow.Dag: run tasks as soon as the tasks they depend on succeeded.
import { z } from "zod";
import { defineFlowable, childrenUnder, type TaskDef } from "../define.ts";

interface DagEntry {
  task: TaskDef;
  dependsOn?: string[];
}

export default defineFlowable({
  type: "io.kestra.plugin.core.flow.Dag",
  aliases: ["io.kestra.core.tasks.flows.Dag", "dag"],
  description: "Run tasks by their dependencies (`dependsOn`), `concurrent` at once (0 = all).",
  schema: z.object({
    tasks: z.array(z.object({ task: z.looseObject({ id: z.string(), type: z.string() }), dependsOn: z.array(z.string()).optional() })),
    concurrent: z.union([z.number().int().min(0), z.string()]).default(0),
    errors: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
    finally: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
  }),
  children(task) {
    const out = childrenUnder(task, ["errors", "finally"]);
    ((task.tasks as DagEntry[]) ?? []).forEach((e, i) => e?.task && out.push({ path: ["tasks", i, "task"], task: e.task }));
    return out;
  },
  async plan(_ctx, task) {
    const entries = task.tasks as DagEntry[];
    const index = new Map(entries.map((e, i) => [e.task.id, i]));
    const branches = entries.map((e) => ({
      tasks: [e.task],
      after: (e.dependsOn ?? []).map((d) => {
        const i = index.get(d);
        if (i === undefined) throw new Error(`Dag: unknown dependency "${d}" of task "${e.task.id}"`);
        return i;
      }),
    }));
    return { branches, concurrency: Number(task.concurrent ?? 0) };
  },
});
