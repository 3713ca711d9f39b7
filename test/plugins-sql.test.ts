// SQL tasks on real databases: a libSQL file, and PostgreSQL when installed.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RunnableDefinition } from "../plugins/define.ts";
import { splitStatements } from "../plugins/sql/common.ts";
import { createCsvParser } from "../plugins/sql/csv.ts";
import { sqlTasks } from "../plugins/sql/index.ts";
import { toPositional } from "../src/runtime/sql-params.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";
import { startPostgres, type TestPostgres } from "./helpers/postgres.ts";

const task = (type: string) => sqlTasks.find((t) => t.type === type || t.aliases.includes(type)) as RunnableDefinition<any>;
const sqliteQuery = task("io.kestra.plugin.jdbc.sqlite.Query");
const pgQuery = task("io.kestra.plugin.jdbc.postgresql.Query");
const load = task("tern.sql.Load");

let h: Harness;
afterEach(async () => h && (await h.cleanup()));

const CSV = 'region,day,amount,note\nnorth,2024-01-01,10.5,"plain"\nsouth,2024-01-01,7,"with, comma"\nnorth,2024-01-02,2,"multi\nline ""quoted"""\n';

describe("sqlite / libSQL", () => {
  test("Query: DDL script, named parameters, fetchType and legacy booleans", async () => {
    h = await createHarness();
    const url = `jdbc:sqlite:${join(h.dir, "app.db")}`;
    await h.run(sqliteQuery, { url, sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL); INSERT INTO t (name, score) VALUES ('a', 1.5), ('b', 2), ('c; d', 3)" });
    const one = await h.run(sqliteQuery, { url, sql: "SELECT name, score FROM t WHERE name = :name", parameters: { name: "b", unused: 1 }, fetchType: "FETCH_ONE" });
    expect(one).toEqual({ row: { name: "b", score: 2 }, size: 1 });
    const all = await h.run(sqliteQuery, { url: `file:${join(h.dir, "app.db")}`, sql: "SELECT name FROM t ORDER BY id", fetch: true });
    expect(all).toEqual({ rows: [{ name: "a" }, { name: "b" }, { name: "c; d" }], size: 3 });
    const stored = await h.run(sqliteQuery, { url, sql: "SELECT id, name FROM t ORDER BY id", fetchType: "STORE" });
    expect(stored.size).toBe(3);
    expect((await h.storage.getText(stored.uri as string)).trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
      { id: 3, name: "c; d" },
    ]);
    expect(await h.run(sqliteQuery, { url, sql: "UPDATE t SET score = score + 1" })).toEqual({ size: 3 });
    await expect(h.run(sqliteQuery, { url, sql: "SELECT * FROM missing" })).rejects.toThrow("no such table");
    await expect(h.run(pgQuery, { url, sql: "SELECT 1" })).rejects.toThrow("expects a postgres URL");
  });

  test("Load: CSV with quotes and newlines into a created table with inferred types; JSONL; truncate", async () => {
    h = await createHarness();
    const url = `jdbc:sqlite:${join(h.dir, "wh.db")}`;
    const csv = await h.storage.put("sales.csv", CSV);
    expect(await h.run(load, { url, from: csv, table: "sales", createTable: true })).toEqual({ rowCount: 3, table: "sales" });
    const res = await h.run(sqliteQuery, { url, sql: "SELECT region, SUM(amount) AS total, typeof(amount) AS t FROM sales GROUP BY region ORDER BY region", fetchType: "FETCH" });
    expect(res.rows).toEqual([
      { region: "north", total: 12.5, t: "real" },
      { region: "south", total: 7, t: "real" },
    ]);
    const note = await h.run(sqliteQuery, { url, sql: "SELECT note FROM sales WHERE amount = 2", fetchType: "FETCH_ONE" });
    expect((note.row as any).note).toBe('multi\nline "quoted"');
    const jsonl = await h.storage.put("more.jsonl", '{"region":"east","day":"2024-01-03","amount":4,"note":null}\n\n{"region":"west","amount":1}\n');
    expect((await h.run(load, { url, from: jsonl, table: "sales" })).rowCount).toBe(2);
    expect((await h.run(sqliteQuery, { url, sql: "SELECT COUNT(*) AS n FROM sales", fetchType: "FETCH_ONE" })).row).toEqual({ n: 5 });
    await h.run(load, { url, from: csv, table: "sales", truncate: true });
    expect((await h.run(sqliteQuery, { url, sql: "SELECT COUNT(*) AS n FROM sales", fetchType: "FETCH_ONE" })).row).toEqual({ n: 3 });
    expect(() => load.schema.parse({ url, from: csv, table: "x; DROP TABLE sales" })).toThrow("plain identifier");
  });

  test("Load: 20,000 rows in batches", async () => {
    h = await createHarness();
    const url = `jdbc:sqlite:${join(h.dir, "big.db")}`;
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},name ${i},${i * 0.5}`).join("\n");
    const uri = await h.storage.put("big.csv", `id,name,value\n${rows}\n`);
    expect((await h.run(load, { url, from: uri, table: "big", createTable: true })).rowCount).toBe(20_000);
    expect((await h.run(sqliteQuery, { url, sql: "SELECT COUNT(*) AS n, SUM(id) AS s FROM big", fetchType: "FETCH_ONE" })).row).toEqual({ n: 20_000, s: 199_990_000 });
  });
});

describe("helpers", () => {
  test("statement splitting, CSV parsing, named -> positional parameters", () => {
    expect(splitStatements("CREATE TABLE a(x); INSERT INTO a VALUES ('x;y'); -- c;\nSELECT 1;")).toEqual(["CREATE TABLE a(x)", "INSERT INTO a VALUES ('x;y')", "-- c;\nSELECT 1"]);
    expect(splitStatements("CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x=1; END; SELECT 2")).toHaveLength(2);
    const rows: string[][] = [];
    const p = createCsvParser((r) => rows.push(r));
    p.push('a,"b\r\n');
    p.push('c",d\r\n"e""f",\n');
    p.end();
    expect(rows).toEqual([["a", "b\r\nc", "d"], ['e"f', ""]]);
    expect(toPositional("SELECT :a::int, ':b', $$ :c $$, :a, :d -- :e", { a: 1, d: 2 })).toEqual({ text: "SELECT $1::int, ':b', $$ :c $$, $1, $2 -- :e", values: [1, 2] });
  });
});

let pg: TestPostgres | undefined;
beforeAll(() => {
  pg = startPostgres();
  if (!pg) console.log("PostgreSQL not installed: skipping the PostgreSQL tests");
});
afterAll(() => pg?.stop());

describe("PostgreSQL", () => {
  test("Query and Load through Bun.SQL", async () => {
    if (!pg) return;
    h = await createHarness();
    const url = pg.url.replace(/^postgres:/, "jdbc:postgresql:").replace("postgres@", "");
    const auth = { username: "postgres" };
    await h.run(pgQuery, { url, ...auth, sql: "DROP TABLE IF EXISTS orders; CREATE TABLE orders (id serial PRIMARY KEY, customer text, total numeric, at timestamptz DEFAULT '2024-01-01T00:00:00Z')" });
    await h.run(pgQuery, { url, ...auth, sql: "INSERT INTO orders (customer, total) VALUES (:c, :t), (:c2, :t)", parameters: { c: "ann", c2: "bob", t: 12.5 } });
    const one = await h.run(pgQuery, { url, ...auth, sql: "SELECT customer, total::float8 AS total, at FROM orders WHERE customer = :c", parameters: { c: "bob" }, fetchType: "FETCH_ONE" });
    expect(one.row).toEqual({ customer: "bob", total: 12.5, at: "2024-01-01T00:00:00.000Z" });
    const csv = await h.storage.put("sales.csv", CSV);
    expect((await h.run(load, { url: pg.url, from: csv, table: "sales", createTable: true, truncate: true })).rowCount).toBe(3);
    const rows = await h.run(pgQuery, { url: pg.url, sql: "SELECT region, SUM(amount) AS total FROM sales GROUP BY region ORDER BY region", fetchType: "FETCH" });
    expect(rows.rows).toEqual([
      { region: "north", total: 12.5 },
      { region: "south", total: 7 },
    ]);
    await expect(h.run(pgQuery, { url: pg.url, sql: "SELECT * FROM nope" })).rejects.toThrow('relation "nope" does not exist');
  });
});
