// kestra:/// URIs <-> storage paths, with the confinement rules every backend relies on:
// a path is a list of plain segments, so no URI can name a file outside the storage root.
export const SCHEME = "kestra://";

export class StoragePathError extends Error {
  override name = "StoragePathError";
}

/** Where a task run's files go (Kestra's StorageContext). */
export interface TaskScope {
  namespace: string;
  flowId: string;
  executionId: string;
  taskId: string;
  taskRunId: string;
}

/** Kestra's Slugify.of: flow and task ids in storage paths (`each_split` -> `each-split`). */
export function slugify(input: string): string {
  return input
    .replace(/\s+/g, "-")
    .normalize("NFD")
    .replace(/[^\w-]/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase()
    .replace(/_/g, "-");
}

/**
 * Check one decoded path segment. Decoding happens once, so a segment that still holds a
 * percent-escape of a dot, slash, backslash or NUL was double-encoded: refused as well, since
 * some other layer (a proxy, a second decode) could turn it into traversal.
 */
function checkSegment(seg: string, whole: string, what = "storage path"): void {
  const fail = (why: string) => {
    throw new StoragePathError(`invalid ${what} "${whole.replace(/\0/g, "\\0")}": ${why}`);
  };
  if (seg === "" || seg === "." || seg === "..") fail(`empty, "." or ".." segment`);
  if (/[\\/\0]/.test(seg)) fail("slash, backslash or NUL inside a segment");
  if (/%(2e|2f|5c|00)/i.test(seg)) fail("encoded traversal");
  if (/[\x00-\x1f]/.test(seg)) fail("control character");
}

function decode(seg: string, whole: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw new StoragePathError(`invalid storage path "${whole}": bad percent-encoding`);
  }
}

/** `kestra:///a/b/c.txt` -> `a/b/c.txt` (decoded, validated). Also accepts `kestra://a/b` (no third slash). */
export function uriToPath(uri: string): string {
  if (!uri.startsWith(SCHEME)) throw new StoragePathError(`not an internal storage URI: "${uri}" (expected kestra:///…)`);
  let rest = uri.slice(SCHEME.length);
  if (rest.startsWith("/")) rest = rest.slice(1);
  if (rest.includes("?") || rest.includes("#")) throw new StoragePathError(`invalid storage URI "${uri}": query or fragment`);
  const segs = rest.split("/").map((s) => decode(s, uri));
  segs.forEach((s) => checkSegment(s, uri));
  return segs.join("/");
}

/** `a/b/c.txt` -> `kestra:///a/b/c.txt`, each segment percent-encoded where needed. */
export function pathToUri(path: string): string {
  return SCHEME + "/" + checkPath(path).split("/").map(encodeSegment).join("/");
}

/** Validate a relative storage path (already decoded) and return it. */
export function checkPath(path: string): string {
  if (path.startsWith("/")) throw new StoragePathError(`invalid storage path "${path}": absolute path`);
  path.split("/").forEach((s) => checkSegment(s, path));
  return path;
}

/** Keep the characters Kestra leaves readable in URIs; escape the rest (spaces, %, ?, #). */
function encodeSegment(seg: string): string {
  return encodeURIComponent(seg).replace(/%40/g, "@").replace(/%2B/g, "+").replace(/%3D/g, "=").replace(/%2C/g, ",");
}

/**
 * A file name given by a task (`put(name)`, outputFiles): relative, may contain sub-folders,
 * never escapes. Absolute paths and `..` are refused, not silently stripped, so a flow that
 * tries gets an error naming the problem.
 */
export function checkFileName(name: string): string {
  if (name.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(name)) throw new StoragePathError(`invalid file name "${name}": absolute path`);
  const clean = name.replace(/^\.\//, "");
  clean.split("/").forEach((s) => checkSegment(s, name, "file name"));
  return clean;
}

export function namespacePath(namespace: string): string {
  const path = namespace.split(".").join("/");
  checkPath(path);
  return path;
}

export function executionPrefix(s: Pick<TaskScope, "namespace" | "flowId" | "executionId">): string {
  return `${namespacePath(s.namespace)}/${slugify(s.flowId)}/executions/${s.executionId}`;
}

export function taskRunPrefix(s: TaskScope): string {
  return `${executionPrefix(s)}/tasks/${slugify(s.taskId)}/${s.taskRunId}`;
}

/** Storage path of an uploaded FILE input: …/executions/{executionId}/inputs/{inputId}/{file} */
export function inputFilePath(s: Pick<TaskScope, "namespace" | "flowId" | "executionId">, inputId: string, fileName: string): string {
  return `${executionPrefix(s)}/inputs/${inputId}/${checkFileName(fileName)}`;
}
