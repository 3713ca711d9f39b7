// Which schedule slots to fire now: the pure part of the scheduler. Given where a trigger
// stands (its next slot) and the time, returns the slots to fire, the slots to skip, and
// where the trigger stands afterwards. Slots older than `missedAfterMs` count as missed
// (the scheduler was down, or the trigger was held by a dead instance) and follow
// recoverMissedSchedules; younger ones are simply due and always fire.
import type { Schedule } from "./cron.ts";

export type RecoverPolicy = "ALL" | "LAST" | "NONE";

export interface SlotPlanInput {
  schedule: Schedule;
  /** The trigger's next slot (ms). */
  from: number;
  now: number;
  policy: RecoverPolicy;
  missedAfterMs: number;
  /** Skip a slot fired later than this after its time (Kestra's lateMaximumDelay). */
  lateMaximumDelayMs?: number;
  /** At most this many slots per call; the rest are left for the next claim. */
  max: number;
}

export interface SlotPlan {
  fire: Date[];
  /** Slots passed over one by one (later than lateMaximumDelay). */
  skipped: number;
  /** Whether a missed stretch was jumped over (LAST/NONE). */
  jumped: boolean;
  /** The trigger's new next slot, or null when the cron never matches again. */
  next: Date | null;
  /** The instant the trigger has now evaluated up to (next = schedule.next(last)). */
  last: Date;
}

export function planSlots(p: SlotPlanInput): SlotPlan {
  const candidates: Date[] = [];
  let cursor: Date | null = new Date(p.from);
  let last = new Date(p.from - 1);
  let jumped = false;
  const threshold = p.now - p.missedAfterMs;

  if (cursor.getTime() < threshold && p.policy !== "ALL") {
    // Jump over the missed stretch without walking it (a per-second cron down for a week
    // would be 600k steps). LAST keeps the latest missed slot; NONE keeps none.
    if (p.policy === "LAST") {
      const lastMissed = p.schedule.prev(new Date(threshold + 1));
      if (lastMissed && lastMissed.getTime() >= p.from) candidates.push(lastMissed);
    }
    jumped = true;
    last = new Date(threshold);
    cursor = p.schedule.next(last);
  }
  while (cursor && cursor.getTime() <= p.now && candidates.length < p.max) {
    candidates.push(cursor);
    last = cursor;
    cursor = p.schedule.next(cursor);
  }
  const onTime = (d: Date) => p.lateMaximumDelayMs === undefined || p.now - d.getTime() <= p.lateMaximumDelayMs;
  const fire = candidates.filter(onTime);
  return { fire, skipped: candidates.length - fire.length, jumped, next: cursor, last };
}
