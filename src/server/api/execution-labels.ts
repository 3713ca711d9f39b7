// Labels of a finished execution (Kestra's POST /executions/{id}/labels) and evaluating an
// expression in a task run's context (POST /executions/{id}/eval/{taskRunId}).
import { z } from "zod";
import { isTerminal, STATES } from "../../engine/states.ts";
import { replaceFinishedLabels } from "../../store/search.ts";
import { TemplateError } from "../../template/index.ts";
import { conflict, invalid, notFound } from "../errors.ts";
import { defineRoute, type RouteDef } from "../route.ts";
import { Execution as ExecutionSchema } from "../schemas.ts";
import { loadExecutionJson, requireExecution, type ApiDeps, type ExecutionDeps } from "./common.ts";
import { jsonBody } from "./execution-ops.ts";

export const LabelSchema = z.object({ key: z.string(), value: z.string() });
export type Label = z.infer<typeof LabelSchema>;
const TERMINAL = STATES.filter(isTerminal);

/**
 * Replace a finished execution's labels. Its system.* labels are kept; a system label in the
 * request is refused unless it repeats an existing one (clients send back what they read).
 * A later duplicate key wins; an empty key and value pair is dropped (Kestra's rules).
 */
export async function setExecutionLabels(deps: ExecutionDeps, id: string, labels: Label[]): Promise<void> {
  const ex = await requireExecution(deps, id);
  const system = ex.labels.filter((l) => l.key.startsWith("system."));
  const forged = labels.find((l) => l.key.startsWith("system.") && !system.some((s) => s.key === l.key && s.value === l.value));
  if (forged) throw invalid(`System labels can only be set by Tern itself, offending label: ${forged.key}=${forged.value}`, [{ path: "labels", message: `label "${forged.key}": system labels are set by Tern only` }]);
  const merged = new Map(labels.map((l) => [l.key, l.value]));
  for (const s of system) if (!merged.has(s.key)) merged.set(s.key, s.value);
  const next = [...merged].map(([key, value]) => ({ key, value })).filter((l) => l.key !== "" || l.value !== "");
  if (!isTerminal(ex.state) || !(await replaceFinishedLabels(deps.tern.db, id, next, TERMINAL))) {
    throw conflict(`execution '${id}' is ${ex.state}: only a finished execution's labels can be changed`);
  }
}

export function executionLabelRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/labels", tag: "Executions",
      access: { role: "operator", ns: { execution: "id" }, audit: "execution.labels" },
      summary: "Replace the labels of a finished execution (its system labels are kept)",
      body: [{ media: "json", schema: z.array(LabelSchema), description: "the labels, [{key, value}]" }],
      responses: { 200: { description: "the execution", schema: ExecutionSchema }, 409: { description: "not finished" }, 422: { description: "a system label, or not a list of labels" } },
      async handler(c) {
        const id = c.req.param("id")!;
        await requireExecution(deps, id);
        await setExecutionLabels(deps, id, await jsonBody(c.req.text(), z.array(LabelSchema)));
        return c.json(await loadExecutionJson(deps, id));
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/executions/{id}/eval/{taskRunId}", tag: "Executions",
      // Editor, not viewer or operator: an expression can call secret(), kv() and read(). An
      // editor can already evaluate any expression (by saving a flow and running it); an
      // operator only runs flows others wrote, so eval would give it a new power.
      access: { role: "editor", ns: { execution: "id" } },
      summary: "Evaluate an expression with a task run's variables (Kestra's EvalResult: result, or error)",
      body: [{ media: "text", description: "the expression, e.g. {{ outputs.extract.uri }}" }],
      responses: { 200: { description: "`{result}`, or `{error}` when the expression fails", schema: z.object({ result: z.string().optional(), error: z.string().optional() }) }, 404: { description: "unknown execution or task run" } },
      async handler(c) {
        const id = c.req.param("id")!, taskRunId = c.req.param("taskRunId")!;
        await requireExecution(deps, id);
        const expression = await c.req.text();
        try {
          const result = await deps.tern.service.renderInTaskRun(id, taskRunId, expression);
          if (result === undefined) throw notFound(`task run '${taskRunId}' of execution '${id}'`);
          return c.json({ result });
        } catch (e) {
          // The expression's own failure is the answer (Kestra leaves stackTrace to the log: so do we).
          if (e instanceof TemplateError) return c.json({ error: e.message });
          throw e;
        }
      },
    }),
  ];
}
