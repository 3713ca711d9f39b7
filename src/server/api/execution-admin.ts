// Deleting a finished execution (rows in one batch, then its files) and overwriting a
// finished execution's state (change-status).
import { isTerminal, STATES } from "../../engine/states.ts";
import { deleteExecutionFiles } from "../../files/index.ts";
import { deleteFinishedExecution, overwriteFinishedState } from "../../store/search.ts";
import { conflict, invalid } from "../errors.ts";
import { requireExecution, type ExecutionDeps } from "./common.ts";

const TERMINAL = STATES.filter(isTerminal);

export interface DeleteOptions {
  deleteLogs: boolean;
  deleteMetrics: boolean;
  deleteStorage: boolean;
}

export async function deleteExecution(deps: ExecutionDeps, id: string, o: DeleteOptions): Promise<void> {
  const ex = await requireExecution(deps, id);
  // The store re-checks the state in the DELETE itself: a restart racing with us wins.
  const keep = { logs: !o.deleteLogs, metrics: !o.deleteMetrics };
  if (!isTerminal(ex.state) || !(await deleteFinishedExecution(deps.tern.db, id, TERMINAL, keep))) {
    throw conflict(`execution '${id}' is ${ex.state}: only a finished execution can be deleted (kill it first)`);
  }
  if (!o.deleteStorage) return;
  await deleteExecutionFiles(deps.tern.storage, { namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id });
}

/** Overwrite a finished execution's state with another terminal state (Kestra's change-status). */
export async function changeStatus(deps: ExecutionDeps, id: string, status: string): Promise<void> {
  const ex = await requireExecution(deps, id);
  if (!isTerminal(status)) throw invalid(`${status} is not a terminal state: a finished execution can only be given SUCCESS, WARNING, FAILED, KILLED…`);
  if (!isTerminal(ex.state) || !(await overwriteFinishedState(deps.tern.db, id, status, new Date().toISOString(), TERMINAL))) {
    throw conflict(`execution '${id}' is ${ex.state}: only a finished execution's status can be changed`);
  }
}
