// The one interface internal storage hides behind. Paths are relative storage paths
// (`ns/flow/executions/…`), already validated by uri.ts; backends re-check them anyway.
export type Bytes = Uint8Array | string | ReadableStream<Uint8Array>;

export interface StorageBackend {
  readonly kind: "local" | "db";
  /** Write (replace) a file; returns its size in bytes. */
  put(path: string, data: Bytes): Promise<number>;
  get(path: string): Promise<Uint8Array>;
  /** Read without holding the whole file in memory where the backend allows it. */
  stream(path: string): Promise<ReadableStream<Uint8Array>>;
  exists(path: string): Promise<boolean>;
  size(path: string): Promise<number>;
  delete(path: string): Promise<boolean>;
  /** Every file path under a prefix (a folder, e.g. an execution's), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Local backend only: the real file path, so scripts read it in place instead of a copy. */
  filePath?(path: string): Promise<string>;
}

export class FileNotFoundError extends Error {
  override name = "FileNotFoundError";
  constructor(readonly path: string) {
    super(`file not found in internal storage: kestra:///${path}`);
  }
}

/** Collect any Bytes into one buffer (the db backend stores whole blobs). */
export async function toBuffer(data: Bytes, maxBytes = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of data as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`file larger than ${maxBytes} bytes, the limit of this storage backend`);
    parts.push(chunk);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
