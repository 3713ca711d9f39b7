// io.kestra.plugin.scripts.python.Commands: Run commands (typically python3 main.py) with input files in the working directory.
import { defineCommandsTask, PYTHON } from "./define-script.ts";

export default defineCommandsTask(PYTHON, {
  type: "io.kestra.plugin.scripts.python.Commands",
  aliases: [],
  description: "Run commands (typically python3 main.py) with input files in the working directory.",
  examples: [
    {
      title: "Run a script given as an input file",
      code: `id: run_main
type: io.kestra.plugin.scripts.python.Commands
taskRunner:
  type: io.kestra.plugin.core.runner.Process
inputFiles:
  main.py: |
    print("hello from main.py")
commands:
  - python3 main.py`,
    },
  ],
});
