// The flow editor: the validate fragment (posted as you type), and save, which stores a new
// revision through the flow source (the same validation as the API and `tern validate`).
import { requireNamespace } from "../../auth/context.ts";
import type { Context, Hono } from "hono";
import { FlowInvalidError } from "../../executor/flow-source.ts";
import { parseFlow } from "../../flow/index.ts";
import { getFlow } from "../../store/flows.ts";
import { FlowEditorPage, NEW_FLOW, Validation, type EditorError, type EditorView } from "../../../views/pages/flow-editor.tsx";
import type { Ctx } from "./deps.ts";
import { notFound } from "./errors.tsx";
import { formOf, redirect, send } from "./render.ts";

const FILE = "flow.yaml";

export function validate(source: string): { errors: EditorError[]; namespace?: string; id?: string; description?: string } {
  const r = parseFlow(source, FILE);
  const errors = r.errors.map((e) => ({ line: e.line, col: e.col, path: e.path, message: e.message }));
  return { errors, namespace: r.flow?.namespace, id: r.flow?.id, description: r.flow?.description };
}

/** FlowInvalidError messages are `file:line:col path: message`; split them back for the editor. */
function fromMessages(messages: string[]): EditorError[] {
  return messages.map((m) => {
    const hit = /^[^:]*:(\d+):(\d+) (?:([^:\s]+): )?(.*)$/s.exec(m);
    return hit ? { line: Number(hit[1]), col: Number(hit[2]), path: hit[3] ?? "", message: hit[4] } : { line: 1, col: 1, path: "", message: m };
  });
}

export function mountFlowEditor(app: Hono, ctx: Ctx) {
  const { db, flows } = ctx.deps.tern;

  app.get("/ui/flows/new", (c) => send(c, <FlowEditorPage v={{ source: NEW_FLOW, errors: [] }} />));

  app.post("/ui/flows/validate", async (c) => {
    const form = await formOf(c);
    const source = String(form.get("source") ?? "");
    const r = validate(source);
    return send(c, <Validation errors={r.errors} ok={r.id ? `Valid flow ${r.namespace}.${r.id}` : undefined} />);
  });

  async function save(c: Context, expected?: { namespace: string; id: string; revision: number }) {
    const form = await formOf(c);
    const source = String(form.get("source") ?? "");
    const page = (v: Partial<EditorView>, status: 409 | 422) =>
      send(c, <FlowEditorPage v={{ source, errors: [], flow: expected, ...v }} />, status);
    const checked = validate(source);
    if (checked.errors.length) return page({ errors: checked.errors, saveError: "Not saved: the flow has errors" }, 422);
    if (expected && (checked.namespace !== expected.namespace || checked.id !== expected.id)) {
      return page({ saveError: `Not saved: this editor holds ${expected.namespace}.${expected.id}; the id and namespace cannot change here (create a new flow instead)` }, 409);
    }
    // The namespace is in the source: a scoped editor may only save inside its grants.
    requireNamespace(c, checked.namespace!, "editor");
    if (!expected && (await getFlow(db, checked.namespace!, checked.id!))) {
      return page({ saveError: `Not saved: flow ${checked.namespace}.${checked.id} already exists; open it to edit it` }, 409);
    }
    try {
      const { model, changed } = await flows.save(source, FILE);
      const to = `/ui/flows/${encodeURIComponent(model.namespace)}/${encodeURIComponent(model.id)}?saved=${changed ? model.revision : 0}`;
      return redirect(c, to);
    } catch (e) {
      if (e instanceof FlowInvalidError) return page({ errors: fromMessages(e.messages), saveError: "Not saved: the flow has errors" }, 422);
      throw e;
    }
  }

  app.post("/ui/flows", (c) => save(c));

  app.get("/ui/flows/:ns/:id", async (c) => {
    const stored = await getFlow(db, c.req.param("ns"), c.req.param("id"));
    if (!stored) throw notFound(`Flow ${c.req.param("ns")}.${c.req.param("id")}`);
    const saved = c.req.query("saved");
    const notice = saved === undefined ? undefined : saved === "0" ? "No change: the source is the same as the current revision." : `Saved revision ${Number(saved)}.`;
    const checked = validate(stored.source);
    const flow = { namespace: stored.namespace, id: stored.id, revision: stored.revision, description: checked.description };
    return send(c, <FlowEditorPage v={{ source: stored.source, errors: checked.errors, flow, notice }} />);
  });

  app.post("/ui/flows/:ns/:id", async (c) => {
    const stored = await getFlow(db, c.req.param("ns"), c.req.param("id"));
    if (!stored) throw notFound(`Flow ${c.req.param("ns")}.${c.req.param("id")}`);
    return save(c, { namespace: stored.namespace, id: stored.id, revision: stored.revision });
  });
}
