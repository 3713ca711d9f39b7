// `tern backfill <namespace> <flowId> <triggerId> --start ISO [--end ISO]`: ask for one
// execution per slot of a Schedule trigger over a time range. A running scheduler (any
// instance on the same database) fires them; with --run this process fires them itself.
import { parseArgs } from "node:util";
import { configFrom } from "../cli.ts";
import { createTern } from "../main.ts";
import { createTernScheduler, createTernTriggerAdmin, TriggerAdminError } from "../scheduler/index.ts";

const USAGE = "usage: tern backfill <namespace> <flowId> <triggerId> --start ISO [--end ISO] [--input k=v]... [--label k=v]... [--run]";

export async function backfillCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      start: { type: "string" }, end: { type: "string" }, data: { type: "string" }, "database-url": { type: "string" },
      input: { type: "string", multiple: true }, label: { type: "string", multiple: true }, run: { type: "boolean" },
    },
  });
  const [namespace, flowId, triggerId] = positionals;
  if (!namespace || !flowId || !triggerId || !values.start) {
    console.error(USAGE);
    return 2;
  }
  const pairs = (list: string[] | undefined) => (list ?? []).map((kv) => {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new TriggerAdminError(422, `expected key=value, got "${kv}"`);
    return { key: kv.slice(0, eq), value: kv.slice(eq + 1) };
  });
  const tern = await createTern(configFrom(values));
  const scheduler = createTernScheduler(tern);
  try {
    // The trigger row may not exist yet if no scheduler has seen this flow.
    await scheduler.syncFlow(namespace, flowId);
    const key = { namespace, flowId, triggerId };
    const inputs = Object.fromEntries(pairs(values.input).map((p) => [p.key, p.value]));
    const state = await createTernTriggerAdmin(tern).backfill(key, { start: values.start, end: values.end, inputs, labels: pairs(values.label) });
    const bf = state.backfill!;
    console.log(`backfill of ${namespace}.${flowId}.${triggerId}: ${bf.start} → ${bf.end}, first slot ${bf.currentDate}`);
    if (!values.run) {
      console.log("a running `tern serve` (role all or scheduler) on this database fires it");
      return 0;
    }
    tern.service.start();
    let created = 0;
    for (;;) {
      created += (await scheduler.tick()).fired;
      const row = await createTernTriggerAdmin(tern).get(key);
      if (!row?.backfill) break;
      if (Date.parse(row.backfill.currentDate!) > Date.now()) {
        console.log(`the rest of the range is in the future (next slot ${row.backfill.currentDate}): the scheduler fires it when due`);
        break;
      }
    }
    console.log(`${created} execution(s) created`);
    return 0;
  } catch (e) {
    if (e instanceof TriggerAdminError) {
      console.error(`tern backfill: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await scheduler.stop();
    await tern.close();
  }
}
