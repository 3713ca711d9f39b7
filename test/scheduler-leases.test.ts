// Named leases and precondition windows against a real database: one holder at a time, the
// fence grows when the lease changes hands, a stale holder's release changes nothing; window
// keys per time-window type.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { windowAt } from "../src/scheduler/preconditions.ts";
import { acquireLease, releaseLease } from "../src/store/leases.ts";
import { consumeConditions, readWindow, recordCondition } from "../src/store/preconditions.ts";
import { createTestDb } from "./helpers/task-context.ts";

const { db, dir } = await createTestDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a named lease has one live holder; it changes hands only after expiry, with a new fence", async () => {
  expect(await acquireLease(db, "sweep", "a", 60_000)).toBe(1);
  expect(await acquireLease(db, "sweep", "b", 60_000)).toBeNull();
  expect(await acquireLease(db, "sweep", "a", 60_000)).toBe(1); // renewal keeps the fence
  await acquireLease(db, "sweep", "a", -1); // a stalls: its lease is over in database time
  const fence = await acquireLease(db, "sweep", "b", 60_000);
  expect(fence).toBe(2);
  await releaseLease(db, "sweep", "a", 1); // a's late release is fenced out
  expect(await acquireLease(db, "sweep", "c", 60_000)).toBeNull();
  await releaseLease(db, "sweep", "b", fence!);
  expect(await acquireLease(db, "sweep", "c", 60_000)).toBe(3);
});

test("concurrent takers of a free lease: exactly one wins", async () => {
  const got = await Promise.all(["w", "x", "y", "z"].map((h) => acquireLease(db, "race", h, 60_000)));
  expect(got.filter((f) => f !== null)).toEqual([1]);
});

test("precondition windows record atomically, reset when the window moves, consume by compare-and-set", async () => {
  await recordCondition(db, "ns/f/t/p", "w1", "flow_0", "ex1", 1);
  const both = await recordCondition(db, "ns/f/t/p", "w1", "flow_1", "ex2", 2);
  expect(Object.keys(both.seen).sort()).toEqual(["flow_0", "flow_1"]);
  expect(await consumeConditions(db, "ns/f/t/p", "w1", { flow_0: "exOTHER", flow_1: "ex2" })).toBe(false);
  expect(await consumeConditions(db, "ns/f/t/p", "w1", { flow_0: "ex1", flow_1: "ex2" })).toBe(true);
  expect((await readWindow(db, "ns/f/t/p"))!.seen).toEqual({});
  await recordCondition(db, "ns/f/t/p", "w1", "flow_0", "ex3", 3);
  const moved = await recordCondition(db, "ns/f/t/p", "w2", "flow_1", "ex4", 4);
  expect(moved).toEqual({ window: "w2", seen: { flow_1: { executionId: "ex4", date: 4 } } });
});

test("window keys", () => {
  const t = Date.parse("2026-05-04T13:20:00Z");
  expect(windowAt({}, t)!.key).toBe(String(Date.parse("2026-05-04T00:00:00Z")));
  expect(windowAt({ type: "DURATION_WINDOW", window: "PT1H", windowAdvance: "PT15M" }, t)!.key).toBe(String(Date.parse("2026-05-04T13:15:00Z")));
  expect(windowAt({ type: "SLIDING_WINDOW", window: "PT2H" }, t)).toEqual({ key: "sliding", since: t - 7_200_000 });
  expect(windowAt({ type: "DAILY_TIME_WINDOW", startTime: "09:00:00", endTime: "12:00:00" }, t)).toBeNull();
  expect(windowAt({ type: "DAILY_TIME_WINDOW", startTime: "13:00:00", endTime: "14:00:00" }, t)!.key).toBe("2026-05-04");
  expect(windowAt({ type: "DAILY_TIME_DEADLINE", deadline: "12:00:00" }, t)).toBeNull();
});
