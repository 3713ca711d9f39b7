// Flows and their revisions. A save that changes the source makes a new revision.
import { and, asc, eq, sql } from "drizzle-orm";
import { flowRevisions, flows } from "../../db/schema.ts";
import type { Db } from "./db.ts";

export interface StoredFlow {
  namespace: string;
  id: string;
  revision: number;
  source: string;
  disabled: boolean;
  deleted: boolean;
  updatedAt: number;
}

/**
 * Insert or update a flow. Returns the stored row and whether a new revision was made.
 * One write batch (BEGIN IMMEDIATE): the upsert bumps the revision only when the source
 * changed, and the revision row is copied from the flow row, so two saves racing cannot
 * take the same revision number.
 */
export async function saveFlow(
  db: Db, f: { namespace: string; id: string; source: string; disabled?: boolean }, now = Date.now(),
): Promise<{ flow: StoredFlow; changed: boolean }> {
  const key = [f.namespace, f.id];
  const [upsert, , read] = await db.$client.batch([
    {
      sql: `INSERT INTO flows (namespace, id, revision, source, disabled, deleted, updated_at) VALUES (?, ?, 1, ?, ?, 0, ?)
            ON CONFLICT (namespace, id) DO UPDATE SET revision = flows.revision + 1, source = excluded.source,
              disabled = excluded.disabled, deleted = 0, updated_at = excluded.updated_at
            WHERE flows.source != excluded.source OR flows.deleted = 1`,
      args: [f.namespace, f.id, f.source, f.disabled ? 1 : 0, now],
    },
    {
      sql: `INSERT OR IGNORE INTO flow_revisions (namespace, flow_id, revision, source, created_at)
            SELECT namespace, id, revision, source, updated_at FROM flows WHERE namespace = ? AND id = ?`,
      args: key,
    },
    { sql: "SELECT * FROM flows WHERE namespace = ? AND id = ?", args: key },
  ], "write");
  const r = read.rows[0];
  const flow: StoredFlow = {
    namespace: String(r.namespace), id: String(r.id), revision: Number(r.revision), source: String(r.source),
    disabled: Boolean(r.disabled), deleted: Boolean(r.deleted), updatedAt: Number(r.updated_at),
  };
  return { flow, changed: upsert.rowsAffected > 0 };
}

export async function getFlow(db: Db, namespace: string, id: string, revision?: number): Promise<StoredFlow | undefined> {
  if (revision !== undefined) {
    const [r] = await db.select().from(flowRevisions)
      .where(and(eq(flowRevisions.namespace, namespace), eq(flowRevisions.flowId, id), eq(flowRevisions.revision, revision)));
    if (!r) return undefined;
    const [cur] = await db.select().from(flows).where(and(eq(flows.namespace, namespace), eq(flows.id, id)));
    return { namespace, id, revision: r.revision, source: r.source, disabled: cur?.disabled ?? false, deleted: cur?.deleted ?? false, updatedAt: r.createdAt };
  }
  const [row] = await db.select().from(flows).where(and(eq(flows.namespace, namespace), eq(flows.id, id)));
  return row && !row.deleted ? row : undefined;
}

export async function listFlows(db: Db, opts: { namespace?: string; q?: string } = {}): Promise<StoredFlow[]> {
  const conds = [eq(flows.deleted, false)];
  if (opts.namespace) conds.push(sql`(${flows.namespace} = ${opts.namespace} OR ${flows.namespace} LIKE ${opts.namespace + ".%"})`);
  if (opts.q) conds.push(sql`(${flows.id} LIKE ${"%" + opts.q + "%"} OR ${flows.namespace} LIKE ${"%" + opts.q + "%"})`);
  return db.select().from(flows).where(and(...conds)).orderBy(asc(flows.namespace), asc(flows.id));
}

export async function listRevisions(db: Db, namespace: string, id: string) {
  return db.select().from(flowRevisions)
    .where(and(eq(flowRevisions.namespace, namespace), eq(flowRevisions.flowId, id)))
    .orderBy(asc(flowRevisions.revision));
}

export async function deleteFlow(db: Db, namespace: string, id: string): Promise<boolean> {
  const rs = await db.update(flows).set({ deleted: true, updatedAt: Date.now() })
    .where(and(eq(flows.namespace, namespace), eq(flows.id, id), eq(flows.deleted, false)));
  return rs.rowsAffected > 0;
}

export async function setFlowDisabled(db: Db, namespace: string, id: string, disabled: boolean) {
  await db.update(flows).set({ disabled }).where(and(eq(flows.namespace, namespace), eq(flows.id, id)));
}
