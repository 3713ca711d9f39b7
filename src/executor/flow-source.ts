// Flow models for the executor: stored sources parsed once per revision and cached.
import type { FlowModel } from "../engine/model.ts";
import { parseFlow } from "../flow/index.ts";
import type { Db } from "../store/db.ts";
import { deleteFlow, getFlow, saveFlow } from "../store/flows.ts";
import { flowHead } from "../store/search.ts";

type Head = Awaited<ReturnType<typeof flowHead>>;

export function createFlowSource(db: Db) {
  const cache = new Map<string, FlowModel>();
  const key = (ns: string, id: string, rev: number) => `${ns}\u0000${id}\u0000${rev}`;
  /** Told after a flow is saved with a change or deleted (webhook keys, schedules). */
  const listeners = new Set<(namespace: string, id: string) => void>();
  /** Current revision and disabled flag per flow, kept a second (a save here drops it at once). */
  const heads = new Map<string, { until: number; head: Head }>();
  const changedFlow = (ns: string, id: string) => {
    heads.delete(`${ns}\u0000${id}`);
    for (const l of listeners) {
      try {
        l(ns, id);
      } catch (e) {
        console.error(`[tern] flow change listener failed: ${(e as Error).message}`);
      }
    }
  };

  function toModel(source: string, revision: number, file: string): FlowModel {
    const parsed = parseFlow(source, file);
    if (!parsed.flow) throw new Error(parsed.errors.map((e) => e.format()).join("\n"));
    return { ...(parsed.flow as unknown as FlowModel), revision };
  }

  return {
    async get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined> {
      if (revision !== undefined) {
        const hit = cache.get(key(namespace, id, revision));
        if (hit) return hit;
      }
      const stored = await getFlow(db, namespace, id, revision);
      if (!stored) return undefined;
      const k = key(namespace, id, stored.revision);
      let model = cache.get(k);
      if (!model) {
        model = toModel(stored.source, stored.revision, `${namespace}.${id}`);
        cache.set(k, model);
      }
      return model;
    },
    /**
     * A live flow's current revision and disabled flag: the hot path of creating executions.
     * Read at most once a second per flow; a change made by another instance shows within it.
     */
    async head(namespace: string, id: string): Promise<Head> {
      const k = `${namespace}\u0000${id}`;
      const hit = heads.get(k);
      if (hit && hit.until > Date.now()) return hit.head;
      const head = await flowHead(db, namespace, id);
      if (heads.size > 10_000) heads.clear();
      heads.set(k, { until: Date.now() + 1000, head });
      return head;
    },
    /** Validate and store a flow source; returns its model at the stored revision. */
    async save(source: string, file = "flow.yaml"): Promise<{ model: FlowModel; changed: boolean }> {
      const parsed = parseFlow(source, file);
      if (!parsed.flow) throw new FlowInvalidError(parsed.errors.map((e) => e.format()));
      const f = parsed.flow as unknown as FlowModel;
      const { flow, changed } = await saveFlow(db, { namespace: f.namespace, id: f.id, source, disabled: f.disabled === true });
      const model = { ...f, revision: flow.revision };
      cache.set(key(f.namespace, f.id, flow.revision), model);
      if (changed) changedFlow(f.namespace, f.id);
      return { model, changed };
    },
    /** Delete a flow (revisions and executions stay); false if there was none. */
    async remove(namespace: string, id: string): Promise<boolean> {
      const done = await deleteFlow(db, namespace, id);
      if (done) changedFlow(namespace, id);
      return done;
    },
    /**
     * Disable or enable a flow the way Kestra's bulk calls do: the top-level `disabled:` of
     * the source is set, making a new revision (and telling the listeners, so triggers re-sync).
     * False when the flow is missing or already in that state.
     */
    async setDisabled(namespace: string, id: string, disabled: boolean): Promise<boolean> {
      const stored = await getFlow(db, namespace, id);
      if (!stored || stored.disabled === disabled) return false;
      return (await this.save(injectDisabled(stored.source, disabled), `${namespace}.${id}`)).changed;
    },
    onChange(listener: (namespace: string, id: string) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Kestra's FlowService.injectDisabled: replace a top-level `disabled:` line, or append one. */
export function injectDisabled(source: string, disabled: boolean): string {
  const line = /^disabled[ \t]*:[ \t]*(true|false)[ \t]*(#.*)?$/m;
  if (line.test(source)) return source.replace(line, `disabled: ${disabled}`);
  return `${source}${source.endsWith("\n") || source === "" ? "" : "\n"}disabled: ${disabled}\n`;
}

export class FlowInvalidError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join("\n"));
  }
}
