// io.kestra.plugin.core.debug.Return: render `format` and return it as `value`.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.debug.Return",
  aliases: ["io.kestra.core.tasks.debugs.Return", "return"],
  inline: true,
  description: "Render a template and expose it as `outputs.<id>.value`.",
  schema: z.object({ format: z.string().optional() }),
  examples: [{ title: "Return a value", code: "id: greet\ntype: io.kestra.plugin.core.debug.Return\nformat: \"Hello {{ inputs.name }}\"" }],
  async run(ctx, props) {
    ctx.logger.debug(props.format ?? "");
    return { value: props.format ?? null };
  },
});
