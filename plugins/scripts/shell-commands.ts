// io.kestra.plugin.scripts.shell.Commands: Run shell commands one after the other (stops at the first failure unless failFast is false).
import { defineCommandsTask, SHELL } from "./define-script.ts";

export default defineCommandsTask(SHELL, {
  type: "io.kestra.plugin.scripts.shell.Commands",
  aliases: [],
  description: "Run shell commands one after the other (stops at the first failure unless failFast is false).",
  examples: [
    {
      title: "Count the lines of a downloaded file",
      code: `id: count
type: io.kestra.plugin.scripts.shell.Commands
taskRunner:
  type: io.kestra.plugin.core.runner.Process
commands:
  - wc -l {{ outputs.download.uri }}`,
    },
  ],
});
