// One Tern engine process for the restart test: createTern + the execution service on the
// data dir of TERN_DATA (no HTTP, no scheduler). TERN_FLOW_FILE: a flow YAML to save first;
// TERN_RUN: "<namespace>/<flowId>" to start one execution, printed as "execution <id>".
// Prints "ready" once running. SIGKILL is the crash the test wants; SIGTERM stops cleanly.
import { readFileSync } from "node:fs";
import { loadConfig } from "../../src/config.ts";
import { createTern } from "../../src/main.ts";

const config = loadConfig({}, process.env);
const tern = await createTern(config);
if (process.env.TERN_FLOW_FILE) await tern.flows.save(readFileSync(process.env.TERN_FLOW_FILE, "utf8"));
tern.service.start(config.tickMs);
if (process.env.TERN_RUN) {
  const [namespace, flowId] = process.env.TERN_RUN.split("/");
  const flow = await tern.flows.get(namespace!, flowId!);
  if (!flow) throw new Error(`no flow ${process.env.TERN_RUN}`);
  const ex = await tern.service.create({ flow });
  console.log(`execution ${ex.id}`);
}
console.log("ready");

process.on("SIGTERM", async () => {
  await tern.service.stop(2000);
  await tern.close();
  process.exit(0);
});
