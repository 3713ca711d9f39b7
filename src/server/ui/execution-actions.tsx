// POST actions on one execution (kill, restart, replay, resume) and its files (download and
// preview). Actions are plain forms: they answer with a redirect (303, or HX-Redirect), and a
// refused action re-renders the execution page with the reason.
import type { Context, Hono } from "hono";
import { executionPrefix, putInputFile, uriToPath } from "../../files/index.ts";
import { loadExecution } from "../../store/executions.ts";
import { FilePreview } from "../../../views/pages/execution-io.tsx";
import type { Ctx } from "./deps.ts";
import { notFound, toUiError, UiError } from "./errors.tsx";
import { readInputForm } from "./execute-form.ts";
import { loadExecutionView, renderExecution } from "./execution.tsx";
import { formOf, redirect, send } from "./render.ts";

const base = (id: string) => `/ui/executions/${encodeURIComponent(id)}`;

export function mountExecutionActions(app: Hono, ctx: Ctx) {
  const { service, storage, db } = ctx.deps.tern;

  /** Run an action; a refusal (409 restart of a running execution…) shows on the page. */
  async function act(c: Context, id: string, run: () => Promise<string>) {
    try {
      return redirect(c, await run());
    } catch (e) {
      const err = toUiError(e);
      if (err.status >= 500 || err.status === 404) throw e;
      return renderExecution(c, ctx, id, "gantt", { error: { title: err.message, messages: err.messages } }, err.status);
    }
  }

  app.post("/ui/executions/:id/kill", (c) => {
    const id = c.req.param("id");
    return act(c, id, async () => {
      if (!(await service.kill(id))) throw notFound(`Execution ${id}`);
      return `${base(id)}?done=kill`;
    });
  });

  app.post("/ui/executions/:id/restart", (c) => {
    const id = c.req.param("id");
    return act(c, id, async () => {
      await service.restart(id);
      return `${base(id)}?done=restart`;
    });
  });

  app.post("/ui/executions/:id/replay", async (c) => {
    const id = c.req.param("id");
    const form = await formOf(c);
    const taskRunId = String(form.get("taskRunId") ?? "") || undefined;
    return act(c, id, async () => {
      const ex = await service.replay(id, taskRunId);
      return `${base(ex.id)}?done=replay`;
    });
  });

  app.post("/ui/executions/:id/resume", async (c) => {
    const id = c.req.param("id");
    const v = await loadExecutionView(ctx, id, "gantt");
    const form = await formOf(c);
    const ex = v.ex;
    const r = await readInputForm(form, v.resumeInputs ?? [], (inputId, file) =>
      putInputFile(storage, { namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id }, inputId, file.name || "upload", file.stream()));
    if (Object.keys(r.errors).length) {
      return renderExecution(c, ctx, id, "gantt", { error: { title: "Invalid resume inputs", messages: Object.values(r.errors) } }, 422);
    }
    return act(c, id, async () => {
      await service.resume(id, r.values);
      return `${base(id)}?done=resume`;
    });
  });

  /** A file of this execution only: the URI must lie under the execution's storage folder. */
  async function fileOf(c: Context) {
    const ex = await loadExecution(db, c.req.param("id")!);
    if (!ex) throw notFound("Execution");
    const uri = c.req.query("uri") ?? "";
    const path = uriToPath(uri);
    if (!path.startsWith(`${executionPrefix({ namespace: ex.namespace, flowId: ex.flowId, executionId: ex.id })}/`)) {
      throw new UiError(403, "This file does not belong to this execution");
    }
    return { path, name: path.split("/").pop() ?? "file" };
  }

  app.get("/ui/executions/:id/file/download", async (c) => {
    const { path, name } = await fileOf(c);
    const size = await storage.size(path);
    return c.body(await storage.stream(path), 200, {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(size),
      // RFC 5987 filename*: any character in the name is safe in the header.
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      "X-Content-Type-Options": "nosniff",
    });
  });

  app.get("/ui/executions/:id/file/preview", async (c) => {
    const { path } = await fileOf(c);
    const max = ctx.deps.previewBytes ?? 64 * 1024;
    const size = await storage.size(path);
    const bytes = await readHead(await storage.stream(path), max);
    const binary = bytes.includes(0);
    const text = binary ? "" : new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    return send(c, <FilePreview text={text} size={size} truncated={size > max} binary={binary} />);
  });
}

/** The first `max` bytes of a stream, without reading the rest of a large file. */
async function readHead(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const out = new Uint8Array(max);
  let n = 0;
  try {
    while (n < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.byteLength, max - n);
      out.set(value.subarray(0, take), n);
      n += take;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out.subarray(0, n);
}
