// The dashboard in a real browser: Debian's chromium driven by playwright-core against a real
// server process on 127.0.0.1. Create a flow in the editor (an error shows at its line), fix
// and save it, execute it from the generated form, watch its logs stream, see SUCCESS in the
// Gantt view, kill a long execution, restart a failed one; screenshots of the main pages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startServer, type Server } from "./e2e-start.ts";

const CHROMIUM = "/usr/bin/chromium";
// Without Debian's chromium these tests are skipped with a message, except where a browser is
// required (.ci/run sets TERN_REQUIRE_BROWSER=1 after installing it, so CI never skips them).
const BROWSER = existsSync(CHROMIUM);
if (!BROWSER && process.env.TERN_REQUIRE_BROWSER !== "1") {
  console.warn(`e2e-dashboard: ${CHROMIUM} not found (apt-get install -y chromium): dashboard browser tests skipped`);
}
const RUN = BROWSER || process.env.TERN_REQUIRE_BROWSER === "1";
const SHOTS = join(import.meta.dir, ".tmp/screenshots");
const WAIT = { timeout: 20_000 };
/** Per test: a browser round trip is seconds, not bun's default 5 s. */
const SLOW = 60_000;

let server: Server;
let context: BrowserContext;
let page: Page;
let dir: string;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** Replace the editor's whole text as a paste would (no auto-indent from typed newlines). */
async function setSource(text: string) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

async function createFlow(source: string, ns: string, id: string) {
  await page.goto(`${server.url}/ui/flows/new`);
  await page.waitForSelector(".cm-editor", WAIT);
  await setSource(source);
  await page.waitForSelector('#validation-result[data-valid="true"]', WAIT);
  await page.click("#save");
  await page.waitForURL(`${server.url}/ui/flows/${ns}/${id}?saved=1`, WAIT);
}

async function executeFromForm(ns: string, id: string): Promise<string> {
  await page.goto(`${server.url}/ui/flows/${ns}/${id}/execute`);
  await page.click("#execute");
  await page.waitForURL(/\/ui\/executions\/[0-9A-Za-z]{22}$/, WAIT);
  return page.url().split("/").pop()!;
}

beforeAll(async () => {
  if (!RUN) return;
  if (!BROWSER) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "tern-e2e-"));
  server = await startServer(join(dir, "data"));
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    viewport: { width: 1360, height: 860 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("dialog", (d) => void d.accept());
  page.on("pageerror", (e) => console.error("[browser]", e.message));
}, SLOW);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, SLOW);

const BAD = `id: greet
namespace: e2e.demo
description: Says hello, waits, says goodbye
inputs:
  - id: name
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Lgo
    message: "hello {{ inputs.name }}"
`;
const GOOD = `${BAD.replace("core.log.Lgo", "core.log.Log")}  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT3S
  - id: bye
    type: io.kestra.plugin.core.log.Log
    message: "bye {{ inputs.name }}"
`;

describe.skipIf(!RUN)("dashboard in chromium", () => {
  test("create a flow: the error shows at its line, fix and save", async () => {
    await page.goto(`${server.url}/ui/flows/new`);
    await page.waitForSelector(".cm-editor", WAIT);
    await setSource(BAD);
    const err = await page.waitForSelector('#validation-result li[data-line="9"]', WAIT);
    expect(await err.textContent()).toContain("unknown task type");
    // The editor marks the line itself (lint gutter and the error-lines hook).
    await page.waitForSelector('.cm-editor[data-error-lines="9"] .cm-lint-marker-error', WAIT);
    await shot("editor-error");
    await setSource(GOOD);
    await page.waitForSelector('#validation-result[data-valid="true"]', WAIT);
    await page.click("#save");
    await page.waitForURL(`${server.url}/ui/flows/e2e.demo/greet?saved=1`, WAIT);
    expect(await page.textContent(".notice")).toContain("Saved revision 1.");
    await shot("flow-editor");
  }, SLOW);

  test("execute from the generated form, watch logs stream, SUCCESS in the Gantt view", async () => {
    await page.click('.tabs a:has-text("Execute")');
    await page.fill("#in-name", "Ada");
    await page.click("#execute");
    await page.waitForURL(/\/ui\/executions\/[0-9A-Za-z]{22}$/, WAIT);
    const id = page.url().split("/").pop()!;
    await page.click('.tabs a:has-text("Logs")');
    await page.waitForSelector("#logs[data-stream]", WAIT);
    // The last line is written after a 3 s sleep: it can only arrive over the stream.
    expect(await page.textContent("#logs")).not.toContain("bye Ada");
    await page.waitForSelector('#logs .line:has-text("bye Ada")', WAIT);
    await page.waitForSelector('#logs[data-ended="SUCCESS"]', WAIT);
    expect(await page.textContent("#logs")).toContain("hello Ada");
    await shot("execution-logs");
    await page.click('.tabs a:has-text("Gantt")');
    await page.waitForSelector('#exec-live[data-state="SUCCESS"]', WAIT);
    await page.waitForSelector('svg.gantt g.row[data-task="bye"][data-state="SUCCESS"]', WAIT);
    await shot("execution-gantt");
    await page.goto(`${server.url}/ui/executions/${id}/topology`);
    await page.waitForSelector('svg.topology g.node[data-task="wait"][data-state="SUCCESS"]', WAIT);
    await shot("execution-topology");
  }, SLOW);

  test("kill a long-running execution", async () => {
    await createFlow("id: long\nnamespace: e2e.demo\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT5M\n", "e2e.demo", "long");
    await executeFromForm("e2e.demo", "long");
    // The live part refreshes itself; the Kill button is there while it runs.
    await page.waitForSelector('#exec-live[data-state="RUNNING"]', WAIT);
    await page.click("#btn-kill");
    await page.waitForSelector('#exec-live[data-state="KILLED"]', WAIT);
    await page.waitForSelector('svg.gantt g.row[data-task="nap"][data-state="KILLED"]', WAIT);
  }, SLOW);

  test("restart a failed execution", async () => {
    const flaky = `id: flaky
namespace: e2e.demo
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount == 0 }}"
    errorMessage: fails on its first attempt
`;
    await createFlow(flaky, "e2e.demo", "flaky");
    await executeFromForm("e2e.demo", "flaky");
    await page.waitForSelector('#exec-live[data-state="FAILED"][data-settled="true"]', WAIT);
    await shot("execution-failed");
    await page.click("#btn-restart");
    await page.waitForSelector('#exec-live[data-state="SUCCESS"]', WAIT);
    expect(await page.textContent('tr[data-task="boom"]')).toContain("2"); // two attempts
  }, SLOW);

  test("screenshots of the main pages", async () => {
    for (const [name, path] of [["overview", "/"], ["flows", "/ui/flows"], ["executions", "/ui/executions"], ["logs", "/ui/logs?q=Ada"],
      ["namespaces", "/ui/namespaces/e2e.demo"], ["triggers", "/ui/triggers"], ["plugins", "/ui/plugins"], ["flow-topology", "/ui/flows/e2e.demo/greet/topology"],
      ["flow-execute", "/ui/flows/e2e.demo/greet/execute"], ["flow-revisions", "/ui/flows/e2e.demo/greet/revisions"]]) {
      const r = await page.goto(`${server.url}${path}`);
      expect(r?.status()).toBe(200);
      await shot(name);
    }
  }, SLOW);
});
