// namespace.UploadFiles, DownloadFiles and DeleteFiles as flows through the real engine, on the
// real namespace files storage: patterns as Kestra matches them, conflicts, WorkingDirectory
// uploads, and the rule that a flow reaches its own namespace and the ones below it only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createNamespaceFiles } from "../src/files/index.ts";
import { parseFlow } from "../src/flow/index.ts";
import { pathMatcher } from "../plugins/namespace/common.ts";
import { createEngine, type Engine } from "./helpers/engine.ts";

let e: Engine;
let flows = 0;
beforeAll(async () => {
  e = await createEngine();
});
afterAll(() => e.close());

const files = (ns: string) => createNamespaceFiles(e.tern.storage, ns);
const text = async (ns: string, path: string) => new TextDecoder().decode(await files(ns).get(path));
/** Run `tasks` (YAML list items) in a new flow of `ns`. */
const run = (tasks: string, ns = "company.team") => e.run(`id: ns_tasks_${++flows}\nnamespace: ${ns}\ntasks:\n${tasks}`);

describe("DownloadFiles", () => {
  test("copies the matching files into the task's storage, keyed by path", async () => {
    await files("company.team").put("/a/b/test1.txt", "1");
    await files("company.team").put("/a/b/test2.txt", "2");
    await files("company.team").put("/top.sql", "select 1");
    const o = await run(`  - id: dl
    type: io.kestra.plugin.core.namespace.DownloadFiles
    namespace: "{{ flow.namespace }}"
    files:
      - "**test1.txt"
      - top.sql
    destination: copies
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.dl.files['/a/b/test1.txt']) }}"
`);
    expect(o.execution.state).toBe("SUCCESS");
    const got = o.run("dl").outputs!.files as Record<string, string>;
    expect(Object.keys(got).sort()).toEqual(["/a/b/test1.txt", "/top.sql"]);
    expect(got["/a/b/test1.txt"]).toEndWith("/copies/a/b/test1.txt");
    expect(o.run("show").outputs!.value).toBe("1");
  });

  test("reads a namespace below the flow's, refuses a sibling, a parent and a look-alike", async () => {
    await files("company.team.shared").put("/lib.py", "X = 1");
    const ok = await run(`  - id: dl\n    type: io.kestra.plugin.core.namespace.DownloadFiles\n    namespace: company.team.shared\n    files: "**"\n`);
    expect(Object.keys(ok.run("dl").outputs!.files as object)).toEqual(["/lib.py"]);
    for (const ns of ["company.other", "company", "company.teamx"]) {
      await files(ns).put("/secret.txt", "s3cret");
      const o = await run(`  - id: dl\n    type: io.kestra.plugin.core.namespace.DownloadFiles\n    namespace: ${ns}\n    files: "**"\n`);
      expect(o.execution.state).toBe("FAILED");
      expect(o.logsOf("dl").join("\n")).toContain(`namespace "${ns}" is not allowed: a flow of company.team may only use the namespace files of company.team and of the namespaces below it`);
    }
    // A flow in `system` reaches every namespace (src/flow/reach.ts), as for the purge tasks.
    const sys = await run(`  - id: dl\n    type: io.kestra.plugin.core.namespace.DownloadFiles\n    namespace: company.other\n    files: "**"\n`, "system");
    expect(sys.execution.state).toBe("SUCCESS");
    expect(Object.keys(sys.run("dl").outputs!.files as object)).toEqual(["/secret.txt"]);
  });
});

