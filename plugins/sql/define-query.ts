// The Query task of one database family (Kestra's AbstractJdbcQuery): run SQL, then fetch
// nothing, one row, all rows, or store them as JSON lines in internal storage.
import { z } from "zod";
import { defineTask, NonRetriableError, type Example } from "../define.ts";
import { connectionProps, openConnection, plainRow, splitStatements } from "./common.ts";

const FETCH_TYPES = ["NONE", "FETCH_ONE", "FETCH", "STORE"] as const;

export const querySchema = z.object({
  ...connectionProps,
  sql: z.string().meta({ description: "SQL to run; several statements separated by ';' run in order, the last one's rows are fetched" }),
  parameters: z.record(z.string(), z.unknown()).optional().meta({ description: "Named parameters, used as :name in the SQL" }),
  fetchType: z.enum(FETCH_TYPES).optional().meta({ description: "NONE (default), FETCH_ONE (outputs.row), FETCH (outputs.rows), STORE (outputs.uri, JSON lines)" }),
  fetch: z.boolean().optional().meta({ description: "Deprecated: fetchType FETCH" }),
  fetchOne: z.boolean().optional().meta({ description: "Deprecated: fetchType FETCH_ONE" }),
  store: z.boolean().optional().meta({ description: "Deprecated: fetchType STORE" }),
  fetchSize: z.number().int().optional().meta({ description: "Accepted for compatibility" }),
  timeZoneId: z.string().optional().meta({ description: "Accepted for compatibility; dates are returned as UTC ISO strings" }),
});

type Props = z.infer<typeof querySchema>;

export function fetchTypeOf(p: Props): (typeof FETCH_TYPES)[number] {
  if (p.fetchType) return p.fetchType;
  if (p.store) return "STORE";
  if (p.fetchOne) return "FETCH_ONE";
  if (p.fetch) return "FETCH";
  return "NONE";
}

export function defineQueryTask(info: { type: string; aliases?: string[]; description: string; examples: Example[]; dialect: "sqlite" | "postgres" }) {
  const { dialect, ...rest } = info;
  return defineTask({
    ...rest,
    schema: querySchema,
    async run(ctx, p) {
      const conn = await openConnection(ctx, p);
      try {
        if (conn.dialect !== dialect) throw new NonRetriableError(`${info.type} expects a ${dialect} URL, got "${p.url.split(":")[0]}:"`);
        const statements = splitStatements(p.sql);
        if (statements.length === 0) throw new NonRetriableError("sql is empty");
        let result = { rows: [] as Record<string, unknown>[], rowsAffected: 0 };
        for (const s of statements) result = await conn.query(s, p.parameters ? usedParams(s, p.parameters) : undefined);
        const fetchType = fetchTypeOf(p);
        ctx.logger.debug(`query done: ${result.rows.length} row(s) returned, ${result.rowsAffected} affected`);
        if (fetchType === "FETCH_ONE") return { row: result.rows[0] ? plainRow(result.rows[0]) : undefined, size: result.rows[0] ? 1 : 0 };
        if (fetchType === "FETCH") return { rows: result.rows.map(plainRow), size: result.rows.length };
        if (fetchType === "STORE") {
          const lines = result.rows.map((r) => JSON.stringify(plainRow(r)) + "\n").join("");
          return { uri: await ctx.storage.put("result.jsonl", lines), size: result.rows.length };
        }
        return { size: result.rowsAffected };
      } finally {
        await conn.close();
      }
    },
  });
}

/** The parameters a statement names (drivers refuse values for placeholders that are absent). */
function usedParams(sql: string, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`[:@$]${k}\\b`).test(sql)));
}
