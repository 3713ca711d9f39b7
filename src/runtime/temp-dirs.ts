// Task working directories. Removing one is a rename into a trash folder (one metadata
// operation on the same file system, so the task ends at once) whose content is deleted in the
// background; `rm -r` of even a two-entry folder costs several round trips on a journaled
// disk, a good part of a short script task's overhead (bench/script-overhead.ts).
// A process that dies leaves its trash behind; the next one to open the trash empties it.
import { lstat, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface TempDirs {
  create(): Promise<string>;
  /** Gone from its path when this resolves; its content may still be deleted in the background. */
  remove(path: string): Promise<void>;
  /** Resolves when every background deletion has finished. */
  settled(): Promise<void>;
}

export function createTempDirs(root: string): TempDirs {
  const uid = process.getuid?.() ?? 0;
  // Per user, as the root may be the shared OS temp dir.
  const trash = join(root, `.tern-trash-${uid}`);
  const pending = new Set<Promise<void>>();
  let opened: Promise<boolean> | undefined;

  function purge(path: string) {
    const p: Promise<void> = rm(path, { recursive: true, force: true })
      .catch(() => {})
      .finally(() => pending.delete(p));
    pending.add(p);
  }

  /** The trash exists, is a real folder of ours (not someone's symlink), and stale content is being purged. */
  async function open(): Promise<boolean> {
    try {
      await mkdir(trash, { recursive: true, mode: 0o700 });
      const st = await lstat(trash);
      if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) return false;
      for (const name of await readdir(trash)) purge(join(trash, name));
      return true;
    } catch {
      return false;
    }
  }

  return {
    create: () => mkdtemp(join(root, "tern-task-")),
    async remove(path) {
      // Only folders made here: a rename elsewhere may cross file systems or move what is not ours.
      if (dirname(path) === root && (await (opened ??= open()))) {
        const target = join(trash, basename(path));
        try {
          await rename(path, target);
          purge(target);
          return;
        } catch {
          // Fall through: delete in place.
        }
      }
      await rm(path, { recursive: true, force: true });
    },
    async settled() {
      while (pending.size) await Promise.all(pending);
    },
  };
}
