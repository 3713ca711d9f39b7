// The dashboard's user administration (/ui/admin/users): plain form posts that redirect, over
// the same functions as the CLI and the API (src/auth/accounts.ts). Admin only and audited by
// the dashboard guard (src/auth/ui-access.ts); a refused change shows the page again with why.
// `now` is the clock the guard judges token expiry by.
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { onUiError, UiError } from "../server/ui/errors.tsx";
import { formOf, redirect, send } from "../server/ui/render.ts";
import type { Db } from "../store/db.ts";
import { userPath, UserPage, UsersPage, type OwnTokenView, type Problem, type TokenView, type UserView } from "../../views/pages/users.tsx";
import {
  AccountError, addUser, createUserToken, findAccount, listAccounts, ownTokens, removeUser, revokeOwnToken, revokeUserToken,
  setPassword, updateUser, userTokens, type Account, type OwnTokenInfo, type TokenInfo,
} from "./accounts.ts";
import { isExpired } from "./credentials.ts";
import { callerSession } from "./login.tsx";

const view = (a: Account): UserView => ({
  id: a.id, username: a.username, disabled: a.disabled, created: a.createdAt,
  grants: a.grants.map((g) => ({ role: g.role, namespace: g.prefix })),
});

const tokenView = (t: TokenInfo, now: number): TokenView => ({
  id: t.id, name: t.name, description: t.description, created: t.createdAt, lastUsed: t.lastUsedAt, expires: t.expiresAt, expired: isExpired(t, now),
});
const ownTokenView = (t: OwnTokenInfo, now: number): OwnTokenView =>
  ({ ...tokenView(t, now), grants: t.grants.map((g) => ({ role: g.role, namespace: g.prefix })), createdBy: t.createdBy });

/** "finance.*, hr" → one grant of `role` per prefix; empty → every namespace. */
const grantsFrom = (role: string, namespaces: string) => {
  const list = namespaces.split(/[\s,]+/).filter(Boolean);
  return { grants: (list.length ? list : ["*"]).map((namespace) => ({ role, namespace })) };
};

const field = (f: FormData, k: string) => String(f.get(k) ?? "");
const problemOf = (e: AccountError): Problem => ({ title: e.message, messages: [] });

export function usersPage(db: Db, now: () => number = Date.now): Hono {
  const app = new Hono();
  app.onError(onUiError);

  const list = async (problem?: Problem, draft?: { username: string; role: string; namespaces: string }) =>
    <UsersPage users={(await listAccounts(db)).map(view)} tokens={(await ownTokens(db)).map((t) => ownTokenView(t, now()))} problem={problem} draft={draft} />;
  const one = async (id: string, extra: { problem?: Problem; created?: { name: string; token: string } } = {}) =>
    <UserPage u={view(await findAccount(db, id))} tokens={(await userTokens(db, id)).map((t) => tokenView(t, now()))} {...extra} />;

  /** Run a form's change; a refused one renders `page` with the reason (an unknown user is the 404 page). */
  async function act(c: Context, run: () => Promise<Response>, page: (p: Problem) => Promise<Child>): Promise<Response> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof AccountError)) throw e;
      if (e.status === 404) throw new UiError(404, e.message);
      return send(c, await page(problemOf(e)), e.status);
    }
  }
  const id = (c: Context) => c.req.param("id")!;

  app.get("/ui/admin/users", async (c) => send(c, await list()));
  app.get("/ui/admin/users/:id", (c) => act(c, async () => send(c, await one(id(c))), async () => list()));

  app.post("/ui/admin/users", async (c) => {
    const f = await formOf(c);
    const draft = { username: field(f, "username").trim(), role: field(f, "role"), namespaces: field(f, "namespaces") };
    return act(c, async () => {
      const created = await addUser(db, { username: draft.username, password: field(f, "password"), ...grantsFrom(draft.role, draft.namespaces) }, null);
      return redirect(c, userPath(created));
    }, (p) => list(p, draft));
  });

  app.post("/ui/admin/users/:id/grants", async (c) => {
    const f = await formOf(c);
    return act(c, async () => {
      await updateUser(db, id(c), { grants: grantsFrom(field(f, "role"), field(f, "namespaces")) }, null);
      return redirect(c, userPath(id(c)));
    }, (problem) => one(id(c), { problem }));
  });

  for (const [what, disabled] of [["disable", true], ["enable", false]] as const) {
    app.post(`/ui/admin/users/:id/${what}`, async (c) => {
      const back = field(await formOf(c), "back") === "user" ? userPath(id(c)) : "/ui/admin/users";
      return act(c, async () => {
        await updateUser(db, id(c), { disabled }, null);
        return redirect(c, back);
      }, (problem) => (back === "/ui/admin/users" ? list(problem) : one(id(c), { problem })));
    });
  }

  app.post("/ui/admin/users/:id/delete", (c) => act(c, async () => {
    if (!(await removeUser(db, id(c), null))) throw new UiError(404, `no user "${id(c)}"`);
    return redirect(c, "/ui/admin/users");
  }, (problem) => list(problem)));

  app.post("/ui/admin/users/:id/password", async (c) => {
    const f = await formOf(c);
    return act(c, async () => {
      await setPassword(db, id(c), field(f, "password"), null, callerSession(c));
      return redirect(c, userPath(id(c)));
    }, (problem) => one(id(c), { problem }));
  });

  // The secret is rendered into this answer only: no redirect, so it never sits in a URL or history.
  app.post("/ui/admin/users/:id/tokens", async (c) => {
    const f = await formOf(c);
    return act(c, async () => {
      const spec = { name: field(f, "name"), description: field(f, "description"), maxAge: field(f, "maxAge") || undefined };
      const t = await createUserToken(db, id(c), spec, null, now());
      return send(c, await one(id(c), { created: { name: t.name, token: t.token } }));
    }, (problem) => one(id(c), { problem }));
  });

  app.post("/ui/admin/users/:id/tokens/:tokenId/revoke", (c) => act(c, async () => {
    await revokeUserToken(db, id(c), c.req.param("tokenId")!, null);
    return redirect(c, userPath(id(c)));
  }, (problem) => one(id(c), { problem })));

  app.post("/ui/admin/api-tokens/:tokenId/revoke", (c) => act(c, async () => {
    await revokeOwnToken(db, c.req.param("tokenId")!, null);
    return redirect(c, "/ui/admin/users#api-tokens");
  }, (problem) => list(problem)));

  return app;
}
