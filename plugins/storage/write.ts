// io.kestra.plugin.core.storage.Write: store a rendered string as a file.
import { z } from "zod";
import { defineTask } from "../define.ts";

export default defineTask({
  type: "io.kestra.plugin.core.storage.Write",
  description: "Write content to a new file in internal storage; outputs its URI.",
  schema: z.object({
    content: z.string().meta({ description: "The file's content (rendered)" }),
    extension: z.string().default(".ion").meta({ description: "Extension of the file" }),
  }),
  examples: [{ title: "Write a CSV", code: "id: write\ntype: io.kestra.plugin.core.storage.Write\ncontent: |\n  a,b\n  1,2\nextension: .csv" }],
  async run(ctx, p) {
    const ext = p.extension.startsWith(".") ? p.extension : `.${p.extension}`;
    return { uri: await ctx.storage.put(`content${ext}`, p.content) };
  },
});
