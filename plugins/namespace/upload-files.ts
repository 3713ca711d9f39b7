// io.kestra.plugin.core.namespace.UploadFiles: store files as namespace files.
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { z } from "zod";
import { confinedPath, listFiles } from "../../src/files/local-dir.ts";
import { defineTask, NonRetriableError, type TaskContext } from "../define.ts";
import { joinPath, namespaceFiles, pathMatcher, patternList } from "./common.ts";

const CONFLICTS = ["OVERWRITE", "ERROR", "SKIP"] as const;

export default defineTask({
  type: "io.kestra.plugin.core.namespace.UploadFiles",
  description:
    "Upload files as namespace files, under `destination`: `filesMap` maps target paths to kestra:/// URIs (e.g. another " +
    "task's outputFiles), `files` lists glob patterns (`glob:`/`regex:` prefixes allowed) matched in the working directory " +
    "of the enclosing WorkingDirectory task, or kestra:/// URIs. Only the flow's namespace and the namespaces below it can " +
    "be written; `conflict` says what happens to a file that exists already.",
  schema: z
    .object({
      namespace: z.string().optional().meta({ description: "The namespace to upload to (default: the flow's; else one below it)" }),
      files: z.union([z.array(z.string()), z.string()]).optional().meta({ description: "Glob patterns of working-directory files, or kestra:/// URIs" }),
      filesMap: z
        .union([z.record(z.string(), z.string()), z.string()])
        .optional()
        .meta({ description: "Target path -> kestra:/// URI, or a JSON string of such a map" }),
      destination: z.string().default("/").meta({ description: "The folder the files go to" }),
      conflict: z.enum(CONFLICTS).default("OVERWRITE").meta({ description: "An existing file: OVERWRITE it, ERROR, or SKIP the upload" }),
    })
    .refine((p) => p.files !== undefined || p.filesMap !== undefined, { message: "files or filesMap is required" }),
  examples: [
    {
      title: "Upload a FILE input as a script of the namespace",
      code: 'id: upload\ntype: io.kestra.plugin.core.namespace.UploadFiles\nnamespace: "{{ flow.namespace }}"\nfilesMap:\n  scripts/main.py: "{{ inputs.script }}"',
    },
    {
      title: "Upload what a WorkingDirectory's tasks produced",
      code: [
        "id: wdir",
        "type: io.kestra.plugin.core.flow.WorkingDirectory",
        "tasks:",
        "  - id: build",
        "    type: io.kestra.plugin.scripts.shell.Commands",
        "    commands:",
        "      - mkdir -p sql && echo 'select 1' > sql/one.sql",
        "  - id: upload",
        "    type: io.kestra.plugin.core.namespace.UploadFiles",
        "    files:",
        '      - "glob:**/*.sql"',
        "    destination: /queries",
      ].join("\n"),
    },
  ],
  async run(ctx, p) {
    const namespace = p.namespace || ctx.execution.namespace;
    const store = namespaceFiles(ctx, namespace);
    const upload = async (target: string, read: () => Promise<Uint8Array>) => {
      const path = joinPath(p.destination, target);
      // exists-then-put is not atomic: two tasks racing on one path with ERROR may both write.
      if (p.conflict !== "OVERWRITE" && (await store.exists(path))) {
        if (p.conflict === "ERROR") throw new NonRetriableError(`namespace file /${path} already exists in ${namespace} (conflict: ERROR)`);
        return ctx.logger.debug(`skipped /${path}: it exists in ${namespace} (conflict: SKIP)`);
      }
      await store.put(path, await read());
      ctx.logger.debug(`uploaded /${path} to ${namespace}`);
    };

    const files = p.files === undefined ? [] : patternList(p.files);
    const uris = files.filter((f) => f.startsWith("kestra://"));
    for (const uri of uris) {
      if (!(await ctx.storage.exists(uri))) ctx.logger.warn(`files: ${uri} does not exist, skipped`);
      else await upload(uri.split("/").pop()!, () => ctx.storage.get(uri));
    }
    const patterns = files.filter((f) => !f.startsWith("kestra://"));
    if (patterns.length) await uploadWorkingDir(ctx, patterns, upload);

    for (const [target, uri] of Object.entries(filesMapOf(p.filesMap))) {
      if (!(await ctx.storage.exists(uri))) ctx.logger.warn(`filesMap: ${uri} does not exist, ${target} skipped`);
      else await upload(target, () => ctx.storage.get(uri));
    }
  },
});

/** Files of the enclosing WorkingDirectory's folder matching the patterns, by their relative paths. */
async function uploadWorkingDir(ctx: TaskContext, patterns: string[], upload: (target: string, read: () => Promise<Uint8Array>) => Promise<void>) {
  const dir = ctx.workingDir;
  if (!dir) {
    ctx.logger.warn("files: patterns match the files of an enclosing WorkingDirectory task; there is none, nothing uploaded");
    return;
  }
  const matches = pathMatcher(patterns, { anchored: true });
  for (const file of await listFiles(dir)) {
    const rel = relative(dir, file);
    if (matches(`/${rel}`)) await upload(rel, async () => new Uint8Array(await readFile(confinedPath(dir, rel))));
  }
}

function filesMapOf(v: Record<string, string> | string | undefined): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v !== "string") return v;
  try {
    const parsed = JSON.parse(v);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && Object.values(parsed).every((x) => typeof x === "string")) return parsed;
  } catch {}
  throw new NonRetriableError("filesMap: expected a map of target path to kestra:/// URI, or a JSON string of one");
}
