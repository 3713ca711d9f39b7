// io.kestra.plugin.core.flow.Sleep: wait for a duration (interrupted by kill or timeout).
import { z } from "zod";
import { defineTask, duration, durationMs } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.flow.Sleep",
  aliases: ["sleep"],
  description: "Wait for `duration` (ISO-8601, e.g. PT5S).",
  schema: z.object({ duration: duration() }),
  examples: [{ title: "Wait 5 seconds", code: "id: wait\ntype: io.kestra.plugin.core.flow.Sleep\nduration: PT5S" }],
  async run(ctx, props) {
    const ms = durationMs(props.duration);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(ctx.signal.reason ?? new Error("aborted"));
      }, { once: true });
    });
  },
});
