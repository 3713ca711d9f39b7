// The dashboard's end-to-end server when `tern serve` does not mount the UI yet: the same
// pieces (createTern, the API app, the dashboard sub-app through its mountUi hook, Bun.serve)
// on 127.0.0.1. Prints "listening on URL" like `tern serve`.
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";
import { createApp } from "../src/server/app.ts";
import { createUi } from "../src/server/ui/index.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { data: { type: "string" }, port: { type: "string", default: "0" } } });
const tern = await createTern(loadConfig({ data: values.data, port: values.port, tick: "100" }, {}));
tern.service.start(100);
const app = createApp({ tern, mountUi: (a) => a.route("/", createUi({ tern })) });
const server = Bun.serve({ hostname: "127.0.0.1", port: Number(values.port), idleTimeout: 255, fetch: app.fetch });
console.log(`tern: listening on ${server.url.href.replace(/\/$/, "")}`);
const stop = async () => {
  server.stop(true);
  await tern.service.stop(0);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
