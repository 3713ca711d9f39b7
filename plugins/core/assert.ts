// io.kestra.plugin.core.execution.Assert: every condition must render truthy, or the task fails
// naming each one that did not.
import { z } from "zod";
import { defineTask, isTruthy } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.execution.Assert",
  inline: true,
  description:
    "Check conditions on the execution's data: each of `conditions` is rendered and must be truthy (\"\", false, 0, " +
    "null are not). Each failed one is logged as an error; the task fails with the count and `errorMessage`.",
  schema: z.object({ conditions: z.array(z.string()).min(1), errorMessage: z.string().optional() }),
  raw: ["conditions"],
  examples: [{ title: "Check an input and an output", code: "id: check\ntype: io.kestra.plugin.core.execution.Assert\nconditions:\n  - \"{{ inputs.param == 'ok' }}\"\n  - \"{{ outputs.fetch.code == 200 }}\"" }],
  async run(ctx, props) {
    let failed = 0;
    for (const condition of props.conditions) {
      if (isTruthy(await ctx.render(condition))) continue;
      failed++;
      ctx.logger.error(`Assertion \`${condition}\` failed!`);
    }
    ctx.metric("success", "counter", props.conditions.length - failed);
    ctx.metric("failed", "counter", failed);
    if (failed) throw new Error(`${failed} assertion${failed > 1 ? "s" : ""} failed!${props.errorMessage ? `\n${props.errorMessage}` : ""}`);
  },
});
