// Server side of bench/webhook-throughput.ts: a Tern (role from TERN_ROLE) serving only the
// webhook endpoint on Bun.serve, or (argv "hello") a bare Hono hello-world. Prints its URL.
import { Hono } from "hono";
import { loadConfig } from "../src/config.ts";
import { createTern } from "../src/main.ts";
import { triggerRenderer } from "../src/scheduler/index.ts";
import { createWebhooks } from "../src/webhooks/app.ts";

if (process.argv[2] === "hello") {
  const app = new Hono();
  app.post("/hello", (c) => c.json({ hello: "world" }));
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  console.log(`listening on ${server.url.href}`);
} else {
  const config = loadConfig({}, process.env);
  const tern = await createTern(config);
  await tern.flows.save(`id: hook
namespace: bench.webhook
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
triggers:
  - id: in
    type: io.kestra.plugin.core.trigger.Webhook
    key: bench-key
`);
  tern.service.start(config.tickMs);
  const hooks = createWebhooks({
    db: tern.db, service: tern.service, flows: tern.flows, renderer: triggerRenderer(tern), maxBodyBytes: config.maxBodyBytes,
    rateLimit: { ratePerSec: 1e9, burst: 1e9, maxInFlight: 1e6 },
  });
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: hooks.app.fetch });
  console.log(`listening on ${server.url.href}`);
}
