// io.kestra.plugin.core.debug.Echo (deprecated): log `format` at `level`.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.debug.Echo",
  aliases: ["io.kestra.core.tasks.debugs.Echo"],
  inline: true,
  description: "Deprecated: use Log. Logs the rendered `format`.",
  schema: z.object({ format: z.string(), level: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]).default("INFO") }),
  async run(ctx, props) {
    ctx.logger.log(props.level, props.format);
  },
});
