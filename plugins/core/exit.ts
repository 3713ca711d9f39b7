// io.kestra.plugin.core.execution.Exit: end the whole execution now, in the given state.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.execution.Exit",
  aliases: ["exit"],
  description: "End the execution in `state` (SUCCESS, WARNING, KILLED, FAILED, CANCELLED); KILLED also kills running tasks.",
  schema: z.object({ state: z.enum(["SUCCESS", "WARNING", "KILLED", "FAILED", "CANCELED", "CANCELLED"]).default("SUCCESS") }),
  async run(ctx, props) {
    ctx.engine.exit(props.state === "CANCELED" ? "CANCELLED" : props.state);
  },
});
