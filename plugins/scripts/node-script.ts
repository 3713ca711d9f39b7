// io.kestra.plugin.scripts.node.Script: Run an inline JavaScript script with the host's node.
import { defineScriptTask, NODE } from "./define-script.ts";

export default defineScriptTask(NODE, {
  type: "io.kestra.plugin.scripts.node.Script",
  aliases: [],
  description: "Run an inline JavaScript script with the host's node.",
  examples: [
    {
      title: "Print the working directory",
      code: `id: node_hello
type: io.kestra.plugin.scripts.node.Script
taskRunner:
  type: io.kestra.plugin.core.runner.Process
script: |
  console.log("working in", process.env.WORKING_DIR);`,
    },
  ],
});
