// Operations on existing executions: restart, resume, replay, change a task run's state.
import type { ExecState, } from "../engine/executor.ts";
import type { Execution } from "../engine/model.ts";
import type { Db } from "../store/db.ts";
import type { NewExecution } from "./service.ts";

export interface OperationDeps {
  db: Db;
  now(): Date;
  newId(): string;
  load(id: string): Promise<ExecState | undefined>;
  forget(id: string): void;
  kick(id: string): Promise<void>;
  claim(id: string): Promise<boolean>;
  create(req: NewExecution): Promise<Execution>;
}

export class OperationError extends Error {
  constructor(readonly status: 404 | 409 | 422, message: string) {
    super(message);
  }
}

export function createOperations(deps: OperationDeps) {
  const notYet = async (): Promise<never> => {
    throw new OperationError(422, "not implemented yet");
  };
  void deps;
  return {
    restart: (_id: string): Promise<Execution> => notYet(),
    resume: (_id: string, _inputs: Record<string, unknown>): Promise<Execution> => notYet(),
    replay: (_id: string, _taskRunId?: string): Promise<Execution> => notYet(),
    changeTaskRunState: (_id: string, _taskRunId: string, _state: string): Promise<Execution> => notYet(),
  };
}
