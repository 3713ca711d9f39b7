// The scheduler's public surface, and how a Tern instance builds one.
import { pollHttp } from "../../plugins/http/poll.ts";
import { createRenderer, type Renderer } from "../executor/render.ts";
import type { Tern } from "../main.ts";
import { createTemplateEngine } from "../template/index.ts";
import { createTriggerAdmin } from "./admin.ts";
import { createScheduler, type SchedulerDeps } from "./scheduler.ts";

export { createScheduler, type Scheduler, type SchedulerDeps } from "./scheduler.ts";
export { createTriggerAdmin, TriggerAdminError, type TriggerAdmin } from "./admin.ts";
export { createFlowTriggers } from "./flow-triggers.ts";
export { compileCron, isoInZone } from "./cron.ts";

/** A renderer for trigger expressions (conditions, inputs, webhook keys) with secret(). */
export function triggerRenderer(tern: Pick<Tern, "secrets">, now: () => Date = () => new Date()): Renderer {
  return createRenderer(createTemplateEngine(), (vars) => {
    // secret() looks in the flow's namespace first, then up to the global one.
    const ns = (vars.flow as { namespace?: string } | undefined)?.namespace ?? "";
    return {
      now,
      secret: async (name) => {
        const v = await tern.secrets.get(name, ns);
        if (v === undefined) throw new Error(`Cannot find secret for key '${name}'`);
        return v;
      },
    };
  });
}

/** The scheduler of one instance: `tern serve` starts it for roles all and scheduler. */
export function createTernScheduler(
  tern: Pick<Tern, "db" | "service" | "flows" | "secrets" | "config"> & Partial<Pick<Tern, "settings">>, opts: Partial<SchedulerDeps> = {},
) {
  return createScheduler({
    db: tern.db, service: tern.service, flows: tern.flows,
    renderer: opts.renderer ?? triggerRenderer(tern),
    // http.Trigger requests go through the HTTP tasks' client and its address guard (TERN_HTTP_ALLOW_*).
    httpPoll: (props) => pollHttp(props, { settings: tern.settings ?? {} }),
    owner: tern.config.instanceId ?? `scheduler-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    tickMs: tern.config.tickMs,
    ...opts,
  });
}

export const createTernTriggerAdmin = (tern: Pick<Tern, "db" | "flows"> & Partial<Pick<Tern, "secrets">>) =>
  createTriggerAdmin({ db: tern.db, flows: tern.flows, renderer: tern.secrets ? triggerRenderer({ secrets: tern.secrets }) : undefined });
