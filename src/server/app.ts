// The Hono app: Kestra-shaped /api/v1 routes registered from one route table, the OpenAPI
// document generated from the same table, body limits and the one error handler.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { auditRoutes, mountAuditPage } from "../auth/audit-api.tsx";
import { browserProtection } from "../auth/csrf.ts";
import { createAuth, type AuthDeps } from "../auth/guard.ts";
import { mountLogin } from "../auth/login.tsx";
import { uiGuard } from "../auth/ui-access.ts";
import { ownTokenRoutes } from "../auth/tokens-api.ts";
import { userRoutes } from "../auth/users-api.ts";
import { usersPage } from "../auth/users-page.tsx";
import type { Tern } from "../main.ts";
import { createKvStore } from "../store/kv.ts";
import { executionBulkRoutes } from "./api/execution-bulk-routes.ts";
import { executionLabelRoutes } from "./api/execution-labels.ts";
import { executionOpRoutes } from "./api/execution-ops.ts";
import { executionRoutes } from "./api/executions.ts";
import { flowRoutes } from "./api/flows.ts";
import { flowBatchRoutes } from "./api/flows-batch.ts";
import { flowTransferRoutes } from "./api/flows-transfer.ts";
import { logRoutes } from "./api/logs.ts";
import { namespaceFileRoutes } from "./api/namespace-files.ts";
import { namespaceRoutes } from "./api/namespaces.ts";
import { systemRoutes } from "./api/system.ts";
import type { ApiDeps } from "./api/common.ts";
import { AppError, errorBody, notFound, onError, tooLarge } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import { honoPath, parseQuery, type RouteDef } from "./route.ts";
import { triggerRoutes, type TriggersApiDeps } from "./triggers-api.ts";

export interface AppDeps {
  tern: ApiDeps["tern"];
  /** Liveness of the loops this process runs; an app without loops reports them up. */
  loopsAlive?: () => boolean;
  /** The dashboard mounts its routes (at / and /ui) here, after the API. */
  mountUi?(app: Hono): void;
  /** /api/v1/triggers (search, enable/disable, backfill): present where a scheduler runs. */
  triggers?: TriggersApiDeps;
  /** The webhook endpoints (/api/v1/executions/webhook/…), authenticated by key and signature. */
  webhooks?: { app: Hono };
  version?: string;
  /** Overrides of the auth settings (tests: login rate); the rest comes from the config. */
  auth?: Partial<AuthDeps>;
}

export function createApp(deps: AppDeps) {
  const api: ApiDeps = {
    tern: deps.tern,
    kv: createKvStore(deps.tern.db),
    loopsAlive: deps.loopsAlive ?? (() => true),
  };
  // The clock the guard judges token expiry by; the account routes state `expired` by it too.
  const now = deps.auth?.now ?? (() => Date.now());
  // Order matters where paths overlap: literal segments (search, validate, kill…) come
  // before parameters, since Hono answers with the first matching handler.
  const routes: RouteDef[] = [
    ...systemRoutes(api),
    // Before flowRoutes: /flows/export/by-query and /flows/delete/by-ids also fit /flows/{namespace}/{id}.
    ...flowTransferRoutes(api),
    ...flowBatchRoutes(api),
    ...flowRoutes(api),
    ...executionBulkRoutes(api),
    ...executionLabelRoutes(api),
    ...executionOpRoutes(api),
    ...executionRoutes(api),
    ...logRoutes(api),
    ...namespaceRoutes(api),
    ...namespaceFileRoutes(api),
    ...(deps.triggers ? triggerRoutes(deps.triggers) : []),
    ...auditRoutes(deps.tern.db),
    ...userRoutes(deps.tern.db, now),
    ...ownTokenRoutes(deps.tern.db, now),
  ];
  // Every route's `access` is enforced by one guard (src/auth); webhooks authenticate by key.
  const auth = createAuth({ db: deps.tern.db, config: deps.tern.config, ...deps.auth });
  const app = new Hono();
  app.onError(onError);
  app.notFound((c) => c.json(errorBody(notFound(`${c.req.method} ${c.req.path}`)), 404));
  app.use("*", browserProtection());

  // 413 before anything reads the body: Content-Length is checked up front, a chunked body
  // is counted while it streams in.
  const max = deps.tern.config.maxBodyBytes;
  // Webhooks first: they have their own body limit, rate limits and authentication.
  if (deps.webhooks) app.route("/", deps.webhooks.app);
  app.use("/api/*", bodyLimit({ maxSize: max, onError: () => { throw tooLarge(max); } }));

  for (const r of routes) {
    app.on(r.method.toUpperCase(), honoPath(r.path), auth.route(r), (c) => r.handler(c, parseQuery(c, r.query)));
  }
  let openapi: unknown;
  app.get("/api/openapi.json", (c) => c.json((openapi ??= openApiDocument(routes, { title: "Tern API", version: deps.version ?? "0.1.0" }))));
  if (deps.mountUi) {
    mountLogin(app, auth);
    app.use("*", uiGuard(auth));
    mountAuditPage(app, deps.tern.db);
    app.route("/", usersPage(deps.tern.db, now));
    deps.mountUi(app);
  }
  return Object.assign(app, { routeTable: routes });
}

export { AppError };
export type App = ReturnType<typeof createApp>;
export type { Tern };
