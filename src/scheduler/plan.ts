// The Schedule behind a slot-planned trigger: a cron (Schedule) or a rendered list of dates
// (ScheduleOnDates). Both give the same next/prev interface, so sync, fire and the admin's
// backfill/enable treat them alike.
import type { FlowModel } from "../engine/model.ts";
import { createRenderer, type Renderer } from "../executor/render.ts";
import type { TriggerDef } from "../flow/index.ts";
import { SCHEDULE_ON_DATES_TYPE, SCHEDULE_TYPE } from "../store/triggers.ts";
import { createTemplateEngine } from "../template/index.ts";
import { compileCron, type Schedule } from "./cron.ts";
import { compileDates } from "./dates.ts";

export const SLOT_TYPES = [SCHEDULE_TYPE, SCHEDULE_ON_DATES_TYPE];
export const isSlotType = (type: string) => SLOT_TYPES.includes(type);

let plain: Renderer | undefined;
/** For callers without the instance's renderer (trigger.Toggle in a worker): no secret(). */
const plainRenderer = () => (plain ??= createRenderer(createTemplateEngine(), () => ({ now: () => new Date() })));

/** The trigger's slots; throws a readable message when the cron, a date or the timezone is invalid. */
export async function scheduleOf(def: TriggerDef, flow: Pick<FlowModel, "id" | "namespace" | "revision"> | undefined, renderer?: Renderer): Promise<Schedule> {
  const timezone = def.timezone as string | undefined;
  if (def.type === SCHEDULE_TYPE) return compileCron({ cron: String(def.cron), timezone, withSeconds: def.withSeconds === true });
  const r = renderer ?? plainRenderer();
  const vars = { flow: flow ? { id: flow.id, namespace: flow.namespace, revision: flow.revision } : {} };
  const zone = timezone ? await r.render(timezone, vars) : undefined;
  const dates = await renderDates(def.dates, (t) => r.render(t, vars));
  try {
    return compileDates(dates, zone || "UTC");
  } catch (e) {
    throw new Error(`dates: ${(e as Error).message}${zone ? ` (timezone ${zone})` : ""}`);
  }
}

/** `dates` as a list (each item rendered) or one expression rendering to a JSON list. */
async function renderDates(raw: unknown, render: (t: string) => Promise<string>): Promise<string[]> {
  if (Array.isArray(raw)) return Promise.all(raw.map((d) => render(String(d))));
  const text = (await render(String(raw ?? ""))).trim();
  if (text.startsWith("[")) {
    const list = JSON.parse(text) as unknown;
    if (Array.isArray(list)) return list.map(String);
  }
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}
