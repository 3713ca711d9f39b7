// io.kestra.plugin.core.namespace.DeleteFiles: delete the namespace files matching patterns.
import { z } from "zod";
import { defineTask } from "../define.ts";
import { filesProp, namespaceFiles, pathMatcher, patternList } from "./common.ts";

export default defineTask({
  type: "io.kestra.plugin.core.namespace.DeleteFiles",
  description:
    "Delete namespace files. `files` are glob patterns (or `regex:` ones) matched against paths such as `/scripts/main.py`; " +
    "a pattern starting with a letter or digit matches at any depth. Only the flow's namespace and the namespaces below it " +
    "can be changed.",
  schema: z.object({
    namespace: z.string().meta({ description: "The namespace to delete from (the flow's, or one below it)" }),
    files: filesProp().meta({ description: "A glob pattern or a list of them, e.g. \"**.upl\" or \"**\" for every file" }),
    deleteParentFolder: z
      .boolean()
      .default(false)
      .meta({ description: "Accepted: Tern's namespace folders exist only through their files, so an emptied folder is gone either way" }),
  }),
  examples: [
    { title: "Delete the files matching a pattern", code: 'id: delete\ntype: io.kestra.plugin.core.namespace.DeleteFiles\nnamespace: "{{ flow.namespace }}"\nfiles:\n  - "**.upl"' },
  ],
  async run(ctx, p) {
    const store = namespaceFiles(ctx, p.namespace);
    const matches = pathMatcher(patternList(p.files));
    let deleted = 0;
    for (const path of await store.list()) {
      if (!matches(`/${path}`) || !(await store.delete(path))) continue;
      deleted++;
      ctx.logger.debug(`deleted /${path} from ${p.namespace}`);
    }
    ctx.metric("deleted", "counter", deleted);
  },
});
