// Operations on an existing execution: kill, restart, replay, resume, change a task run's
// state. The service does the work (and throws OperationError with its status); these
// routes check existence first so an unknown id is always a 404.
import { z } from "zod";
import { isTerminal, STATES } from "../../engine/states.ts";
import type { InputDef } from "../../flow/index.ts";
import { loadTaskRuns } from "../../store/executions.ts";
import { badRequest, conflict, invalid } from "../errors.ts";
import { defineRoute, type RouteDef } from "../route.ts";
import { ChangeStateBody, Execution as ExecutionSchema, InputsBody } from "../schemas.ts";
import { executionJson, loadExecutionJson, requireExecution, type ApiDeps } from "./common.ts";
import { changeStatus } from "./execution-admin.ts";
import { placeFiles, readInputs, storeFiles } from "./inputs.ts";

export function executionOpRoutes(deps: ApiDeps): RouteDef[] {
  const { service, db, storage, flows } = deps.tern;
  const answer = async (id: string) => loadExecutionJson(deps, id);

  return [
    defineRoute({
      method: "delete", path: "/api/v1/executions/{id}/kill", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.kill" },
      summary: "Kill an execution (its running tasks and child subflow executions)",
      responses: { 202: { description: "kill requested" }, 409: { description: "already finished" } },
      async handler(c) {
        const id = c.req.param("id")!;
        const ex = await requireExecution(deps, id);
        if (isTerminal(ex.state)) throw conflict(`execution '${id}' is already finished (${ex.state})`);
        await service.kill(id);
        return c.body(null, 202);
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/restart", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.restart" },
      summary: "Restart a failed, killed or paused execution from its failed task runs (same id)",
      responses: { 200: { description: "the restarted execution", schema: ExecutionSchema }, 409: { description: "not finished" }, 422: { description: "no failed task to restart from" } },
      async handler(c) {
        const id = c.req.param("id")!;
        await requireExecution(deps, id);
        await service.restart(id);
        return c.json(await answer(id));
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/replay", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.replay" },
      summary: "Replay into a new execution, keeping the task runs before the given one",
      query: z.object({ taskRunId: z.string().optional().meta({ description: "replay from this task run; from the start without it" }) }),
      responses: { 200: { description: "the new execution", schema: ExecutionSchema }, 422: { description: "unknown task run" } },
      async handler(c, q) {
        const id = c.req.param("id")!;
        await requireExecution(deps, id);
        const created = await service.replay(id, q.taskRunId);
        return c.json(executionJson(created, await loadTaskRuns(db, created.id)));
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/resume", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.resume" },
      summary: "Resume a paused execution with the Pause task's onResume inputs",
      body: [{ media: "multipart", description: "onResume inputs; FILE inputs as parts" }, { media: "json", schema: InputsBody }],
      responses: { 204: { description: "resumed" }, 409: { description: "not paused" }, 422: { description: "invalid onResume inputs" } },
      async handler(c) {
        const id = c.req.param("id")!;
        const ex = await requireExecution(deps, id);
        const body = await readInputs(c);
        const declared = await onResumeIds(id, ex.namespace, ex.flowId, ex.flowRevision);
        const files = placeFiles(body.files.filter((f) => declared.has(f.inputId)), { namespace: ex.namespace, flowId: ex.flowId, executionId: id });
        if (ex.state !== "PAUSED") throw conflict(`execution '${id}' is ${ex.state}, not PAUSED`);
        const inputs = { ...body.values, ...Object.fromEntries(files.map((f) => [f.inputId, f.uri])) };
        await storeFiles(storage, files);
        await service.resume(id, inputs);
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/change-status", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.change-status" },
      summary: "Overwrite a finished execution's state (e.g. SUCCESS to WARNING)",
      query: z.object({ status: z.enum(STATES) }),
      responses: { 200: { description: "the execution", schema: ExecutionSchema }, 409: { description: "not finished" }, 422: { description: "not a terminal state" } },
      async handler(c, q) {
        const id = c.req.param("id")!;
        await changeStatus(deps, id, q.status);
        return c.json(await answer(id));
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/state", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.change-state" },
      summary: "Change a task run's state (e.g. mark a failed task SUCCESS) and continue",
      body: [{ media: "json", schema: ChangeStateBody }],
      responses: { 200: { description: "the execution", schema: ExecutionSchema }, 422: { description: "invalid state change" } },
      async handler(c) {
        const id = c.req.param("id")!;
        await requireExecution(deps, id);
        const body = await jsonBody(c.req.text(), ChangeStateBody);
        await service.changeTaskRunState(id, body.taskRunId, body.state);
        return c.json(await answer(id));
      },
    }),
  ];

  /** The onResume input ids of the execution's paused tasks (files of others are ignored). */
  async function onResumeIds(id: string, namespace: string, flowId: string, revision: number): Promise<Set<string>> {
    const model = await flows.get(namespace, flowId, revision);
    const paused = new Set((await loadTaskRuns(db, id)).filter((r) => r.state === "PAUSED").map((r) => r.taskId));
    const ids = new Set<string>();
    const visit = (tasks: unknown): void => {
      if (!Array.isArray(tasks)) return;
      for (const t of tasks as Record<string, unknown>[]) {
        if (paused.has(String(t.id))) for (const d of (t.onResume as InputDef[] | undefined) ?? []) ids.add(d.id);
        // Children sit in lists (tasks, then, else…) or maps of lists (Switch cases).
        for (const v of Object.values(t)) {
          if (Array.isArray(v)) visit(v);
          else if (v && typeof v === "object") for (const w of Object.values(v)) visit(w);
        }
      }
    };
    for (const list of [model?.tasks, model?.errors, model?.finally, model?.afterExecution]) visit(list);
    return ids;
  }
}

/** Parse and validate a JSON body: malformed is 400, a wrong shape 422 with issues. */
export async function jsonBody<T extends z.ZodType>(text: Promise<string>, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await text);
  } catch (e) {
    throw badRequest(`malformed JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid("invalid body", r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  return r.data;
}
