// io.kestra.plugin.core.output.OutputValues: expose rendered values as outputs.<id>.values.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.output.OutputValues",
  aliases: ["outputs"],
  inline: true,
  description: "Expose a map of rendered values as `outputs.<id>.values`.",
  schema: z.object({ values: z.record(z.string(), z.unknown()).default({}) }),
  examples: [{ title: "Share values", code: "id: out\ntype: io.kestra.plugin.core.output.OutputValues\nvalues:\n  day: \"{{ now() | date('yyyy-MM-dd') }}\"" }],
  async run(_ctx, props) {
    return { values: props.values };
  },
});
