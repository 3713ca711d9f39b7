// Script tasks with real subprocesses: shell, python3, node and bun.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scriptTasks } from "../plugins/scripts/index.ts";
import type { RunnableDefinition } from "../plugins/define.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";

const task = (type: string) => scriptTasks.find((t) => t.type === type || t.aliases.includes(type)) as RunnableDefinition<any>;
const shellScript = task("io.kestra.plugin.scripts.shell.Script");
const shellCommands = task("io.kestra.plugin.scripts.shell.Commands");
const process_ = { type: "io.kestra.plugin.core.runner.Process" };

let h: Harness;
afterEach(async () => h && (await h.cleanup()));

describe("shell", () => {
  test("stdout lines are INFO logs, stderr ERROR, protocol lines become vars and metrics", async () => {
    h = await createHarness();
    const out = await h.run(shellCommands, {
      taskRunner: process_,
      commands: [
        "echo hello",
        "echo oops >&2",
        `echo '::{"outputs":{"count":3,"name":"x"},"metrics":[{"name":"rows","type":"counter","value":7,"tags":{"t":"a"}}],"logs":[{"level":"WARN","message":"from protocol"}]}::'`,
      ],
    });
    expect(out.vars).toEqual({ count: 3, name: "x" });
    expect(out.exitCode).toBe(0);
    expect(h.logs).toContainEqual({ level: "INFO", message: "hello" });
    expect(h.logs).toContainEqual({ level: "ERROR", message: "oops" });
    expect(h.logs).toContainEqual({ level: "WARN", message: "from protocol" });
    expect(h.logs.some((l) => l.message.includes("::{"))).toBe(false);
    expect(h.metrics).toEqual([{ name: "rows", type: "counter", value: 7, tags: { t: "a" } }]);
  });

  test("a non-zero exit fails the task; failFast stops at the first failing command", async () => {
    h = await createHarness();
    await expect(h.run(shellCommands, { commands: ["false", "echo after"] })).rejects.toThrow("Command failed with exit code 1");
    expect(h.logs.some((l) => l.message === "after")).toBe(false);
    const out = await h.run(shellCommands, { failFast: false, commands: ["false", "echo after"] });
    expect(out.exitCode).toBe(0);
    await expect(h.run(shellCommands, { commands: ["exit 3"] })).rejects.toThrow("Command failed with exit code 3");
  });

  test("env holds only what was declared plus the basics", async () => {
    h = await createHarness({ env: { PATH: process.env.PATH, HOME: "/root", TERN_DATABASE_URL: "file:/secret.db", SECRET_DB: "c2VjcmV0", LANG: "C.UTF-8" } });
    await h.run(shellCommands, { env: { GREETING: "hi", N: 3 }, commands: ["env | sort"] });
    const names = h.logs.map((l) => l.message.split("=")[0]);
    expect(names).toContain("GREETING");
    expect(names).toContain("N");
    expect(names).toContain("WORKING_DIR");
    expect(names).toContain("OUTPUT_DIR");
    expect(names.filter((n) => n.startsWith("TERN_") || n.startsWith("SECRET_"))).toEqual([]);
  });

  test("inputFiles (inline and storage URI), outputFiles (names and globs) and outputDir", async () => {
    h = await createHarness();
    const stored = await h.storage.put("data.csv", "a,b\n1,2\n");
    const out = await h.run(shellScript, {
      inputFiles: { "in.txt": "inline content", "sub/data.csv": stored },
      outputFiles: ["result.txt", "*.json"],
      script: "cat in.txt > result.txt\nwc -l < sub/data.csv > lines.json\necho x > one.json\necho auto > \"$OUTPUT_DIR/auto.txt\"",
    });
    const files = out.outputFiles as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(["auto.txt", "lines.json", "one.json", "result.txt"]);
    expect(files["result.txt"]).toStartWith("kestra:///company/team/my-flow/executions/exec1/tasks/task1/tr1/");
    expect(await h.storage.getText(files["result.txt"]!)).toBe("inline content");
    expect((await h.storage.getText(files["lines.json"]!)).trim()).toBe("2");
    expect((await h.storage.getText(files["auto.txt"]!)).trim()).toBe("auto");
  });

  test("{{ workingDir }} and kestra:// URIs in commands are local paths; the temp dir is removed", async () => {
    h = await createHarness();
    const uri = await h.storage.put("in.txt", "from storage\n");
    const out = await h.run(shellCommands, { commands: ["echo {{ workingDir }} > wd.txt", `cat ${uri}`, "pwd", "echo od > {{ outputDir }}/od.txt"], outputFiles: ["wd.txt"] });
    expect(await h.storage.getText((out.outputFiles as Record<string, string>)["od.txt"]!)).toBe("od\n");
    expect(h.logs).toContainEqual({ level: "INFO", message: "from storage" });
    const wd = (await h.storage.getText((out.outputFiles as Record<string, string>)["wd.txt"]!)).trim();
    expect(h.logs.some((l) => l.message === wd)).toBe(true);
    expect(existsSync(wd)).toBe(false);
  });

  test("a shared workingDir (WorkingDirectory task) is kept", async () => {
    const wd = await mkdtemp(join(tmpdir(), "tern-wd-"));
    h = await createHarness({ workingDir: wd });
    await h.run(shellCommands, { commands: ["echo kept > k.txt"] });
    expect(await readFile(join(wd, "k.txt"), "utf8")).toBe("kept\n");
  });

  test("path confinement of inputFiles and outputFiles", async () => {
    h = await createHarness();
    await expect(h.run(shellCommands, { inputFiles: { "../evil": "x" }, commands: ["true"] })).rejects.toThrow("escapes the working directory");
    await expect(h.run(shellCommands, { inputFiles: { "/etc/evil": "x" }, commands: ["true"] })).rejects.toThrow("must be relative");
    await expect(h.run(shellCommands, { outputFiles: ["leak"], commands: ["ln -s /etc/passwd leak"] })).rejects.toThrow("symlink");
    const out = await h.run(shellCommands, { outputFiles: ["*"], commands: ["ln -s /etc/passwd leak2", "echo ok > fine"] });
    expect(Object.keys(out.outputFiles as object)).toEqual(["fine"]);
  });

  test("Docker runner is refused; containerImage without runner warns and runs as a process", async () => {
    h = await createHarness();
    await expect(
      h.run(shellCommands, { taskRunner: { type: "io.kestra.plugin.scripts.runner.docker.Docker", image: "ubuntu" }, commands: ["true"] }),
    ).rejects.toThrow("Docker task runner is not supported by Tern; use taskRunner: {type: io.kestra.plugin.core.runner.Process}");
    await h.run(shellCommands, { containerImage: "ubuntu:22.04", commands: ["echo ran"] });
    expect(h.logs.some((l) => l.level === "WARN" && l.message.includes("containerImage ignored"))).toBe(true);
    expect(h.logs).toContainEqual({ level: "INFO", message: "ran" });
    // namespaceFiles are supported (test/namespace-files.test.ts); with none stored the run is unchanged.
    expect((await h.run(shellCommands, { namespaceFiles: { enabled: true }, commands: ["true"] })).exitCode).toBe(0);
  });

  test("warningOnStdErr: true ends the task WARNING with its outputs", async () => {
    h = await createHarness();
    const err = await h.run(shellCommands, { warningOnStdErr: true, commands: ["echo warn >&2"] }).catch((e) => e);
    expect(err.state).toBe("WARNING");
    expect(err.outputs.exitCode).toBe(0);
  });

  test("memory limit (RLIMIT_DATA) stops a process that allocates past it", async () => {
    h = await createHarness();
    const py = task("io.kestra.plugin.scripts.python.Script");
    await expect(
      h.run(py, { taskRunner: { ...process_, memory: "64MB" }, script: "x = bytearray(512 * 1024 * 1024)\nprint('allocated')" }),
    ).rejects.toThrow("Command failed with exit code 1");
    expect(h.logs.some((l) => l.message.includes("MemoryError"))).toBe(true);
    expect(h.logs.some((l) => l.message === "allocated")).toBe(false);
  });
});

