// Kestra's `namespaceFiles: {enabled, include, exclude}`: copy a namespace's files into a local
// working directory, keeping their relative paths. Used by script tasks (their own folder) and
// by WorkingDirectory (the folder its children share).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { NamespaceFileReader } from "../../plugins/define.ts";
import { globToRegExp } from "./glob.ts";
import { confinedPath } from "./local-dir.ts";

export interface NamespaceFileFilter {
  include?: string[];
  exclude?: string[];
}

/**
 * The paths `filter` selects: those matching an include glob (every path when there is none)
 * and no exclude glob. Globs match namespace-relative paths; one without a leading `**` matches
 * at any depth (`main.py` also selects `lib/main.py`), as Kestra's path matcher does.
 */
export function selectNamespaceFiles(paths: string[], filter: NamespaceFileFilter): string[] {
  const matcher = (globs: string[]) => globs.map((g) => g.replace(/^\/+/, "")).map((g) => globToRegExp(g.startsWith("**") ? g : `**/${g}`));
  const include = matcher(filter.include ?? []);
  const exclude = matcher(filter.exclude ?? []);
  return paths.filter((f) => (include.length === 0 || include.some((m) => m.test(f))) && !exclude.some((m) => m.test(f)));
}

/** Copy the selected files into `dir`; returns their namespace-relative paths. */
export async function copyNamespaceFiles(files: NamespaceFileReader, dir: string, filter: NamespaceFileFilter): Promise<string[]> {
  const chosen = selectNamespaceFiles(await files.list(), filter);
  for (const rel of chosen) {
    const target = confinedPath(dir, rel);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await files.get(rel));
  }
  return chosen;
}
