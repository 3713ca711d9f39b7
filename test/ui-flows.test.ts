// Dashboard flow pages in-process: list, editor (validate fragment, save -> revisions),
// revisions diff, topology, triggers toggle, the generated Execute form and its POST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadExecution } from "../src/store/executions.ts";
import { listTriggerRows } from "../src/store/trigger-rows.ts";
import { uiFixture, type UiFixture } from "./ui-fixture.ts";

let f: UiFixture;
const HX = { "HX-Request": "true", "HX-Request-Type": "partial" };

const FLOW = `id: orders
namespace: shop.sales
description: Order import
inputs:
  - id: customer
    type: STRING
  - id: count
    type: INT
    defaults: 3
  - id: mode
    type: SELECT
    values: [fast, slow]
    defaults: fast
  - id: dry
    type: BOOLEAN
    required: false
  - id: report
    type: FILE
    required: false
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.customer }} x{{ inputs.count }}"
  - id: fan
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: left
        type: io.kestra.plugin.core.debug.Return
        format: L
      - id: right
        type: io.kestra.plugin.core.debug.Return
        format: R
`;

beforeAll(async () => {
  f = await uiFixture();
  await f.save(FLOW);
  await f.save("id: other\nnamespace: misc\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n");
});
afterAll(() => f.close());

describe("flows list", () => {
  test("lists flows with a namespace filter and a search, full page or fragment", async () => {
    const all = await f.html("/ui/flows");
    expect(all).toStartWith("<!DOCTYPE html>");
    expect(all).toContain(">orders<");
    expect(all).toContain(">other<");
    const ns = await f.html("/ui/flows?namespace=shop");
    expect(ns).toContain(">orders<");
    expect(ns).not.toContain(">other<");
    const frag = await f.html("/ui/flows?q=oth", HX);
    expect(frag).not.toContain("<html");
    expect(frag).toStartWith('<div id="flow-results">');
    expect(frag).toContain(">other<");
    expect(frag).not.toContain(">orders<");
  });
});

describe("editor", () => {
  test("the editor validates as you type through the validate fragment", async () => {
    const page = await f.html("/ui/flows/new");
    expect(page).toContain('hx-post="/ui/flows/validate"');
    expect(page).toContain('hx-trigger="input changed delay:400ms"');
    expect(page).toContain('action="/ui/flows"');
    expect(page).toContain('name="_csrf"');
  });

  test("validate returns errors at their line and column", async () => {
    const bad = "id: x\nnamespace: a.b\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Lgo\n    message: hi\n";
    const r = await f.post("/ui/flows/validate", { source: bad }, HX);
    const html = await r.text();
    expect(r.status).toBe(200);
    expect(html).toContain('data-line="5"');
    expect(html).toContain("line 5:11");
    expect(html).toContain("unknown task type");
    expect(html).toContain('data-valid="false"');
    const ok = await (await f.post("/ui/flows/validate", { source: FLOW }, HX)).text();
    expect(ok).toContain("Valid flow shop.sales.orders");
    expect(ok).toContain('data-errors="[]"');
  });

  test("save creates a flow, then a revision per change; invalid sources are not saved", async () => {
    const src = "id: made\nnamespace: e.x\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: one\n";
    const r1 = await f.post("/ui/flows", { source: src });
    expect(r1.status).toBe(303);
    expect(r1.headers.get("Location")).toBe("/ui/flows/e.x/made?saved=1");
    expect(await f.html("/ui/flows/e.x/made?saved=1")).toContain("Saved revision 1.");
    const r2 = await f.post("/ui/flows/e.x/made", { source: src.replace("one", "two") });
    expect(r2.headers.get("Location")).toBe("/ui/flows/e.x/made?saved=2");
    const same = await f.post("/ui/flows/e.x/made", { source: src.replace("one", "two") });
    expect(same.headers.get("Location")).toBe("/ui/flows/e.x/made?saved=0");
    const bad = await f.post("/ui/flows/e.x/made", { source: src.replace("Log", "Nope") });
    expect(bad.status).toBe(422);
    const body = await bad.text();
    expect(body).toContain("Not saved: the flow has errors");
    expect(body).toContain('data-line="5"');
    const renamed = await f.post("/ui/flows/e.x/made", { source: src.replace("id: made", "id: other_name") });
    expect(renamed.status).toBe(409);
    const dup = await f.post("/ui/flows", { source: src });
    expect(dup.status).toBe(409);
    // htmx form posts are redirected with HX-Redirect instead of a 303.
    const hx = await f.post("/ui/flows/e.x/made", { source: src.replace("one", "three") }, HX);
    expect(hx.status).toBe(204);
    expect(hx.headers.get("HX-Redirect")).toBe("/ui/flows/e.x/made?saved=3");
  });

  test("revisions show a diff between two revisions", async () => {
    const html = await f.html("/ui/flows/e.x/made/revisions?a=1&b=2");
    expect(html).toContain('<div class="del">-     message: one</div>');
    expect(html).toContain('<div class="add">+     message: two</div>');
    expect(html).toContain("Revision 1 → 2");
  });
});

