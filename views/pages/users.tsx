// /ui/admin/users: every user with role, grants and state, and the forms to add, disable,
// enable and delete one, then the API tokens of no user (`tern token create`) to revoke;
// /ui/admin/users/{id}: one user's grants, password and API tokens (a new token's secret is
// shown once, on the page that created it). Admins only.
import { ROLES } from "../../src/auth/roles.ts";
import { Csrf, Empty, ErrorBox, Notice, Time } from "../components.tsx";
import { Header, Layout } from "../layout.tsx";

export interface UserView {
  id: string;
  username: string;
  disabled: boolean;
  created: number;
  grants: { role: string; namespace: string }[];
}

export interface TokenView {
  id: string;
  name: string;
  description: string | null;
  created: number;
  lastUsed: number | null;
  /** null: never expires. */
  expires: number | null;
  expired: boolean;
}

/** A token of no user: grants of its own, and who made it. */
export interface OwnTokenView extends TokenView {
  grants: { role: string; namespace: string }[];
  createdBy: string;
}

/** The expiries the token form offers (ISO-8601 durations, Kestra's `maxAge`). */
const MAX_AGES = [["", "Never"], ["P7D", "7 days"], ["P30D", "30 days"], ["P90D", "90 days"], ["P365D", "1 year"]] as const;

/** Why the last form was refused (shown above the forms, with the entered values kept). */
export interface Problem {
  title: string;
  messages: string[];
}

export const userPath = (id: string) => `/ui/admin/users/${encodeURIComponent(id)}`;

function Grants({ grants }: { grants: UserView["grants"] }) {
  if (!grants.length) return <span class="muted">no grant</span>;
  return <span class="labels">{grants.map((g) => <span class="label">{g.role}@{g.namespace}</span>)}</span>;
}

function RoleSelect({ value }: { value?: string }) {
  return <select name="role">{ROLES.map((r) => <option value={r} selected={r === value}>{r}</option>)}</select>;
}

/** Disable/enable and delete buttons; `back` says which page to return to. */
function UserActions({ u, back }: { u: UserView; back: "list" | "user" }) {
  const act = (what: string) => `${userPath(u.id)}/${what}`;
  return (
    <>
      {u.disabled ? (
        <form method="post" action={act("enable")} class="inline">
          <Csrf /><input type="hidden" name="back" value={back} />
          <button type="submit" class="small">Enable</button>
        </form>
      ) : (
        <form method="post" action={act("disable")} class="inline" data-confirm={`Disable ${u.username}? They are signed out and their API tokens are revoked.`}>
          <Csrf /><input type="hidden" name="back" value={back} />
          <button type="submit" class="small">Disable</button>
        </form>
      )}{" "}
      <form method="post" action={act("delete")} class="inline" data-confirm={`Delete ${u.username} and their API tokens?`}>
        <Csrf />
        <button type="submit" class="small danger">Delete</button>
      </form>
    </>
  );
}

function TokenName({ t }: { t: TokenView }) {
  return <>{t.name}{t.description && <div class="muted">{t.description}</div>}</>;
}

function Expires({ t }: { t: TokenView }) {
  if (t.expires === null) return <span class="muted">never</span>;
  return t.expired ? <><span class="state s-killed">EXPIRED</span> <Time ms={t.expires} /></> : <Time ms={t.expires} />;
}

const LastUsed = ({ t }: { t: TokenView }) => (t.lastUsed === null ? <span class="muted">never</span> : <Time ms={t.lastUsed} />);

