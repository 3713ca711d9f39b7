// io.kestra.plugin.core.trigger.Toggle: enable or disable a trigger of a flow (this flow by default).
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.trigger.Toggle",
  aliases: ["io.kestra.core.tasks.trigger.Toggle"],
  description: "Enable (`enabled: true`) or disable (the default) a trigger; `namespace` and `flowId` default to the current flow's.",
  schema: z.object({
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    trigger: z.string(),
    enabled: z.boolean().default(false),
  }),
  examples: [{ title: "Switch this flow's schedule off", code: "id: stop_schedule\ntype: io.kestra.plugin.core.trigger.Toggle\ntrigger: schedule\nenabled: false" }],
  async run(ctx, props) {
    if (!ctx.engine.toggleTrigger) throw new Error("toggling triggers is not available in this context");
    const key = { namespace: props.namespace ?? ctx.execution.namespace, flowId: props.flowId ?? ctx.execution.flowId, triggerId: props.trigger };
    await ctx.engine.toggleTrigger(key, props.enabled);
    ctx.logger.info(`Trigger ${key.triggerId} of ${key.namespace}.${key.flowId} ${props.enabled ? "enabled" : "disabled"}`);
  },
});
