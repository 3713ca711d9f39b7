// Validate flow files on disk (`tern validate`): files or directories, *.yml/*.yaml found
// recursively. Uses node:fs (available in Bun and Node) so flow/ stays free of Bun.*.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { flowError, type FlowError } from "./errors.ts";
import { parseFlows, type ParseOptions } from "./parse.ts";

const FLOW_FILE = /\.ya?ml$/i;

async function collect(path: string, out: string[]): Promise<void> {
  const info = await stat(path);
  if (!info.isDirectory()) return void out.push(path);
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const full = join(path, e.name);
    if (e.isDirectory()) await collect(full, out);
    else if (FLOW_FILE.test(e.name)) out.push(full);
  }
}

/** Every file's errors (an empty list when valid), plus flows defined twice across the files. */
export async function validateFiles(paths: string[], opts: ParseOptions = {}): Promise<{ file: string; errors: FlowError[] }[]> {
  const results: { file: string; errors: FlowError[] }[] = [];
  const files: string[] = [];
  for (const p of paths) {
    try {
      await collect(p, files);
    } catch (e) {
      results.push({ file: p, errors: [flowError(p, 1, 1, "", `cannot read: ${(e as Error).message}`)] });
    }
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    let source: string;
    try {
      source = await readFile(file, "utf8");
    } catch (e) {
      results.push({ file, errors: [flowError(file, 1, 1, "", `cannot read: ${(e as Error).message}`)] });
      continue;
    }
    const errors: FlowError[] = [];
    for (const r of parseFlows(source, file, opts)) {
      errors.push(...r.errors);
      if (!r.flow) continue;
      const key = `${r.flow.namespace}.${r.flow.id}`;
      const other = seen.get(key);
      if (other) errors.push(flowError(file, 1, 1, "id", `flow ${key} is also defined in ${other}`));
      else seen.set(key, file);
    }
    results.push({ file, errors });
  }
  return results;
}
