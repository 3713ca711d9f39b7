// io.kestra.plugin.core.execution.Labels: add or change labels of the running execution.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.execution.Labels",
  aliases: ["io.kestra.core.tasks.executions.Labels"],
  description: "Set execution labels from a map, a list of {key, value}, or a JSON string.",
  schema: z.object({
    labels: z.union([z.record(z.string(), z.unknown()), z.array(z.object({ key: z.string(), value: z.unknown() })), z.string()]),
  }),
  async run(ctx, props) {
    let raw: unknown = props.labels;
    if (typeof raw === "string") raw = JSON.parse(raw);
    const list = Array.isArray(raw)
      ? (raw as { key: string; value: unknown }[]).map((l) => ({ key: String(l.key), value: String(l.value) }))
      : Object.entries(raw as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
    if (list.some((l) => l.key.startsWith("system."))) throw new Error("System labels can't be set by a task");
    await ctx.engine.setLabels(list);
  },
});
