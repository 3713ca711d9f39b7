// The scheduler: a tick loop (default every second) plus an early wake-up at the next due
// slot, so a schedule fires within milliseconds of its time. Each tick resyncs trigger rows
// when flows changed, claims due timed triggers (Schedule, ScheduleOnDates, http polling) (store/triggers.ts) and fires them; the
// database decides who fires what, so any number of instances can run this loop at once.
import type { EventEmitter } from "node:events";
import type { Execution, FlowModel } from "../engine/model.ts";
import type { Renderer } from "../executor/render.ts";
import type { Db } from "../store/db.ts";
import { acquireLease } from "../store/leases.ts";
import { claimDueTriggers, dbNow, flowsFingerprint, nextWake, updateTriggerAdmin } from "../store/triggers.ts";
import { pruneDeliveries } from "../store/webhooks.ts";
import { fireClaimed } from "./fire.ts";
import { createFlowTriggers } from "./flow-triggers.ts";
import type { PollResponse } from "../../plugins/http/poll.ts";
import type { Launcher } from "./launch.ts";
import type { RecoverPolicy } from "./slots.ts";
import { syncAllTriggers, syncFlowTriggers, triggersOf } from "./sync.ts";

export interface SchedulerDeps {
  db: Db;
  service: Launcher & { events: EventEmitter };
  flows: { get(namespace: string, id: string, revision?: number): Promise<FlowModel | undefined> };
  renderer: Renderer;
  /** This instance's name in leases. */
  owner: string;
  tickMs?: number;
  leaseMs?: number;
  /** A slot older than this when first seen counts as missed (recoverMissedSchedules). */
  missedAfterMs?: number;
  /** Full trigger resync even when flows look unchanged. */
  resyncMs?: number;
  /** Flow-trigger catch-up sweep period. */
  sweepMs?: number;
  /** Kestra's server default is ALL. */
  defaultRecover?: RecoverPolicy;
  maxSlots?: number;
  /** Local clock, for precondition windows (leases and due times use database time). */
  now?: () => number;
  log?: (message: string) => void;
  /** Called for every slot fired (benchmarks measure lateness with it). */
  onLaunched?(slot: Date, created: boolean): void;
  /** Sends an http.Trigger's request; plugins/http/poll.ts with default settings when absent. */
  httpPoll?(props: Record<string, unknown>): Promise<PollResponse>;
}

export type Scheduler = ReturnType<typeof createScheduler>;

