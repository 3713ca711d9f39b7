// io.kestra.plugin.scripts.python.Script: Run an inline Python script with the host's python3.
import { defineScriptTask, PYTHON } from "./define-script.ts";

export default defineScriptTask(PYTHON, {
  type: "io.kestra.plugin.scripts.python.Script",
  aliases: [],
  description: "Run an inline Python script with the host's python3.",
  examples: [
    {
      title: "Emit an output value",
      code: `id: transform
type: io.kestra.plugin.scripts.python.Script
taskRunner:
  type: io.kestra.plugin.core.runner.Process
script: |
  import json
  total = sum([1, 2, 3])
  print("::" + json.dumps({"outputs": {"total": total}}) + "::")`,
    },
  ],
});
