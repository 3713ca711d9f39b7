// One Tern instance for the cluster tests, as `tern serve --role all` runs it minus HTTP:
// the execution service (executor + workers) and the scheduler, on the database given by
// TERN_DATA / TERN_DATABASE_URL. Prints "ready <instance>" once started; SIGTERM stops it
// cleanly (leases handed back), SIGKILL is the crash the tests want.
// Extra knobs (tests only): TERN_MISSED_AFTER_MS, TERN_FLOWS_FILE (a YAML file to save first).
import { readFileSync } from "node:fs";
import { loadConfig } from "../../src/config.ts";
import { createTern } from "../../src/main.ts";
import { createTernScheduler } from "../../src/scheduler/index.ts";

const config = loadConfig({}, process.env);
const tern = await createTern(config);
if (process.env.TERN_FLOWS_FILE) {
  for (const doc of readFileSync(process.env.TERN_FLOWS_FILE, "utf8").split(/^---$/m)) if (doc.trim()) await tern.flows.save(doc);
}
tern.service.start(config.tickMs);
const scheduler = createTernScheduler(tern, {
  owner: config.instanceId,
  missedAfterMs: process.env.TERN_MISSED_AFTER_MS ? Number(process.env.TERN_MISSED_AFTER_MS) : undefined,
  log: (m) => console.error(`[${config.instanceId}] ${m}`),
});
scheduler.start();
console.log(`ready ${config.instanceId}`);

process.on("SIGTERM", async () => {
  await scheduler.stop();
  await tern.service.stop(2000);
  await tern.close();
  process.exit(0);
});
