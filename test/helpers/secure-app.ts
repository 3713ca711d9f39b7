// Security test harness: the whole app (API, dashboard, guards) over a real Tern on a temp
// libSQL file, a way to mint users and tokens per role, and a tiny cookie-keeping browser.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addUser, createToken } from "../../src/auth/accounts.ts";
import type { AuthDeps } from "../../src/auth/guard.ts";
import { loadConfig } from "../../src/config.ts";
import { createTern, type Tern } from "../../src/main.ts";
import { createApp } from "../../src/server/app.ts";
import { createUi } from "../../src/server/ui/index.ts";
import { createTernTriggerAdmin } from "../../src/scheduler/index.ts";

export interface SecureApp {
  tern: Tern;
  app: ReturnType<typeof createApp>;
  req(method: string, path: string, init?: { body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
  token(role: string, namespace?: string): Promise<string>;
  user(name: string, password: string, role: string, namespace?: string): Promise<void>;
  browser(): Browser;
  close(): Promise<void>;
}

export interface Browser {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** POST a form from a same-origin page: the CSRF token of the last page is added. */
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  csrf(): string;
  cookies: Map<string, string>;
}

export async function createSecureApp(opts: { env?: Record<string, string>; auth?: Partial<AuthDeps> } = {}): Promise<SecureApp> {
  const dir = mkdtempSync(join(tmpdir(), "tern-sec-"));
  const config = loadConfig({ data: dir, tick: "50" }, { TERN_MAX_BODY_BYTES: String(64 * 1024), TERN_SECRET_KEY: "security-test-key", ...opts.env });
  const tern = await createTern(config, {});
  tern.service.start(config.tickMs);
  const app = createApp({ tern, auth: opts.auth, triggers: { admin: createTernTriggerAdmin(tern) }, mountUi: (a) => a.route("/", createUi({ tern })) });
  const req = (method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) =>
    Promise.resolve(app.request(path, { method, body: init.body, headers: init.headers }));
  let n = 0;
  return {
    tern, app, req,
    async token(role, namespace) {
      return (await createToken(tern.db, { name: `t${n++}-${role}`, role, namespace }, "test")).token;
    },
    async user(name, password, role, namespace) {
      await addUser(tern.db, { username: name, password, role, namespace }, "test");
    },
    browser() {
      const cookies = new Map<string, string>();
      let csrf = "";
      const send = async (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) => {
        const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
        const res = await app.request(path, { method, body, headers: { ...(cookie && { cookie }), ...headers } });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(";");
          const i = pair.indexOf("=");
          const v = pair.slice(i + 1);
          if (v === "" || /Max-Age=0/i.test(c)) cookies.delete(pair.slice(0, i));
          else cookies.set(pair.slice(0, i), v);
        }
        if ((res.headers.get("content-type") ?? "").startsWith("text/html")) {
          const m = /<meta name="csrf-token" content="([^"]*)"/.exec(await res.clone().text());
          if (m?.[1]) csrf = m[1];
        }
        return res;
      };
      return {
        cookies,
        csrf: () => csrf,
        get: (path, headers) => send("GET", path, undefined, headers),
        post: (path, form, headers) => send("POST", path, new URLSearchParams({ _csrf: csrf, ...form }), headers),
      };
    },
    async close() {
      await tern.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });
