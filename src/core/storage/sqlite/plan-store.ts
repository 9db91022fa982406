// SQLite implementation of the plan repository. A push writes the document, every procedure and
// every mapping row in one transaction (procedure writes nest as savepoints).
import { HttpError } from '../../errors.ts';
import type { PlanPush, PlanPushResult, PlanRepository, PushPermissions, PushedDocument, StoredPlan } from '../plan-repository.ts';
import { prepare, type Db } from './database.ts';
import type { SqliteProcedures } from './store.ts';

interface PlanRow {
  tenant_id: string; plan_id: string; plan_type: string; xplan_version: string; epsg: number | null; procedure_id: string;
  content_hash: string; file_name: string; content_type: string; created: string; modified: string; size: number;
}

const toPlan = (r: PlanRow): StoredPlan => ({
  tenant: r.tenant_id, planId: r.plan_id, planType: r.plan_type, xplanVersion: r.xplan_version, ...(r.epsg ? { epsg: r.epsg } : {}), procedureId: r.procedure_id,
  contentHash: r.content_hash, fileName: r.file_name, contentType: r.content_type, size: r.size, created: r.created, modified: r.modified,
});

/** The refusal of a push that would overwrite a procedure of the portal API without the right to write procedures. */
const portalProcedure = (planId: string, procedureId: string) => new HttpError(403, 'Forbidden',
  `plan ${planId} names procedure ${procedureId}, which is kept through the portal API and not mapped to any plan; linking the plan to it overwrites it, which needs the scope procedures:write as well as xplanung:push. Nothing was stored.`,
  { extensions: { procedureId, planId, missingScope: 'procedures:write' } });

const SELECT = 'SELECT p.*, d.size FROM xplan_plan p JOIN xplan_document d ON d.content_hash = p.content_hash';

export class SqlitePlans implements PlanRepository {
  constructor(readonly db: Db, readonly procedures: SqliteProcedures) {}

  async push(tenant: string, document: PushedDocument, plans: PlanPush[], permissions: PushPermissions = {}): Promise<PlanPushResult[]> {
    const now = new Date().toISOString();
    return this.db.transaction(() => {
      prepare(this.db, 'INSERT OR IGNORE INTO xplan_document (content_hash, bytes, size, created) VALUES (?, ?, ?, ?)')
        .run(document.contentHash, document.bytes, document.bytes.length, now);
      const results: PlanPushResult[] = [];
      for (const plan of plans) {
        const existing = prepare(this.db, 'SELECT p.*, d.size FROM xplan_plan p JOIN xplan_document d ON d.content_hash = p.content_hash WHERE p.tenant_id = ? AND p.plan_id = ?')
          .get(tenant, plan.planId) as PlanRow | undefined;
        const target = existing ? undefined : this.mappedProcedure(tenant, plan.planId);
        if (target) {
          // a plan exported by the gateway (or carrying the procedure's external id) maps back to its procedure;
          // one kept only through the portal API is overwritten by it: a procedure write, not just a push.
          // Thrown inside the transaction: nothing of this push is stored.
          if (!permissions.linkPortalProcedures && !this.isMapped(tenant, target)) throw portalProcedure(plan.planId, target);
          const stored = this.procedures.replaceSync(tenant, target, plan.procedure);
          this.insertPlan(tenant, plan, document, stored.procedure.id, now);
          results.push({ planId: plan.planId, outcome: 'updated', procedure: stored });
          continue;
        }
        const current = existing ? prepare(this.db, 'SELECT deleted FROM procedure WHERE id = ?').get(existing.procedure_id) as { deleted: string | null } | undefined : undefined;
        if (existing && current && !current.deleted) {
          if (existing.content_hash === document.contentHash) {
            const stored = this.procedures.getSync(tenant, existing.procedure_id);
            results.push({ planId: plan.planId, outcome: 'unchanged', procedure: stored });
            continue;
          }
          const stored = this.procedures.replaceSync(tenant, existing.procedure_id, plan.procedure);
          prepare(this.db, 'UPDATE xplan_plan SET plan_type = ?, xplan_version = ?, epsg = ?, content_hash = ?, file_name = ?, content_type = ?, modified = ? WHERE tenant_id = ? AND plan_id = ?')
            .run(plan.planType, document.xplanVersion, document.epsg ?? null, document.contentHash, document.fileName, document.contentType, now, tenant, plan.planId);
          results.push({ planId: plan.planId, outcome: 'updated', procedure: stored });
        } else {
          // new plan, or its procedure was deleted in the portal: map it to a new procedure
          const stored = this.procedures.createSync(tenant, plan.procedure);
          this.insertPlan(tenant, plan, document, stored.procedure.id, now);
          results.push({ planId: plan.planId, outcome: 'created', procedure: stored });
        }
      }
      return results;
    })();
  }

