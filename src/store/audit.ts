// The audit log: append-only (no update or delete is exported), newest first when read.
import { and, desc, eq, gte, lte, sql, type SQL } from "drizzle-orm";
import { audit } from "../../db/schema.ts";
import type { Db } from "./db.ts";
import { groupWrite } from "./group-write.ts";

export interface AuditEntry {
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  detail: string | null;
}

export async function appendAudit(db: Db, e: AuditEntry): Promise<void> {
  // Through the group writer: under load an audit line shares the transaction of the
  // execution (or other change) it records, instead of a commit of its own.
  await groupWrite(db, [{
    sql: "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
    args: [e.at, e.actor, e.action, e.target, e.detail],
  }]);
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  from?: number;
  to?: number;
  page: number;
  size: number;
}

export async function searchAudit(db: Db, q: AuditQuery): Promise<{ results: (AuditEntry & { id: number })[]; total: number }> {
  const where: SQL[] = [];
  if (q.action) where.push(eq(audit.action, q.action));
  if (q.actor) where.push(eq(audit.actor, q.actor));
  if (q.from !== undefined) where.push(gte(audit.at, q.from));
  if (q.to !== undefined) where.push(lte(audit.at, q.to));
  const cond = where.length ? and(...where) : undefined;
  const [count, results] = await Promise.all([
    db.select({ n: sql<number>`count(*)` }).from(audit).where(cond),
    db.select().from(audit).where(cond).orderBy(desc(audit.id)).limit(q.size).offset((q.page - 1) * q.size),
  ]);
  return { results, total: Number(count[0].n) };
}
