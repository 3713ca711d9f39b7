// Tern's Load task: CSV or JSON lines from internal storage into a table (SQLite/libSQL or
// PostgreSQL) — the offline stand-in for a warehouse load such as Snowflake's.
import { createReadStream } from "node:fs";
import { z } from "zod";
import { defineTask, NonRetriableError, type SqlConnection } from "../define.ts";
import { connectionProps, openConnection, quoteIdent, quoteTable } from "./common.ts";
import { createCsvParser } from "./csv.ts";
import { columnTypes, toColumnValue, type ColumnType } from "./load-types.ts";

const ROWS_PER_INSERT = 200;
const INSERTS_PER_TRANSACTION = 25;

export default defineTask({
  type: "io.kestra.plugin.jdbc.sqlite.Load",
  aliases: ["tern.sql.Load"],
  description:
    "Load a CSV or JSON-lines file from internal storage into a table. Rows go in by batches of 5,000, each batch in one transaction.",
  schema: z.object({
    ...connectionProps,
    from: z.string().meta({ description: "kestra:/// URI of the file" }),
    format: z.enum(["CSV", "JSONL"]).optional().meta({ description: "CSV or JSONL (default: from the file extension, else CSV)" }),
    table: z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)?$/, { message: "table must be a plain identifier (optionally schema.table)" }),
    createTable: z.boolean().default(false).meta({ description: "Create the table if missing, with column types inferred from the first rows" }),
    truncate: z.boolean().default(false).meta({ description: "Delete the table's rows first (a daily reload)" }),
    header: z.boolean().default(true).meta({ description: "CSV: the first line names the columns" }),
    separator: z.string().length(1).default(",").meta({ description: "CSV field separator" }),
    columns: z.array(z.string()).optional().meta({ description: "Column names (CSV without header, or to override it)" }),
  }),
  examples: [
    {
      title: "Load a transformed CSV",
      code: `id: load
type: io.kestra.plugin.jdbc.sqlite.Load
url: jdbc:sqlite:/data/warehouse.db
from: "{{ outputs.transform.outputFiles['sales.csv'] }}"
table: daily_sales
createTable: true`,
    },
  ],
  async run(ctx, p) {
    const format = p.format ?? (/\.(jsonl|ndjson|json)$/i.test(p.from) ? "JSONL" : "CSV");
    const path = await ctx.storage.localPath(p.from);
    const conn = await openConnection(ctx, p);
    try {
      const loader = createLoader(conn, p.table, p.createTable, p.truncate);
      if (format === "CSV") {
        let columns = p.columns;
        let first = p.header;
        const parser = createCsvParser((fields) => {
          if (first) {
            first = false;
            columns ??= fields.map((f) => f.trim());
            return;
          }
          if (!columns) columns = fields.map((_, i) => `column${i + 1}`);
          loader.add(Object.fromEntries(columns.map((c, i) => [c, fields[i] === "" || fields[i] === undefined ? null : fields[i]])));
        }, p.separator);
        for await (const chunk of createReadStream(path, { encoding: "utf8" })) {
          parser.push(chunk as string);
          await loader.flushIfFull();
        }
        parser.end();
      } else {
        let pending = "";
        let lineNo = 0;
        const take = (line: string) => {
          lineNo++;
          if (line.trim() === "") return;
          try {
            loader.add(JSON.parse(line));
          } catch {
            throw new NonRetriableError(`line ${lineNo} of ${p.from} is not JSON`);
          }
        };
        for await (const chunk of createReadStream(path, { encoding: "utf8" })) {
          const lines = (pending + chunk).split("\n");
          pending = lines.pop()!;
          lines.forEach(take);
          await loader.flushIfFull();
        }
        take(pending);
      }
      const rowCount = await loader.finish();
      ctx.logger.info(`loaded ${rowCount} row(s) into ${p.table}`);
      return { rowCount, table: p.table };
    } finally {
      await conn.close();
    }
  },
});

/** Buffers rows, creates the table from the first ones if asked, inserts in multi-row batches. */
function createLoader(conn: SqlConnection, table: string, create: boolean, truncate: boolean) {
  const buffered: Record<string, unknown>[] = [];
  let columns: string[] | undefined;
  let types: ColumnType[] | undefined;
  let started = false;
  let total = 0;
  const quoted = quoteTable(table);

  async function start() {
    started = true;
    columns = [...new Set(buffered.flatMap((r) => Object.keys(r)))];
    types = columnTypes(columns, buffered);
    if (create) {
      const defs = columns.map((c, i) => `${quoteIdent(c)} ${sqlType(conn.dialect, types![i]!)}`).join(", ");
      await conn.query(`CREATE TABLE IF NOT EXISTS ${quoted} (${defs})`);
    }
    if (truncate) await conn.query(`DELETE FROM ${quoted}`);
  }

  async function flush() {
    if (buffered.length === 0) return;
    if (!started) await start();
    const cols = columns!;
    const statements: { sql: string; params: unknown[] }[] = [];
    for (let i = 0; i < buffered.length; i += ROWS_PER_INSERT) {
      const chunk = buffered.slice(i, i + ROWS_PER_INSERT);
      let n = 0;
      const values = chunk.map(() => `(${cols.map(() => (conn.dialect === "postgres" ? `$${++n}` : "?")).join(", ")})`).join(", ");
      const params = chunk.flatMap((r) => cols.map((c, j) => toColumnValue(r[c], types![j]!)));
      statements.push({ sql: `INSERT INTO ${quoted} (${cols.map(quoteIdent).join(", ")}) VALUES ${values}`, params });
    }
    await conn.batch(statements);
    total += buffered.length;
    buffered.length = 0;
  }

  return {
    add(row: Record<string, unknown>) {
      buffered.push(row);
    },
    async flushIfFull() {
      if (buffered.length >= ROWS_PER_INSERT * INSERTS_PER_TRANSACTION) await flush();
    },
    async finish() {
      await flush();
      if (!started && truncate) await conn.query(`DELETE FROM ${quoted}`);
      return total;
    },
  };
}

function sqlType(dialect: "sqlite" | "postgres", t: ColumnType): string {
  if (t === "INTEGER") return dialect === "postgres" ? "BIGINT" : "INTEGER";
  if (t === "REAL") return dialect === "postgres" ? "DOUBLE PRECISION" : "REAL";
  if (t === "BOOLEAN") return dialect === "postgres" ? "BOOLEAN" : "INTEGER";
  if (t === "JSON") return dialect === "postgres" ? "JSONB" : "TEXT";
  return "TEXT";
}
