// Flow triggers: when an execution changes state, start every flow whose Flow trigger
// matches it (states, conditions, preconditions), with inputs rendered against the upstream
// execution. One upstream event starts one downstream execution however many instances see
// it: the dedup key is `flow:{upstreamId}:{state}[#n]:{ns}:{flow}:{trigger}` (#n for the n-th
// time the upstream enters that state, e.g. a flow with two Pause tasks is RUNNING twice).
import type { EventEmitter } from "node:events";
import type { Execution, FlowModel } from "../engine/model.ts";
import { isTerminal } from "../engine/states.ts";
import { executionVars } from "../engine/variables.ts";
import type { Renderer } from "../executor/render.ts";
import type { TriggerDef } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { loadTaskRuns } from "../store/executions.ts";
import { dedupKeyExists, recentlyEnded } from "../store/trigger-sweep.ts";
import { flowsFingerprint, listTriggerRows } from "../store/triggers.ts";
import { conditionName, conditionsPass, type Condition } from "./conditions.ts";
import { launch, type Launcher } from "./launch.ts";
import { evaluateMulti, multiSpecs } from "./preconditions.ts";

export const FLOW_TYPE = "io.kestra.plugin.core.trigger.Flow";
/** Kestra's default `states`: every terminal state plus PAUSED. */
const DEFAULT_STATES = ["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED", "PAUSED"];

export interface FlowTriggerDeps {
  db: Db;
  flows: { get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined> };
  service: Launcher;
  renderer: Renderer;
  now(): number;
  log(message: string): void;
}

interface Entry {
  flow: FlowModel;
  def: TriggerDef;
  disabled: boolean;
}

