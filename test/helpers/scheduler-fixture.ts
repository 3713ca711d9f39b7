// Scheduler test harness: a real Tern on a libSQL file in a temp dir, its execution service
// running, and a scheduler whose ticks the test drives with a fixed clock.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import type { Execution } from "../../src/engine/model.ts";
import { createTern, type Tern } from "../../src/main.ts";
import { createTernScheduler, createTernTriggerAdmin, type Scheduler, type SchedulerDeps } from "../../src/scheduler/index.ts";
import { rowToExecution } from "../../src/store/executions.ts";

export interface Fixture {
  tern: Tern;
  scheduler: Scheduler;
  admin: ReturnType<typeof createTernTriggerAdmin>;
  logs: string[];
  dir: string;
  save(yaml: string): Promise<void>;
  /** Executions of a flow, oldest first. */
  executions(flowId: string): Promise<(Execution & { dedupKey: string | null })[]>;
  /** Another scheduler (another "instance") on the same database. */
  another(owner: string, opts?: Partial<SchedulerDeps>): Scheduler;
  close(): Promise<void>;
}

export async function createFixture(opts: Partial<SchedulerDeps> = {}, env: Record<string, string> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "tern-sched-"));
  const config = loadConfig({ data: dir, tick: "50" }, env);
  const tern = await createTern(config, env);
  tern.service.start(50);
  const logs: string[] = [];
  const make = (owner: string, o: Partial<SchedulerDeps>) => createTernScheduler(tern, { owner, log: (m) => logs.push(m), ...o });
  const scheduler = make("instance-a", opts);
  const others: Scheduler[] = [];
  return {
    tern, scheduler, logs, dir,
    admin: createTernTriggerAdmin(tern),
    async save(yaml) {
      await tern.flows.save(yaml);
    },
    async executions(flowId) {
      const rs = await tern.db.$client.execute({ sql: "SELECT * FROM executions WHERE flow_id = ? ORDER BY created_at, id", args: [flowId] });
      return rs.rows.map((r) => ({ ...rowToExecution(r), dedupKey: (r.dedup_key as string) ?? null }));
    },
    another(owner, o = {}) {
      const s = make(owner, { ...opts, ...o });
      others.push(s);
      return s;
    },
    async close() {
      for (const s of [scheduler, ...others]) await s.stop();
      await tern.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A date in UTC from a compact ISO string. */
export const at = (iso: string) => new Date(iso);

