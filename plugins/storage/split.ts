// io.kestra.plugin.core.storage.Split: cut a stored file into several by rows, bytes, partitions or regex.
import { z } from "zod";
import { BYTES_RE, extensionOf, readLines, splitRows } from "../../src/files/split.ts";
import { defineTask, NonRetriableError } from "../define.ts";

/** A positive integer, or its digits (a rendered `{{ inputs.n }}`). */
const count = () => z.union([z.number().int().positive(), z.string().regex(/^\s*\d+\s*$/, { message: "expected a positive integer" }).transform(Number)]);

export default defineTask({
  type: "io.kestra.plugin.core.storage.Split",
  aliases: ["io.kestra.core.tasks.storages.Split"],
  description:
    "Split a file of internal storage into several files of lines: `rows` lines each, about `bytes` each, `partitions` " +
    "files (lines dealt round-robin), or one file per value of `regexPattern`'s first group (lines that do not match are " +
    "left out). Every line is written followed by `separator`; the parts keep the file's extension (outputs.uris).",
  schema: z
    .object({
      from: z.string().meta({ description: "kestra:/// URI of the file to split" }),
      rows: count().optional().meta({ description: "Lines per file" }),
      bytes: z.string().regex(BYTES_RE, { message: "expected a size such as 512, 10KB, 5MB or 1GB" }).optional().meta({ description: "Size per file, e.g. 10KB or 1MB" }),
      partitions: count().optional().meta({ description: "Number of files, lines dealt round-robin" }),
      regexPattern: z.string().optional().meta({ description: "One file per value of the pattern's first capture group" }),
      separator: z.string().default("\n").meta({ description: "Written after each line" }),
    })
    .refine((p) => p.rows !== undefined || p.bytes !== undefined || p.partitions !== undefined || p.regexPattern !== undefined, {
      message: "one of rows, bytes, partitions or regexPattern is required",
    }),
  examples: [
    { title: "Split a file by rows count", code: 'id: split\ntype: io.kestra.plugin.core.storage.Split\nfrom: "{{ outputs.download.uri }}"\nrows: 1000' },
    { title: "Split a file in 8 partitions", code: 'id: split\ntype: io.kestra.plugin.core.storage.Split\nfrom: "{{ outputs.download.uri }}"\npartitions: 8' },
    { title: "Split a file by size", code: 'id: split\ntype: io.kestra.plugin.core.storage.Split\nfrom: "{{ outputs.download.uri }}"\nbytes: 10MB' },
  ],
  async run(ctx, p) {
    let parts: string[];
    try {
      parts = splitRows(readLines(await ctx.storage.getText(p.from)), p);
    } catch (e) {
      // A bad pattern or count is the flow's error: retrying cannot help.
      if (e instanceof SyntaxError || /must be a positive integer|Invalid size/.test((e as Error).message)) throw new NonRetriableError((e as Error).message);
      throw e;
    }
    const ext = extensionOf(p.from);
    const uris: string[] = [];
    for (let i = 0; i < parts.length; i++) uris.push(await ctx.storage.put(`${i}${ext}`, parts[i]!));
    return { uris };
  },
});
