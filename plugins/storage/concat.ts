// io.kestra.plugin.core.storage.Concat: join several stored files into one.
import { z } from "zod";
import { defineTask, NonRetriableError } from "../define.ts";

/** `files` may be a list, or a JSON string of one (an expression such as {{ outputs.x.uris | toJson }}). */
export function fileList(v: string | string[]): string[] {
  if (Array.isArray(v)) return v;
  const t = v.trim();
  if (!t.startsWith("[")) return [t];
  try {
    const parsed = JSON.parse(t);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {}
  throw new NonRetriableError("files: expected a list of kestra:/// URIs or a JSON array of them");
}

export default defineTask({
  type: "io.kestra.plugin.core.storage.Concat",
  aliases: ["io.kestra.core.tasks.storages.Concat"],
  description: "Concatenate files from internal storage, optionally with a separator between them; outputs the new file's URI.",
  schema: z.object({
    files: z.union([z.array(z.string()), z.string()]).meta({ description: "URIs of the files, in order" }),
    separator: z.string().optional().meta({ description: "Written between two files" }),
    extension: z.string().default(".tmp").meta({ description: "Extension of the result" }),
  }),
  examples: [{ title: "Join two CSV parts", code: "id: concat\ntype: io.kestra.plugin.core.storage.Concat\nfiles:\n  - \"{{ outputs.a.uri }}\"\n  - \"{{ outputs.b.uri }}\"\nextension: .csv" }],
  async run(ctx, p) {
    const uris = fileList(p.files);
    const sep = p.separator !== undefined ? new TextEncoder().encode(p.separator) : undefined;
    let i = 0;
    // One file in memory at a time, not all of them.
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (i >= uris.length) return c.close();
        if (i > 0 && sep) c.enqueue(sep);
        c.enqueue(await ctx.storage.get(uris[i++]!));
      },
    });
    const ext = p.extension.startsWith(".") ? p.extension : `.${p.extension}`;
    return { uri: await ctx.storage.put(`concat${ext}`, stream) };
  },
});
