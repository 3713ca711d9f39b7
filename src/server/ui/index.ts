// The dashboard as a Hono sub-app: server-rendered pages under Kestra's UI paths, htmx
// fragments for the live parts, static assets. Mounted by the API app (its mountUi hook)
// or served alone in tests.
import { Hono } from "hono";
import { context, type UiDeps } from "./deps.ts";
import { notFound, onUiError } from "./errors.tsx";
import { mountExecution } from "./execution.tsx";
import { mountExecutionActions } from "./execution-actions.tsx";
import { mountExecutions } from "./executions.tsx";
import { mountFlowEditor } from "./flow-editor.tsx";
import { mountFlowPages } from "./flow-pages.tsx";
import { mountFlows } from "./flows.tsx";
import { mountLogStream } from "./log-stream.tsx";
import { mountMisc } from "./misc.tsx";
import { mountOverview } from "./overview.tsx";
import { mountStatic } from "./static.ts";

export type { UiDeps } from "./deps.ts";

export function createUi(deps: UiDeps): Hono {
  const app = new Hono();
  const ctx = context(deps);
  app.onError(onUiError);
  mountStatic(app);
  mountOverview(app, ctx);
  mountFlows(app, ctx);
  mountFlowEditor(app, ctx);
  mountFlowPages(app, ctx);
  // Specific execution paths before the generic /ui/executions/:ns/:flowId/:id alias.
  mountExecutions(app, ctx);
  mountLogStream(app, ctx);
  mountExecutionActions(app, ctx);
  mountExecution(app, ctx);
  mountMisc(app, ctx);
  app.get("/ui", (c) => c.redirect("/", 302));
  // Unknown dashboard paths get a page, not the API's JSON 404.
  app.all("/ui/*", () => {
    throw notFound("Page");
  });
  return app;
}