describe("UploadFiles", () => {
  test("filesMap with a destination, and the OVERWRITE / SKIP / ERROR conflicts", async () => {
    const upload = (content: string, conflict: string) =>
      run(`  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: ${content}
  - id: up
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.team.up
    destination: /folder
    conflict: ${conflict}
    filesMap:
      path/file.txt: "{{ outputs.write.uri }}"
`);
    expect((await upload("v1", "ERROR")).execution.state).toBe("SUCCESS");
    expect(await files("company.team.up").listAll()).toEqual(["folder/path/file.txt"]);
    expect((await upload("v2", "SKIP")).execution.state).toBe("SUCCESS");
    expect(await text("company.team.up", "folder/path/file.txt")).toBe("v1");
    const refused = await upload("v3", "ERROR");
    expect(refused.execution.state).toBe("FAILED");
    expect(refused.logsOf("up").join("\n")).toContain("namespace file /folder/path/file.txt already exists in company.team.up (conflict: ERROR)");
    expect((await upload("v4", "OVERWRITE")).execution.state).toBe("SUCCESS");
    expect(await text("company.team.up", "folder/path/file.txt")).toBe("v4");
  });

  test("files: glob patterns over the enclosing WorkingDirectory, and kestra:// URIs", async () => {
    const o = await run(`  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: build
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - mkdir -p sql/nested && echo one > sql/one.sql && echo two > sql/nested/two.sql && echo no > notes.txt
      - id: up
        type: io.kestra.plugin.core.namespace.UploadFiles
        files:
          - "glob:**/*.sql"
        destination: /queries
      - id: top
        type: io.kestra.plugin.core.namespace.UploadFiles
        files: ["*.txt"]
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: from storage
    extension: .md
  - id: byUri
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.team.wd
    files:
      - "{{ outputs.write.uri }}"
`, "company.team.wd");
    expect(o.execution.state).toBe("SUCCESS");
    expect(await files("company.team.wd").listAll()).toEqual(["content.md", "notes.txt", "queries/sql/nested/two.sql", "queries/sql/one.sql"]);
    expect(await text("company.team.wd", "queries/sql/nested/two.sql")).toBe("two\n");
  });

  test("writing to another namespace fails and writes nothing", async () => {
    const o = await run(`  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: x
  - id: up
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.other
    filesMap:
      evil.txt: "{{ outputs.write.uri }}"
`);
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("up").join("\n")).toContain('namespace "company.other" is not allowed');
    expect(await files("company.other").listAll()).not.toContain("evil.txt");
  });
});

describe("DeleteFiles", () => {
  test("deletes the matching files of its namespace or one below, nothing else", async () => {
    for (const p of ["/a.upl", "/dir/b.upl", "/keep.txt"]) await files("company.team.del").put(p, "x");
    await files("company.team.del.sub").put("/c.upl", "x");
    const o = await run(`  - id: del
    type: io.kestra.plugin.core.namespace.DeleteFiles
    namespace: company.team.del
    files:
      - "**.upl"
  - id: sub
    type: io.kestra.plugin.core.namespace.DeleteFiles
    namespace: "{{ flow.namespace }}.sub"
    files: "regex:/c\\\\.upl"
    deleteParentFolder: true
`, "company.team.del");
    expect(o.execution.state).toBe("SUCCESS");
    expect(await files("company.team.del").listAll()).toEqual(["keep.txt"]);
    expect(await files("company.team.del.sub").listAll()).toEqual([]);
    const parent = await run(`  - id: del\n    type: io.kestra.plugin.core.namespace.DeleteFiles\n    namespace: company.team\n    files: "**"\n`, "company.team.del");
    expect(parent.execution.state).toBe("FAILED");
    expect(await files("company.team").listAll()).toContain("top.sql");
  });
});

test("patterns match as Kestra's PathMatcherPredicate", () => {
  const m = (patterns: string[], path: string, anchored = false) => pathMatcher(patterns, { anchored })(path);
  expect(m(["**input.txt"], "/dir/input.txt")).toBe(true);
  expect(m(["main.py"], "/lib/main.py")).toBe(true);
  expect(m(["/main.py"], "/lib/main.py")).toBe(false);
  expect(m(["/lib/*.py"], "/lib/main.py")).toBe(true);
  expect(m(["*.py"], "/lib/main.py", true)).toBe(false);
  expect(m(["glob:**/dbt/**"], "/x/dbt/models/a.sql", true)).toBe(true);
  expect(m(["regex:.*\\.sql"], "/a/b.sql")).toBe(true);
  expect(() => m(["regex:("], "/a")).toThrow('files: invalid regex "regex:("');
});

test("validation names the bad property", () => {
  const errors = (task: string) => parseFlow(`id: v\nnamespace: company.team\ntasks:\n${task}`, "v.yaml").errors.map((x) => x.format());
  expect(errors(`  - id: u\n    type: io.kestra.plugin.core.namespace.UploadFiles\n`)).toEqual(["v.yaml:4:5 tasks[0]: files or filesMap is required"]);
  expect(errors(`  - id: u\n    type: io.kestra.plugin.core.namespace.UploadFiles\n    files: [a]\n    conflict: MERGE\n`)).toEqual([
    'v.yaml:7:15 tasks[0].conflict: expected one of OVERWRITE, ERROR, SKIP, got "MERGE"',
  ]);
  expect(errors(`  - id: d\n    type: io.kestra.plugin.core.namespace.DownloadFiles\n    files: "**"\n`)).toEqual([
    'v.yaml:4:5 tasks[0]: missing required property "namespace"',
  ]);
  expect(errors(`  - id: d\n    type: io.kestra.plugin.core.namespace.DeleteFiles\n    namespace: a\n    files: 3\n`)).toEqual([
    "v.yaml:7:12 tasks[0].files: expected a string or a list, got number 3",
  ]);
});
