// Deleting an execution: the rows in one batch, then its internal-storage files.
import { isTerminal, STATES } from "../../engine/states.ts";
import { executionPrefix } from "../../files/index.ts";
import { deleteFinishedExecution } from "../../store/search.ts";
import { conflict } from "../errors.ts";
import { requireExecution, type ApiDeps } from "./common.ts";

const TERMINAL = STATES.filter(isTerminal);

export async function deleteExecution(deps: ApiDeps, id: string, deleteStorage: boolean): Promise<void> {
  const ex = await requireExecution(deps, id);
  // The store re-checks the state in the DELETE itself: a restart racing with us wins.
  if (!isTerminal(ex.state) || !(await deleteFinishedExecution(deps.tern.db, id, TERMINAL))) {
    throw conflict(`execution '${id}' is ${ex.state}: only a finished execution can be deleted (kill it first)`);
  }
  if (!deleteStorage) return;
  const { storage } = deps.tern;
  for (const path of await storage.list(executionPrefix({ namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id }))) await storage.delete(path);
}