describe("languages", () => {
  test("python Script and Commands with outputs", async () => {
    h = await createHarness();
    const out = await h.run(task("io.kestra.plugin.scripts.python.Script"), {
      script: 'import json, sys\nprint("::" + json.dumps({"outputs": {"v": sys.version_info[0]}}) + "::")\nprint("py ok")',
    });
    expect(out.vars).toEqual({ v: 3 });
    expect(h.logs).toContainEqual({ level: "INFO", message: "py ok" });
    const out2 = await h.run(task("io.kestra.plugin.scripts.python.Commands"), {
      inputFiles: { "main.py": "open('o.txt','w').write('done')" },
      beforeCommands: ["echo before"],
      commands: ["python3 main.py"],
      outputFiles: ["o.txt"],
    });
    expect(await h.storage.getText((out2.outputFiles as Record<string, string>)["o.txt"]!)).toBe("done");
    expect(h.logs).toContainEqual({ level: "INFO", message: "before" });
  });

  test("node Script and Commands", async () => {
    h = await createHarness();
    const out = await h.run(task("io.kestra.plugin.scripts.node.Script"), {
      script: 'console.log("::" + JSON.stringify({ outputs: { n: 42 } }) + "::"); console.error("to stderr")',
    });
    expect(out.vars).toEqual({ n: 42 });
    expect(h.logs).toContainEqual({ level: "ERROR", message: "to stderr" });
    await h.run(task("io.kestra.plugin.scripts.node.Commands"), { inputFiles: { "m.js": "console.log(6*7)" }, commands: ["node m.js"] });
    expect(h.logs).toContainEqual({ level: "INFO", message: "42" });
  });

  test("bun Script (and its tern alias) and Commands", async () => {
    h = await createHarness();
    const out = await h.run(task("tern.scripts.bun.Script"), {
      script: 'const x: number = 2; console.log("::" + JSON.stringify({ outputs: { x } }) + "::"); await Bun.write("b.txt", "bun")',
      outputFiles: ["b.txt"],
    });
    expect(out.vars).toEqual({ x: 2 });
    expect(await h.storage.getText((out.outputFiles as Record<string, string>)["b.txt"]!)).toBe("bun");
    await h.run(task("io.kestra.plugin.scripts.bun.Commands"), { inputFiles: { "m.ts": "console.log('bun cmd')" }, commands: ["bun run m.ts"] });
    expect(h.logs).toContainEqual({ level: "INFO", message: "bun cmd" });
  });
});
