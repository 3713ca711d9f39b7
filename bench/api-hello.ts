// The baseline for bench/api-throughput.ts: a bare Hono hello-world on Bun.serve, so the
// figures of Tern's API sit beside what the HTTP stack alone does on the same machine.
// Usage: bun bench/api-hello.ts   (prints "listening on URL")
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.text("hello"));
app.post("/", async (c) => c.json({ ok: true, size: (await c.req.text()).length }));
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
console.log(`listening on ${server.url.href.replace(/\/$/, "")}`);
process.on("SIGTERM", () => process.exit(0));
