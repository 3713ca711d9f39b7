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
 * Runs in one write transaction so two saves cannot both take the same revision number.
 */
export async function saveFlow(
  db: Db, f: { namespace: string; id: string; source: string; disabled?: boolean }, now = Date.now(),
): Promise<{ flow: StoredFlow; changed: boolean }> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(flows).where(and(eq(flows.namespace, f.namespace), eq(flows.id, f.id)));
    if (current && !current.deleted && current.source === f.source) return { flow: current, changed: false };
    const revision = (current?.revision ?? 0) + 1;
    const row = { namespace: f.namespace, id: f.id, revision, source: f.source, disabled: f.disabled ?? false, deleted: false, updatedAt: now };
    await tx.insert(flows).values(row).onConflictDoUpdate({
      target: [flows.namespace, flows.id],
      set: { revision, source: f.source, disabled: row.disabled, deleted: false, updatedAt: now },
    });
    await tx.insert(flowRevisions).values({ namespace: f.namespace, flowId: f.id, revision, source: f.source, createdAt: now })
      .onConflictDoNothing();
    return { flow: row, changed: true };
  });
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
