// The storage.* tasks on real storage (local and libSQL blobs).
import { afterEach, expect, test } from "bun:test";
import type { RunnableDefinition } from "../plugins/define.ts";
import { storageTasks } from "../plugins/storage/index.ts";
import { createHarness, type Harness } from "./helpers/task-context.ts";

const task = (name: string) => storageTasks.find((t) => t.type === `io.kestra.plugin.core.storage.${name}`) as RunnableDefinition<any>;

let h: Harness;
afterEach(async () => h && (await h.cleanup()));

for (const storage of ["local", "db"] as const) {
  test(`Write, Concat, Size, Delete (${storage})`, async () => {
    h = await createHarness({ storage });
    const a = (await h.run(task("Write"), { content: "a,b\n", extension: "csv" })).uri as string;
    expect(a).toEndWith("/content.csv");
    expect(await h.storage.getText(a)).toBe("a,b\n");
    // One harness is one task run: a second Write would reuse the name, so store b directly.
    const b = await h.storage.put("b.csv", "1,2\n");
    const joined = (await h.run(task("Concat"), { files: JSON.stringify([a, b]), separator: "--\n", extension: ".csv" })).uri as string;
    expect(await h.storage.getText(joined)).toBe("a,b\n--\n1,2\n");
    expect(await h.run(task("Size"), { uri: joined })).toEqual({ size: 11 });
    expect(await h.run(task("Delete"), { uri: joined })).toEqual({ uri: joined, deleted: true });
    expect(await h.run(task("Delete"), { uri: joined })).toEqual({ uri: joined, deleted: false });
    await expect(h.run(task("Delete"), { uri: joined, errorOnMissing: true })).rejects.toThrow("file not found");
    await expect(h.run(task("Size"), { uri: joined })).rejects.toThrow("file not found");
    await expect(h.run(task("Concat"), { files: "not a list [" })).rejects.toThrow();
  });
}
