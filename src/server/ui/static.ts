// Static assets: htmx from node_modules (no CDN), the stylesheet and small scripts from
// views/static. Read once and kept in memory; served with an ETag so reloads are cheap.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Hono } from "hono";

const STATIC_DIR = join(import.meta.dir, "../../../views/static");
const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };

function htmxPath(): string {
  // Resolve through the package so a hoisted or nested install both work.
  const pkg = createRequire(import.meta.url).resolve("htmx.org/package.json");
  return join(pkg, "..", "dist", "htmx.min.js");
}

interface Asset { body: Uint8Array; type: string; etag: string }

function load(path: string, type: string): Asset {
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"` };
}

export function mountStatic(app: Hono) {
  const cache = new Map<string, Asset>();
  const get = (name: string): Asset | undefined => {
    let a = cache.get(name);
    if (a) return a;
    if (!/^[a-z0-9-]+\.(js|css|svg)$/.test(name)) return undefined;
    try {
      a = name === "htmx.js" ? load(htmxPath(), TYPES.js) : load(join(STATIC_DIR, name), TYPES[name.split(".").pop()!]);
    } catch {
      return undefined;
    }
    cache.set(name, a);
    return a;
  };
  app.get("/static/:name", (c) => {
    const a = get(c.req.param("name"));
    if (!a) return c.text("not found", 404);
    if (c.req.header("If-None-Match") === a.etag) return c.body(null, 304);
    return c.body(a.body as unknown as ArrayBuffer, 200, { "Content-Type": a.type, ETag: a.etag, "Cache-Control": "no-cache" });
  });
}
