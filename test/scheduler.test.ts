// The scheduler against a real database: ticks driven with a fixed clock fire each slot
// once (even with two instances ticking at once), recover missed slots per policy, honour
// conditions, inputs, lateMaximumDelay, backfills, disable/enable and stopAfter.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
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
namespace: sched.test
${extra}tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date ?? 'none' }}"
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
${trigger.replace(/^/gm, "    ")}
`;
const key = (flowId: string) => ({ namespace: "sched.test", flowId, triggerId: "every" });

test("a due slot fires once, with trigger.date/next/previous, and the next slot is planned", async () => {
  await fx.save(flow("hourly", `cron: "0 * * * *"`));
  await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
  expect((await getTriggerRow(fx.tern.db, key("hourly")))!.nextDate).toBe(Date.parse("2026-01-01T11:00:00Z"));
  expect((await fx.scheduler.tick(at("2026-01-01T10:59:59.999Z"))).fired).toBe(0);
  expect((await fx.scheduler.tick(at("2026-01-01T11:00:00.010Z"))).fired).toBe(1);
  expect((await fx.scheduler.tick(at("2026-01-01T11:00:00.500Z"))).fired).toBe(0);
  const [ex] = await fx.executions("hourly");
  expect(ex.trigger).toEqual({
    id: "every", type: "io.kestra.plugin.core.trigger.Schedule",
    variables: { date: "2026-01-01T11:00:00Z", next: "2026-01-01T12:00:00Z", previous: "2026-01-01T10:00:00Z" },
  });
  expect(ex.dedupKey).toBe("schedule:sched.test:hourly:every:2026-01-01T11:00:00.000Z");
  const row = (await getTriggerRow(fx.tern.db, key("hourly")))!;
  expect([row.nextDate, row.lastDate, row.owner]).toEqual([Date.parse("2026-01-01T12:00:00Z"), Date.parse("2026-01-01T11:00:00Z"), null]);
});

test("two instances ticking at the same instant create one execution per slot", async () => {
  await fx.save(flow("race", `cron: "* * * * * *"\nwithSeconds: true`));
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

test("a stale claimer's completion is fenced out and cannot double-fire", async () => {
  await fx.save(flow("fence", `cron: "0 * * * *"`));
  await fx.scheduler.syncAll(at("2026-01-01T10:30:00Z"));
  const { claimDueTriggers, completeClaim } = await import("../src/store/triggers.ts");
  // A claim whose lease is already over in database time (a holder that stalled past it).
  const [stale] = await claimDueTriggers(fx.tern.db, "dead", -1000, Date.parse("2026-01-01T11:00:01Z"), 10);
  expect((await fx.scheduler.tick(at("2026-01-01T11:00:01Z"))).fired).toBe(1);
  const ok = await completeClaim(fx.tern.db, key("fence"), "dead", stale.fence, { nextDate: stale.nextDate, lastDate: null, backfill: null });
  expect(ok).toBe(false);
  expect((await getTriggerRow(fx.tern.db, key("fence")))!.nextDate).toBe(Date.parse("2026-01-01T12:00:00Z"));
});

describe("recoverMissedSchedules after downtime", () => {
  for (const [policy, expected] of [
    ["ALL", ["11:00", "12:00", "13:00", "14:00", "15:00"]],
    ["LAST", ["14:00", "15:00"]],
    ["NONE", ["15:00"]],
  ] as const) {
    test(policy, async () => {
      await fx.save(flow(`rec${policy}`, `cron: "0 * * * *"\nrecoverMissedSchedules: ${policy}`));
      await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
      await fx.scheduler.tick(at("2026-01-01T15:00:00.020Z"));
      const dates = (await fx.executions(`rec${policy}`)).map((e) => String((e.trigger!.variables as { date: string }).date).slice(11, 16));
      expect(dates.sort()).toEqual([...expected]);
      expect((await getTriggerRow(fx.tern.db, key(`rec${policy}`)))!.nextDate).toBe(Date.parse("2026-01-01T16:00:00Z"));
    });
  }
  test("the default is ALL (Kestra's server default)", async () => {
    await fx.save(flow("recdefault", `cron: "0 * * * *"`));
    await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
    await fx.scheduler.tick(at("2026-01-01T13:00:00.020Z"));
    expect((await fx.executions("recdefault")).length).toBe(3);
  });
});

test("lateMaximumDelay skips a slot noticed too late", async () => {
  await fx.save(flow("late", `cron: "0 * * * *"\nlateMaximumDelay: PT5M`));
  await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
  await fx.scheduler.tick(at("2026-01-01T11:06:00Z"));
  expect(await fx.executions("late")).toEqual([]);
  await fx.scheduler.tick(at("2026-01-01T12:04:00Z"));
  expect((await fx.executions("late")).length).toBe(1);
});

test("inputs are rendered with trigger variables and typed by the flow's inputs; labels are added", async () => {
  await fx.save(flow("inputs", `cron: "0 9 * * *"\ntimezone: Europe/Berlin\ninputs:\n  slot: "{{ trigger.date }}"\n  n: "42"\nlabels:\n  source: cron`,
    "inputs:\n  - id: slot\n    type: STRING\n  - id: n\n    type: INT\n"));
  await fx.scheduler.tick(at("2026-03-28T12:00:00Z"));
  await fx.scheduler.tick(at("2026-03-29T07:00:00.010Z"));
  const [ex] = await fx.executions("inputs");
  expect(ex.inputs).toEqual({ slot: "2026-03-29T09:00:00+02:00", n: 42 });
  expect(ex.labels).toContainEqual({ key: "source", value: "cron" });
});

describe("conditions", () => {
  // One week of a daily 09:00 cron, recovered with ALL: Mon 2026-03-02 … Sun 2026-03-08.
  async function week(id: string, conditions: string) {
    await fx.save(flow(id, `cron: "0 9 * * *"\ntimezone: America/New_York\nconditions:\n${conditions.replace(/^/gm, "  ")}`));
    await fx.scheduler.tick(at("2026-03-01T20:00:00Z"));
    await fx.scheduler.tick(at("2026-03-08T20:00:00Z"));
    return (await fx.executions(id)).map((e) => String((e.trigger!.variables as { date: string }).date).slice(5, 10)).sort();
  }
  test("DayWeek", async () => {
    expect(await week("dw", "- type: io.kestra.plugin.core.condition.DayWeek\n  dayOfWeek: MONDAY")).toEqual(["03-02"]);
  });
  test("Weekend and Not (legacy names too)", async () => {
    expect(await week("we", "- type: io.kestra.plugin.core.condition.Weekend")).toEqual(["03-07", "03-08"]);
    expect(await week("notwe", "- type: io.kestra.core.models.conditions.types.NotCondition\n  conditions:\n    - type: io.kestra.plugin.core.condition.Weekend"))
      .toEqual(["03-02", "03-03", "03-04", "03-05", "03-06"]);
  });
  test("Or", async () => {
    expect(await week("or", `- type: io.kestra.plugin.core.condition.Or
  conditions:
    - type: io.kestra.plugin.core.condition.DayWeek
      dayOfWeek: TUESDAY
    - type: io.kestra.plugin.core.condition.DayWeek
      dayOfWeek: FRIDAY`)).toEqual(["03-03", "03-06"]);
  });
  test("DateTimeBetween (inclusive)", async () => {
    expect(await week("dtb", `- type: io.kestra.plugin.core.condition.DateTimeBetween
  after: "2026-03-04T09:00:00-05:00"
  before: "2026-03-06T14:00:00Z"`)).toEqual(["03-04", "03-05", "03-06"]);
  });
  test("Expression", async () => {
    expect(await week("expr", `- type: io.kestra.plugin.core.condition.Expression
  expression: "{{ trigger.date contains '-03-05T' }}"`)).toEqual(["03-05"]);
  });
  test("TimeBetween on an hourly cron", async () => {
    await fx.save(flow("tb", `cron: "0 * * * *"\nconditions:\n  - type: io.kestra.plugin.core.condition.TimeBetween\n    after: "10:30:00Z"\n    before: "13:30:00Z"`));
    await fx.scheduler.tick(at("2026-01-01T08:30:00Z"));
    await fx.scheduler.tick(at("2026-01-01T16:00:00Z"));
    const hours = (await fx.executions("tb")).map((e) => String((e.trigger!.variables as { date: string }).date).slice(11, 13)).sort();
    expect(hours).toEqual(["11", "12", "13"]);
  });
  test("a failing condition skips the slot, logs, and does not stall the trigger", async () => {
    await fx.save(flow("bad", `cron: "0 * * * *"\nconditions:\n  - type: io.kestra.plugin.core.condition.DayWeek\n    dayOfWeek: MONDAY\n    date: "{{ nope.nope }}"`));
    await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
    await fx.scheduler.tick(at("2026-01-01T11:00:01Z"));
    expect(await fx.executions("bad")).toEqual([]);
    expect(fx.logs.some((l) => l.includes("bad trigger every"))).toBe(true);
    expect((await getTriggerRow(fx.tern.db, key("bad")))!.nextDate).toBe(Date.parse("2026-01-01T12:00:00Z"));
  });
});

describe("trigger administration", () => {
  test("backfill fires every slot of the range once, labelled, then clears; pause holds it", async () => {
    await fx.save(flow("bf", `cron: "0 * * * *"`));
    await fx.scheduler.tick(at("2026-01-02T00:30:00Z"));
    await fx.admin.backfill(key("bf"), { start: "2026-01-01T00:00:00Z", end: "2026-01-01T05:00:00Z", labels: [{ key: "why", value: "fix" }] });
    await fx.admin.pauseBackfill(key("bf"), true);
    await fx.scheduler.tick(at("2026-01-02T00:40:00Z"));
    expect(await fx.executions("bf")).toEqual([]);
    const paused = await fx.admin.get(key("bf"));
    expect(paused!.backfill).toMatchObject({ start: "2026-01-01T00:00:00.000Z", currentDate: "2026-01-01T00:00:00.000Z", paused: true });
    await fx.admin.pauseBackfill(key("bf"), false);
    await fx.scheduler.tick(at("2026-01-02T00:41:00Z"));
    await fx.scheduler.tick(at("2026-01-02T00:42:00Z"));
    const runs = await fx.executions("bf");
    expect(runs.map((e) => String((e.trigger!.variables as { date: string }).date).slice(11, 13)).sort()).toEqual(["00", "01", "02", "03", "04", "05"]);
    expect(runs[0].labels).toContainEqual({ key: "system.backfill", value: "true" });
    expect(runs[0].labels).toContainEqual({ key: "why", value: "fix" });
    expect((await fx.admin.get(key("bf")))!.backfill).toBeNull();
  });

  test("list shows the next fire time; disable stops firing; enable starts afresh", async () => {
    await fx.save(flow("adm", `cron: "0 * * * *"`));
    await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
    const [listed] = await fx.admin.list({ namespace: "sched" });
    expect(listed.triggerContext).toMatchObject({ flowId: "adm", triggerId: "every", nextExecutionDate: "2026-01-01T11:00:00.000Z", disabled: false });
    expect(listed.abstractTrigger).toMatchObject({ cron: "0 * * * *" });
    await fx.admin.setDisabled(key("adm"), true);
    await fx.scheduler.tick(at("2026-01-01T13:00:00Z"));
    expect(await fx.executions("adm")).toEqual([]);
    const enabled = await fx.admin.setDisabled(key("adm"), false);
    // Re-enabled from the database clock: the next slot is in the future, nothing is "missed".
    expect(Date.parse(enabled.nextExecutionDate!)).toBeGreaterThan(Date.now() - 1000);
    expect(enabled.disabled).toBe(false);
  });

  test("stopAfter disables the trigger once an execution ends in a listed state", async () => {
    await fx.save(flow("stop", `cron: "0 * * * *"\nstopAfter: [SUCCESS]`));
    await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
    const disabled = new Promise<void>((resolve) => {
      const poll = setInterval(() => fx.logs.some((l) => l.includes("disabled (stopAfter SUCCESS)")) && (clearInterval(poll), resolve()), 5);
    });
    fx.scheduler.start(); // attaches the end listener (its own ticks see no due slot at real time)
    await fx.scheduler.tick(at("2026-01-01T11:00:00Z"));
    const [ex] = await fx.executions("stop");
    await fx.tern.service.waitFor(ex.id);
    await disabled;
    expect((await getTriggerRow(fx.tern.db, key("stop")))!.disabled).toBe(true);
    await fx.scheduler.tick(at("2026-01-01T12:00:00Z"));
    expect((await fx.executions("stop")).length).toBe(1);
  });

  test("a flow's trigger rows follow its saves: cron change re-plans, removal deletes", async () => {
    await fx.save(flow("follow", `cron: "0 * * * *"`));
    await fx.scheduler.tick(at("2026-01-01T10:30:00Z"));
    await fx.save(flow("follow", `cron: "15 * * * *"`));
    await fx.scheduler.syncFlow("sched.test", "follow", at("2026-01-01T10:31:00Z"));
    expect((await getTriggerRow(fx.tern.db, key("follow")))!.nextDate).toBe(Date.parse("2026-01-01T11:15:00Z"));
    await fx.save(flow("follow", `cron: "15 * * * *"\ndisabled: true`));
    await fx.scheduler.syncFlow("sched.test", "follow", at("2026-01-01T10:32:00Z"));
    expect((await getTriggerRow(fx.tern.db, key("follow")))!.nextDate).toBeNull();
    await fx.save(`id: follow\nnamespace: sched.test\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n`);
    await fx.scheduler.syncFlow("sched.test", "follow", at("2026-01-01T10:33:00Z"));
    expect(await getTriggerRow(fx.tern.db, key("follow"))).toBeUndefined();
  });
});