export function createScheduler(deps: SchedulerDeps) {
  const tickMs = deps.tickMs ?? 1000;
  const leaseMs = deps.leaseMs ?? 30_000;
  const resyncMs = deps.resyncMs ?? 60_000;
  const sweepMs = deps.sweepMs ?? 10_000;
  const log = deps.log ?? ((m: string) => console.error(`[tern] scheduler: ${m}`));
  const localNow = deps.now ?? (() => Date.now());
  const syncDeps = { db: deps.db, flows: deps.flows, log, renderer: deps.renderer };
  const flowTriggers = createFlowTriggers({ db: deps.db, flows: deps.flows, service: deps.service, renderer: deps.renderer, now: localNow, log });
  const fireDeps = {
    db: deps.db, owner: deps.owner, service: deps.service, renderer: deps.renderer, flows: deps.flows, log,
    missedAfterMs: deps.missedAfterMs ?? 10_000, defaultRecover: deps.defaultRecover ?? "ALL", maxSlots: deps.maxSlots ?? 200,
    onLaunched: deps.onLaunched, httpPoll: deps.httpPoll,
  };
  let fingerprint = "";
  let lastResync = -Infinity;
  let lastSweep = -Infinity;
  let sweepCursor: number | undefined;
  let lastPrune = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let started = false;
  let stopped = false;

  async function resyncIfChanged(now: number) {
    const fp = await flowsFingerprint(deps.db);
    if (fp === fingerprint && now - lastResync < resyncMs) return;
    await syncAllTriggers(syncDeps, now);
    fingerprint = fp;
    lastResync = now;
    flowTriggers.invalidate();
  }

  /** One pass. `at` fixes the clock (tests); without it, database time. */
  async function tick(at?: Date): Promise<{ fired: number }> {
    const now = at ? at.getTime() : await dbNow(deps.db);
    await resyncIfChanged(now);
    let fired = 0;
    for (;;) {
      const rows = await claimDueTriggers(deps.db, deps.owner, leaseMs, now, 50);
      const counts = await Promise.all(rows.map((r) => fireClaimed(fireDeps, r, now).catch((e: Error) => {
        // The claim stays leased and expires: another pass (here or elsewhere) retries it.
        log(`${r.namespace}.${r.flowId} trigger ${r.triggerId}: ${e.message}`);
        return 0;
      })));
      fired += counts.reduce((a, b) => a + b, 0);
      if (rows.length < 50) break;
    }
    return { fired };
  }

  /** The singleton catch-up sweep for flow triggers, under a named lease. */
  async function sweep(now: number) {
    if (now - lastSweep < sweepMs) return;
    lastSweep = now;
    if ((await acquireLease(deps.db, "tern:flow-trigger-sweep", deps.owner, sweepMs * 3)) === null) {
      sweepCursor = undefined; // someone else sweeps; if we take over later, start from a fresh lookback
      return;
    }
    const until = now - 2_000; // leave the event path time to act first
    const since = (sweepCursor ?? now - 600_000) - 5_000;
    await flowTriggers.sweep(since, until);
    sweepCursor = until;
    if (now - lastPrune > 3_600_000) {
      // Providers stop retrying a delivery within days: a week of de-duplication is plenty.
      lastPrune = now;
      await pruneDeliveries(deps.db, now - 7 * 86_400_000);
    }
  }

  async function loop() {
    if (stopped) return;
    if (running) return;
    let delay = tickMs;
    running = (async () => {
      try {
        await tick();
        await sweep(localNow());
        const w = await nextWake(deps.db);
        // Wake at the next slot in database time (+1 ms so it is due, not just about to be).
        if (w.next !== null) delay = Math.min(delay, Math.max(0, w.next - w.now + 1));
        if (w.backfills > 0) delay = Math.min(delay, 20);
      } catch (e) {
        log(`tick failed: ${(e as Error).message}`);
      }
    })();
    await running;
    running = undefined;
    if (!stopped) timer = setTimeout(loop, delay);
  }

  async function onEnd(ex: Execution) {
    // stopAfter: the trigger disables itself once one of its executions ends in a listed state.
    const t = ex.trigger as { id?: string } | null;
    if (!t?.id) return;
    const flow = await deps.flows.get(ex.namespace, ex.flowId, ex.flowRevision).catch(() => undefined);
    const def = triggersOf(flow).find((d) => d.id === t.id);
    const stopAfter = (def?.stopAfter ?? []) as string[];
    if (stopAfter.includes(ex.state)) {
      await updateTriggerAdmin(deps.db, { namespace: ex.namespace, flowId: ex.flowId, triggerId: t.id }, { disabled: true });
      log(`${ex.namespace}.${ex.flowId} trigger ${t.id} disabled (stopAfter ${ex.state})`);
    }
  }
  const onEndListener = (ex: Execution) => void onEnd(ex).catch((e: Error) => log(`stopAfter: ${e.message}`));

  return {
    tick,
    flowTriggers,
    start() {
      if (started) return;
      started = true;
      deps.service.events.on("end", onEndListener);
      flowTriggers.attach(deps.service.events);
      void loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      deps.service.events.off("end", onEndListener);
      flowTriggers.detach();
      await running;
    },
    /** Re-plan one flow's triggers now (the API calls this after saving or deleting a flow). */
    async syncFlow(namespace: string, flowId: string, at?: Date) {
      await syncFlowTriggers(syncDeps, namespace, flowId, at ? at.getTime() : await dbNow(deps.db));
      flowTriggers.invalidate();
      // The flow may now be due sooner than the loop's current wake-up.
      if (started && !stopped && !running) {
        if (timer) clearTimeout(timer);
        void loop();
      }
    },
    async syncAll(at?: Date) {
      const now = at ? at.getTime() : await dbNow(deps.db);
      await syncAllTriggers(syncDeps, now);
      fingerprint = await flowsFingerprint(deps.db);
      lastResync = now;
      flowTriggers.invalidate();
    },
  };
}
