// Multi-document flow sources: validation results in Kestra's ValidateConstraintViolation
// shape, and replacing a namespace's flows (all documents are validated before any is stored).
import { parseAllDocuments } from "yaml";
import { parseFlows } from "../../flow/index.ts";
import { getFlow, listFlows } from "../../store/flows.ts";
import { invalid } from "../errors.ts";
import { flowJson, type ApiDeps } from "./common.ts";

/** id/namespace of a document that failed validation, read leniently for the report. */
function identities(source: string): { id: string | null; namespace: string | null }[] {
  try {
    return parseAllDocuments(source).map((d) => {
      const v = d.errors.length ? null : (d.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null);
      const str = (x: unknown) => (typeof x === "string" ? x : null);
      return { id: str(v?.id), namespace: str(v?.namespace) };
    });
  } catch {
    return [];
  }
}

export function validateDocuments(source: string, file: string) {
  const results = parseFlows(source, file);
  const found = identities(source);
  // Only trust positions when both parsers saw the same documents.
  const ids = results.length === found.length ? found : [];
  return results.map((r, index) => ({
    index,
    flow: r.flow?.id ?? ids[index]?.id ?? null,
    namespace: r.flow?.namespace ?? ids[index]?.namespace ?? null,
    ...(r.errors.length ? { constraints: r.errors.map((e) => e.format()).join("\n") } : {}),
    outdated: false,
    deprecationPaths: [] as string[],
    warnings: [] as string[],
    infos: [] as string[],
    errors: r.errors.map((e) => ({ line: e.line, column: e.col, path: e.path, message: e.message })),
  }));
}

/**
 * Store every flow of `source` in `namespace`; with `remove`, delete the namespace's other
 * flows. Nothing is stored unless every document is valid and in the namespace, so a bad file
 * in a git push leaves the previous set in place.
 */
export async function replaceNamespace(deps: ApiDeps, namespace: string, source: string, remove: boolean) {
  const results = parseFlows(source, "flows.yaml");
  const issues = results.flatMap((r, i) => r.errors.map((e) => ({ path: `[${i}]${e.path ? `.${e.path}` : ""}`, message: e.message, line: e.line, column: e.col })));
  const seen = new Set<string>();
  results.forEach((r, i) => {
    if (!r.flow) return;
    if (r.flow.namespace !== namespace) issues.push({ path: `[${i}].namespace`, message: `flow ${r.flow.id} is in namespace ${r.flow.namespace}, not ${namespace}`, line: 1, column: 1 });
    if (seen.has(r.flow.id)) issues.push({ path: `[${i}].id`, message: `flow ${r.flow.id} is defined twice`, line: 1, column: 1 });
    seen.add(r.flow.id);
  });
  if (issues.length) throw invalid(`${issues.length} error(s) in the flows for namespace ${namespace}; nothing was stored`, issues);

  const out = [];
  for (const r of results) {
    const { model } = await deps.tern.flows.save(r.flow!.source, `${namespace}.${r.flow!.id}`);
    const stored = await getFlow(deps.tern.db, namespace, model.id);
    out.push(flowJson(stored!, model, true));
  }
  if (remove) {
    // Exactly this namespace: child namespaces are deployed (and pruned) on their own.
    for (const f of await listFlows(deps.tern.db, { namespace })) {
      if (f.namespace === namespace && !seen.has(f.id)) await deps.tern.flows.remove(namespace, f.id);
    }
  }
  return out;
}
