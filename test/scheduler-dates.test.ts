// io.kestra.plugin.core.trigger.ScheduleOnDates on the Schedule machinery, against a real
// database with a fixed clock: each date fires once (two instances included), dates without an
// offset are read in `timezone`, rendered dates, recoverMissedSchedules, inputs, backfill.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { compileDates, parseDateIn } from "../src/scheduler/dates.ts";
import { getTriggerRow } from "../src/store/triggers.ts";
import { at, createFixture, type Fixture } from "./helpers/scheduler-fixture.ts";

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture();
});
afterEach(async () => {
  await fx.close();
});

const flow = (id: string, trigger: string, extra = "") => `id: ${id}
namespace: dates.test
${extra}tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: on
    type: io.kestra.plugin.core.trigger.ScheduleOnDates
${trigger.replace(/^/gm, "    ")}
`;
const key = (flowId: string) => ({ namespace: "dates.test", flowId, triggerId: "on" });
const dates = (...list: string[]) => `dates:\n${list.map((d) => `  - ${d}`).join("\n")}`;

test("each date fires once, in order, with trigger.date; after the last one nothing is planned", async () => {
  await fx.save(flow("list", dates("2026-01-01T12:00:00Z", "2026-01-01T11:00:00Z", "2026-01-02T09:30:00+01:00")));
  await fx.scheduler.tick(at("2026-01-01T10:00:00Z"));
  expect((await getTriggerRow(fx.tern.db, key("list")))!.nextDate).toBe(Date.parse("2026-01-01T11:00:00Z"));
  expect((await fx.scheduler.tick(at("2026-01-01T11:00:00.010Z"))).fired).toBe(1);
  expect((await fx.scheduler.tick(at("2026-01-01T11:30:00Z"))).fired).toBe(0);
  expect((await fx.scheduler.tick(at("2026-01-01T12:00:00.010Z"))).fired).toBe(1);
  expect((await fx.scheduler.tick(at("2026-01-02T08:30:00.010Z"))).fired).toBe(1);
  const all = await fx.executions("list");
  expect(all.map((e) => (e.trigger!.variables as { date: string }).date)).toEqual(["2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z", "2026-01-02T08:30:00Z"]);
  expect(all[0].trigger!.type).toBe("io.kestra.plugin.core.trigger.ScheduleOnDates");
  expect(all[0].dedupKey).toBe("schedule:dates.test:list:on:2026-01-01T11:00:00.000Z");
  expect((await getTriggerRow(fx.tern.db, key("list")))!.nextDate).toBeNull();
  expect((await fx.scheduler.tick(at("2027-01-01T00:00:00Z"))).fired).toBe(0);
});

test("dates without an offset are wall-clock times in `timezone`; trigger.date carries the zone's offset", async () => {
  await fx.save(flow("zoned", `${dates("2026-06-01T09:00:00", "2026-12-01T09:00:00")}\ntimezone: Europe/Paris`));
  await fx.scheduler.tick(at("2026-05-01T00:00:00Z"));
  expect((await fx.scheduler.tick(at("2026-06-01T07:00:00.010Z"))).fired).toBe(1);
  expect((await fx.scheduler.tick(at("2026-12-01T08:00:00.010Z"))).fired).toBe(1);
  const all = await fx.executions("zoned");
  expect(all.map((e) => (e.trigger!.variables as { date: string }).date)).toEqual(["2026-06-01T09:00:00+02:00", "2026-12-01T09:00:00+01:00"]);
});

test("dates are rendered: list items and one expression giving the list", async () => {
  await fx.save(flow("rendered", dates(`"{{ '2026-01-01T11:00:00Z' }}"`, `"2026-01-01T{{ 10 + 2 }}:00:00Z"`)));
  await fx.save(flow("whole", `dates: "{{ ['2026-01-01T11:00:00Z', '2026-01-01T12:00:00Z'] | json }}"`));
  await fx.scheduler.tick(at("2026-01-01T10:00:00Z"));
  expect((await fx.scheduler.tick(at("2026-01-01T12:00:00.010Z"))).fired).toBe(4);
});

