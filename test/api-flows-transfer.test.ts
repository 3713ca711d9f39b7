// Flows as files and in bulk: ZIP export by query and by ids (checked with the system unzip),
// import of YAML and ZIP uploads, a round trip into a fresh instance, bulk delete / disable /
// enable, validate/task, and the namespace checks of a scoped token on all of them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readZip, writeZip } from "../src/files/zip.ts";
import { injectDisabled } from "../src/executor/flow-source.ts";
import { createTestApp, type TestApp } from "./helpers/server.ts";
import { bearer, createSecureApp, type SecureApp } from "./helpers/secure-app.ts";

const flow = (id: string, ns: string, message = "hello") =>
  `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;
const BAD = "id: broken\nnamespace: io.team\ntasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Lgo\n";
const dec = new TextDecoder(), enc = new TextEncoder();
const upload = (name: string, data: string | Uint8Array<ArrayBuffer>) => {
  const fd = new FormData();
  fd.append("fileUpload", new File([typeof data === "string" ? enc.encode(data) : data], name));
  return fd;
};
const zipNames = async (res: Response) => readZip(new Uint8Array(await res.arrayBuffer())).map((e) => e.name).sort();

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const [id, ns] of [["a", "io.team"], ["b", "io.team.sub"], ["c", "other"]]) expect((await t.flow(flow(id, ns))).status).toBe(200);
});
afterAll(() => t.close());

describe("ZIP", () => {
  test("writeZip output is read back by the system unzip and by readZip, CRCs checked", async () => {
    const entries = [{ name: "x.yml", data: enc.encode("id: x\n".repeat(50)) }, { name: "dir/ü.yaml", data: enc.encode("é") }];
    const path = join(t.dir, "t.zip");
    writeFileSync(path, writeZip(entries));
    const test = Bun.spawnSync(["unzip", "-t", path]);
    expect(dec.decode(test.stdout)).toContain("No errors detected");
    const piped = Bun.spawnSync(["unzip", "-p", path, "x.yml"]);
    expect(dec.decode(piped.stdout)).toBe("id: x\n".repeat(50));
    expect(readZip(writeZip(entries)).map((e) => [e.name, dec.decode(e.data)])).toEqual([["x.yml", "id: x\n".repeat(50)], ["dir/ü.yaml", "é"]]);
  });

  test("readZip reads an archive made by python's zipfile (stored and deflated) and refuses a corrupted one", () => {
    const path = join(t.dir, "py.zip");
    const py = Bun.spawnSync(["python3", "-c", `import zipfile
