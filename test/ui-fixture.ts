// Shared by the dashboard tests: a real Tern on a temp libSQL data dir (real migrations, real
// executions through service.create), the dashboard sub-app, and small request helpers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.ts";
import type { Execution, Label } from "../src/engine/model.ts";
import { createTern, type Tern } from "../src/main.ts";
import { createUi } from "../src/server/ui/index.ts";

export interface UiFixture {
  tern: Tern;
  ui: ReturnType<typeof createUi>;
  dir: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  html(path: string, headers?: Record<string, string>): Promise<string>;
  post(path: string, form: Record<string, string | string[]> | FormData, headers?: Record<string, string>): Promise<Response>;
  save(source: string): Promise<void>;
  run(ns: string, id: string, inputs?: Record<string, unknown>, labels?: Label[]): Promise<Execution>;
  close(): Promise<void>;
}

export async function uiFixture(): Promise<UiFixture> {
  const dir = mkdtempSync(join(tmpdir(), "tern-ui-"));
  // A fixed secret key so the encrypted secret store works (the namespaces page lists names).
  const tern = await createTern(loadConfig({ data: dir, tick: "50" }, { TERN_SECRET_KEY: "ui-test-key" }), {});
  tern.service.start(50);
  const ui = createUi({ tern });
  const get = (path: string, headers: Record<string, string> = {}) => Promise.resolve(ui.request(path, { headers }));
  return {
    tern, ui, dir, get,
    async html(path, headers) {
      const r = await get(path, headers);
      const body = await r.text();
      if (r.status !== 200) throw new Error(`GET ${path} -> ${r.status}: ${body.slice(0, 500)}`);
      return body;
    },
    post(path, form, headers = {}) {
      let body: FormData | URLSearchParams;
      if (form instanceof FormData) body = form;
      else {
        body = new URLSearchParams();
        for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      }
      return Promise.resolve(ui.request(path, { method: "POST", body, headers }));
    },
    async save(source) {
      await tern.flows.save(source);
    },
    async run(ns, id, inputs = {}, labels = []) {
      const flow = await tern.flows.get(ns, id);
      if (!flow) throw new Error(`no flow ${ns}.${id}`);
      const ex = await tern.service.create({ flow, inputs, labels });
      return tern.service.waitFor(ex.id);
    },
    async close() {
      await tern.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait for a condition by polling the database-backed state (no fixed sleeps). */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
