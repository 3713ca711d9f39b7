// HTTP tasks against a real Bun.serve server on 127.0.0.1.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { RunnableDefinition } from "../plugins/define.ts";
import { assertAllowedUrl, classifyIp } from "../plugins/http/guard.ts";
import { httpTasks } from "../plugins/http/index.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";

const request = httpTasks.find((t) => t.type === "io.kestra.plugin.core.http.Request") as RunnableDefinition<any>;
const download = httpTasks.find((t) => t.aliases.includes("io.kestra.plugin.fs.http.Download")) as RunnableDefinition<any>;

let server: ReturnType<typeof Bun.serve>;
let base: string;
const BIG = 8 * 1024 * 1024;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      switch (url.pathname) {
        case "/echo": {
          const form = (req.headers.get("content-type") ?? "").includes("multipart") ? await req.formData() : undefined;
          const files: Record<string, string> = {};
          form?.forEach((v, k) => void (files[k] = typeof v === "string" ? v : `file:${(v as File).name}`));
          return Response.json({
            method: req.method,
            auth: req.headers.get("authorization"),
            contentType: req.headers.get("content-type"),
            custom: req.headers.get("x-custom"),
            body: form ? files : await req.text(),
            fileContent: form ? await (form.get("upload") as File | null)?.text() : undefined,
          });
        }
        case "/redirect":
          return new Response(null, { status: 302, headers: { location: "/echo" } });
        case "/redirect-meta":
          return new Response(null, { status: 302, headers: { location: "http://metadata.google.internal/computeMetadata/v1/" } });
        case "/cookies": {
          const h = new Headers({ "x-one": "1" });
          h.append("set-cookie", "a=1");
          h.append("set-cookie", "b=2");
          return new Response("ok", { headers: h });
        }
        case "/fail":
          return new Response("boom", { status: 500 });
        case "/empty":
          return new Response("");
        case "/slow":
          return new Promise<Response>((r) => setTimeout(() => r(new Response("late")), 3000));
        case "/report":
          return new Response("a,b\n1,2\n", { headers: { "content-disposition": 'attachment; filename="sales report.csv"' } });
        case "/big":
          return new Response(
            new ReadableStream({
              pull(c) {
                c.enqueue(new Uint8Array(BIG / 8).fill(65));
                if (++(this as any).n >= 8) c.close();
              },
              start() {
                (this as any).n = 0;
              },
            } as UnderlyingDefaultSource<Uint8Array>),
          );
      }
      return new Response("not found", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

let h: Harness;
afterEach(async () => h && (await h.cleanup()));

describe("Request", () => {
  test("GET with headers output; redirects followed", async () => {
    h = await createHarness();
    const out = await h.run(request, { uri: `${base}/cookies` });
    expect(out.code).toBe(200);
    expect(out.body).toBe("ok");
    expect((out.headers as any)["x-one"]).toEqual(["1"]);
    expect((out.headers as any)["set-cookie"]).toEqual(["a=1", "b=2"]);
    const r = await h.run(request, { uri: `${base}/redirect` });
    expect(JSON.parse(r.body as string).method).toBe("GET");
    expect(r.uri).toBe(`${base}/echo`);
  });

  test("POST body (string and map), basic and bearer auth, custom headers", async () => {
    h = await createHarness();
    const a = JSON.parse(
      (await h.run(request, { uri: `${base}/echo`, method: "POST", body: { k: "v" }, headers: { "X-Custom": "yes" }, auth: { type: "BEARER", token: "tok" } })).body as string,
    );
    expect(a).toMatchObject({ method: "POST", body: '{"k":"v"}', contentType: "application/json", custom: "yes", auth: "Bearer tok" });
    const b = JSON.parse((await h.run(request, { uri: `${base}/echo`, method: "PUT", body: "raw", contentType: "text/plain", options: { basicAuthUser: "u", basicAuthPassword: "p" } })).body as string);
    expect(b).toMatchObject({ body: "raw", contentType: "text/plain", auth: `Basic ${btoa("u:p")}` });
    const c = JSON.parse((await h.run(request, { uri: `${base}/echo`, options: { auth: { type: "BASIC", username: "x", password: "y" } } })).body as string);
    expect(c.auth).toBe(`Basic ${btoa("x:y")}`);
  });

  test("formData: urlencoded, and multipart with a file from storage", async () => {
    h = await createHarness();
    const a = JSON.parse((await h.run(request, { uri: `${base}/echo`, method: "POST", formData: { a: "1", b: "two words" } })).body as string);
    expect(a).toMatchObject({ body: "a=1&b=two+words", contentType: "application/x-www-form-urlencoded" });
    const uri = await h.storage.put("up.txt", "file body");
    const b = JSON.parse((await h.run(request, { uri: `${base}/echo`, method: "POST", contentType: "multipart/form-data", formData: { name: "n", upload: uri } })).body as string);
    expect(b.body).toEqual({ name: "n", upload: "file:up.txt" });
    expect(b.fileContent).toBe("file body");
  });

  test("4xx/5xx fail unless allowFailed; read timeout; kill through the task signal", async () => {
    h = await createHarness();
    await expect(h.run(request, { uri: `${base}/fail` })).rejects.toThrow(`HTTP 500 from ${base}/fail: boom`);
    expect((await h.run(request, { uri: `${base}/fail`, allowFailed: true })).code).toBe(500);
    const t0 = performance.now();
    await expect(h.run(request, { uri: `${base}/slow`, options: { readTimeout: "PT0.2S" } })).rejects.toThrow("HTTP read timeout after 200 ms");
    expect(performance.now() - t0).toBeLessThan(2000);
    const pending = h.run(request, { uri: `${base}/slow` });
    h.abort.abort(new Error("Timeout after PT0.1S"));
    await expect(pending).rejects.toThrow("Timeout after PT0.1S");
  });

  test("the address guard: metadata always refused (also after a redirect), private only when disabled", async () => {
    h = await createHarness();
    await expect(h.run(request, { uri: "http://metadata.google.internal/computeMetadata/v1/" })).rejects.toThrow("cloud metadata host");
    await expect(h.run(request, { uri: `${base}/redirect-meta` })).rejects.toThrow("refused: cloud metadata host");
    await h.cleanup();
    h = await createHarness({ env: { TERN_HTTP_ALLOW_PRIVATE: "false" } });
    await expect(h.run(request, { uri: `${base}/echo` })).rejects.toThrow("private or loopback address 127.0.0.1 (set TERN_HTTP_ALLOW_PRIVATE=true to allow)");
    // Literal addresses are judged without any traffic.
    const deny = { allowPrivate: false, allowMetadata: false };
    for (const u of ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "http://2852039166/", "http://[fd00:ec2::254]/", "http://100.100.100.200/"])
      await expect(assertAllowedUrl(new URL(u), { ...deny, allowPrivate: true })).rejects.toThrow("metadata");
    await expect(assertAllowedUrl(new URL("http://169.254.169.254/"), { allowPrivate: true, allowMetadata: true })).resolves.toBeUndefined();
    await expect(assertAllowedUrl(new URL("file:///etc/passwd"), deny)).rejects.toThrow("unsupported URL scheme");
    expect(classifyIp("10.1.2.3")).toBe("private");
    expect(classifyIp("172.20.0.1")).toBe("private");
    expect(classifyIp("8.8.8.8")).toBeUndefined();
    expect(classifyIp("::1")).toBe("private");
  });
});

describe("Download", () => {
  test("streams to storage with the server's file name; outputs code, length, headers", async () => {
    h = await createHarness();
    const out = await h.run(download, { uri: `${base}/report` });
    expect(out.uri).toBe("kestra:///company/team/my-flow/executions/exec1/tasks/task1/tr1/sales%20report.csv");
    expect(out).toMatchObject({ code: 200, length: 8 });
    expect(await h.storage.getText(out.uri as string)).toBe("a,b\n1,2\n");
  });

  test("a large body lands whole; empty responses fail unless failOnEmptyResponse is false", async () => {
    h = await createHarness();
    const out = await h.run(download, { uri: `${base}/big` });
    expect(out.length).toBe(BIG);
    expect(await h.storage.size(out.uri as string)).toBe(BIG);
    await expect(h.run(download, { uri: `${base}/empty` })).rejects.toThrow("empty response");
    expect((await h.run(download, { uri: `${base}/empty`, failOnEmptyResponse: false })).length).toBe(0);
    await expect(h.run(download, { uri: `${base}/missing` })).rejects.toThrow("HTTP 404");
  });
});
