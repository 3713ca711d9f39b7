// io.kestra.plugin.core.storage.LocalFiles (deprecated): write inline files into the working
// directory and upload matching files to internal storage (outputs.uris).
import { z } from "zod";
import { defineTask } from "../define.ts";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";

export default defineTask({
  type: "io.kestra.plugin.core.storage.LocalFiles",
  aliases: ["io.kestra.core.tasks.storages.LocalFiles"],
  description: "Inside a WorkingDirectory: create files from `inputs` and upload files matching `outputs` globs.",
  schema: z.object({
    inputs: z.union([z.record(z.string(), z.string()), z.string()]).optional(),
    outputs: z.array(z.string()).optional(),
  }),
  async run(ctx, props) {
    const dir = ctx.workingDir ?? (await ctx.runtime.tmpDir());
    const inputs = typeof props.inputs === "string" ? (JSON.parse(props.inputs) as Record<string, string>) : props.inputs ?? {};
    for (const [name, content] of Object.entries(inputs)) {
      const path = confined(dir, name);
      await mkdir(dirname(path), { recursive: true });
      const data = content.startsWith("kestra://") ? await ctx.storage.get(content) : content;
      await writeFile(path, data);
    }
    const uris: Record<string, string> = {};
    if (props.outputs?.length) {
      const globs = props.outputs.map((g) => new Bun.Glob(g));
      for (const file of await listFiles(dir)) {
        const rel = relative(dir, file);
        if (globs.some((g) => g.match(rel))) uris[rel] = await ctx.storage.put(rel, await readFile(file));
      }
    }
    return { uris };
  },
});

function confined(root: string, name: string): string {
  const path = resolve(root, name);
  if (!path.startsWith(resolve(root) + "/")) throw new Error(`file name "${name}" escapes the working directory`);
  return path;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
