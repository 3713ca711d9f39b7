// `tern deploy DIR [--namespace NS] [--delete] [--server URL]`: flows as code. Posts the
// directory's flows to POST /api/v1/flows/{namespace}, one request per namespace; the server
// validates every document before storing any, and with --delete prunes the others.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseAllDocuments } from "yaml";
import { flowFiles } from "./serve.ts";

export async function deployCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { namespace: { type: "string" }, delete: { type: "boolean", default: false }, server: { type: "string" } },
  });
  const dir = positionals[0];
  if (!dir) {
    console.error("tern deploy: give the directory of flows");
    return 2;
  }
  const server = (values.server ?? process.env.TERN_SERVER ?? "http://127.0.0.1:8080").replace(/\/$/, "");
  let groups: Map<string, string[]>;
  try {
    groups = groupByNamespace(flowFiles(dir), values.namespace);
  } catch (e) {
    console.error(`tern deploy: ${(e as Error).message}`);
    return 2;
  }
  if (!groups.size) {
    console.error(`tern deploy: no flows (*.yml, *.yaml) in ${dir}`);
    return 2;
  }
  let failed = 0;
  for (const [namespace, docs] of groups) {
    const url = `${server}/api/v1/flows/${encodeURIComponent(namespace)}?delete=${values.delete}`;
    const headers: Record<string, string> = { "content-type": "application/x-yaml" };
    if (process.env.TERN_TOKEN) headers.authorization = `Bearer ${process.env.TERN_TOKEN}`;
    let res: Response;
    try {
      res = await fetch(url, { method: "POST", headers, body: docs.join("\n---\n") });
    } catch (e) {
      console.error(`tern deploy: cannot reach ${server}: ${(e as Error).message}`);
      return 1;
    }
    const body = (await res.json().catch(() => null)) as
      | { id: string; revision: number }[]
      | { error?: { message: string; issues?: { path?: string; message: string; line?: number; column?: number }[] } }
      | null;
    if (res.ok && Array.isArray(body)) {
      console.log(`${namespace}: ${body.length} flow(s) deployed${values.delete ? " (others deleted)" : ""}: ${body.map((f) => `${f.id}@${f.revision}`).join(", ")}`);
      continue;
    }
    failed++;
    const err = (body && !Array.isArray(body) && body.error) || { message: `HTTP ${res.status}` };
    console.error(`${namespace}: ${err.message}`);
    for (const i of err.issues ?? []) console.error(`  ${i.path ?? ""}${i.line ? ` (${i.line}:${i.column})` : ""}: ${i.message}`);
  }
  return failed ? 1 : 0;
}

/**
 * Documents grouped by namespace. A file whose documents share one namespace is sent as
 * written; a mixed file is split at its documents. With --namespace everything goes there
 * (the server refuses flows of another namespace).
 */
export function groupByNamespace(files: string[], only?: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  // Leading/trailing `---` lines would become empty documents once files are joined.
  const add = (ns: string, text: string) =>
    groups.set(ns, [...(groups.get(ns) ?? []), text.replace(/^(\s*---[^\n]*\n)+/, "").replace(/\n---\s*$/, "").trim()]);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (only) {
      add(only, text);
      continue;
    }
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [];
    const namespaces = list.map((d) => {
      const ns = d.errors.length ? undefined : (d.toJS({ maxAliasCount: 100 }) as { namespace?: unknown } | null)?.namespace;
      if (typeof ns !== "string") throw new Error(`${file}: every flow needs a namespace (or pass --namespace)`);
      return ns;
    });
    if (new Set(namespaces).size <= 1) {
      if (namespaces[0]) add(namespaces[0], text);
      continue;
    }
    list.forEach((d, i) => add(namespaces[i], text.slice(d.range[0], d.range[2])));
  }
  return groups;
}
