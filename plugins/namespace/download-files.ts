// io.kestra.plugin.core.namespace.DownloadFiles: copy namespace files into this task's internal storage.
import { z } from "zod";
import { defineTask } from "../define.ts";
import { filesProp, joinPath, namespaceFiles, pathMatcher, patternList } from "./common.ts";

export default defineTask({
  type: "io.kestra.plugin.core.namespace.DownloadFiles",
  description:
    "Download namespace files into internal storage. `files` are glob patterns (or `regex:` ones) matched against paths " +
    "such as `/scripts/main.py`; a pattern starting with a letter or digit matches at any depth. Only the flow's namespace " +
    "and the namespaces below it can be read. outputs.files maps each path to its kestra:/// URI.",
  schema: z.object({
    namespace: z.string().meta({ description: "The namespace to download from (the flow's, or one below it)" }),
    files: filesProp().meta({ description: "A glob pattern or a list of them, e.g. \"**.sql\" or \"/scripts/**\"" }),
    destination: z.string().default("").meta({ description: "Folder of the copies in the task's storage" }),
  }),
  examples: [
    { title: "Download a namespace file", code: 'id: download\ntype: io.kestra.plugin.core.namespace.DownloadFiles\nnamespace: "{{ flow.namespace }}"\nfiles:\n  - "**input.txt"' },
    { title: "Download every file of a namespace below the flow's", code: "id: download_all\ntype: io.kestra.plugin.core.namespace.DownloadFiles\nnamespace: company.team.shared\nfiles:\n  - \"**\"" },
  ],
  async run(ctx, p) {
    const store = namespaceFiles(ctx, p.namespace);
    const matches = pathMatcher(patternList(p.files));
    const files: Record<string, string> = {};
    for (const path of await store.list()) {
      if (!matches(`/${path}`)) continue;
      files[`/${path}`] = await ctx.storage.put(joinPath(p.destination, path), await store.get(path));
      ctx.logger.debug(`downloaded /${path} from ${p.namespace}`);
    }
    ctx.metric("downloaded", "counter", Object.keys(files).length);
    return { files };
  },
});
