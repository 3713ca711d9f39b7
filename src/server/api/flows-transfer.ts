// Flows in and out as files: a ZIP of YAML sources chosen by a search query or by ids
// (Kestra's entry names: `{namespace}-{id}.yml` by query, `{namespace}.{id}.yaml` by ids), and
// the import of a YAML or ZIP upload.
import { z } from "zod";
import { principalOf } from "../../auth/context.ts";
import { allows } from "../../auth/roles.ts";
import { writeZip } from "../../files/zip.ts";
import type { StoredFlow } from "../../store/flows.ts";
import { badRequest, invalid } from "../errors.ts";
import { bool, defineRoute, type RouteDef } from "../route.ts";
import { flowQuery, flowsByIds, flowsByQuery, IdsBody } from "./flows-batch.ts";
import { importFlows } from "./flows-import.ts";
import type { ApiDeps } from "./common.ts";

const zipOf = (rows: StoredFlow[], name: (f: StoredFlow) => string) => {
  const enc = new TextEncoder();
  return new Response(writeZip(rows.map((f) => ({ name: name(f), data: enc.encode(f.source) }))), {
    headers: { "content-type": "application/octet-stream", "content-disposition": 'attachment; filename="flows.zip"' },
  });
};
const zipResponse = { 200: { description: "a ZIP archive of the flows' YAML sources (flows.zip)", media: "binary" as const } };

export function flowTransferRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: "get", path: "/api/v1/flows/export/by-query", tag: "Flows", summary: "Export the flows a search matches as a ZIP of YAML sources",
      access: { role: "viewer", ns: "handler" }, query: flowQuery, responses: zipResponse,
      async handler(c, q) {
        return zipOf(await flowsByQuery(c, deps, q, "viewer"), (f) => `${f.namespace}-${f.id}.yml`);
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/flows/export/by-ids", tag: "Flows", summary: "Export flows by their ids as a ZIP of YAML sources",
      access: { role: "viewer", ns: "handler" },
      body: [{ media: "json", schema: IdsBody, description: "the flows as [{namespace, id}]" }],
      responses: { ...zipResponse, 404: { description: "a flow is missing or its namespace unreadable" } },
      async handler(c) {
        return zipOf(await flowsByIds(c, deps, "viewer"), (f) => `${f.namespace}.${f.id}.yaml`);
      },
    }),
    defineRoute({
      method: "post", path: "/api/v1/flows/import", tag: "Flows",
      summary: "Import flows from a YAML file (one or more documents) or a ZIP of YAML files; answers what could not be imported",
      access: { role: "editor", ns: "handler", audit: "flow.import" },
      query: z.object({ failOnError: bool(false).meta({ description: "422 and nothing stored when a flow is invalid" }) }),
      body: [{ media: "multipart", description: "the file as the part `fileUpload`" }],
      responses: {
        200: { description: "the names of the flows not imported (a YAML document's index, a ZIP entry's name)", schema: z.array(z.string()) },
        422: { description: "failOnError and an invalid flow (nothing stored), or an unreadable upload; issues carry file:line:col" },
      },
      async handler(c, q) {
        if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) throw badRequest("expected a multipart/form-data body with a `fileUpload` part");
        const part = (await c.req.parseBody())["fileUpload"];
        if (!(part instanceof File)) throw badRequest("expected a file in the multipart part `fileUpload`");
        const p = principalOf(c);
        const report = await importFlows(deps, { name: part.name, bytes: new Uint8Array(await part.arrayBuffer()) }, (ns) => allows(p, "editor", ns), q.failOnError);
        if (q.failOnError && report.invalid.length) {
          throw invalid(`Following invalid flows were not imported: ${report.invalid.map((i) => i.name).join(", ")}; nothing was stored`,
            report.invalid.flatMap((i) => i.errors.map((message) => ({ path: i.name, message }))));
        }
        return c.json(report.invalid.map((i) => i.name));
      },
    }),
  ];
}
