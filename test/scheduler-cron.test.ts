// Cron times (croner, in the trigger's timezone) on the 2026 DST days, the slot planner's
// recoverMissedSchedules / lateMaximumDelay rules, and the conditions' date parsing.
import { describe, expect, test } from "bun:test";
import { compileCron, isoInZone } from "../src/scheduler/cron.ts";
import { planSlots } from "../src/scheduler/slots.ts";
import { parseOffsetTime, parseZoned } from "../src/scheduler/zoned.ts";

function slots(cron: string, timezone: string, from: string, until: string, withSeconds = false): string[] {
  const s = compileCron({ cron, timezone, withSeconds });
  const out: string[] = [];
  for (let d = s.next(new Date(from)); d && d.getTime() <= Date.parse(until); d = s.next(d)) out.push(isoInZone(d, timezone));
  return out;
}

describe("DST, America/New_York 2026", () => {
  test("spring forward (Mar 8): 02:30 does not exist, the daily job runs once at 03:00 EDT", () => {
    expect(slots("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z")).toEqual([
      "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
    ]);
  });
  test("spring forward: a half-hourly job keeps real 30-minute spacing across the gap", () => {
    expect(slots("*/30 * * * *", "America/New_York", "2026-03-08T06:15:00Z", "2026-03-08T07:45:00Z")).toEqual([
      "2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00",
    ]);
  });
  test("fall back (Nov 1): 01:30 happens twice, the daily job runs once", () => {
    expect(slots("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z")).toEqual([
      "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00",
    ]);
  });
  test("fall back: a half-hourly job runs on both 01:00 and both 01:30", () => {
    expect(slots("*/30 * * * *", "America/New_York", "2026-11-01T04:45:00Z", "2026-11-01T07:00:00Z")).toEqual([
      "2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
      "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00",
    ]);
  });
});

describe("DST, Europe/Berlin 2026", () => {
  test("spring forward (Mar 29): 02:30 runs at 03:00 CEST", () => {
    expect(slots("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z")).toEqual([
      "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
    ]);
  });
  test("fall back (Oct 25): 02:30 once; an hourly job sees 02:00 twice", () => {
    expect(slots("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z")).toEqual([
      "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00",
    ]);
    expect(slots("0 * * * *", "Europe/Berlin", "2026-10-24T22:30:00Z", "2026-10-25T02:30:00Z")).toEqual([
      "2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00",
    ]);
  });
  test("a 09:00 daily job is 09:00 local on both sides of the change", () => {
    expect(slots("0 9 * * *", "Europe/Berlin", "2026-10-24T00:00:00Z", "2026-10-26T23:00:00Z")).toEqual([
      "2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-10-26T09:00:00+01:00",
    ]);
  });
});

describe("cron forms", () => {
  test("6 fields with withSeconds, nicknames, and errors", () => {
    expect(slots("*/20 * * * * *", "UTC", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", true)).toEqual([
      "2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z",
    ]);
    expect(slots("@hourly", "UTC", "2026-01-01T00:30:00Z", "2026-01-01T02:00:00Z")).toEqual(["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]);
    expect(() => compileCron({ cron: "* * * * * *" })).toThrow('invalid cron "* * * * * *"');
    expect(() => compileCron({ cron: "0 25 * * *" })).toThrow("invalid cron");
    expect(() => compileCron({ cron: "0 9 * * *", timezone: "Mars/Olympus" })).toThrow();
  });
  test("prev is strictly before", () => {
    const s = compileCron({ cron: "0 * * * *" });
    expect(s.prev(new Date("2026-01-01T10:00:00Z"))?.toISOString()).toBe("2026-01-01T09:00:00.000Z");
    expect(s.next(new Date("2026-01-01T10:00:00Z"))?.toISOString()).toBe("2026-01-01T11:00:00.000Z");
  });
});

describe("planSlots", () => {
  const hourly = compileCron({ cron: "0 * * * *" });
  const base = { schedule: hourly, from: Date.parse("2026-01-01T11:00:00Z"), missedAfterMs: 10_000, max: 100 };
  const now = Date.parse("2026-01-01T15:00:00.050Z");
  const iso = (p: ReturnType<typeof planSlots>) => p.fire.map((d) => d.toISOString().slice(11, 16));

  test("ALL fires every missed slot and the due one", () => {
    const p = planSlots({ ...base, now, policy: "ALL" });
    expect(iso(p)).toEqual(["11:00", "12:00", "13:00", "14:00", "15:00"]);
    expect(p.next?.toISOString()).toBe("2026-01-01T16:00:00.000Z");
  });
  test("LAST fires the latest missed slot and the due one", () => {
    expect(iso(planSlots({ ...base, now, policy: "LAST" }))).toEqual(["14:00", "15:00"]);
  });
  test("NONE fires only the slot that is due now", () => {
    const p = planSlots({ ...base, now, policy: "NONE" });
    expect(iso(p)).toEqual(["15:00"]);
    expect(p.jumped).toBe(true);
  });
  test("a slot only just due is never 'missed'", () => {
    expect(iso(planSlots({ ...base, from: Date.parse("2026-01-01T15:00:00Z"), now, policy: "NONE" }))).toEqual(["15:00"]);
  });
  test("lateMaximumDelay skips slots fired too late", () => {
    const p = planSlots({ ...base, now: Date.parse("2026-01-01T11:20:00Z"), policy: "ALL", lateMaximumDelayMs: 600_000 });
    expect(p.fire).toEqual([]);
    expect(p.skipped).toBe(1);
    expect(p.next?.toISOString()).toBe("2026-01-01T12:00:00.000Z");
  });
  test("max caps a catch-up; the rest waits for the next claim", () => {
    const p = planSlots({ ...base, now, policy: "ALL", max: 2 });
    expect(iso(p)).toEqual(["11:00", "12:00"]);
    expect(p.next?.toISOString()).toBe("2026-01-01T13:00:00.000Z");
    expect(hourly.next(p.last)?.getTime()).toBe(p.next!.getTime());
  });
});

describe("zoned dates", () => {
  test("local fields at the value's own offset", () => {
    const z = parseZoned("2026-03-08T23:30:00-05:00");
    expect([z.year, z.month, z.day, z.dayOfWeek]).toEqual([2026, 3, 8, 7]);
    expect(z.epochMs).toBe(Date.parse("2026-03-09T04:30:00Z"));
    expect(parseZoned("2026-03-09T04:30:00Z").dayOfWeek).toBe(1);
    expect(parseZoned("2026-03-09T05:30:00+01:00[Europe/Paris]").epochMs).toBe(Date.parse("2026-03-09T04:30:00Z"));
    expect(() => parseZoned("yesterday")).toThrow("not an ISO 8601 date-time");
  });
  test("offset times compare on the UTC day", () => {
    expect(parseOffsetTime("14:00:00+02:00")).toBe(12 * 3600);
    expect(parseOffsetTime("01:00:00+02:00")).toBe(23 * 3600);
    expect(parseOffsetTime("09:30", -300)).toBe(14.5 * 3600);
  });
});
