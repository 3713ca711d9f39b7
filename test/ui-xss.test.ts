// Everything a user or a task writes is shown as text: flow descriptions, labels, inputs,
// outputs, KV values and log lines holding HTML or htmx attributes never become markup.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createKvStore } from "../src/store/kv.ts";
import { uiFixture, type UiFixture } from "./ui-fixture.ts";

const SCRIPT = "<script>alert('x')</script>";
const IMG = "<img src=x onerror=alert(1)>";
const HTMX = '<div hx-get="/evil" hx-trigger="load">boo</div>';
const PAYLOAD = `${SCRIPT}${IMG}${HTMX}`;

let f: UiFixture;
let id: string;

/** Raw forms of the payload must never appear; the escaped script tag must. */
function assertInert(html: string, where: string) {
  for (const raw of ["<script>alert", "<img src=x", "<div hx-get=\"/evil\"", "hx-get=\"/evil\""]) {
    if (html.includes(raw)) throw new Error(`${where}: found raw ${raw}`);
  }
  expect(html).toContain("&lt;script&gt;alert(");
}

beforeAll(async () => {
  f = await uiFixture();
  await f.save(`id: xss
namespace: sec.test
description: ${JSON.stringify(PAYLOAD)}
labels:
  owner: ${JSON.stringify(IMG)}
inputs:
  - id: payload
    type: STRING
    defaults: ${JSON.stringify(HTMX)}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.payload }}"
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.payload }}"
`);
  const ex = await f.run("sec.test", "xss", { payload: PAYLOAD }, [{ key: "note", value: PAYLOAD }]);
  id = ex.id;
  await createKvStore(f.tern.db).set("sec.test", "k", PAYLOAD);
});
afterAll(() => f.close());

test("flow pages show the description and source as text", async () => {
  for (const path of ["/ui/flows/sec.test/xss", "/ui/flows/sec.test/xss/execute", "/ui/flows/sec.test/xss/topology", "/ui/flows/sec.test/xss/revisions"]) {
    assertInert(await f.html(path), path);
  }
});

test("execution pages show labels, inputs, outputs and log lines as text", async () => {
  for (const path of [`/ui/executions/${id}`, `/ui/executions/${id}/outputs`, `/ui/executions/${id}/logs`, "/ui/executions", "/ui/logs?q=alert"]) {
    assertInert(await f.html(path), path);
  }
  // The labels are there, escaped (and the list row too).
  expect(await f.html("/ui/executions")).toContain("note:&lt;script&gt;");
});

test("the live log stream sends escaped lines", async () => {
  const text = await (await f.get(`/ui/executions/${id}/logs/follow`)).text();
  expect(text).toContain("event: log");
  assertInert(text, "SSE");
});

test("KV values and the validate fragment are text", async () => {
  assertInert(await f.html("/ui/namespaces/sec.test"), "namespace");
  const r = await f.post("/ui/flows/validate", { source: `id: x\nnamespace: a\ntasks:\n  - id: t\n    type: ${SCRIPT}\n` }, { "HX-Request": "true" });
  assertInert(await r.text(), "validate");
});
