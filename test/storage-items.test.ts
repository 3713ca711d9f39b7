// storage.Split, Reverse, FilterItems, DeduplicateItems and PurgeCurrentExecutionFiles: on real
// storage (local folder and libSQL blobs) through the plugin harness, then as flows through the
// real engine, with Kestra's cases (SplitTest, ReverseTest, FilterItemsTest, DeduplicateItemsTest).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { RunnableDefinition } from "../plugins/define.ts";
import { storageTasks } from "../plugins/storage/index.ts";
import { executionPrefix, putInputFile, uriToPath } from "../src/files/index.ts";
import { parseIon } from "../src/files/ion.ts";
import { parseFlow } from "../src/flow/index.ts";
import { createEngine, type Engine } from "./helpers/engine.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";

const task = (name: string) => storageTasks.find((t) => t.type === `io.kestra.plugin.core.storage.${name}`) as RunnableDefinition<any>;
/** Kestra's SplitTest content: numbers left-padded to 20 characters, one per line. */
const padded = (n: number) => Array.from({ length: n }, (_, i) => String(i).padStart(20)).join("\n") + "\n";
const ITEMS = ['{"key":"k1","value":1}', '{key:"k2",value:"dummy"}', "{key:'k3',value:3}", '{"key":"k4","value":4}'].join("\n") + "\n";

let h: Harness;
afterEach(async () => h && (await h.cleanup()));

