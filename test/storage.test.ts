// Internal storage: both backends behind one interface, URIs, confinement.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDbStorage,
  createLocalStorage,
  createTaskFileStore,
  putInputFile,
  slugify,
  storageFunctions,
  uriToPath,
  type StorageBackend,
} from "../src/files/index.ts";
import type { Db } from "../src/store/db.ts";
import { createTestDb } from "./helpers/task-context.ts";

let dir: string;
let db: Db;
beforeAll(async () => {
  const t = await createTestDb();
  db = t.db;
  dir = t.dir;
});
afterAll(async () => {
  db.$client.close();
  await rm(dir, { recursive: true, force: true });
});

const scope = { namespace: "company.team", flowId: "each_split", executionId: "e1", taskId: "my_task", taskRunId: "tr9" };
const backends: [string, () => StorageBackend][] = [
  ["local", () => createLocalStorage(join(dir, "storage"))],
  ["db", () => createDbStorage(db)],
];

for (const [kind, make] of backends) {
  describe(`${kind} backend`, () => {
    test("put/get/exists/size/list/delete, strings, bytes and streams", async () => {
      const b = make();
      const base = `${kind}/ns/f/executions/x`;
      expect(await b.put(`${base}/a.txt`, "hello")).toBe(5);
      expect(await b.put(`${base}/sub/b.bin`, new Uint8Array([1, 2, 3]))).toBe(3);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode("chunk1,"));
          c.enqueue(new TextEncoder().encode("chunk2"));
          c.close();
        },
      });
      expect(await b.put(`${base}/c.txt`, stream)).toBe(13);
      expect(new TextDecoder().decode(await b.get(`${base}/c.txt`))).toBe("chunk1,chunk2");
      expect(await new Response(await b.stream(`${base}/a.txt`)).text()).toBe("hello");
      expect(await b.exists(`${base}/a.txt`)).toBe(true);
      expect(await b.exists(`${base}/nope`)).toBe(false);
      expect(await b.size(`${base}/sub/b.bin`)).toBe(3);
      expect(await b.list(base)).toEqual([`${base}/a.txt`, `${base}/c.txt`, `${base}/sub/b.bin`]);
      expect(await b.list(`${base}/sub`)).toEqual([`${base}/sub/b.bin`]);
      expect(await b.delete(`${base}/a.txt`)).toBe(true);
      expect(await b.delete(`${base}/a.txt`)).toBe(false);
      await expect(b.get(`${base}/a.txt`)).rejects.toThrow("file not found in internal storage");
      await b.put(`${base}/c.txt`, "replaced");
      expect(new TextDecoder().decode(await b.get(`${base}/c.txt`))).toBe("replaced");
    });

    test("a task run's FileStore builds Kestra URIs and reads back", async () => {
      const store = createTaskFileStore(make(), { ...scope, executionId: `e-${kind}` });
      const uri = await store.put("out/report v1.csv", "x,y\n");
      expect(uri).toBe(`kestra:///company/team/each-split/executions/e-${kind}/tasks/my-task/tr9/out/report%20v1.csv`);
      expect(await store.getText(uri)).toBe("x,y\n");
      expect(await store.size(uri)).toBe(4);
      const local = await store.localPath(uri);
      expect(await readFile(local, "utf8")).toBe("x,y\n");
      expect(await store.listExecution()).toEqual([uri]);
      await store.cleanup();
      if (kind === "db") expect(existsSync(local)).toBe(false);
      const input = await putInputFile(make(), { ...scope, executionId: `e-${kind}` }, "file", "data.csv", "1,2");
      expect(input).toBe(`kestra:///company/team/each-split/executions/e-${kind}/inputs/file/data.csv`);
      expect(await storageFunctions(make()).read(input)).toBe("1,2");
    });

    test("traversal, absolute paths, encoded traversal and NUL are refused", async () => {
      const store = createTaskFileStore(make(), scope);
      for (const bad of ["../x", "a/../../x", "/etc/passwd", "a\0b", "./../x"]) await expect(store.put(bad, "x")).rejects.toThrow(/invalid file name/);
      for (const bad of [
        "kestra:///company/team/../../etc/passwd",
        "kestra:///company/team/%2e%2e/%2e%2e/etc/passwd",
        "kestra:///company/team/%252e%252e/x",
        "kestra:///company/team/a%2fb",
        "kestra:///company/team/a%00b",
        "kestra:///company//team",
        "file:///etc/passwd",
      ])
        await expect(store.get(bad)).rejects.toThrow(/invalid storage|not an internal storage URI/);
      await expect(store.get("kestra:///other/ns/file.txt")).rejects.toThrow("belongs to another namespace");
    });
  });
}

test("a symlink inside the local storage never leads outside it", async () => {
  const root = join(dir, "storage-sym");
  const outside = await mkdtemp(join(tmpdir(), "tern-outside-"));
  await writeFile(join(outside, "secret.txt"), "top secret");
  await mkdir(join(root, "company/team"), { recursive: true });
  await symlink(join(outside, "secret.txt"), join(root, "company/team/link.txt"));
  await symlink(outside, join(root, "company/team/dirlink"));
  const b = createLocalStorage(root);
  await expect(b.get("company/team/link.txt")).rejects.toThrow("outside the storage root");
  await expect(b.get("company/team/dirlink/secret.txt")).rejects.toThrow("outside the storage root");
  await expect(b.put("company/team/dirlink/new.txt", "x")).rejects.toThrow("outside the storage root");
  await expect(b.put("company/team/link.txt", "x")).rejects.toThrow("symlink");
  expect(await b.list("company")).toEqual([]);
  expect(await readFile(join(outside, "secret.txt"), "utf8")).toBe("top secret");
  await rm(outside, { recursive: true, force: true });
});

test("slugify and uriToPath follow Kestra", () => {
  expect(slugify("each_split")).toBe("each-split");
  expect(slugify("My Flow!")).toBe("my-flow");
  expect(uriToPath("kestra:///a/b/my%20file.txt")).toBe("a/b/my file.txt");
});
