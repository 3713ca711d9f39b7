// io.kestra.plugin.core.log.Log: write one or more messages to the execution's logs.
import { z } from "zod";
import { defineTask } from "../define.ts";

const level = z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]);

export default defineTask({
  type: "io.kestra.plugin.core.log.Log",
  aliases: ["io.kestra.core.tasks.log.Log", "log"],
  inline: true,
  description: "Log a message (or a list of messages) at the given level.",
  schema: z.object({
    message: z.union([z.string(), z.array(z.string())]).meta({ description: "Message(s) to log; may contain expressions." }),
    level: level.default("INFO").meta({ description: "Log level" }),
  }),
  examples: [{ title: "Say hello", code: "id: hello\ntype: io.kestra.plugin.core.log.Log\nmessage: Hello {{ inputs.name }}" }],
  async run(ctx, props) {
    const messages = Array.isArray(props.message) ? props.message : [props.message];
    for (const m of messages) ctx.logger.log(props.level, m);
  },
});
