// The KV store on a real libSQL file and the kv.* tasks.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import type { RunnableDefinition } from "../plugins/define.ts";
import { kvTasks } from "../plugins/kv/index.ts";
import type { Db } from "../src/store/db.ts";
import { createKvStore } from "../src/store/kv.ts";
import { createHarness, createTestDb, type Harness } from "./helpers/task-context.ts";

let db: Db;
let dir: string;
let h: Harness;
beforeAll(async () => {
  ({ db, dir } = await createTestDb());
  h = await createHarness({ db });
});
afterAll(async () => {
  await h.cleanup();
  db.$client.close();
  await rm(dir, { recursive: true, force: true });
});

const task = (name: string) => kvTasks.find((t) => t.type === `io.kestra.plugin.core.kv.${name}`) as RunnableDefinition<any>;

test("values keep their type; keys are per namespace; ttl hides expired rows", async () => {
  let now = 1_000_000;
  const kv = createKvStore(db, { now: () => now });
  await kv.set("a", "obj", { x: [1, 2] });
  await kv.set("a", "n", 42);
  await kv.set("b", "n", "other namespace");
  await kv.set("a", "tmp", "soon gone", { ttlMs: 1000 });
  expect(await kv.get("a", "obj")).toEqual({ value: { x: [1, 2] }, type: "JSON" });
  expect(await kv.get("a", "n")).toEqual({ value: 42, type: "NUMBER" });
  expect(await kv.get("b", "n")).toEqual({ value: "other namespace", type: "STRING" });
  expect(await kv.keys("a")).toEqual(["n", "obj", "tmp"]);
  now += 1000;
  expect(await kv.get("a", "tmp")).toBeUndefined();
  expect(await kv.keys("a")).toEqual(["n", "obj"]);
  expect(await kv.delete("a", "tmp")).toBe(false);
  // overwrite: false refuses a live key, accepts one that expired.
  await expect(kv.set("a", "n", 1, { overwrite: false })).rejects.toThrow("already exists");
  await kv.set("a", "t2", "x", { ttlMs: 10 });
  now += 10;
  await kv.set("a", "t2", "y", { overwrite: false });
  expect((await kv.get("a", "t2"))?.value).toBe("y");
});

test("kv.Set / Get / GetKeys / Delete tasks", async () => {
  await h.run(task("Set"), { key: "count", value: "12", kvType: "NUMBER" });
  await h.run(task("Set"), { key: "cfg", value: '{"a":1}', kvType: "JSON" });
  await h.run(task("Set"), { key: "plain", value: "text" });
  await h.run(task("Set"), { key: "elsewhere", value: "x", namespace: "other.ns" });
  expect(await h.run(task("Get"), { key: "count" })).toEqual({ value: 12 });
  expect(await h.run(task("Get"), { key: "cfg" })).toEqual({ value: { a: 1 } });
  expect(await h.run(task("Get"), { key: "missing" })).toEqual({ value: undefined });
  await expect(h.run(task("Get"), { key: "missing", errorOnMissing: true })).rejects.toThrow('key "missing" not found in namespace company.team');
  expect(await h.run(task("GetKeys"), {})).toEqual({ keys: ["cfg", "count", "plain"] });
  expect(await h.run(task("GetKeys"), { prefix: "c" })).toEqual({ keys: ["cfg", "count"] });
  expect(await h.run(task("GetKeys"), { namespace: "other.ns" })).toEqual({ keys: ["elsewhere"] });
  expect(await h.run(task("Delete"), { key: "plain" })).toEqual({ deleted: true });
  expect(await h.run(task("Delete"), { key: "plain" })).toEqual({ deleted: false });
  await expect(h.run(task("Delete"), { key: "plain", errorOnMissing: true })).rejects.toThrow("not found");
  await expect(h.run(task("Set"), { key: "count", value: "1", overwrite: false })).rejects.toThrow("already exists");
  await expect(h.run(task("Set"), { key: "n", value: "abc", kvType: "NUMBER" })).rejects.toThrow('"abc" is not a valid NUMBER');
  expect(() => task("Set").schema.parse({ key: "../bad", value: 1 })).toThrow("KV keys use letters");
});

test("kv.Set ttl: the key is gone once the clock passes it", async () => {
  let now = 5_000_000;
  const t = await createHarness({ db, clock: () => now, namespace: "ttl.ns" });
  await t.run(task("Set"), { key: "short", value: "v", ttl: "PT1M" });
  now += 59_999;
  expect(await t.run(task("Get"), { key: "short" })).toEqual({ value: "v" });
  now += 1;
  expect(await t.run(task("Get"), { key: "short" })).toEqual({ value: undefined });
  await t.cleanup();
});
