// io.kestra.plugin.scripts.node.Commands: Run commands (typically node main.js) in the working directory.
import { defineCommandsTask, NODE } from "./define-script.ts";

export default defineCommandsTask(NODE, {
  type: "io.kestra.plugin.scripts.node.Commands",
  aliases: [],
  description: "Run commands (typically node main.js) in the working directory.",
  examples: [
    {
      title: "Run a file",
      code: `id: node_main
type: io.kestra.plugin.scripts.node.Commands
taskRunner:
  type: io.kestra.plugin.core.runner.Process
inputFiles:
  main.js: console.log(1 + 1)
commands:
  - node main.js`,
    },
  ],
});
