// What a flow may act on beyond itself: the records and files of its own namespace and of those
// below it. A flow in `system` (Kestra's namespace of system flows: retention, alerting) reaches
// every namespace; saving a flow there takes a grant on `system`, so the editors of a namespace
// cannot read or purge another team's data through a flow.
export const SYSTEM_NAMESPACE = "system";

/** Whether a flow in `from` may act on namespace `target` (undefined: every namespace). */
export function reaches(from: string, target: string | undefined): boolean {
  if (from === SYSTEM_NAMESPACE) return true;
  return target !== undefined && (target === from || target.startsWith(`${from}.`));
}