describe("flow tabs", () => {
  test("topology draws flowables as groups holding their children", async () => {
    const html = await f.html("/ui/flows/shop.sales/orders/topology");
    expect(html).toContain('<svg class="topology"');
    expect(html).toMatch(/<g class="group" data-task="fan">/);
    expect(html).toMatch(/data-task="left"/);
    expect(html).toMatch(/data-task="hello"/);
    expect(html).toContain("Order import");
  });

  test("triggers list with enable/disable stored on the trigger row", async () => {
    const html = await f.html("/ui/flows/shop.sales/orders/triggers");
    expect(html).toContain(">hourly<");
    expect(html).toContain("0 * * * *");
    const r = await f.post("/ui/flows/shop.sales/orders/triggers/hourly/toggle", { disabled: "true" });
    expect(r.status).toBe(303);
    const rows = await listTriggerRows(f.tern.db, { namespace: "shop.sales" });
    expect(rows).toMatchObject([{ triggerId: "hourly", disabled: true }]);
    expect(await f.html("/ui/flows/shop.sales/orders/triggers")).toContain(">Enable<");
  });

  test("the Execute form is generated from the inputs", async () => {
    const html = await f.html("/ui/flows/shop.sales/orders/execute");
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('<input type="text" value="" id="in-customer" name="customer" required=""/>');
    // A default makes the field optional in the form and prefills it.
    expect(html).toContain('<input type="number" step="1" value="3" id="in-count" name="count"/>');
    expect(html).toContain('<option value="fast" selected="">fast</option>');
    expect(html).toContain('<option value="">(unset)</option>');
    expect(html).toContain('type="file"');
    expect(html).toContain('<span class="req" title="required"> *</span>');
  });

  test("executing with a missing required input shows the error; valid inputs create a typed execution", async () => {
    const bad = await f.post("/ui/flows/shop.sales/orders/execute", { customer: "", count: "2" });
    expect(bad.status).toBe(422);
    const body = await bad.text();
    expect(body).toContain("The execution was not created");
    expect(body).toContain("Invalid input for `customer`, missing required input");
    const form = new FormData();
    form.set("customer", "ACME");
    form.set("count", "7");
    form.set("mode", "slow");
    form.set("dry", "true");
    form.set("report", new File(["a,b\n1,2\n"], "report.csv"));
    form.set("labels", "team:data\nenv:test");
    const ok = await f.post("/ui/flows/shop.sales/orders/execute", form);
    expect(ok.status).toBe(303);
    const id = ok.headers.get("Location")!.split("/").pop()!;
    const done = await f.tern.service.waitFor(id);
    expect(done.state).toBe("SUCCESS");
    const ex = (await loadExecution(f.tern.db, id))!;
    expect(ex.inputs).toMatchObject({ customer: "ACME", count: 7, mode: "slow", dry: true });
    expect(String(ex.inputs.report)).toStartWith(`kestra:///shop/sales/orders/executions/${id}/inputs/report/report.csv`);
    expect(ex.labels).toEqual(expect.arrayContaining([{ key: "team", value: "data" }, { key: "env", value: "test" }]));
    // The uploaded file is previewed and downloadable from the execution page.
    const io = await f.html(`/ui/executions/${id}/outputs`);
    expect(io).toContain("report.csv");
    const uri = encodeURIComponent(String(ex.inputs.report));
    const dl = await f.get(`/ui/executions/${id}/file/download?uri=${uri}`);
    expect(dl.headers.get("Content-Disposition")).toBe("attachment; filename*=UTF-8''report.csv");
    expect(await dl.text()).toBe("a,b\n1,2\n");
    expect(await f.html(`/ui/executions/${id}/file/preview?uri=${uri}`, HX)).toContain("a,b\n1,2\n");
  });

  test("Kestra's /ui/flows/edit paths redirect to the flow pages", async () => {
    const r = await f.get("/ui/flows/edit/shop.sales/orders/topology");
    expect(r.status).toBe(301);
    expect(r.headers.get("Location")).toBe("/ui/flows/shop.sales/orders/topology");
  });

  test("an unknown flow is a readable 404 page", async () => {
    const r = await f.get("/ui/flows/nope/nothing");
    expect(r.status).toBe(404);
    const body = await r.text();
    expect(body).toContain("Flow nope.nothing not found");
    expect(r.headers.get("Content-Type")).toContain("text/html");
  });
});
