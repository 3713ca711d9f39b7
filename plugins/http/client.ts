// The HTTP client shared by Request, Download and the webhook notifications: builds the
// request from Kestra's properties, checks every hop against the address guard (redirects are
// followed by hand for that), and applies Kestra's timeouts.
import { z } from "zod";
import { duration, durationMs, NonRetriableError, type TaskContext } from "../define.ts";
import { assertAllowedUrl, policyFromEnv } from "./guard.ts";

const auth = z.union([
  z.object({ type: z.literal("BASIC"), username: z.string(), password: z.string() }),
  z.object({ type: z.literal("BEARER"), token: z.string() }),
]);

export const httpOptions = z
  .looseObject({
    connectTimeout: duration().optional(),
    readTimeout: duration().optional().meta({ description: "Longest wait for the response or between two chunks of it (default PT10S)" }),
    readIdleTimeout: duration().optional(),
    followRedirects: z.boolean().default(true),
    maxContentLength: z.number().int().positive().optional().meta({ description: "Largest body Request reads (default 10 MiB)" }),
    basicAuthUser: z.string().optional(),
    basicAuthPassword: z.string().optional(),
    basicAuth: z.object({ username: z.string(), password: z.string() }).optional(),
    auth: auth.optional(),
    allowFailed: z.boolean().optional(),
  })
  .meta({ description: "Client options (timeouts, redirects, authentication)" });

export const requestProps = {
  uri: z.string().meta({ description: "The URL to call" }),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).default("GET"),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])).optional(),
  body: z.unknown().optional().meta({ description: "Request body: a string, or a map sent as JSON" }),
  formData: z.record(z.string(), z.unknown()).optional().meta({ description: "Form fields (values starting with kestra:/// are sent as files with multipart)" }),
  contentType: z.string().optional().meta({ description: "Content-Type of the body (default application/json; form: application/x-www-form-urlencoded)" }),
  options: httpOptions.optional(),
  auth: auth.optional().meta({ description: "Authentication: {type: BASIC, username, password} or {type: BEARER, token}" }),
  sslOptions: z.looseObject({ insecureTrustAllCertificates: z.boolean().optional() }).optional(),
  allowFailed: z.boolean().default(false).meta({ description: "Do not fail on 4xx/5xx responses" }),
};

const schema = z.object(requestProps);
export type RequestProps = z.infer<typeof schema>;

export interface Sent {
  response: Response;
  url: string;
  /** Re-arm the read timeout (call on every body chunk) and clear it at the end. */
  touch(): void;
  done(): void;
}

function authHeader(p: RequestProps): string | undefined {
  const a = p.auth ?? p.options?.auth;
  if (a?.type === "BEARER") return `Bearer ${a.token}`;
  const basic = a?.type === "BASIC" ? a : (p.options?.basicAuth ?? (p.options?.basicAuthUser ? { username: p.options.basicAuthUser, password: p.options.basicAuthPassword ?? "" } : undefined));
  return basic ? `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}` : undefined;
}

async function buildBody(ctx: TaskContext, p: RequestProps, headers: Headers): Promise<BodyInit | undefined> {
  if (p.formData) {
    if ((p.contentType ?? "").includes("multipart")) {
      const form = new FormData();
      for (const [k, v] of Object.entries(p.formData)) {
        if (typeof v === "string" && v.startsWith("kestra://")) form.append(k, new Blob([(await ctx.storage.get(v)) as Uint8Array<ArrayBuffer>]), decodeURIComponent(v.split("/").pop()!));
        else form.append(k, typeof v === "string" ? v : JSON.stringify(v));
      }
      return form; // fetch sets the boundary in Content-Type
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(p.formData)) params.append(k, typeof v === "string" ? v : JSON.stringify(v));
    if (!headers.has("content-type")) headers.set("content-type", p.contentType ?? "application/x-www-form-urlencoded");
    return params;
  }
  if (p.body === undefined || p.body === null) return undefined;
  if (!headers.has("content-type")) headers.set("content-type", p.contentType ?? "application/json");
  return typeof p.body === "string" ? p.body : JSON.stringify(p.body);
}

export async function sendRequest(ctx: TaskContext, p: RequestProps): Promise<Sent> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(p.headers ?? {})) for (const one of Array.isArray(v) ? v : [String(v)]) headers.append(k, one);
  const authorization = authHeader(p);
  if (authorization && !headers.has("authorization")) headers.set("authorization", authorization);
  let method: string = p.method;
  let body = await buildBody(ctx, p, headers);
  const policy = policyFromEnv(ctx.runtime.settings ?? ctx.runtime.env);
  const readMs = durationMs(p.options?.readTimeout ?? p.options?.readIdleTimeout ?? "PT10S");
  const firstMs = readMs + (p.options?.connectTimeout ? durationMs(p.options.connectTimeout) : 0);

  // One controller for the whole exchange: the task's own signal (kill, task timeout) and
  // the read timeout, re-armed by touch() as the body arrives.
  const ac = new AbortController();
  const onAbort = () => ac.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(new Error(`HTTP read timeout after ${ms} ms`)), ms);
  };
  const done = () => {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
  };

  let url = new URL(p.uri);
  try {
    for (let hop = 0; ; hop++) {
      await assertAllowedUrl(url, policy);
      arm(firstMs);
      const init: RequestInit & { tls?: unknown } = { method, headers, body, redirect: "manual", signal: ac.signal };
      if (p.sslOptions?.insecureTrustAllCertificates) init.tls = { rejectUnauthorized: false };
      const response = await fetch(url, init);
      const location = response.headers.get("location");
      if (!(response.status >= 300 && response.status < 400 && location && p.options?.followRedirects !== false)) {
        arm(readMs);
        return { response, url: url.toString(), touch: () => arm(readMs), done };
      }
      if (hop >= 10) throw new NonRetriableError(`too many redirects (last: ${location})`);
      await response.body?.cancel();
      const next = new URL(location, url);
      // Credentials never follow a redirect to another origin.
      if (next.origin !== url.origin) headers.delete("authorization");
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers.delete("content-type");
      }
      url = next;
    }
  } catch (e) {
    done();
    if (ac.signal.aborted && ac.signal.reason instanceof Error) throw ac.signal.reason;
    throw e;
  }
}

/** Kestra's header output: lower-case name -> list of values. */
export function headerMap(h: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  h.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = [value];
  });
  const cookies = h.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  return out;
}

export function failUnlessAllowed(code: number, url: string, allowFailed: boolean, body?: string): void {
  if (code >= 400 && !allowFailed) {
    const excerpt = body ? `: ${body.slice(0, 300)}` : "";
    throw new Error(`HTTP ${code} from ${url}${excerpt}`);
  }
}
