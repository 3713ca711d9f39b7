// io.kestra.plugin.core.state.Set / Get / Delete: a small JSON state kept across executions of a
// flow (per iteration value unless taskrunValue is false), stored in the namespace's KV store.
import { z } from "zod";
import { defineTask, type TaskContext } from "../define.ts";

const common = {
  name: z.string().default("default"),
  namespace: z.boolean().default(false).meta({ description: "Share the state with the whole namespace instead of this flow" }),
  taskrunValue: z.boolean().default(true).meta({ description: "Keep one state per loop value" }),
};

function stateKey(ctx: TaskContext, p: { name: string; namespace: boolean; taskrunValue: boolean }): string {
  const scope = p.namespace ? "_namespace" : ctx.execution.flowId;
  const value = p.taskrunValue && ctx.taskRun.value !== null ? ctx.taskRun.value : "_";
  return `__state/${scope}/${p.name}/${value}`;
}

async function read(ctx: TaskContext, key: string): Promise<Record<string, unknown> | undefined> {
  const hit = await ctx.kv.get(ctx.execution.namespace, key);
  return hit ? (hit.value as Record<string, unknown>) : undefined;
}

export const stateSet = defineTask({
  type: "io.kestra.plugin.core.state.Set",
  aliases: ["io.kestra.core.tasks.states.Set"],
  description: "Merge `data` into a named state that later executions can read with state.Get.",
  schema: z.object({ ...common, data: z.record(z.string(), z.unknown()).default({}) }),
  async run(ctx, p) {
    const key = stateKey(ctx, p);
    const merged = { ...((await read(ctx, key)) ?? {}), ...p.data };
    await ctx.kv.set(ctx.execution.namespace, key, merged, { type: "JSON" });
    return { count: Object.keys(merged).length, key };
  },
});

export const stateGet = defineTask({
  type: "io.kestra.plugin.core.state.Get",
  aliases: ["io.kestra.core.tasks.states.Get"],
  description: "Read a named state (empty when it does not exist, unless errorOnMissing).",
  schema: z.object({ ...common, errorOnMissing: z.boolean().default(false) }),
  async run(ctx, p) {
    const data = await read(ctx, stateKey(ctx, p));
    if (!data && p.errorOnMissing) throw new Error(`Unable to find the state file '${p.name}'`);
    return { count: Object.keys(data ?? {}).length, data: data ?? {} };
  },
});

export const stateDelete = defineTask({
  type: "io.kestra.plugin.core.state.Delete",
  aliases: ["io.kestra.core.tasks.states.Delete"],
  description: "Delete a named state.",
  schema: z.object({ ...common, errorOnMissing: z.boolean().default(false) }),
  async run(ctx, p) {
    const deleted = await ctx.kv.delete(ctx.execution.namespace, stateKey(ctx, p));
    if (!deleted && p.errorOnMissing) throw new Error(`Unable to find the state file '${p.name}'`);
    return { deleted };
  },
});
