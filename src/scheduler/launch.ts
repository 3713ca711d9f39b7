// Turning one trigger firing into one durable execution: render the trigger's inputs, type
// them against the flow's inputs, and create the execution under a dedup key. A duplicate key
// means another instance (or an earlier attempt) already created it: that is success, not error.
import type { Execution, FlowModel } from "../engine/model.ts";
import type { Renderer } from "../executor/render.ts";
import { toLabels, type NewExecution } from "../executor/service.ts";
import type { InputError } from "../flow/index.ts";

export interface Launcher {
  create(req: NewExecution): Promise<Execution>;
  resolveInputs(flow: FlowModel, provided: Record<string, unknown>): Promise<{ values: Record<string, unknown>; errors: InputError[] }>;
}

export interface LaunchRequest {
  flow: FlowModel;
  /** The trigger's `inputs` (may hold expressions). */
  inputs?: Record<string, unknown>;
  /** Variables the inputs and labels are rendered with. */
  vars: Record<string, unknown>;
  labels?: unknown;
  trigger: { id: string; type: string; variables: Record<string, unknown> };
  dedupKey: string;
}

export type LaunchResult =
  | { status: "created"; execution: Execution }
  | { status: "duplicate" }
  | { status: "invalid"; message: string };

export async function launch(service: Launcher, renderer: Renderer, req: LaunchRequest): Promise<LaunchResult> {
  let inputs: Record<string, unknown> = {};
  try {
    const rendered = await renderer.renderDeep(req.inputs ?? {}, req.vars);
    const resolved = await service.resolveInputs(req.flow, rendered);
    if (resolved.errors.length) return { status: "invalid", message: resolved.errors.map((e) => e.message).join("; ") };
    inputs = resolved.values;
  } catch (e) {
    return { status: "invalid", message: `inputs: ${(e as Error).message}` };
  }
  let labels;
  try {
    labels = toLabels(req.labels ? await renderer.renderDeep(req.labels, req.vars) : undefined);
  } catch (e) {
    return { status: "invalid", message: `labels: ${(e as Error).message}` };
  }
  try {
    const execution = await service.create({ flow: req.flow, inputs, labels, trigger: req.trigger, dedupKey: req.dedupKey });
    // The engine keeps walking (and mutating) its own object: callers get a snapshot.
    return { status: "created", execution: { ...execution, histories: [...execution.histories], labels: [...execution.labels] } };
  } catch (e) {
    if (isDuplicateKey(e)) return { status: "duplicate" };
    throw e;
  }
}

/** The UNIQUE index on executions.dedup_key refused the insert (SQLite and libSQL server wording). */
export function isDuplicateKey(e: unknown): boolean {
  const text = `${(e as Error)?.message ?? ""} ${String((e as { cause?: unknown })?.cause ?? "")}`;
  return /UNIQUE constraint failed: executions\.dedup_key/i.test(text);
}
