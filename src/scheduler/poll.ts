// Firing one claimed http.Trigger (Kestra's polling trigger): send the request, render
// responseCondition with `response`, and when it holds create one execution under the dedup
// key `poll:{ns}:{flow}:{trigger}:{slotISO}`. The slot is the row's next_date, so however many
// instances claim it (a lease that expired mid-request included) it is at most one execution.
// A failed request is logged and the trigger simply polls again after its interval.
import type { FlowModel } from "../engine/model.ts";
import type { TriggerDef } from "../flow/index.ts";
import { pollHttp, type PollResponse } from "../../plugins/http/poll.ts";
import { toLabels } from "../executor/service.ts";
import { completeClaim, type TriggerRow } from "../store/triggers.ts";
import { conditionsPass, type Condition } from "./conditions.ts";
import type { FireDeps } from "./fire.ts";
import { launch } from "./launch.ts";
import { pollIntervalMs } from "./sync.ts";

export const DEFAULT_RESPONSE_CONDITION = "{{ response.statusCode < 400 }}";

/** The Request properties a trigger carries (the rest are trigger properties). */
const REQUEST_KEYS = ["uri", "method", "headers", "body", "formData", "contentType", "options", "auth", "sslOptions"];

/** Kestra's TruthUtils: these renderings are false, anything else is true. */
const FALSY = new Set(["", "false", "0", "-0", "0.0", "null", "undefined"]);
export const isTruthy = (rendered: string) => !FALSY.has(rendered.trim().toLowerCase());

export async function firePoll(deps: FireDeps, flow: FlowModel, def: TriggerDef, row: TriggerRow, now: number): Promise<number> {
  const key = { namespace: row.namespace, flowId: row.flowId, triggerId: row.triggerId };
  const name = `${row.namespace}.${row.flowId} trigger ${row.triggerId}`;
  if (row.nextDate === null || row.nextDate > now) {
    await completeClaim(deps.db, key, deps.owner, row.fence, { nextDate: row.nextDate, lastDate: row.lastDate, backfill: null });
    return 0;
  }
  const slot = new Date(row.nextDate);
  let nextDate: number | null = now + pollIntervalMs(def);
  let lastDate: number | null = now;
  let created = 0;
  const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision } };
  const response = await send(deps, def, vars).catch((e: Error) => {
    deps.log(`${name}: request failed: ${e.message}`);
    return undefined;
  });
  const variables = response && (await matches(deps, def, vars, response, name)) ? { ...response } : undefined;
  if (variables) {
    try {
      const tvars = { ...vars, trigger: variables };
      if (await conditionsPass((def.conditions ?? []) as Condition[], { vars: tvars, render: deps.renderer.render })) {
        const r = await launch(deps.service, deps.renderer, {
          flow, vars: tvars, labels: toLabels(def.labels), inputs: (def.inputs ?? {}) as Record<string, unknown>,
          dedupKey: `poll:${row.namespace}:${row.flowId}:${row.triggerId}:${slot.toISOString()}`,
          trigger: { id: def.id, type: def.type, variables },
        });
        if (r.status === "invalid") deps.log(`${name}: ${r.message}`);
        if (r.status === "created") created++;
        deps.onLaunched?.(slot, r.status === "created");
      }
    } catch (e) {
      // The database refused the execution (or a condition failed to evaluate): poll this slot again.
      deps.log(`${name}: ${(e as Error).message} (will retry)`);
      nextDate = row.nextDate;
      lastDate = row.lastDate;
    }
  }
  await completeClaim(deps.db, key, deps.owner, row.fence, { nextDate, lastDate, backfill: null });
  return created;
}

/** Render the request properties (expressions, secret()) and send them. */
async function send(deps: FireDeps, def: TriggerDef, vars: Record<string, unknown>): Promise<PollResponse> {
  const raw: Record<string, unknown> = {};
  for (const k of REQUEST_KEYS) if (def[k] !== undefined) raw[k] = def[k];
  const props = await deps.renderer.renderDeep(raw, vars);
  if (def.params) {
    const url = new URL(String(props.uri));
    const params = await deps.renderer.renderDeep(def.params as Record<string, unknown>, vars);
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
    props.uri = url.toString();
  }
  return deps.httpPoll ? deps.httpPoll(props) : pollHttp(props, { settings: {} });
}

async function matches(deps: FireDeps, def: TriggerDef, vars: Record<string, unknown>, res: PollResponse, name: string): Promise<boolean> {
  const response = { statusCode: res.code, body: res.body, headers: res.headers };
  try {
    return isTruthy(await deps.renderer.render(String(def.responseCondition ?? DEFAULT_RESPONSE_CONDITION), { ...vars, response }));
  } catch (e) {
    deps.log(`${name}: responseCondition: ${(e as Error).message}`);
    return false;
  }
}
