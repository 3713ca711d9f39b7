// Task working directories on a real file system: removal by rename into a per-user trash,
// background purge, stale trash from a dead process, and a planted symlink refused.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTempDirs } from "../src/runtime/temp-dirs.ts";

let root: string;
const trash = () => join(root, `.tern-trash-${process.getuid?.() ?? 0}`);
beforeEach(() => void (root = mkdtempSync(join(tmpdir(), "tern-tempdirs-"))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

function fill(dir: string) {
  mkdirSync(join(dir, "out", "deep"), { recursive: true });
  writeFileSync(join(dir, "script.sh"), "true");
  writeFileSync(join(dir, "out", "deep", "big.bin"), Buffer.alloc(1 << 20));
}

test("a removed dir is gone at once; its content is purged in the background", async () => {
  const dirs = createTempDirs(root);
  const a = await dirs.create();
  const b = await dirs.create();
  expect(a).not.toBe(b);
  expect(a.startsWith(join(root, "tern-task-"))).toBe(true);
  fill(a);
  fill(b);
  await Promise.all([dirs.remove(a), dirs.remove(b)]);
  expect(existsSync(a)).toBe(false);
  expect(existsSync(b)).toBe(false);
  await dirs.settled();
  expect(readdirSync(trash())).toEqual([]);
  expect(readdirSync(root)).toEqual([`.tern-trash-${process.getuid?.() ?? 0}`]);
});

test("the trash a dead process left is emptied by the next one", async () => {
  mkdirSync(join(trash(), "tern-task-stale", "sub"), { recursive: true, mode: 0o700 });
  writeFileSync(join(trash(), "tern-task-stale", "sub", "f"), "x");
  const dirs = createTempDirs(root);
  await dirs.remove(await dirs.create());
  await dirs.settled();
  expect(readdirSync(trash())).toEqual([]);
});

test("a dir outside the root is deleted in place; a trash that is someone's symlink is not used", async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), "tern-elsewhere-"));
  const victim = mkdtempSync(join(tmpdir(), "tern-victim-"));
  try {
    writeFileSync(join(victim, "precious.txt"), "keep");
    symlinkSync(victim, trash());
    const dirs = createTempDirs(root);
    fill(elsewhere);
    await dirs.remove(elsewhere);
    expect(existsSync(elsewhere)).toBe(false);
    const mine = await dirs.create();
    fill(mine);
    await dirs.remove(mine);
    await dirs.settled();
    expect(existsSync(mine)).toBe(false);
    // Used as the trash, the link would have had its content "purged" and ours moved into it.
    expect(readdirSync(victim)).toEqual(["precious.txt"]);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
    rmSync(victim, { recursive: true, force: true });
  }
});
