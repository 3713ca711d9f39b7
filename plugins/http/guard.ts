// Which addresses HTTP tasks (and webhook notifications) may reach.
//
// - Cloud metadata endpoints (169.254.0.0/16 link-local incl. 169.254.169.254, fd00:ec2::254,
//   100.100.100.200, metadata.google.internal …) are ALWAYS refused: a flow author must not be
//   able to read the host's cloud credentials. TERN_HTTP_ALLOW_METADATA=true lifts this.
// - Loopback and private ranges are allowed by default (self-hosted users call internal
//   services); TERN_HTTP_ALLOW_PRIVATE=false refuses them too.
// Names are resolved and every address checked. fetch resolves again when it connects, so a
// DNS-rebinding server could still slip through between the two lookups: this is a guard
// against mistakes and casual abuse, not a network sandbox (use egress rules for that).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { NonRetriableError } from "../define.ts";

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal", "metadata.azure.internal"]);

export interface GuardPolicy {
  allowPrivate: boolean;
  allowMetadata: boolean;
}

export function policyFromEnv(env: Record<string, string | undefined>): GuardPolicy {
  return { allowPrivate: env.TERN_HTTP_ALLOW_PRIVATE !== "false", allowMetadata: env.TERN_HTTP_ALLOW_METADATA === "true" };
}

function v4(ip: string): number[] | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  return m ? m.slice(1).map(Number) : undefined;
}

/** "metadata" | "private" | undefined for a literal IP address. */
export function classifyIp(ip: string): "metadata" | "private" | undefined {
  const a = v4(ip);
  if (a) {
    const [x, y] = a as [number, number];
    if (x === 169 && y === 254) return "metadata";
    if (a.join(".") === "100.100.100.200") return "metadata";
    if (x === 127 || x === 10 || x === 0 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127)) return "private";
    return undefined;
  }
  const v6 = ip.toLowerCase();
  if (v6 === "fd00:ec2::254") return "metadata";
  if (/^fe[89ab]/.test(v6)) return "metadata"; // link-local, like 169.254/16
  if (v6 === "::1" || v6 === "::" || /^f[cd]/.test(v6)) return "private";
  // IPv4-mapped in hex form (::ffff:a9fe:a9fe)
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped) {
    const n = (parseInt(mapped[1]!, 16) << 16) | parseInt(mapped[2]!, 16);
    return classifyIp([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."));
  }
  return undefined;
}

/** Throws a NonRetriableError when the URL's host is not allowed by the policy. */
export async function assertAllowedUrl(url: URL, policy: GuardPolicy): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new NonRetriableError(`unsupported URL scheme "${url.protocol}" (http and https only)`);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
  const refuse = (what: string, hint: string) => new NonRetriableError(`request to ${url.host} refused: ${what} (set ${hint}=true to allow)`);
  if (METADATA_HOSTS.has(host) && !policy.allowMetadata) throw refuse("cloud metadata host", "TERN_HTTP_ALLOW_METADATA");
  if (policy.allowMetadata && policy.allowPrivate) return;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return; // Unresolvable: fetch will fail with its own clear error.
    }
  }
  for (const ip of addresses) {
    const kind = classifyIp(ip);
    if (kind === "metadata" && !policy.allowMetadata) throw refuse(`cloud metadata / link-local address ${ip}`, "TERN_HTTP_ALLOW_METADATA");
    if (kind === "private" && !policy.allowPrivate) throw refuse(`private or loopback address ${ip}`, "TERN_HTTP_ALLOW_PRIVATE");
  }
}
