// io.kestra.plugin.core.kv.Set: store a value in the namespace's KV store.
import { z } from "zod";
import { defineTask, duration, durationMs, NonRetriableError } from "../define.ts";
import { kvKey, kvNamespace, namespaceOf } from "./common.ts";

const KV_TYPES = ["STRING", "NUMBER", "BOOLEAN", "DATETIME", "DATE", "DURATION", "JSON"] as const;
type KvType = (typeof KV_TYPES)[number];

/** Rendered properties are strings: turn one into the declared type (Kestra's kvType). */
export function convertKvValue(value: unknown, type: KvType): unknown {
  const text = typeof value === "string" ? value.trim() : value;
  const bad = () => new NonRetriableError(`value ${JSON.stringify(value)} is not a valid ${type}`);
  switch (type) {
    case "STRING":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "NUMBER": {
      const n = typeof text === "number" ? text : Number(text);
      if (text === "" || !Number.isFinite(n)) throw bad();
      return n;
    }
    case "BOOLEAN":
      if (text === true || text === "true") return true;
      if (text === false || text === "false") return false;
      throw bad();
    case "JSON":
      if (typeof text !== "string") return value;
      try {
        return JSON.parse(text);
      } catch {
        throw bad();
      }
    case "DATETIME":
      if (typeof text !== "string" || Number.isNaN(Date.parse(text))) throw bad();
      return new Date(text).toISOString();
    case "DATE":
      if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) throw bad();
      return text;
    case "DURATION":
      if (typeof text !== "string") throw bad();
      durationMs(text);
      return text.toUpperCase();
  }
}

export default defineTask({
  type: "io.kestra.plugin.core.kv.Set",
  aliases: ["kv.Set"],
  description: "Set a key-value pair in the namespace's KV store.",
  schema: z.object({
    key: kvKey(),
    value: z.unknown().meta({ description: "The value (rendered); converted to kvType when given" }),
    namespace: kvNamespace(),
    overwrite: z.boolean().default(true).meta({ description: "Replace an existing value (false: fail if the key exists)" }),
    ttl: duration().optional().meta({ description: "Time to live (ISO-8601 duration); the key disappears after it" }),
    kvType: z.enum(KV_TYPES).optional().meta({ description: "Type of the value" }),
  }),
  examples: [
    {
      title: "Remember the last processed date for a day",
      code: "id: remember\ntype: io.kestra.plugin.core.kv.Set\nkey: last_date\nvalue: \"{{ execution.startDate }}\"\nkvType: DATETIME\nttl: P1D",
    },
  ],
  async run(ctx, p) {
    const value = p.kvType ? convertKvValue(p.value, p.kvType) : p.value;
    await ctx.kv.set(namespaceOf(ctx, p.namespace), p.key, value, {
      type: p.kvType,
      ttlMs: p.ttl ? durationMs(p.ttl) : undefined,
      overwrite: p.overwrite,
    });
  },
});
