// io.kestra.plugin.scripts.bun.Commands: Run commands (typically bun run main.ts) in the working directory.
import { defineCommandsTask, BUN } from "./define-script.ts";

export default defineCommandsTask(BUN, {
  type: "io.kestra.plugin.scripts.bun.Commands",
  aliases: ["tern.scripts.bun.Commands"],
  description: "Run commands (typically bun run main.ts) in the working directory.",
  examples: [
    {
      title: "Run a TypeScript file",
      code: `id: bun_main
type: io.kestra.plugin.scripts.bun.Commands
inputFiles:
  main.ts: "console.log(40 + 2)"
commands:
  - bun run main.ts`,
    },
  ],
});
