// Namespace Files: the API round trip (upload, read, list, delete, traversal refused) over a
// real Tern, and script tasks that copy them into their working directory (python3 main.py).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pythonCommands from "../plugins/scripts/python-commands.ts";
import { createNamespaceFiles } from "../src/files/index.ts";
import { createHarness } from "./helpers/task-context.ts";
import { createTestApp, type TestApp } from "./helpers/server.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const base = "/api/v1/namespaces/company.team/files";
function upload(path: string, content: string, ns = "company.team") {
  const form = new FormData();
  form.append("fileContent", new Blob([content]), path.split("/").pop());
  return t.call("POST", `/api/v1/namespaces/${ns}/files?path=${encodeURIComponent(path)}`, form);
}
/** Every file under the local storage root, relative to it. */
function storedFiles(): string[] {
  const root = join(t.dir, "storage");
  return existsSync(root) ? (readdirSync(root, { recursive: true, withFileTypes: true }) as { isFile(): boolean; parentPath: string; name: string }[])
    .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort() : [];
}

describe("API", () => {
  test("upload, read, list, delete", async () => {
    expect((await upload("/main.py", "print('hi')\n")).status).toBe(200);
    expect((await upload("/lib/helper.py", "X = 1\n")).status).toBe(200);
    expect(storedFiles()).toEqual(["company/team/_files/lib/helper.py", "company/team/_files/main.py"]);

    const got = await t.call("GET", `${base}?path=/main.py`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("print('hi')\n");
    expect((await t.call("GET", `${base}?path=/lib/helper.py`)).status).toBe(200);
    expect((await t.call("GET", `${base}?path=/nope.py`)).status).toBe(404);
    // Another namespace does not see them.
    expect((await t.call("GET", `/api/v1/namespaces/company.other/files?path=/main.py`)).status).toBe(404);

    expect(await (await t.call("GET", `${base}/directory?path=/`)).json()).toEqual([
      { fileName: "lib", type: "Directory", size: 0 },
      { fileName: "main.py", type: "File", size: 12 },
    ]);
    expect(await (await t.call("GET", `${base}/directory`)).json()).toHaveLength(2);
    expect(await (await t.call("GET", `${base}/directory?path=/lib`)).json()).toEqual([{ fileName: "helper.py", type: "File", size: 6 }]);
    expect((await t.call("GET", `${base}/directory?path=/missing`)).status).toBe(404);
    expect(await (await t.call("GET", `/api/v1/namespaces/empty.ns/files/directory?path=/`)).json()).toEqual([]);

    // Replace, then delete a file and a folder.
    expect((await upload("/main.py", "print('v2')\n")).status).toBe(200);
    expect(await (await t.call("GET", `${base}?path=/main.py`)).text()).toBe("print('v2')\n");
    expect((await t.call("DELETE", `${base}?path=/main.py`)).status).toBe(204);
    expect((await t.call("GET", `${base}?path=/main.py`)).status).toBe(404);
    expect((await t.call("DELETE", `${base}?path=/main.py`)).status).toBe(404);
    expect((await t.call("DELETE", `${base}?path=/lib`)).status).toBe(204);
    expect(await (await t.call("GET", `${base}/directory?path=/`)).json()).toEqual([]);
    expect(storedFiles()).toEqual([]);
  });

  test("a missing part, a missing path or a non-multipart body is 400", async () => {
    const form = new FormData();
    form.append("other", new Blob(["x"]), "x");
    expect((await t.call("POST", `${base}?path=/x.py`, form)).status).toBe(400);
    expect((await t.call("POST", base, new FormData())).status).toBe(400);
    expect((await t.call("POST", `${base}?path=/x.py`, { fileContent: "x" })).status).toBe(400);
    expect((await t.call("GET", base)).status).toBe(400);
  });

  test("traversal is refused (422) and nothing is written outside the namespace's folder", async () => {
    const before = storedFiles();
    for (const path of ["/../../../escape.py", "../escape.py", "/a/../../escape.py", "//etc/escape.py", "/a/%2e%2e/escape.py", "/a/%2E%2E%2Fescape.py", "/a\\..\\escape.py", "/a/\0.py", "/"]) {
      const res = await upload(path, "pwned");
      expect({ path, status: res.status }).toEqual({ path, status: 422 });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID");
      expect((await t.call("GET", `${base}?path=${encodeURIComponent(path)}`)).status).toBeOneOf([404, 422]);
    }
    // Escapes left in the query string itself: decoded once by the server, then refused.
    expect((await t.call("POST", `${base}?path=/a/%2e%2e/%2e%2e/escape.py`, new FormData())).status).toBeOneOf([400, 422]);
    const form = new FormData();
    form.append("fileContent", new Blob(["pwned"]), "x");
    expect((await t.call("POST", `${base}?path=/a/%2e%2e/%2e%2e/escape.py`, form)).status).toBe(422);
    expect((await t.call("GET", `${base}?path=${encodeURIComponent("/../../_files/x")}`)).status).toBe(422);
    expect((await t.call("DELETE", `${base}?path=${encodeURIComponent("/../")}`)).status).toBe(422);
    expect((await t.call("GET", `${base}/directory?path=${encodeURIComponent("/../..")}`)).status).toBe(422);
    // A namespace with a slash would alias another's folder.
    expect((await upload("/x.py", "pwned", "company%2Fteam")).status).toBeOneOf([404, 422]);
    expect(storedFiles()).toEqual(before);
    expect(existsSync(join(t.dir, "escape.py"))).toBe(false);
  });
});

describe("script tasks", () => {
  test("python.Commands runs main.py with its helper module; include/exclude are honoured", async () => {
    expect((await upload("/main.py", "from lib.helper import greet\nimport os\nprint(greet('tern'))\nprint('secret' if os.path.exists('secret.txt') else 'no secret')\nprint('docs' if os.path.exists('docs/readme.md') else 'no docs')\n")).status).toBe(200);
    expect((await upload("/lib/helper.py", "def greet(who):\n    return f'hello {who} from a namespace file'\n")).status).toBe(200);
    expect((await upload("/lib/__init__.py", "")).status).toBe(200);
    expect((await upload("/secret.txt", "s3cret")).status).toBe(200);
    expect((await upload("/docs/readme.md", "# docs")).status).toBe(200);
    // Same file name in another namespace: must not be the one copied.
    expect((await upload("/main.py", "print('WRONG NAMESPACE')", "company.other")).status).toBe(200);

    const flow = `id: ns_files
namespace: company.team
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    namespaceFiles:
      enabled: true
      include: ["**/*.py", "docs/**"]
      exclude: ["docs/**"]
    outputFiles: ["**/*.py"]
    commands:
      - python3 main.py
  - id: off
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    namespaceFiles:
      enabled: false
    commands:
      - test ! -e main.py && echo "nothing copied"
`;
    expect((await t.flow(flow)).status).toBe(200);
    const created = (await (await t.call("POST", "/api/v1/executions/company.team/ns_files")).json()) as { id: string };
    const ex = await t.ended(created.id);
    const logs = (await (await t.call("GET", `/api/v1/logs/${created.id}`)).json()) as { taskId: string; message: string }[];
    const of = (id: string) => logs.filter((l) => l.taskId === id).map((l) => l.message);
    expect({ state: ex.state, logs }).toMatchObject({ state: "SUCCESS" });
    expect(of("py")).toEqual(["namespaceFiles: copied 3 file(s) into the working directory", "hello tern from a namespace file", "no secret", "no docs"]);
    expect(of("off")).toEqual(["nothing copied"]);
    // The copies kept their relative paths (and the flow's outputFiles saw them there).
    const outputs = (await (await t.call("GET", `/api/v1/executions/${created.id}`)).json()) as { taskRunList: { taskId: string; outputs: { outputFiles: Record<string, string> } }[] };
    const py = outputs.taskRunList.find((r) => r.taskId === "py")!;
    expect(Object.keys(py.outputs.outputFiles).sort()).toEqual(["lib/__init__.py", "lib/helper.py", "main.py"]);
  });

  test("with the db storage backend too, and inputFiles win over a namespace file of the same name", async () => {
    const h = await createHarness({ storage: "db", namespace: "company.team" });
    try {
      const files = createNamespaceFiles(h.backend, "company.team");
      await files.put("/main.py", "import helper\nprint(helper.V)\n");
      await files.put("/helper.py", "V = 'from namespace'\n");
      await createNamespaceFiles(h.backend, "company.other").put("/helper.py", "V = 'other namespace'\n");
      await h.run(pythonCommands, { namespaceFiles: { enabled: true, include: ["main.py", "helper.py"] }, commands: ["python3 main.py"] });
      expect(h.logs.filter((l) => l.level === "INFO").map((l) => l.message)).toContain("from namespace");
      h.logs.length = 0;
      await h.run(pythonCommands, { namespaceFiles: { include: ["*.py"] }, inputFiles: { "helper.py": "V = 'from inputFiles'\n" }, commands: ["python3 main.py"] });
      expect(h.logs.filter((l) => l.level === "INFO").map((l) => l.message)).toContain("from inputFiles");
      // exclude leaves main.py out: the command fails.
      await expect(h.run(pythonCommands, { namespaceFiles: { enabled: true, exclude: ["main.py"] }, commands: ["python3 main.py"] })).rejects.toThrow("exit code 2");
    } finally {
      await h.cleanup();
    }
  });
});

describe("WorkingDirectory", () => {
  const ns = "company.wdir";
  const flowOf = (id: string, body: string) => `id: ${id}\nnamespace: ${ns}\ntasks:\n${body}`;
  async function runFlow(yaml: string) {
    expect((await t.flow(yaml)).status).toBe(200);
    const id = /^id: (\S+)/.exec(yaml)![1];
    const created = (await (await t.call("POST", `/api/v1/executions/${ns}/${id}`)).json()) as { id: string };
    const ex = await t.ended(created.id);
    const logs = (await (await t.call("GET", `/api/v1/logs/${created.id}`)).json()) as { taskId: string; message: string }[];
    return { state: ex.state, of: (task: string) => logs.filter((l) => l.taskId === task).map((l) => l.message) };
  }

  test("namespace files are in the shared folder before the children run; include/exclude; inputFiles replace one", async () => {
    expect((await upload("/run.sh", "echo \"run.sh sees $(cat conf/app.conf)\"\n", ns)).status).toBe(200);
    expect((await upload("/conf/app.conf", "namespace conf", ns)).status).toBe(200);
    expect((await upload("/data/rows.csv", "a,b\n1,2\n", ns)).status).toBe(200);
    expect((await upload("/data/skip.tmp", "temporary", ns)).status).toBe(200);
    expect((await upload("/lib/greet.py", "def greet():\n    return 'hello from lib/greet.py'\n", ns)).status).toBe(200);
    expect((await upload("/lib/__init__.py", "", ns)).status).toBe(200);
    // Another namespace's file of the same name must not be the one copied.
    expect((await upload("/run.sh", "echo WRONG NAMESPACE\n", "company.other")).status).toBe(200);

    const o = await runFlow(flowOf("wd_ns_files", `
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    namespaceFiles:
      enabled: true
      include: ["*.sh", "conf/**", "data/**", "lib/**"]
      exclude: ["*.tmp"]
    inputFiles:
      conf/app.conf: "input conf from {{ flow.id }}"
    outputFiles: ["data/*"]
    tasks:
      - id: sh
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - sh run.sh
          - cat data/rows.csv
          - test ! -e data/skip.tmp && echo "no skip.tmp"
      - id: py
        type: io.kestra.plugin.scripts.python.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - python3 -c "from lib.greet import greet; print(greet())"
`));
    expect(o.state).toBe("SUCCESS");
    expect(o.of("wd")).toEqual(["namespaceFiles: copied 5 file(s) into the working directory"]);
    expect(o.of("sh")).toEqual(["run.sh sees input conf from wd_ns_files", "a,b", "1,2", "no skip.tmp"]);
    expect(o.of("py")).toEqual(["hello from lib/greet.py"]);
  });

  test("outputFiles see the copies; nothing is copied without namespaceFiles or with enabled: false", async () => {
    const wd = (extra: string) => `
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory${extra}
    outputFiles: ["**/*.csv"]
    tasks:
      - id: sh
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - ls -R . | grep -c "rows.csv" || true
`;
    const on = await runFlow(flowOf("wd_ns_on", wd("\n    namespaceFiles:\n      include: [data/rows.csv]")));
    expect(on.state).toBe("SUCCESS");
    expect(on.of("sh")).toEqual(["1"]);
    for (const [id, extra] of [["wd_ns_none", ""], ["wd_ns_off", "\n    namespaceFiles:\n      enabled: false"]]) {
      const off = await runFlow(flowOf(id!, wd(extra!)));
      expect({ id, state: off.state, logs: off.of("sh"), wd: off.of("wd") }).toEqual({ id, state: "SUCCESS", logs: ["0"], wd: [] });
    }
    // The copied file is an output file of the WorkingDirectory, with the namespace's content.
    const created = (await (await t.call("POST", `/api/v1/executions/${ns}/wd_ns_on`)).json()) as { id: string };
    await t.ended(created.id);
    const ex = (await (await t.call("GET", `/api/v1/executions/${created.id}`)).json()) as { taskRunList: { taskId: string; outputs: { outputFiles: Record<string, string> } }[] };
    const files = ex.taskRunList.find((r) => r.taskId === "wd")!.outputs.outputFiles;
    expect(Object.keys(files)).toEqual(["data/rows.csv"]);
    const got = await t.call("GET", `/api/v1/executions/${created.id}/file?path=${encodeURIComponent(files["data/rows.csv"]!)}`);
    expect(await got.text()).toBe("a,b\n1,2\n");
  });
});