/** Tokens made by `tern token create`: listed with their grants, revoked here. */
function OwnTokens({ tokens }: { tokens: OwnTokenView[] }) {
  return (
    <section id="api-tokens">
      <h2>API tokens of no user</h2>
      <p class="muted">Made with <code>tern token create</code>: each carries grants of its own. A user's tokens are on the user's page.</p>
      {tokens.length === 0 ? <Empty>No such API tokens.</Empty> : (
        <table class="list">
          <thead><tr><th>Name</th><th>Id</th><th>Grants</th><th>Created</th><th>Expires</th><th>Last used</th><th></th></tr></thead>
          <tbody>
            {tokens.map((t) => (
              <tr>
                <td><TokenName t={t} /></td>
                <td class="mono">{t.id}</td>
                <td><Grants grants={t.grants} /></td>
                <td><Time ms={t.created} /> <span class="muted">by {t.createdBy}</span></td>
                <td><Expires t={t} /></td>
                <td><LastUsed t={t} /></td>
                <td>
                  <form method="post" action={`/ui/admin/api-tokens/${encodeURIComponent(t.id)}/revoke`} class="inline" data-confirm={`Revoke the token ${t.name}?`}>
                    <Csrf /><button type="submit" class="small danger">Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function UsersPage({ users, tokens, problem, draft }: { users: UserView[]; tokens: OwnTokenView[]; problem?: Problem; draft?: { username: string; role: string; namespaces: string } }) {
  return (
    <Layout title="Users" active="">
      <Header title="Users"><a href="/ui/audit">Audit log</a></Header>
      {problem && <ErrorBox title={problem.title} messages={problem.messages} />}
      {users.length === 0 ? <Empty>No users yet.</Empty> : (
        <table class="list">
          <thead><tr><th>User</th><th>Role and grants</th><th>State</th><th>Created</th><th></th></tr></thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td><a href={userPath(u.id)}>{u.username}</a></td>
                <td><Grants grants={u.grants} /></td>
                <td>{u.disabled ? <span class="state s-killed">DISABLED</span> : <span class="state s-success">ENABLED</span>}</td>
                <td><Time ms={u.created} /></td>
                <td><a href={userPath(u.id)}>Grants and tokens</a> <UserActions u={u} back="list" /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Add a user</h2>
      <form method="post" action="/ui/admin/users" class="panel form-grid">
        <Csrf />
        <label for="nu-name">User name <span class="req">*</span></label>
        <input id="nu-name" type="text" name="username" required value={draft?.username ?? ""} autocomplete="off" />
        <label for="nu-pass">Password <span class="req">*</span></label>
        <div><input id="nu-pass" type="password" name="password" required minlength={8} autocomplete="new-password" /> <span class="hint">at least 8 characters</span></div>
        <label>Role</label>
        <RoleSelect value={draft?.role ?? "viewer"} />
        <label for="nu-ns">Namespaces</label>
        <div><input id="nu-ns" type="text" name="namespaces" value={draft?.namespaces ?? ""} placeholder="*" /> <span class="hint">prefixes separated by commas (finance.*, hr); empty for every namespace</span></div>
        <span></span>
        <div><button type="submit" class="primary">Add user</button></div>
      </form>
      <OwnTokens tokens={tokens} />
    </Layout>
  );
}

function Tokens({ u, tokens }: { u: UserView; tokens: TokenView[] }) {
  return (
    <>
      {tokens.length === 0 ? <Empty>No API tokens.</Empty> : (
        <table class="list">
          <thead><tr><th>Name</th><th>Id</th><th>Created</th><th>Expires</th><th>Last used</th><th></th></tr></thead>
          <tbody>
            {tokens.map((t) => (
              <tr>
                <td><TokenName t={t} /></td>
                <td class="mono">{t.id}</td>
                <td><Time ms={t.created} /></td>
                <td><Expires t={t} /></td>
                <td><LastUsed t={t} /></td>
                <td>
                  <form method="post" action={`${userPath(u.id)}/tokens/${encodeURIComponent(t.id)}/revoke`} class="inline" data-confirm={`Revoke the token ${t.name}?`}>
                    <Csrf /><button type="submit" class="small danger">Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {u.disabled ? <p class="muted">Enable the user to create API tokens.</p> : (
        <form method="post" action={`${userPath(u.id)}/tokens`} class="filters" style="margin: 10px 0 0">
          <Csrf />
          <label class="f">Token name<input type="text" name="name" required maxlength={100} placeholder="ci" /></label>
          <label class="f">Description<input type="text" name="description" maxlength={500} placeholder="deploys from CI" /></label>
          <label class="f">Expires after<select name="maxAge">{MAX_AGES.map(([v, label]) => <option value={v}>{label}</option>)}</select></label>
          <button type="submit">Create token</button>
        </form>
      )}
    </>
  );
}

export function UserPage({ u, tokens, problem, created }: { u: UserView; tokens: TokenView[]; problem?: Problem; created?: { name: string; token: string } }) {
  const top = ROLES.filter((r) => u.grants.some((g) => g.role === r)).at(-1);
  return (
    <Layout title={`User ${u.username}`} active="">
      <Header title={u.username} crumbs={[{ href: "/ui/admin/users", label: "Users" }]}>
        {u.disabled && <span class="state s-killed">DISABLED</span>} <UserActions u={u} back="user" />
      </Header>
      {problem && <ErrorBox title={problem.title} messages={problem.messages} />}
      {created && (
        <Notice kind="ok">
          API token <b>{created.name}</b> created. Copy it now: <b>it will not be shown again</b>.
          <pre class="mono" id="new-token">{created.token}</pre>
        </Notice>
      )}
      <div class="grid2">
        <section class="panel">
          <h2>Role and grants</h2>
          <p><Grants grants={u.grants} /></p>
          <form method="post" action={`${userPath(u.id)}/grants`} class="filters">
            <Csrf />
            <label class="f">Role<RoleSelect value={top} /></label>
            <label class="f">Namespaces<input type="text" name="namespaces" placeholder="*" value={u.grants.filter((g) => g.role === top && g.namespace !== "*").map((g) => g.namespace).join(", ")} /></label>
            <button type="submit">Replace grants</button>
          </form>
          <p class="muted">The new role on these prefixes (comma-separated; empty for every namespace) replaces every grant.</p>
        </section>
        <section class="panel">
          <h2>Password</h2>
          <p class="muted">A new password signs the user out of every other browser; API tokens stay.</p>
          <form method="post" action={`${userPath(u.id)}/password`} class="filters">
            <Csrf />
            <label class="f">New password<input type="password" name="password" required minlength={8} autocomplete="new-password" /></label>
            <button type="submit">Set password</button>
          </form>
        </section>
      </div>
      <section class="panel">
        <h2>API tokens</h2>
        <p class="muted">A token acts as this user, with the user's grants at the time of each request.</p>
        <Tokens u={u} tokens={tokens} />
      </section>
    </Layout>
  );
}
