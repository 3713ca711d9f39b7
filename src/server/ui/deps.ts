// What the dashboard receives from the composition root: the same Tern the API gets, and a
// clock (tests pin it; durations of running things are measured against it).
import type { KvStore } from "../../../plugins/define.ts";
import type { Tern } from "../../main.ts";

export interface UiDeps {
  tern: Pick<Tern, "db" | "service" | "flows" | "storage">;
  kv?: KvStore;
  now?: () => number;
  /** Largest file preview shown inline, in bytes. */
  previewBytes?: number;
}

export interface Ctx {
  deps: UiDeps;
  now(): number;
}

export function context(deps: UiDeps): Ctx {
  return { deps, now: deps.now ?? (() => Date.now()) };
}