z = zipfile.ZipFile(${JSON.stringify(path)}, "w")
z.writestr("s.yaml", "stored: 1\\n", compress_type=zipfile.ZIP_STORED)
z.writestr("d.yml", "deflated: 2\\n" * 20, compress_type=zipfile.ZIP_DEFLATED)
z.writestr("folder/", "")
z.close()`]);
    expect(py.exitCode).toBe(0);
    const bytes = new Uint8Array(require("node:fs").readFileSync(path));
    expect(readZip(bytes).map((e) => [e.name, dec.decode(e.data).length])).toEqual([["s.yaml", 10], ["d.yml", 240]]);
    const bad = bytes.slice();
    bad[40] ^= 0xff; // inside the first entry's data
    expect(() => readZip(bad)).toThrow(/CRC mismatch/);
    expect(() => readZip(enc.encode("not a zip"))).toThrow(/not a ZIP archive/);
  });
});

describe("export", () => {
  test("by-query: a namespace prefix and q, Kestra's {namespace}-{id}.yml names, the sources as stored", async () => {
    const res = await t.call("GET", "/api/v1/flows/export/by-query?namespace=io.team");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="flows.zip"');
    const entries = readZip(new Uint8Array(await res.arrayBuffer()));
    expect(entries.map((e) => e.name)).toEqual(["io.team-a.yml", "io.team.sub-b.yml"]);
    expect(dec.decode(entries[0].data)).toBe(flow("a", "io.team"));
    expect(await zipNames(await t.call("GET", "/api/v1/flows/export/by-query?q=c"))).toEqual(["other-c.yml"]);
  });

  test("by-ids: {namespace}.{id}.yaml names; an unknown flow is 404", async () => {
    const res = await t.call("POST", "/api/v1/flows/export/by-ids", [{ namespace: "other", id: "c" }, { namespace: "io.team", id: "a" }]);
    expect(res.status).toBe(200);
    expect(await zipNames(res)).toEqual(["io.team.a.yaml", "other.c.yaml"]);
    expect((await t.call("POST", "/api/v1/flows/export/by-ids", [{ namespace: "other", id: "nope" }])).status).toBe(404);
    expect((await t.call("POST", "/api/v1/flows/export/by-ids", { namespace: "other" })).status).toBe(400);
  });
});

describe("import", () => {
  test("a round trip: export everything, import into a fresh instance, the same flows and sources", async () => {
    const zip = new Uint8Array(await (await t.call("GET", "/api/v1/flows/export/by-query")).arrayBuffer());
    const fresh = await createTestApp();
    try {
      const res = await fresh.call("POST", "/api/v1/flows/import", upload("flows.zip", zip));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([]);
      const list = async (app: TestApp) => {
        const { results } = await (await app.call("GET", "/api/v1/flows/search?size=100")).json();
        return Promise.all(results.map(async (f: { namespace: string; id: string }) =>
          (await (await app.call("GET", `/api/v1/flows/${f.namespace}/${f.id}?source=true`)).json()).source));
      };
      expect(await list(fresh)).toEqual(await list(t));
      // Importing the same archive again changes nothing: no new revision.
      await fresh.call("POST", "/api/v1/flows/import", upload("flows.zip", zip));
      expect((await (await fresh.call("GET", "/api/v1/flows/io.team/a")).json()).revision).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  test("a multi-document YAML: valid flows stored (a change is a new revision), invalid ones named by index", async () => {
    const yaml = `${flow("a", "io.team", "changed")}---\n${BAD}---\n${flow("new1", "io.team")}`;
    const res = await t.call("POST", "/api/v1/flows/import", upload("flows.yaml", yaml));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(["1"]);
    const a = await (await t.call("GET", "/api/v1/flows/io.team/a?source=true")).json();
    expect(a.revision).toBe(2);
    expect(a.source).toContain("message: changed");
    expect((await t.call("GET", "/api/v1/flows/io.team/new1")).status).toBe(200);
  });

  test("failOnError: 422 naming file:line:col, and nothing stored", async () => {
    const zip = writeZip([{ name: "ok.yml", data: enc.encode(flow("never", "io.team")) }, { name: "bad.yml", data: enc.encode(BAD) }, { name: "README.md", data: enc.encode("# skipped") }]);
    const res = await t.call("POST", "/api/v1/flows/import?failOnError=true", upload("set.zip", zip));
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.message).toContain("bad.yml");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].message).toStartWith("bad.yml:5:11 tasks[0].type: unknown task type");
    expect((await t.call("GET", "/api/v1/flows/io.team/never")).status).toBe(404);
  });

  test("another file type, a broken ZIP and a missing part are refused", async () => {
    expect((await t.call("POST", "/api/v1/flows/import", upload("flows.json", "{}"))).status).toBe(422);
    expect((await t.call("POST", "/api/v1/flows/import", upload("flows.zip", "garbage"))).status).toBe(422);
    expect((await t.call("POST", "/api/v1/flows/import", new FormData())).status).toBe(400);
  });
});

describe("bulk", () => {
  test("disable by ids sets disabled: true in the source (a new revision); a second call counts 0; enable by query", async () => {
    const res = await t.call("POST", "/api/v1/flows/disable/by-ids", [{ namespace: "other", id: "c" }]);
    expect(await res.json()).toEqual({ count: 1 });
    const c = await (await t.call("GET", "/api/v1/flows/other/c?source=true")).json();
    expect(c).toMatchObject({ disabled: true, revision: 2 });
    expect(c.source).toEndWith("disabled: true\n");
    expect(await (await t.call("POST", "/api/v1/flows/disable/by-ids", [{ namespace: "other", id: "c" }])).json()).toEqual({ count: 0 });
    expect(await (await t.call("POST", "/api/v1/flows/enable/by-query?namespace=other")).json()).toEqual({ count: 1 });
    expect((await (await t.call("GET", "/api/v1/flows/other/c?source=true")).json()).source).toEndWith("disabled: false\n");
    expect(injectDisabled("id: x\ndisabled: false # off\ntasks: []", true)).toBe("id: x\ndisabled: true\ntasks: []");
  });

  test("disable by query tells the flow source's listeners (trigger re-sync)", async () => {
    const seen: string[] = [];
    const off = t.tern.flows.onChange((ns, id) => seen.push(`${ns}.${id}`));
    expect(await (await t.call("POST", "/api/v1/flows/disable/by-query?namespace=io.team.sub")).json()).toEqual({ count: 1 });
    off();
    expect(seen).toEqual(["io.team.sub.b"]);
  });

  test("delete by ids and by query; an unknown id deletes nothing", async () => {
    expect((await t.call("DELETE", "/api/v1/flows/delete/by-ids", [{ namespace: "io.team", id: "new1" }, { namespace: "io.team", id: "ghost" }])).status).toBe(404);
    expect((await t.call("GET", "/api/v1/flows/io.team/new1")).status).toBe(200);
    expect(await (await t.call("DELETE", "/api/v1/flows/delete/by-ids", [{ namespace: "io.team", id: "new1" }])).json()).toEqual({ count: 1 });
    expect(await (await t.call("DELETE", "/api/v1/flows/delete/by-query?namespace=io.team")).json()).toEqual({ count: 2 });
    const { total } = await (await t.call("GET", "/api/v1/flows/search")).json();
    expect(total).toBe(1);
  });
});

describe("validate/task", () => {
  test("a valid task, an unknown type with line:col, a trigger section, JSON", async () => {
    const ok = await (await t.call("POST", "/api/v1/flows/validate/task", "id: t\ntype: io.kestra.plugin.core.log.Log\nmessage: hi\n", { "content-type": "application/x-yaml" })).json();
    expect(ok).toMatchObject({ index: 0, errors: [] });
    expect(ok.constraints).toBeUndefined();
    const bad = await (await t.call("POST", "/api/v1/flows/validate/task", "id: t\ntype: io.kestra.plugin.core.log.Lgo\n", { "content-type": "application/x-yaml" })).json();
    expect(bad.errors[0]).toMatchObject({ path: "type", line: 2, column: 7 });
    expect(bad.constraints).toStartWith("task.yaml:2:7 type: unknown task type");
    const json = await (await t.call("POST", "/api/v1/flows/validate/task", { id: "t", type: "io.kestra.plugin.core.log.Log" })).json();
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0].message).toContain("message");
    const trig = await (await t.call("POST", "/api/v1/flows/validate/task?section=TRIGGERS", "id: s\ntype: io.kestra.plugin.core.trigger.Schedule\ncron: '@daily'\nbogus: 1\n", { "content-type": "application/x-yaml" })).json();
    expect(trig.constraints).toBe('trigger.yaml:4:1 bogus: unknown property "bogus"');
  });
});

describe("namespace scoping", () => {
  let s: SecureApp;
  let scoped = "", viewer = "", admin = "";
  beforeAll(async () => {
    s = await createSecureApp({ env: { TERN_API_RATE: "10000" } });
    for (const ns of ["finance", "hr"]) {
      expect((await s.req("POST", "/api/v1/flows", { body: flow("f", ns), headers: { "content-type": "application/x-yaml" } })).status).toBe(200);
    }
    scoped = await s.token("admin", "finance.*");
    viewer = await s.token("viewer");
    admin = await s.token("admin");
  });
  const get = (path: string) => s.req("GET", path, { headers: bearer(admin) });
  afterAll(() => s.close());
  const json = (token: string) => ({ ...bearer(token), "content-type": "application/json" });
  const hrAndFinance = JSON.stringify([{ namespace: "finance", id: "f" }, { namespace: "hr", id: "f" }]);

  test("by ids: one flow outside the grants refuses the whole call (404), nothing changed", async () => {
    for (const [method, path] of [["DELETE", "delete/by-ids"], ["POST", "disable/by-ids"], ["POST", "export/by-ids"]]) {
      expect({ path, status: (await s.req(method, `/api/v1/flows/${path}`, { body: hrAndFinance, headers: json(scoped) })).status }).toEqual({ path, status: 404 });
    }
    expect((await (await get("/api/v1/flows/finance/f")).json()).disabled).toBe(false);
  });

  test("by query: other namespaces stay invisible; a read-only match refuses the write (403)", async () => {
    const zip = new Uint8Array(await (await s.req("GET", "/api/v1/flows/export/by-query", { headers: bearer(scoped) })).arrayBuffer());
    expect(readZip(zip).map((e) => e.name)).toEqual(["finance-f.yml"]);
    expect((await s.req("POST", "/api/v1/flows/disable/by-query", { headers: bearer(viewer) })).status).toBe(403);
    expect(await (await s.req("POST", "/api/v1/flows/disable/by-query", { headers: bearer(scoped) })).json()).toEqual({ count: 1 });
    expect((await (await get("/api/v1/flows/hr/f")).json()).disabled).toBe(false);
  });

  test("import: a flow in a namespace without the editor grant is not imported", async () => {
    const res = await s.req("POST", "/api/v1/flows/import", { body: upload("x.yaml", `${flow("g", "finance")}---\n${flow("g", "hr")}`), headers: bearer(scoped) });
    expect(await res.json()).toEqual(["1"]);
    expect((await get("/api/v1/flows/finance/g")).status).toBe(200);
    expect((await get("/api/v1/flows/hr/g")).status).toBe(404);
  });
});