for (const storage of ["local", "db"] as const) {
  describe(`on ${storage} storage`, () => {
    test("Split by rows, partitions and bytes keeps every line and the extension", async () => {
      h = await createHarness({ storage });
      const from = await h.storage.put("get.yml", padded(1000));
      const rows = (await h.run(task("Split"), { from, rows: 10 })).uris as string[];
      expect(rows).toHaveLength(100);
      expect(rows[0]).toEndWith("/0.yml");
      const texts = await Promise.all(rows.map((u) => h.storage.getText(u)));
      expect(texts.join("")).toBe(padded(1000));

      const parts = (await h.run(task("Split"), { from, partitions: "8" })).uris as string[];
      expect(parts).toHaveLength(8);
      const all = (await Promise.all(parts.map((u) => h.storage.getText(u)))).join("");
      expect(all.split("\n").length - 1).toBe(1000);

      const big = await h.storage.put("big.yml", padded(12288));
      const bytes = (await h.run(task("Split"), { from: big, bytes: "1KB" })).uris as string[];
      expect(bytes).toHaveLength(251);
      expect((await Promise.all(bytes.map((u) => h.storage.getText(u)))).join("")).toBe(padded(12288));
    });

    test("Reverse: last line first, extension kept, separator and charset", async () => {
      h = await createHarness({ storage });
      const from = await h.storage.put("get.yml", "1\n2\n3\n");
      const uri = (await h.run(task("Reverse"), { from })).uri as string;
      expect(uri).toEndWith(".yml");
      expect(await h.storage.getText(uri)).toBe("3\n2\n1\n");
      const crlf = await h.storage.put("win.txt", "a\r\nb\rc");
      expect(await h.storage.getText((await h.run(task("Reverse"), { from: crlf, separator: "\r\n" })).uri as string)).toBe("c\r\nb\r\na\r\n");
      // ISO-8859-1 bytes stay as they were.
      const latin = await h.storage.put("latin.txt", new Uint8Array([0xe9, 0x0a, 0x41, 0x0a]));
      const reversed = await h.storage.get((await h.run(task("Reverse"), { from: latin, charset: "ISO-8859-1" })).uri as string);
      expect([...reversed]).toEqual([0x41, 0x0a, 0xe9, 0x0a]);
      await expect(h.run(task("Reverse"), { from, charset: "UTF-16" })).rejects.toThrow("charset: UTF-16 is not supported");
      await expect(h.run(task("Reverse"), { from, charset: "klingon" })).rejects.toThrow('charset: unknown charset "klingon"');
    });

    test("FilterItems: INCLUDE, EXCLUDE and errorOrNullBehavior on JSON and Ion lines", async () => {
      h = await createHarness({ storage });
      const valid = await h.storage.put("valid.ion", ITEMS.replace('"dummy"', "2"));
      const from = await h.storage.put("items.ion", ITEMS);
      const run = async (props: Record<string, unknown>) => {
        const out = await h.run(task("FilterItems"), { filterCondition: " {{ value % 2 == 0 }} ", ...props });
        const keys = (await h.storage.getText(out.uri as string)).split("\n").filter(Boolean).map((l) => (parseIon(l) as { key: string }).key);
        return { keys, processed: out.processedItemsTotal, dropped: out.droppedItemsTotal, uri: out.uri };
      };
      expect(await run({ from: valid })).toMatchObject({ keys: ["k2", "k4"], processed: 4, dropped: 2 });
      expect(await run({ from: valid, filterType: "EXCLUDE" })).toMatchObject({ keys: ["k1", "k3"], processed: 4, dropped: 2 });
      expect(await run({ from, errorOrNullBehavior: "INCLUDE" })).toMatchObject({ keys: ["k2", "k4"], processed: 4, dropped: 2 });
      expect(await run({ from, errorOrNullBehavior: "EXCLUDE" })).toMatchObject({ keys: ["k4"], processed: 4, dropped: 3 });
      expect((await run({ from: valid, filterCondition: "{{ value }}" })).keys).toEqual(["k1", "k2", "k3", "k4"]);
      expect((await run({ from: valid })).uri as string).toEndWith(".ion");
      await expect(run({ from })).rejects.toThrow(`filterCondition failed on line 2 ({key:"k2",value:"dummy"})`);
      // The task's own variables stay visible, and the item's fields do not outlive it.
      h.ctx.vars.limit = 2;
      expect((await run({ from: valid, filterCondition: "{{ value > limit }}" })).keys).toEqual(["k3", "k4"]);
      expect(h.ctx.vars).not.toHaveProperty("value");
      const notObject = await h.storage.put("list.ion", "[1, 2]\n");
      await expect(run({ from: notObject, errorOrNullBehavior: "INCLUDE" })).rejects.toThrow("line 1 is not an object");
      const garbage = await h.storage.put("bad.ion", "{a:1}\n{a:\n");
      await expect(run({ from: garbage, errorOrNullBehavior: "INCLUDE" })).rejects.toThrow("line 2 is neither JSON nor Ion");
    });

    test("DeduplicateItems keeps the last item of each key, in file order", async () => {
      h = await createHarness({ storage });
      const lines = [
        '{"order_id":1,"email":"kelly@example.com"}',
        '{"order_id":2,"email":"miguel@example.net"}',
        '{order_id:3,email:"kelly@example.com"}',
        '{"order_id":4,"email":"jessica@example.com"}',
        '{"order_id":5,"email":"jessica@example.com"}',
      ];
      const from = await h.storage.put("orders.ion", lines.join("\n") + "\n");
      const out = await h.run(task("DeduplicateItems"), { from, expr: "{{ email }}" });
      expect(out).toMatchObject({ numKeys: 3, processedItemsTotal: 5, droppedItemsTotal: 2 });
      expect(await h.storage.getText(out.uri as string)).toBe([lines[1], lines[2], lines[4]].join("\n") + "\n");
      await expect(h.run(task("DeduplicateItems"), { from, expr: "{{ missing }}" })).rejects.toThrow("expr failed on line 1");
    });

    test("PurgeCurrentExecutionFiles deletes this execution's files only", async () => {
      h = await createHarness({ storage });
      const scope = { namespace: "company.team", flowId: "my_flow" };
      const input = await putInputFile(h.backend, { ...scope, executionId: "exec1" }, "file", "in.csv", "a\n");
      const output = await h.storage.put("out.txt", "b");
      const other = await putInputFile(h.backend, { ...scope, executionId: "exec2" }, "file", "keep.csv", "c\n");
      const { uris } = await h.run(task("PurgeCurrentExecutionFiles"), {});
      expect((uris as string[]).sort()).toEqual([input, output].sort());
      expect(await h.backend.list(executionPrefix({ ...scope, executionId: "exec1" }))).toEqual([]);
      expect(await h.storage.exists(other)).toBe(true);
      expect(await h.run(task("PurgeCurrentExecutionFiles"), { includeStates: true })).toEqual({ uris: [] });
      expect(h.logs.map((l) => l.message)).toContain("includeStates is not supported: state files are kept");
    });
  });
}

