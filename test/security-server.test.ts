// The real server with the first admin from the environment: over HTTP on 127.0.0.1, the API
// needs credentials, Basic and Bearer work, and the health check stays open for probes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type ServerProcess } from "./helpers/server.ts";
import { basic } from "./helpers/secure-app.ts";

let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tern-sec-srv-"));
  server = await startServer({ data: join(dir, "data"), env: { TERN_ADMIN_USER: "root", TERN_ADMIN_PASSWORD: "first admin pass" } });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the first admin comes from the environment; without credentials the API is 401", async () => {
  expect(server.output()).toContain('created the first admin "root"');
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  const anon = await fetch(`${server.url}/api/v1/flows/search`);
  expect(anon.status).toBe(401);
  expect(((await anon.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  expect((await fetch(`${server.url}/api/v1/flows/search`, { headers: basic("root", "first admin pass") })).status).toBe(200);
  expect((await fetch(`${server.url}/api/v1/flows/search`, { headers: basic("root", "wrong") })).status).toBe(401);
  // The dashboard sends the browser to the login page.
  const page = await fetch(`${server.url}/ui/flows`, { redirect: "manual" });
  expect(page.status).toBe(303);
  expect(page.headers.get("location")).toBe("/login?next=%2Fui%2Fflows");
});

test("a token created with the CLI works as a Bearer token on the running server", async () => {
  const p = Bun.spawn([process.execPath, "src/cli.ts", "token", "create", "ci", "--role", "viewer", "--data", join(dir, "data")], {
    cwd: join(import.meta.dir, ".."), stdout: "pipe", stderr: "pipe",
  });
  expect(await p.exited).toBe(0);
  const token = (await new Response(p.stdout).text()).trim();
  expect(token).toStartWith("tern_");
  expect((await fetch(`${server.url}/api/v1/flows/search`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  const write = await fetch(`${server.url}/api/v1/flows`, { method: "POST", body: "id: a\nnamespace: b\ntasks: []\n", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-yaml" } });
  expect(write.status).toBe(403);
});
