// The ExecutionRecords a task context gets: purge, count and read other executions' records
// (and the KV store), within the flow's reach (src/flow/reach.ts).
import type { ExecutionRecords } from "../../plugins/define.ts";
import type { StorageBackend } from "../files/backend.ts";
import type { Db } from "../store/db.ts";
import { loadExecution } from "../store/executions.ts";
import { countExecutions, fetchLogs, purgeExecutions, purgeKv, purgeLogs } from "../store/retention.ts";
import { globToRegExp } from "../files/glob.ts";
import { reaches, SYSTEM_NAMESPACE } from "../flow/reach.ts";

export function executionRecords(db: Db, storage: StorageBackend, from: string): ExecutionRecords {
  const check = (target: string | undefined, what: string) => {
    if (reaches(from, target)) return;
    throw new Error(
      `${what} ${target === undefined ? "every namespace" : `namespace '${target}'`} is out of reach of a flow in '${from}': ` +
        `a flow acts on its own namespace and those below it (set \`namespace\`), or runs in the '${SYSTEM_NAMESPACE}' namespace`,
    );
  };
  return {
    purge(r) {
      check(r.namespace, "purging");
      return purgeExecutions(db, storage, r);
    },
    purgeLogs(r) {
      check(r.namespace, "purging logs of");
      return purgeLogs(db, r);
    },
    count(r) {
      if (!r.flows?.length && !r.namespaces?.length) check(undefined, "counting executions of");
      for (const f of r.flows ?? []) check(f.namespace, "counting executions of");
      for (const ns of r.namespaces ?? []) check(ns, "counting executions of");
      return countExecutions(db, r);
    },
    purgeKv(r) {
      if (!r.namespaces?.length) check(undefined, "purging the KV store of");
      for (const ns of r.namespaces ?? []) check(ns, "purging the KV store of");
      const glob = (g?: string) => (g === undefined ? undefined : (s: string) => globToRegExp(g).test(s));
      return purgeKv(db, {
        namespaces: r.namespaces?.length ? r.namespaces : undefined, includeChildren: r.includeChildNamespaces,
        namespaceMatch: glob(r.namespacePattern), keyMatch: glob(r.keyPattern), expiredOnly: r.expiredOnly, now: Date.now(),
      });
    },
    async logs(executionId, minLevel, taskIds) {
      const ex = await loadExecution(db, executionId);
      if (!ex) throw new Error(`execution '${executionId}' not found`);
      check(ex.namespace, "reading logs of");
      return fetchLogs(db, executionId, minLevel, taskIds);
    },
  };
}