export function createFlowTriggers(deps: FlowTriggerDeps) {
  let index: Entry[] = [];
  let fingerprint = "";
  let checkedAt = -Infinity;
  let attached: { events: EventEmitter; onChange(ex: Execution): void; onEnd(ex: Execution): void } | undefined;

  let refreshing: Promise<void> | undefined;
  /** Which flows have Flow triggers: re-read at most once a second, rebuilt when flows changed. */
  function refresh(): Promise<void> {
    if (deps.now() - checkedAt < 1000) return refreshing ?? Promise.resolve();
    checkedAt = deps.now();
    // Concurrent evaluations wait for the same refresh instead of reading a half-built index.
    refreshing = reload().finally(() => (refreshing = undefined));
    return refreshing;
  }

  async function reload() {
    const rows = await listTriggerRows(deps.db, { type: FLOW_TYPE });
    const fp = `${await flowsFingerprint(deps.db)}|${rows.map((r) => `${r.namespace}/${r.flowId}/${r.triggerId}/${r.disabled}`).join(",")}`;
    if (fp === fingerprint) return;
    const next: Entry[] = [];
    for (const r of rows) {
      const flow = await deps.flows.get(r.namespace, r.flowId).catch(() => undefined);
      const def = ((flow?.triggers ?? []) as TriggerDef[]).find((d) => d.id === r.triggerId && d.type === FLOW_TYPE);
      if (flow && def) next.push({ flow, def, disabled: r.disabled });
    }
    index = next;
    fingerprint = fp;
  }

  /** Evaluate every Flow trigger against one upstream state. Returns how many executions it started. */
  async function evaluate(ex: Execution, opts: { sweep?: boolean } = {}): Promise<number> {
    // Kestra: a Flow trigger reacts to transitions; CREATED is the initial state, not one.
    if (ex.state === "CREATED") return 0;
    await refresh();
    const occurrence = ex.histories.filter((h) => h.state === ex.state).length;
    let upstream: Promise<Record<string, unknown>> | undefined;
    let started = 0;
    for (const { flow, def, disabled } of index) {
      if (disabled || def.disabled || flow.disabled) continue;
      // A flow never triggers itself: a trigger without conditions would otherwise loop forever.
      if (flow.namespace === ex.namespace && flow.id === ex.flowId) continue;
      if (!((def.states as string[] | undefined) ?? DEFAULT_STATES).includes(ex.state)) continue;
      const multis = multiSpecs(def);
      // The sweep only replays triggers without windows: recording an upstream twice in a
      // window could let it count again after the window was consumed.
      if (opts.sweep && multis.length) continue;
      const dedupKey = `flow:${ex.id}:${ex.state}${occurrence > 1 ? `#${occurrence}` : ""}:${flow.namespace}:${flow.id}:${def.id}`;
      try {
        if (opts.sweep && (await dedupKeyExists(deps.db, dedupKey))) continue;
        const variables = triggerVariables(ex);
        const vars = { ...(await (upstream ??= upstreamVars(ex))), trigger: variables };
        const ctx = { vars, render: deps.renderer.render, execution: ex };
        const plain = ((def.conditions ?? []) as Condition[]).filter((c) => conditionName(c.type) !== "Multiple");
        if (!(await conditionsPass(plain, ctx))) continue;
        const results = [];
        for (const m of multis) results.push(await evaluateMulti(deps.db, `${flow.namespace}/${flow.id}/${def.id}`, m, ctx, deps.now()));
        if (!results.every((r) => r.ready)) continue;
        const r = await launch(deps.service, deps.renderer, {
          flow, vars, dedupKey, inputs: def.inputs as Record<string, unknown> | undefined, labels: def.labels,
          trigger: { id: def.id, type: def.type, variables },
        });
        if (r.status === "invalid") deps.log(`${flow.namespace}.${flow.id} trigger ${def.id} (upstream ${ex.id}): ${r.message}`);
        if (r.status === "created") started++;
        if (r.status !== "invalid") for (const res of results) await res.consume();
      } catch (e) {
        deps.log(`${flow.namespace}.${flow.id} trigger ${def.id} (upstream ${ex.id}): ${(e as Error).message}`);
      }
    }
    return started;
  }

  async function upstreamVars(ex: Execution): Promise<Record<string, unknown>> {
    const flow = await deps.flows.get(ex.namespace, ex.flowId, ex.flowRevision).catch(() => undefined);
    const runs = await loadTaskRuns(deps.db, ex.id);
    if (!flow) return { execution: { id: ex.id, state: ex.state }, inputs: ex.inputs, labels: {} };
    return executionVars({ flow, execution: ex, runs, runById: new Map(runs.map((r) => [r.id, r])) });
  }

  const report = (p: Promise<unknown>) => void p.catch((e: Error) => deps.log(`flow triggers: ${e.message}`));

  return {
    evaluate,
    /** Forget the cached index (a flow was saved or deleted here). */
    invalidate: () => void (checkedAt = -Infinity),
    /** React to this instance's executions: every non-terminal change, and terminal ones once finished. */
    attach(events: EventEmitter) {
      if (attached) return;
      const onChange = (ex: Execution) => !isTerminal(ex.state) && report(evaluate(snapshot(ex)));
      const onEnd = (ex: Execution) => report(evaluate(snapshot(ex)));
      events.on("execution", onChange);
      events.on("end", onEnd);
      attached = { events, onChange, onEnd };
    },
    detach() {
      if (!attached) return;
      attached.events.off("execution", attached.onChange);
      attached.events.off("end", attached.onEnd);
      attached = undefined;
    },
    /**
     * Catch-up for events an instance died before handling: executions that ended in
     * (since, until] are evaluated again; their dedup keys make this a no-op when done already.
     */
    async sweep(since: number, until: number): Promise<number> {
      await refresh();
      if (!index.length) return 0;
      let started = 0;
      for (const ex of await recentlyEnded(deps.db, since, until)) started += await evaluate(ex, { sweep: true });
      return started;
    },
  };
}

function triggerVariables(ex: Execution): Record<string, unknown> {
  return {
    executionId: ex.id, namespace: ex.namespace, flowId: ex.flowId, flowRevision: ex.flowRevision, state: ex.state,
    executionLabels: Object.fromEntries(ex.labels.filter((l) => l.key !== "system.correlationId").map((l) => [l.key, l.value])),
    startDate: ex.histories[0]?.date ?? null, endDate: ex.endDate ? new Date(ex.endDate).toISOString() : null,
    outputs: ex.outputs ?? {},
  };
}

/** The engine keeps mutating its execution object: evaluate the state as it was at the event. */
const snapshot = (ex: Execution): Execution => ({ ...ex, histories: [...ex.histories], labels: [...ex.labels] });
