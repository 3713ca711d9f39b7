// io.kestra.plugin.core.storage.Reverse: a stored file's lines, last first.
import { z } from "zod";
import { extensionOf } from "../../src/files/split.ts";
import { defineTask, NonRetriableError } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.Reverse",
  aliases: ["io.kestra.core.tasks.storages.Reverse"],
  description:
    "Reverse the lines of a file of internal storage, last line first, each followed by `separator`; the new file keeps the " +
    "extension (outputs.uri). Lines end at \\n, \\r\\n or \\r, as Java reads them.",
  schema: z.object({
    from: z.string().meta({ description: "kestra:/// URI of the file to reverse" }),
    separator: z.string().default("\n").meta({ description: "Written after each line (\\r\\n for Windows files)" }),
    charset: z.string().default("UTF-8").meta({ description: "The file's charset (UTF-8, ISO-8859-1, windows-1252 …; not UTF-16)" }),
  }),
  examples: [{ title: "Reverse a file", code: 'id: reverse\ntype: io.kestra.plugin.core.storage.Reverse\nfrom: "{{ outputs.generate_file.outputFiles[\'numbers.txt\'] }}"' }],
  async run(ctx, p) {
    const separator = encodeSeparator(p.separator, p.charset);
    const lines = byteLines(await ctx.storage.get(p.from)).reverse();
    let i = 0;
    // Line by line into storage: the reversed copy is never assembled in memory.
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i >= lines.length) return c.close();
        c.enqueue(lines[i++]!);
        c.enqueue(separator);
      },
    });
    return { uri: await ctx.storage.put(`reversed${extensionOf(p.from)}`, stream) };
  },
});

/**
 * Lines as byte ranges. \n and \r are single bytes that never occur inside a character in UTF-8
 * or the single-byte charsets, so the file is cut without decoding it.
 */
function byteLines(data: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    lines.push(data.subarray(start, i));
    if (b === 0x0d && data[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  if (start < data.length) lines.push(data.subarray(start));
  return lines;
}

function encodeSeparator(separator: string, charset: string): Uint8Array {
  let encoding: string;
  try {
    encoding = new TextDecoder(charset).encoding;
  } catch {
    throw new NonRetriableError(`charset: unknown charset "${charset}"`);
  }
  if (encoding.startsWith("utf-16")) throw new NonRetriableError(`charset: ${charset} is not supported (lines are cut on single-byte line ends)`);
  if (encoding === "utf-8") return new TextEncoder().encode(separator);
  if (!/^[\x00-\x7f]*$/.test(separator)) throw new NonRetriableError(`separator: only ASCII characters can be written in ${charset}`);
  return Uint8Array.from(separator, (c) => c.charCodeAt(0));
}
