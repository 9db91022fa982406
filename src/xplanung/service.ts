// The XPlanung service of one gateway instance: its XSD worker pool and the operations the routes
// and the CLI share (validate; validate-map-store for a push; export).
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../core/context.ts';
import type { Procedure, Tenant } from '../core/model.ts';
import { parseProcedureInput } from '../core/procedure-input.ts';
import type { PlanPushResult } from '../core/storage/plan-repository.ts';
import { epsgCode } from './crs.ts';
import { procedureToXPlanGml } from './export.ts';
import { plansOf } from './parse.ts';
import { makeReport } from './report.ts';
import type { Finding, ValidationReport } from './report.ts';
import { planToProcedure } from './to-procedure.ts';
import { mediaType, validateSubmission } from './validate/index.ts';
import type { ValidationResult } from './validate/index.ts';
import { XsdWorkerPool } from './validate/xsd-pool.ts';
import type { ExportVersion } from './versions.ts';

export interface StageSwitches { skipSemantic?: boolean; skipGeometry?: boolean }

export type PushOutcome =
  | { ok: true; report: ValidationReport; results: PlanPushResult[] }
  | { ok: false; report: ValidationReport; refusedWith?: number };

export class XPlanungService {
  readonly pool: XsdWorkerPool;

  constructor(private readonly ctx: GatewayContext) {
    this.pool = new XsdWorkerPool(ctx.config.schemaDir, Math.max(1, ctx.config.validationWorkers));
  }

  validate(body: Buffer, contentType: string, switches: StageSwitches = {}): Promise<ValidationResult> {
    return validateSubmission(body, contentType, { xsd: (xml, version) => this.pool.validate(xml, version), ...switches });
  }

  /** Validates, maps every plan of the document and stores document, procedures and mappings in one transaction. */
  async push(tenant: Tenant, body: Buffer, contentType: string): Promise<PushOutcome> {
    const result = await this.validate(body, contentType);
    if (!result.report.valid || !result.document) return { ok: false, report: result.report, refusedWith: result.refusedWith };
    const { parsed, fileName } = result.document;
    const mappings = await this.ctx.store.codeMappings.list(tenant.id);
    const table = new Map(mappings.map((m) => [`${m.list}\u0000${m.code}`, m.value]));
    const lookup = (list: string, code: string) => table.get(`${list}\u0000${code}`);
    const findings: Finding[] = [...result.report.findings];
    const plans = [];
    for (const plan of plansOf(parsed)) {
      const mapped = planToProcedure(parsed, plan, lookup, tenant.ags ?? []);
      findings.push(...mapped.findings);
      try {
        plans.push({ planId: plan.gmlId, planType: plan.type, procedure: parseProcedureInput(mapped.procedure) });
      } catch (err) {
        findings.push({ rule: 'mapping', severity: 'error', stage: 'semantic', message: `Der Plan lässt sich nicht als Verfahren speichern: ${(err as Error).message}`, gmlIds: [plan.gmlId], line: plan.line ?? null });
      }
    }
    if (plans.length === 0) findings.push({ rule: 'mapping.no-plan', severity: 'error', stage: 'semantic', message: 'Das Dokument enthält keinen Plan (BP_Plan, FP_Plan, RP_Plan, SO_Plan oder LP_Plan).', gmlIds: [], line: null });
    const report = makeReport({ ...result.report, findings });
    if (!report.valid) return { ok: false, report };
    // an archive is stored as sent, so the source download gives back exactly what was pushed
    const bytes = body;
    const results = await this.ctx.store.plans.push(tenant.id, {
      bytes,
      contentHash: createHash('sha256').update(bytes).digest('hex'),
      fileName,
      contentType: mediaType(contentType),
      xplanVersion: parsed.version,
      epsg: epsgCode(parsed.srsName),
    }, plans);
    return { ok: true, report, results };
  }

  /** The procedure as XPlanGML; a procedure mapped from a plan keeps that plan's gml:id and CRS. */
  async exportProcedure(tenant: Tenant, procedure: Procedure, version: ExportVersion): Promise<string> {
    const plan = await this.ctx.store.plans.byProcedure(tenant.id, procedure.id);
    const planGmlId = plan?.planId ?? procedure.externalIds?.find((x) => x.system === 'xplanung')?.id;
    const epsg = plan?.epsg && [25832, 25833].includes(plan.epsg) ? plan.epsg : undefined;
    return procedureToXPlanGml(procedure, tenant, { version, planGmlId, epsg });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
