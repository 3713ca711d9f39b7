// Execution inputs from a request: multipart/form-data (text fields + FILE parts), a form,
// or a JSON object. Files are only written to internal storage once the inputs are valid.
import type { Context } from "hono";
import { inputFilePath, pathToUri, type StorageBackend } from "../../files/index.ts";
import { badRequest } from "../errors.ts";

export interface UploadedFile {
  inputId: string;
  name: string;
  file: File;
}

export interface RequestInputs {
  values: Record<string, unknown>;
  files: UploadedFile[];
}

export async function readInputs(c: Context): Promise<RequestInputs> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")) {
    let body: Record<string, string | File | (string | File)[]>;
    try {
      body = await c.req.parseBody({ all: true });
    } catch (e) {
      throw badRequest(`malformed form body: ${(e as Error).message}`);
    }
    const values: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    for (const [key, raw] of Object.entries(body)) {
      for (const v of Array.isArray(raw) ? raw : [raw]) {
        if (typeof v === "string") values[key] = v;
        // Kestra's client sends parts named `files` whose filename is the input id; a part
        // named after the input (keeping its real file name) is accepted too.
        else if (key === "files") files.push({ inputId: v.name, name: v.name, file: v });
        else files.push({ inputId: key, name: v.name || key, file: v });
      }
    }
    return { values, files };
  }
  const text = await c.req.text();
  if (!text.trim()) return { values: {}, files: [] };
  if (type && !type.includes("json")) throw badRequest(`unsupported content type "${type}": send multipart/form-data or application/json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw badRequest(`malformed JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("the JSON body must be an object of input values");
  return { values: parsed as Record<string, unknown>, files: [] };
}

export interface FilePlacement extends UploadedFile {
  path: string;
  uri: string;
}

/** Where each file goes (…/executions/{id}/inputs/{inputId}/{name}); the URI becomes the input value. */
export function placeFiles(files: UploadedFile[], target: { namespace: string; flowId: string; executionId: string }): FilePlacement[] {
  return files.map((f) => {
    const path = inputFilePath(target, f.inputId, f.name);
    return { ...f, path, uri: pathToUri(path) };
  });
}

export async function storeFiles(storage: StorageBackend, files: FilePlacement[]): Promise<void> {
  for (const f of files) await storage.put(f.path, f.file.stream());
}
