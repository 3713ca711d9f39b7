// io.kestra.plugin.core.execution.Resume: resume a PAUSED execution (this one by default),
// optionally with values for the Pause task's onResume inputs.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.execution.Resume",
  description:
    "Resume a paused execution. Without `executionId` it is the current execution; with it, `namespace` and " +
    "`flowId` default to the current flow's (set both or neither). `inputs` are the Pause task's onResume values.",
  schema: z.object({
    executionId: z.string().optional(),
    namespace: z.string().optional(),
    flowId: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
  }),
  examples: [{ title: "Resume the execution that triggered this flow", code: 'id: resume\ntype: io.kestra.plugin.core.execution.Resume\nexecutionId: "{{ trigger.executionId }}"' }],
  async run(ctx, props) {
    const target = targetExecution(ctx.execution, props);
    if (!ctx.engine.resume) throw new Error("resuming executions is not available in this context");
    ctx.logger.info(`Resuming execution ${target}`);
    await ctx.engine.resume(target, props.inputs && Object.keys(props.inputs).length ? props.inputs : undefined);
  },
});

/** Kestra's PluginUtilsService.executionFromTaskParameters. */
function targetExecution(current: { id: string }, p: { executionId?: string; namespace?: string; flowId?: string }): string {
  const scoped = p.namespace !== undefined || p.flowId !== undefined;
  if (p.executionId === undefined) {
    if (scoped) throw new Error("`namespace` and `flowId` should only be set when `executionId` is set.");
    return current.id;
  }
  if (scoped && (p.namespace === undefined || p.flowId === undefined)) {
    throw new Error("Both `namespace` and `flowId` must be set when `executionId` is set.");
  }
  return p.executionId;
}
