// io.kestra.plugin.scripts.bun.Script: Run an inline TypeScript script with Bun (the same Bun that runs Tern).
import { defineScriptTask, BUN } from "./define-script.ts";

export default defineScriptTask(BUN, {
  type: "io.kestra.plugin.scripts.bun.Script",
  aliases: ["tern.scripts.bun.Script"],
  description: "Run an inline TypeScript script with Bun (the same Bun that runs Tern).",
  examples: [
    {
      title: "Write an output file",
      code: `id: bun_hello
type: io.kestra.plugin.scripts.bun.Script
outputFiles:
  - out.json
script: |
  await Bun.write("out.json", JSON.stringify({ ok: true }));`,
    },
  ],
});