  /** Whether a plan push has mapped a plan to the procedure (else it was created and kept through the portal API). */
  private isMapped(tenant: string, procedureId: string): boolean {
    return prepare(this.db, 'SELECT 1 FROM xplan_plan WHERE tenant_id = ? AND procedure_id = ? LIMIT 1').get(tenant, procedureId) !== undefined;
  }

  /** A live procedure a new plan id already points at: by external id, or an id the gateway minted on export. */
  private mappedProcedure(tenant: string, planId: string): string | undefined {
    const byExternal = prepare(this.db, 
      "SELECT x.procedure_id FROM external_id x JOIN procedure p ON p.id = x.procedure_id WHERE x.tenant_id = ? AND x.system = 'xplanung' AND x.external_id = ? AND p.deleted IS NULL",
    ).get(tenant, planId) as { procedure_id: string } | undefined;
    if (byExternal) return byExternal.procedure_id;
    if (!planId.startsWith('GML_')) return undefined;
    const minted = prepare(this.db, 'SELECT id FROM procedure WHERE tenant_id = ? AND id = ? AND deleted IS NULL').get(tenant, planId.slice(4)) as { id: string } | undefined;
    return minted?.id;
  }

  private insertPlan(tenant: string, plan: PlanPush, document: PushedDocument, procedureId: string, now: string): void {
    prepare(this.db, 
      `INSERT INTO xplan_plan (tenant_id, plan_id, plan_type, xplan_version, epsg, procedure_id, content_hash, file_name, content_type, created, modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, plan_id) DO UPDATE SET procedure_id = excluded.procedure_id, plan_type = excluded.plan_type,
         xplan_version = excluded.xplan_version, epsg = excluded.epsg, content_hash = excluded.content_hash, file_name = excluded.file_name,
         content_type = excluded.content_type, modified = excluded.modified`,
    ).run(tenant, plan.planId, plan.planType, document.xplanVersion, document.epsg ?? null, procedureId, document.contentHash, document.fileName, document.contentType, now, now);
  }

  async get(tenant: string, planId: string): Promise<StoredPlan | null> {
    const row = prepare(this.db, `${SELECT} WHERE p.tenant_id = ? AND p.plan_id = ?`).get(tenant, planId) as PlanRow | undefined;
    return row ? toPlan(row) : null;
  }

  async source(tenant: string, planId: string): Promise<{ plan: StoredPlan; bytes: Buffer } | null> {
    const row = prepare(this.db, `SELECT p.*, d.size, d.bytes FROM xplan_plan p JOIN xplan_document d ON d.content_hash = p.content_hash WHERE p.tenant_id = ? AND p.plan_id = ?`)
      .get(tenant, planId) as (PlanRow & { bytes: Buffer }) | undefined;
    return row ? { plan: toPlan(row), bytes: row.bytes } : null;
  }

  async byProcedure(tenant: string, procedureId: string): Promise<StoredPlan | null> {
    const row = prepare(this.db, `${SELECT} WHERE p.tenant_id = ? AND p.procedure_id = ? ORDER BY p.created, p.plan_id`).get(tenant, procedureId) as PlanRow | undefined;
    return row ? toPlan(row) : null;
  }

  async byProcedures(procedures: readonly { tenant: string; id: string }[]): Promise<Map<string, StoredPlan>> {
    const found = new Map<string, StoredPlan>();
    if (procedures.length === 0) return found;
    const rows = prepare(this.db, `${SELECT} WHERE p.procedure_id IN (SELECT value FROM json_each(?)) ORDER BY p.procedure_id, p.created, p.plan_id`)
      .all(JSON.stringify(procedures.map((p) => p.id))) as PlanRow[];
    const tenantOf = new Map(procedures.map((p) => [p.id, p.tenant]));
    for (const r of rows) if (tenantOf.get(r.procedure_id) === r.tenant_id && !found.has(r.procedure_id)) found.set(r.procedure_id, toPlan(r));
    return found;
  }

  async list(tenant: string): Promise<StoredPlan[]> {
    return (prepare(this.db, `${SELECT} WHERE p.tenant_id = ? ORDER BY p.created, p.plan_id`).all(tenant) as PlanRow[]).map(toPlan);
  }
}
