// Configuration: environment + flags, parsed once with zod and passed down.
import { resolve } from "node:path";
import { z } from "zod";

const ConfigSchema = z.object({
  dataDir: z.string(),
  databaseUrl: z.string().optional(),
  databaseAuthToken: z.string().optional(),
  host: z.string().default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  flowsDir: z.string().optional(),
  role: z.enum(["all", "api", "scheduler", "worker"]).default("all"),
  workerConcurrency: z.coerce.number().int().min(1).default(16),
  tickMs: z.coerce.number().int().min(10).default(1000),
  /** How long an instance's claim on an execution or task run lasts without renewal. */
  leaseMs: z.coerce.number().int().min(500).default(30_000),
  secretKey: z.string().optional(),
  maxBodyBytes: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  instanceId: z.string().optional(),
  /** First admin, created on first start when no such user exists (TERN_ADMIN_USER/PASSWORD). */
  adminUser: z.string().min(1).optional(),
  adminPassword: z.string().min(8, "TERN_ADMIN_PASSWORD: at least 8 characters").optional(),
  /** API requests per second per user or token (burst: twice that). */
  apiRatePerSec: z.coerce.number().min(0.1).default(50),
  /** Take the client address from X-Forwarded-For (behind a proxy such as Fly's). */
  trustProxy: z.enum(["0", "1", "true", "false"]).default("0").transform((v) => v === "1" || v === "true"),
  /** Serve a non-loopback address without users (a proxy in front authenticates). */
  allowInsecureBind: z.enum(["0", "1"]).default("0").transform((v) => v === "1"),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Flags win over env; env wins over defaults. */
export function loadConfig(flags: Record<string, string | undefined>, env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse({
    dataDir: resolve(flags.data ?? env.TERN_DATA ?? "./data"),
    databaseUrl: flags["database-url"] ?? env.TERN_DATABASE_URL,
    databaseAuthToken: env.TERN_DATABASE_AUTH_TOKEN,
    host: flags.host ?? env.TERN_HOST,
    port: flags.port ?? env.TERN_PORT ?? env.PORT,
    flowsDir: flags.flows ?? env.TERN_FLOWS,
    role: flags.role ?? env.TERN_ROLE,
    workerConcurrency: flags.workers ?? env.TERN_WORKERS,
    tickMs: flags.tick ?? env.TERN_TICK_MS,
    leaseMs: env.TERN_LEASE_MS,
    secretKey: env.TERN_SECRET_KEY,
    maxBodyBytes: env.TERN_MAX_BODY_BYTES,
    instanceId: env.TERN_INSTANCE_ID,
    adminUser: env.TERN_ADMIN_USER || undefined,
    adminPassword: env.TERN_ADMIN_PASSWORD || undefined,
    apiRatePerSec: env.TERN_API_RATE,
    trustProxy: env.TERN_TRUST_PROXY,
    allowInsecureBind: env.TERN_ALLOW_INSECURE_BIND,
  });
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${msg}`);
  }
  return parsed.data;
}
