// /api/v1/namespaces/{namespace}/files: Kestra's Namespace Files API (upload, read, list a
// folder, delete). Paths are namespace-relative (`/a/b.py`); src/files confines them.
import { z } from "zod";
import { createNamespaceFiles } from "../../files/index.ts";
import { badRequest, notFound } from "../errors.ts";
import { defineRoute, type RouteDef } from "../route.ts";
import type { ApiDeps } from "./common.ts";

const pathQuery = z.object({ path: z.string().meta({ description: "namespace-relative path, e.g. /scripts/main.py" }) });
const dirQuery = z.object({ path: z.string().default("/").meta({ description: "folder to list (default: the namespace root)" }) });
const FileEntry = z.object({ fileName: z.string(), type: z.enum(["File", "Directory"]), size: z.number() }).meta({ id: "NamespaceFileEntry" });

export function namespaceFileRoutes(deps: ApiDeps): RouteDef[] {
  const files = (c: { req: { param(n: string): string | undefined } }) => createNamespaceFiles(deps.tern.storage, c.req.param("namespace")!);
  const read = { role: "viewer", ns: { param: "namespace" } } as const;
  return [
    defineRoute({
      method: "get", path: "/api/v1/namespaces/{namespace}/files/directory", tag: "Files", summary: "List a folder of the namespace's files",
      access: read, query: dirQuery,
      responses: { 200: { description: "the folder's entries", schema: z.array(FileEntry) } },
      async handler(c, q) {
        const entries = await files(c).directory(q.path);
        if (!entries) throw notFound(`namespace folder '${q.path}'`);
        return c.json(entries);
      },
    }),
    defineRoute({
      method: "get", path: "/api/v1/namespaces/{namespace}/files", tag: "Files", summary: "A namespace file's content",
      access: read, query: pathQuery,
      responses: { 200: { description: "the file", media: "binary" } },
      async handler(c, q) {
        const body = await files(c).stream(q.path);
        return c.body(body, 200, { "content-type": "application/octet-stream" });
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/namespaces/{namespace}/files", tag: "Files",
      summary: "Create or replace a namespace file from the multipart part `fileContent`",
      access: { role: "editor", ns: { param: "namespace" }, audit: "namespaceFile.put" }, query: pathQuery,
      body: [{ media: "multipart", description: "the file as the part `fileContent`" }],
      responses: { 200: { description: "stored" } },
      async handler(c, q) {
        if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) throw badRequest("expected a multipart/form-data body with a `fileContent` part");
        const part = (await c.req.parseBody())["fileContent"];
        if (!(part instanceof Blob)) throw badRequest("missing the file part `fileContent`");
        await files(c).put(q.path, new Uint8Array(await part.arrayBuffer()));
        return c.body(null, 200);
      },
    }),
    defineRoute({
      method: "delete", path: "/api/v1/namespaces/{namespace}/files", tag: "Files", summary: "Delete a namespace file, or a folder with its content",
      access: { role: "editor", ns: { param: "namespace" }, audit: "namespaceFile.delete" }, query: pathQuery,
      responses: { 204: { description: "deleted" } },
      async handler(c, q) {
        if ((await files(c).delete(q.path)) === 0) throw notFound(`namespace file '${q.path}'`);
        return c.body(null, 204);
      },
    }),
  ];
}