test("two instances ticking at once create one execution per date", async () => {
  const list = Array.from({ length: 20 }, (_, s) => `2026-01-01T00:00:${String(s + 1).padStart(2, "0")}Z`);
  await fx.save(flow("race", dates(...list)));
  const b = fx.another("instance-b");
  await fx.scheduler.syncAll(at("2026-01-01T00:00:00Z"));
  for (let s = 1; s <= 20; s++) {
    const t = at(`2026-01-01T00:00:${String(s).padStart(2, "0")}.001Z`);
    await Promise.all([fx.scheduler.tick(t), b.tick(t), fx.scheduler.tick(t), b.tick(t)]);
  }
  const keys = (await fx.executions("race")).map((e) => e.dedupKey);
  expect(keys.length).toBe(20);
  expect(new Set(keys).size).toBe(20);
});

describe("recoverMissedSchedules after downtime", () => {
  for (const [policy, expected] of [
    ["ALL", ["11:00", "12:00", "13:00", "15:00"]],
    ["LAST", ["13:00", "15:00"]],
    ["NONE", ["15:00"]],
  ] as const) {
    test(policy, async () => {
      const list = ["11:00", "12:00", "13:00", "15:00"].map((h) => `2026-01-01T${h}:00Z`);
      await fx.save(flow(`rec${policy}`, `${dates(...list)}\nrecoverMissedSchedules: ${policy}`));
      await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
      await fx.scheduler.tick(at("2026-01-01T15:00:00.020Z"));
      const got = (await fx.executions(`rec${policy}`)).map((e) => (e.trigger!.variables as { date: string }).date.slice(11, 16)).sort();
      expect(got).toEqual([...expected]);
    });
  }
});

test("inputs, and a disabled trigger fires nothing", async () => {
  await fx.save(flow("inputs", `${dates("2026-01-01T11:00:00Z")}\ninputs:\n  day: "{{ trigger.date | date('yyyy-MM-dd') }}"`, "inputs:\n  - id: day\n    type: STRING\n"));
  await fx.save(flow("off", `${dates("2026-01-01T11:00:00Z")}\ndisabled: true`));
  await fx.scheduler.tick(at("2026-01-01T10:00:00Z"));
  expect((await fx.scheduler.tick(at("2026-01-01T11:00:00.010Z"))).fired).toBe(1);
  expect((await fx.executions("inputs"))[0].inputs).toEqual({ day: "2026-01-01" });
  expect(await fx.executions("off")).toEqual([]);
});

test("a backfill fires the dates of its range", async () => {
  await fx.save(flow("bf", dates("2025-12-01T09:00:00Z", "2025-12-02T09:00:00Z", "2025-12-03T09:00:00Z", "2026-02-01T09:00:00Z")));
  await fx.scheduler.tick(at("2026-01-01T10:00:00Z"));
  await fx.admin.backfill(key("bf"), { start: "2025-12-01T00:00:00Z", end: "2025-12-02T23:59:59Z" });
  expect((await fx.scheduler.tick(at("2026-01-01T10:00:01Z"))).fired).toBe(2);
  const keys = (await fx.executions("bf")).map((e) => e.dedupKey!.replace(/^backfill:[^:]+:/, "")).sort();
  expect(keys).toEqual(["dates.test:bf:on:2025-12-01T09:00:00.000Z", "dates.test:bf:on:2025-12-02T09:00:00.000Z"]);
});

test("compileDates: sorted, de-duplicated, truncated to the second; a bad date names itself", () => {
  const s = compileDates(["2026-01-01T10:00:00.900Z", "2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z"]);
  expect(s.next(new Date(0))!.toISOString()).toBe("2026-01-01T09:00:00.000Z");
  expect(s.next(at("2026-01-01T09:00:00Z"))!.toISOString()).toBe("2026-01-01T10:00:00.000Z");
  expect(s.next(at("2026-01-01T10:00:00Z"))).toBeNull();
  expect(s.prev(at("2026-01-01T10:00:00Z"))!.toISOString()).toBe("2026-01-01T09:00:00.000Z");
  expect(parseDateIn("2026-03-29T02:30:00", "Europe/Paris")).toBe(Date.parse("2026-03-29T01:30:00Z")); // in the spring-forward gap
  expect(() => compileDates(["tomorrow"])).toThrow('not an ISO 8601 date-time: "tomorrow"');
});
