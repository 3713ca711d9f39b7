// Bulk operations on executions (Kestra's …/by-ids and …/by-query): every id is checked first
// (exists, the caller holds operator on its namespace, the state allows the action), then the
// single-execution operations run one by one. The API refuses the whole call when any id is
// invalid, as Kestra does; the dashboard acts on the valid ones and counts the others.
import { isTerminal } from "../../engine/states.ts";
import type { Execution } from "../../engine/model.ts";
import { allows, type Principal } from "../../auth/roles.ts";
import { loadExecution } from "../../store/executions.ts";
import { conflict, toAppError } from "../errors.ts";
import { deleteExecution, changeStatus, type DeleteOptions } from "./execution-admin.ts";
import { setExecutionLabels, type Label } from "./execution-labels.ts";
import type { ExecutionDeps } from "./common.ts";

export type BulkOp =
  | { action: "kill" }
  | { action: "restart" }
  | { action: "delete"; options: DeleteOptions }
  | { action: "change-status"; status: string }
  | { action: "labels"; labels: Label[] };

/** Kestra's ManualConstraintViolation as it appears in BulkErrorResponse.invalids. */
export interface Invalid {
  message: string;
  invalidValue: string;
  propertyPath: "execution";
}

const invalidId = (id: string, message: string): Invalid => ({ message, invalidValue: id, propertyPath: "execution" });

/** Why `ex` is in the wrong state for the action (Kestra's messages), or undefined. */
function wrongState(op: BulkOp, ex: Execution): string | undefined {
  switch (op.action) {
    case "kill":
      return isTerminal(ex.state) ? "execution already finished" : undefined;
    case "restart":
      // Tern restarts killed and paused executions too (POST /executions/{id}/restart).
      return ["FAILED", "KILLED", "PAUSED"].includes(ex.state) ? undefined : "execution not in state FAILED, KILLED or PAUSED";
    case "delete":
      return isTerminal(ex.state) ? undefined : "execution not terminated: kill it first";
    case "change-status":
      return isTerminal(ex.state) ? undefined : "execution not in a terminated state";
    case "labels":
      return isTerminal(ex.state) ? undefined : "execution is not terminated";
  }
}

/**
 * Sort ids into the executions the caller may act on and the invalid ones. An execution in a
 * namespace the caller cannot read is "not found", like an unknown id, so its existence does
 * not leak; a readable one without the operator role is named as such.
 */
export async function checkBulk(deps: ExecutionDeps, who: Principal, ids: string[], op: BulkOp) {
  const valid: Execution[] = [];
  const invalids: Invalid[] = [];
  for (const id of new Set(ids)) {
    const ex = await loadExecution(deps.tern.db, id);
    if (!ex || !allows(who, "viewer", ex.namespace)) invalids.push(invalidId(id, "execution not found"));
    else if (!allows(who, "operator", ex.namespace)) invalids.push(invalidId(id, `the operator role on namespace ${ex.namespace} is required`));
    else {
      const why = wrongState(op, ex);
      if (why) invalids.push(invalidId(id, why));
      else valid.push(ex);
    }
  }
  return { valid, invalids };
}

/**
 * Run the single operation on each checked execution. One that changed state since the check
 * (a race with the executor or another caller) is reported, not retried; the others go on.
 */
export async function applyBulk(deps: ExecutionDeps, op: BulkOp, executions: Execution[]) {
  const { service } = deps.tern;
  let count = 0;
  const failed: Invalid[] = [];
  for (const ex of executions) {
    try {
      switch (op.action) {
        case "kill":
          if (!(await service.kill(ex.id))) throw conflict("execution already finished");
          break;
        case "restart":
          await service.restart(ex.id);
          break;
        case "delete":
          await deleteExecution(deps, ex.id, op.options);
          break;
        case "change-status":
          await changeStatus(deps, ex.id, op.status);
          break;
        case "labels":
          await setExecutionLabels(deps, ex.id, [...ex.labels, ...op.labels]);
          break;
      }
      count++;
    } catch (e) {
      // The caller sees the operation's own message; an unexpected failure only in the log.
      const err = toAppError(e);
      if (err.status >= 500) console.error(`[tern] bulk ${op.action} of execution ${ex.id} failed:`, e);
      failed.push(invalidId(ex.id, err.status >= 500 ? "internal error" : err.message));
    }
  }
  return { count, failed };
}
