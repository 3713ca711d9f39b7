// Shared by the namespace.* tasks: the namespace's files (own namespace and those below only),
// Kestra's path patterns, and the `files` property (a list, one string, or a JSON list).
import { z } from "zod";
import { globToRegExp } from "../../src/files/glob.ts";
import { NonRetriableError, type NamespaceFileStore, type TaskContext } from "../define.ts";

export const filesProp = () => z.union([z.string(), z.array(z.string())]);

/** The files of `namespace`; refused unless it is the flow's namespace or one below it. */
export function namespaceFiles(ctx: TaskContext, namespace: string): NamespaceFileStore {
  if (!ctx.namespaceFiles?.of) throw new NonRetriableError("namespace files cannot be written from this task context");
  return ctx.namespaceFiles.of(namespace);
}

/** A string holding a JSON list (a rendered `{{ outputs.x.list }}`) is that list; any other string is one pattern. */
export function patternList(files: string | string[]): string[] {
  if (Array.isArray(files)) return files;
  const t = files.trim();
  if (t.startsWith("[")) {
    try {
      const parsed = JSON.parse(t);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {}
  }
  return [files];
}

/**
 * Kestra's PathMatcherPredicate over paths with a leading slash (`/lib/a.py`): `glob:` and
 * `regex:` patterns apply as written; a bare glob is anchored at `root` when one is given (the
 * working directory of UploadFiles), else one starting with a word character matches at any
 * depth (`a.py` is `**\/a.py`, as Kestra prefixes it).
 */
export function pathMatcher(patterns: string[], opts: { anchored?: boolean } = {}): (path: string) => boolean {
  const tests = patterns.map((p): RegExp => {
    if (p.startsWith("regex:")) {
      try {
        return new RegExp(`^(?:${p.slice(6)})$`);
      } catch (e) {
        throw new NonRetriableError(`files: invalid regex "${p}": ${(e as Error).message}`);
      }
    }
    if (p.startsWith("glob:")) return globToRegExp(p.slice(5));
    if (opts.anchored) return globToRegExp(`/${p.replace(/^\/+/, "")}`);
    return globToRegExp(/^\w/.test(p) ? `**/${p}` : p);
  });
  return (path) => tests.some((re) => re.test(path));
}

/** `destination` + `path` as one namespace path (`/folder` + `a/b.txt` -> `folder/a/b.txt`). */
export function joinPath(destination: string, path: string): string {
  return [destination, path].map((s) => s.replace(/^\/+|\/+$/g, "")).filter(Boolean).join("/");
}
