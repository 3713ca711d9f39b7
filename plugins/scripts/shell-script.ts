// io.kestra.plugin.scripts.shell.Script: Run an inline shell script as a local process.
import { defineScriptTask, SHELL } from "./define-script.ts";

export default defineScriptTask(SHELL, {
  type: "io.kestra.plugin.scripts.shell.Script",
  aliases: [],
  description: "Run an inline shell script as a local process.",
  examples: [
    {
      title: "Write a file and keep it",
      code: `id: report
type: io.kestra.plugin.scripts.shell.Script
taskRunner:
  type: io.kestra.plugin.core.runner.Process
outputFiles:
  - report.txt
script: |
  echo "generated at $(date)" > report.txt
  echo "::{\\"outputs\\":{\\"lines\\":1}}::"`,
    },
  ],
});