describe("through the engine", () => {
  let e: Engine;
  beforeAll(async () => {
    e = await createEngine();
  });
  afterAll(() => e.close());
  const text = async (uri: string) => new TextDecoder().decode(await e.tern.storage.get(uriToPath(uri)));

  test("a flow filters, deduplicates, splits and reverses a file, then purges its files", async () => {
    const o = await e.run(`id: items
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    extension: .ion
    content: |
      {"sku":"a","qty":1}
      {sku:"b",qty:5}
      {"sku":"a","qty":7}
      {"sku":"c","qty":"n/a"}
  - id: filter
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.write.uri }}"
    filterCondition: "{{ qty > 2 }}"
    errorOrNullBehavior: EXCLUDE
  - id: dedup
    type: io.kestra.plugin.core.storage.DeduplicateItems
    from: "{{ outputs.write.uri }}"
    expr: "{{ sku }}"
  - id: split
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.write.uri }}"
    rows: 3
  - id: reverse
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ outputs.split.uris[0] }}"
  - id: seen
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.reverse.uri) | trim }}"
  - id: purge
    type: io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles
`);
    expect(o.execution.state).toBe("SUCCESS");
    expect(o.run("filter").outputs).toMatchObject({ processedItemsTotal: 4, droppedItemsTotal: 2 });
    expect(o.run("dedup").outputs).toMatchObject({ numKeys: 3, processedItemsTotal: 4, droppedItemsTotal: 1 });
    expect((o.run("split").outputs!.uris as string[]).length).toBe(2);
    expect(o.run("seen").outputs!.value).toBe('{"sku":"a","qty":7}\n{sku:"b",qty:5}\n{"sku":"a","qty":1}');
    const purged = o.run("purge").outputs!.uris as string[];
    const written = [o.run("write"), o.run("filter"), o.run("dedup"), o.run("reverse")].map((r) => r.outputs!.uri as string);
    expect(purged).toEqual(expect.arrayContaining([...written, ...(o.run("split").outputs!.uris as string[])]));
    expect(purged).toHaveLength(6);
    await expect(text(written[0]!)).rejects.toThrow("file not found");
    expect(await e.tern.storage.list(executionPrefix({ namespace: "company.team", flowId: "items", executionId: o.execution.id }))).toEqual([]);
  });

  test("a filter that fails on an item fails the task with the line", async () => {
    const o = await e.run(`id: items_fail
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "{a:1}\\n{a:\\"x\\"}\\n"
  - id: filter
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.write.uri }}"
    filterCondition: "{{ a % 2 == 0 }}"
`);
    expect(o.execution.state).toBe("FAILED");
    expect(o.logsOf("filter").join("\n")).toContain('filterCondition failed on line 2 ({a:"x"})');
  });

  test("validation names the bad property", () => {
    const errors = (tasks: string) => parseFlow(`id: v\nnamespace: company.team\ntasks:\n${tasks}`, "v.yaml").errors.map((x) => x.format());
    expect(errors(`  - id: s\n    type: io.kestra.plugin.core.storage.Split\n    from: "{{ inputs.f }}"\n`)).toEqual([
      "v.yaml:4:5 tasks[0]: one of rows, bytes, partitions or regexPattern is required",
    ]);
    expect(errors(`  - id: s\n    type: io.kestra.plugin.core.storage.Split\n    from: x\n    bytes: ten\n`)).toEqual([
      "v.yaml:7:12 tasks[0].bytes: expected a size such as 512, 10KB, 5MB or 1GB, got \"ten\"",
    ]);
    expect(errors(`  - id: f\n    type: io.kestra.core.tasks.storages.FilterItems\n    from: x\n    filterCondition: "{{ a }}"\n    filterType: KEEP\n`)).toEqual([
      'v.yaml:8:17 tasks[0].filterType: expected one of INCLUDE, EXCLUDE, got "KEEP"',
    ]);
    expect(errors(`  - id: d\n    type: io.kestra.plugin.core.storage.DeduplicateItems\n    from: x\n`)).toEqual([
      'v.yaml:4:5 tasks[0]: missing required property "expr"',
    ]);
    expect(errors(`  - id: p\n    type: io.kestra.core.tasks.storages.PurgeExecution\n  - id: q\n    type: io.kestra.plugin.core.storage.PurgeExecution\n`)).toEqual([]);
  });
});
