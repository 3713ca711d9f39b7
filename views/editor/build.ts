// Bundles views/editor/entry.ts (CodeMirror 6) into views/static/editor.js, the one prebuilt
// asset of the dashboard. Run after changing the entry or upgrading @codemirror/*:
//   bun views/editor/build.ts
import { join } from "node:path";

const out = await Bun.build({
  entrypoints: [join(import.meta.dir, "entry.ts")],
  outdir: join(import.meta.dir, "../static"),
  naming: "editor.js",
  target: "browser",
  minify: true,
  format: "iife",
});
if (!out.success) {
  for (const log of out.logs) console.error(log);
  process.exit(1);
}
console.log(`wrote views/static/editor.js (${out.outputs[0].size} bytes)`);
