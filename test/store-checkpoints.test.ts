// Write volume of the embedded database: ids that sort by creation time, and the checkpoint
// thread `tern serve` runs so the main thread only appends to the write-ahead log.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newExecutionId } from "../src/executor/service.ts";
import { startCheckpointer } from "../src/store/checkpointer.ts";
import { openDatabase } from "../src/store/db.ts";

const dir = mkdtempSync(join(tmpdir(), "tern-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("ids keep Kestra's shape and sort by the millisecond they were made in", () => {
  const t = Date.parse("2026-12-06T10:00:00Z");
  const ids = [t, t + 1, t + 61, t + 62 ** 3, t + 86_400_000, Date.parse("2070-01-01T00:00:00Z")].map((at) => newExecutionId(at));
  for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
  // Byte order (SQLite's BINARY collation) is creation order.
  expect([...ids].sort()).toEqual(ids);
  // The clock part is the same within a millisecond; the rest is random.
  const same = new Set(Array.from({ length: 1000 }, () => newExecutionId(t)));
  expect(same.size).toBe(1000);
  expect(new Set([...same].map((id) => id.slice(0, 8))).size).toBe(1);
});

const walBytes = (path: string) => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

test("the checkpoint thread keeps the log short while the main connection writes without pause", async () => {
  const path = join(dir, "tern.db");
  const db = await openDatabase({ url: `file:${path}` });
  await db.$client.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)");
  const ckpt = await startCheckpointer(db, `file:${path}`, { everyMs: 10, restartFrames: 64 });
  expect(ckpt).toBeDefined();
  // The main connection's own threshold is now the far safety net (16,384 pages).
  expect((await db.$client.execute("PRAGMA wal_autocheckpoint")).rows[0][0]).toBe(16_384);
  const body = new Uint8Array(3000).fill(7);
  let maxWal = 0;
  // ~48 MB through the log; the main connection alone would let it grow past 60 MB first. The
  // short pauses give the thread a core even when other work crowds the machine.
  for (let i = 0; i < 800; i++) {
    await db.$client.batch(Array.from({ length: 20 }, () => ({ sql: "INSERT INTO filler (body) VALUES (?)", args: [body] })), "write");
    maxWal = Math.max(maxWal, walBytes(path));
    if (i % 10 === 0) await Bun.sleep(2);
  }
  expect(maxWal).toBeGreaterThan(0);
  expect(maxWal).toBeLessThan(16 * 1024 * 1024);
  await ckpt!.stop();
  expect((await db.$client.execute("PRAGMA wal_autocheckpoint")).rows[0][0]).toBe(1000);
  expect((await db.$client.execute("SELECT count(*) FROM filler")).rows[0][0]).toBe(16_000);
  expect((await db.$client.execute("PRAGMA integrity_check")).rows[0][0]).toBe("ok");
  db.$client.close();
});

test("a server URL gets no checkpoint thread (the server checkpoints its own files)", async () => {
  const db = await openDatabase({ url: `file:${join(dir, "other.db")}` });
  expect(await startCheckpointer(db, "http://127.0.0.1:1")).toBeUndefined();
  db.$client.close();
});
