// The script's working directory: input files in, storage URIs made local, output files out.
// Every path a flow names is confined to the working directory; symlinks are never followed
// out of it (a script could otherwise publish /etc/passwd as an "output file").
import { createReadStream } from "node:fs";
import { copyFile, lstat, mkdir, readdir, realpath, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { NonRetriableError, type TaskContext } from "../define.ts";
import { globToRegExp, isGlob } from "../../src/files/glob.ts";
import { copyNamespaceFiles as copyFiles, type NamespaceFileFilter } from "../../src/files/namespace-copy.ts";

/** `root/rel`, refused if `rel` is absolute, climbs out with `..`, or holds a NUL. */
export function confinedPath(root: string, rel: string): string {
  if (rel.includes("\0") || isAbsolute(rel)) throw new NonRetriableError(`invalid file name "${rel}": must be relative to the working directory`);
  const abs = resolve(root, rel);
  if (abs !== root && !abs.startsWith(root + sep)) throw new NonRetriableError(`invalid file name "${rel}": escapes the working directory`);
  return abs;
}

export async function writeInputFiles(ctx: TaskContext, workDir: string, files: Record<string, string> | string | undefined): Promise<void> {
  if (files === undefined) return;
  let map = files;
  if (typeof map === "string") {
    try {
      map = JSON.parse(map) as Record<string, string>;
    } catch {
      throw new NonRetriableError("inputFiles: expected a map of file name to content, or a JSON string of one");
    }
  }
  for (const [name, content] of Object.entries(map)) {
    const target = confinedPath(workDir, name);
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === "string" && /^kestra:\/\/\/?\S+$/.test(content.trim())) await copyFile(await ctx.storage.localPath(content.trim()), target);
    else await writeFile(target, String(content));
  }
}

/** Copy the flow's namespace files into the working directory (src/files/namespace-copy.ts). */
export async function copyNamespaceFiles(ctx: TaskContext, workDir: string, filter: NamespaceFileFilter): Promise<void> {
  if (!ctx.namespaceFiles) throw new NonRetriableError("namespaceFiles: this task context has no access to namespace files");
  const copied = await copyFiles(ctx.namespaceFiles, workDir, filter);
  if (copied.length) ctx.logger.debug(`namespaceFiles: copied ${copied.length} file(s) into the working directory`);
}

const URI_IN_TEXT = /kestra:\/\/\/[^\s'"`<>|;&()]+/g;

/**
 * Replace kestra:/// URIs in a command or script with local copies in the working directory
 * (Kestra's ScriptService.replaceInternalStorage). Copies, not the stored file itself, so a
 * script that writes to the path cannot change what is in storage.
 */
export async function localiseUris(ctx: TaskContext, text: string, workDir: string, seen: Map<string, string>): Promise<string> {
  const uris = [...new Set(text.match(URI_IN_TEXT) ?? [])];
  for (const uri of uris) {
    if (seen.has(uri)) continue;
    const dir = join(workDir, ".kestra-files", String(seen.size));
    await mkdir(dir, { recursive: true });
    const target = join(dir, decodeURIComponent(basename(uri)));
    await copyFile(await ctx.storage.localPath(uri), target);
    seen.set(uri, target);
  }
  return uris.length === 0 ? text : text.replace(URI_IN_TEXT, (u) => seen.get(u) ?? u);
}

/** Regular files under `dir` (relative paths), not entering symlinked folders nor listing symlinks. */
async function walk(dir: string, skip: Set<string>, rel = "", out: string[] = []): Promise<string[]> {
  for (const e of await readdir(join(dir, rel), { withFileTypes: true }).catch(() => [])) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!skip.has(r)) await walk(dir, skip, r, out);
    } else if (e.isFile()) out.push(r);
  }
  return out;
}

async function upload(ctx: TaskContext, abs: string, name: string): Promise<string> {
  return ctx.storage.put(name, Readable.toWeb(createReadStream(abs)) as unknown as ReadableStream<Uint8Array>);
}

/** Upload files matching `patterns` (names or globs, relative to workDir) and every file in outputDir. */
export async function collectOutputFiles(ctx: TaskContext, workDir: string, patterns: string[], outputDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // Nothing asked for by name: only the output dir is looked at (a script task's fixed cost).
  const realRoot = patterns.length ? await realpath(workDir) : "";
  // The output dir and the local copies of storage files are not the script's own outputs.
  const files = patterns.length ? await walk(workDir, new Set([".kestra-files", relative(workDir, outputDir)])) : [];
  for (const pattern of patterns) {
    const rel = pattern.replace(/^\.\//, "");
    const matches = isGlob(rel) ? files.filter((f) => globToRegExp(rel).test(f)) : files.includes(rel) ? [rel] : [];
    if (!isGlob(rel)) {
      // A plain name that is a symlink or missing: say so instead of silently skipping.
      const st = await lstat(confinedPath(workDir, rel)).catch(() => undefined);
      if (st?.isSymbolicLink()) throw new NonRetriableError(`outputFiles: "${rel}" is a symlink; refused`);
      if (!st) ctx.logger.warn(`outputFiles: "${rel}" was not produced by the script`);
    }
    for (const f of matches) {
      const abs = join(workDir, f);
      if (!(await realpath(abs)).startsWith(realRoot + sep)) continue;
      out[f] = await upload(ctx, abs, f);
    }
  }
  for (const f of await walk(outputDir, new Set())) out[f] = await upload(ctx, join(outputDir, f), f);
  return out;
}
