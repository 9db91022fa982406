// The XPlanung service of one gateway instance: its validation worker pool and the operations the
// routes share (validate; validate-map-store for a push; export).
import { createHash } from 'node:crypto';
import { hasScope, type Principal } from '../core/auth.ts';
import type { CodeTable } from '../core/codelists.ts';
import type { GatewayContext } from '../core/context.ts';
import type { Procedure, Tenant } from '../core/model.ts';
import type { PlanPushResult } from '../core/storage/plan-repository.ts';
import { procedureToXPlanGml } from './export.ts';
import type { ValidationReport } from './report.ts';
import { ARCHIVE_FILE_TYPES, readArchiveEntry } from './validate/archive.ts';
import { isArchiveType, mediaType } from './validate/index.ts';
import type { ValidationJobResult } from './validate/job.ts';
import { ValidationPool } from './validate/pool.ts';
import type { ExportVersion } from './versions.ts';

/** Compiled at start: the versions planning software pushes today (5.4 adds ~10 MB to a worker). */
const WARM_VERSIONS = ['6.0', '5.4'];

/** Stages, and checks of the geometry stage, the client switched off (xPlanBox's validator options). */
export interface StageSwitches {
  skipSemantic?: boolean;
  skipGeometry?: boolean;
  skipFlaechenschluss?: boolean;
  skipGeltungsbereich?: boolean;
  skipLaufrichtung?: boolean;
}
/** How the client wants the report: `page` also renders the German HTML page (in the worker). */
export interface ReportWish {
  page?: boolean;
  /** For the page: where the form to check another plan is. */
  formHref?: string;
  /** The name the client gave the file (an upload form), for the report. */
  fileName?: string;
}

/** A file of a pushed XPlanArchive as the portal links to it, or why there is none. */
export type ArchiveFileOutcome =
  | { found: true; bytes: Buffer; mediaType: string; inline: boolean; etag: string }
  | { found: false; reason: 'no-plan' | 'not-an-archive' | 'no-such-file' }
  // an entry of an archive stored before the archive checks (encrypted, lying about its size): `why` in English
  | { found: false; reason: 'unreadable'; why: string };

export type PushOutcome =
  | { ok: true; report: ValidationReport; results: PlanPushResult[] }
  | { ok: false; report: ValidationReport; refusedWith?: number; page?: string };

export class XPlanungService {
  readonly pool: ValidationPool;

  constructor(private readonly ctx: GatewayContext) {
    this.pool = new ValidationPool(Math.max(1, ctx.config.validationWorkers));
  }

  /**
   * Starts the validation workers ahead of the first plan (validate/pool.ts, warmUp): one compiles the
   * current schema sets and validates the warm-up plan, the other stays light (~50 MB) and takes
   * shares of a large plan's geometry checks until two plans arrive at the same time.
   */
  warm(): Promise<void> {
    return this.pool.warmUp(this.ctx.config.schemaDir, WARM_VERSIONS);
  }

  validate(body: Buffer, contentType: string, switches: StageSwitches = {}, wish: ReportWish = {}): Promise<ValidationJobResult> {
    return this.pool.run({ body, contentType, schemaDir: this.ctx.config.schemaDir, ...switches, ...wish });
  }

  /**
   * Validates and maps every plan of the document (in a worker), then stores document, procedures and
   * mappings in one transaction. `baseUrl`: the gateway's public address, for the documents' links to
   * the files of a pushed XPlanArchive (the configured one by default). `pusher`: who pushes; a plan
   * may take over a procedure kept through the portal API only when the pusher may also write
   * procedures (else 403, nothing stored: see PlanRepository.push).
   */
  async push(tenant: Tenant, body: Buffer, contentType: string, wish: ReportWish & { baseUrl?: string } = {}, pusher?: Principal | null): Promise<PushOutcome> {
    const codes = (await this.ctx.store.codeMappings.list(tenant.id)).map((m) => [m.list, m.code, m.value] as [string, string, string]);
    const plansUrl = `${wish.baseUrl ?? this.ctx.config.publicBaseUrl}/xplanung/v1/tenants/${encodeURIComponent(tenant.id)}/plans`;
    const result = await this.pool.run({ body, contentType, schemaDir: this.ctx.config.schemaDir, mapping: { codes, tenantAgs: tenant.ags ?? [], plansUrl }, page: wish.page });
    if (!result.report.valid || !result.plans) return { ok: false, report: result.report, refusedWith: result.refusedWith, page: result.page };
    // an archive is stored as sent, so the source download gives back exactly what was pushed
    const results = await this.ctx.store.plans.push(tenant.id, {
      bytes: body,
      contentHash: createHash('sha256').update(body).digest('hex'),
      fileName: result.fileName ?? 'plan.gml',
      contentType: mediaType(contentType),
      xplanVersion: result.xplanVersion ?? '',
      epsg: result.epsg,
    }, result.plans, { linkPortalProcedures: hasScope(pusher, 'procedures:write') });
    return { ok: true, report: result.report, results };
  }

  /**
   * One file of the XPlanArchive a plan was pushed in, by its entry name (the documents of the procedure
   * link here). `reserve` is told the bytes held in memory (the archive, then the file) before they are.
   */
  async archiveFile(tenantId: string, planId: string, name: string, reserve: (bytes: number) => void = () => undefined): Promise<ArchiveFileOutcome> {
    const src = await this.ctx.store.plans.source(tenantId, planId);
    if (!src) return { found: false, reason: 'no-plan' };
    if (!isArchiveType(src.plan.contentType)) return { found: false, reason: 'not-an-archive' };
    const type = ARCHIVE_FILE_TYPES[name.split('.').pop()?.toLowerCase() ?? ''];
    if (!type) return { found: false, reason: 'no-such-file' };
    reserve(src.bytes.length);
    const entry = await readArchiveEntry(src.bytes, name);
    if (!entry.ok) return entry.reason === 'unreadable' ? { found: false, reason: 'unreadable', why: entry.why } : { found: false, reason: 'no-such-file' };
    const { bytes } = entry;
    reserve(bytes.length);
    // the archive's hash and the name: the file changes only when the plan is pushed again with other content
    const etag = `"${createHash('sha256').update(src.plan.contentHash).update('\u0000').update(name).digest('base64url').slice(0, 27)}"`;
    return { found: true, bytes, mediaType: type.mediaType, inline: type.inline, etag };
  }

  /** The procedure as XPlanGML; a procedure mapped from a plan keeps that plan's gml:id and CRS. */
  async exportProcedure(tenant: Tenant, procedure: Procedure, version: ExportVersion): Promise<string> {
    const plan = await this.ctx.store.plans.byProcedure(tenant.id, procedure.id);
    const planGmlId = plan?.planId ?? procedure.externalIds?.find((x) => x.system === 'xplanung')?.id;
    const epsg = plan?.epsg && [25832, 25833].includes(plan.epsg) ? plan.epsg : undefined;
    const codes: CodeTable = {};
    for (const m of await this.ctx.store.codeMappings.list(tenant.id)) (codes[m.list] ??= {})[m.code] = m.value;
    return procedureToXPlanGml(procedure, tenant, { version, planGmlId, epsg, codes });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
