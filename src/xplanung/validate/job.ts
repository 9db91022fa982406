// One validation job, as a plain function: every stage, and for a push the mapping of each plan
// to a procedure. The gateway runs it in a worker thread (pool.ts) so that parsing, rules and
// geometry never block the HTTP event loop; the CLI runs it in-process.
import type { ProcedureInput } from '../../core/model.ts';
import { parseProcedureInput } from '../../core/procedure-input.ts';
import { epsgCode } from '../crs.ts';
import { plansOf } from '../parse.ts';
import { makeReport, reportToHtml } from '../report.ts';
import type { Finding, ValidationReport } from '../report.ts';
import type { RuleId } from '../rules.ts';
import { planToProcedure, type ArchiveFiles } from '../to-procedure.ts';
import type { Helpers } from '../../core/workers/serve.ts';
import type { PackedAreaPart, UnitFindings } from './area-checks.ts';
import { isArchiveType, validateSubmission } from './index.ts';
import { validateAgainstXsd } from './xsd.ts';

export interface ValidationJob {
  body: Uint8Array;
  contentType: string;
  schemaDir: string;
  skipSemantic?: boolean;
  skipGeometry?: boolean;
  /** Checks of the geometry stage switched off (validate/index.ts, GEOMETRY_SWITCHES). */
  skipFlaechenschluss?: boolean;
  skipGeltungsbereich?: boolean;
  skipLaufrichtung?: boolean;
  fileName?: string;
  /**
   * Present for a push: the tenant's effective code lists ([list, code, value]), its municipality keys,
   * and the URL under which the tenant's plans are served (…/xplanung/v1/tenants/{tenant}/plans), for
   * the files of an XPlanArchive.
   */
  mapping?: { codes: Array<[string, string, string]>; tenantAgs: string[]; plansUrl: string };
  /** The weight (in coordinates) from which the geometry stage shares its Bereich checks (geometry.ts); the warm-up sets 0. */
  shareFrom?: number;
  /** Render the report as the German page too (report.ts): its sketch costs tens of milliseconds on a large plan, better here than on the HTTP event loop. */
  page?: boolean;
  /** For the page: where the form to check another plan is (a report answered to the upload form). */
  formHref?: string;
  /** The validation time (Wirksamkeit in 2.2.1.1, geometry.ts); the real time when absent. Tests set it. */
  now?: Date;
}

/** What one worker may hand to another: a share of the geometry stage's Bereich checks. */
export type JobHelpers = Helpers<PackedAreaPart, UnitFindings[]>;

export interface MappedPlan { planId: string; planType: string; procedure: ProcedureInput }

export interface ValidationJobResult {
  report: ValidationReport;
  refusedWith?: number;
  fileName?: string;
  xplanVersion?: string;
  epsg?: number;
  /** For a push whose report is valid: one procedure per plan. */
  plans?: MappedPlan[];
  /** Units of the Bereich checks (area-checks.ts) that another worker ran. */
  sharedUnits?: number;
  /** The report as the German HTML page, when the job asked for it. */
  page?: string;
}

/** `helpers`: the pool's, in a worker; without them (the CLI) every stage runs in this thread. */
export async function runValidationJob(job: ValidationJob, helpers?: JobHelpers): Promise<ValidationJobResult> {
  const out = await validateAndMap(job, helpers);
  if (job.page) out.page = reportToHtml(out.report, { formHref: job.formHref });
  return out;
}

async function validateAndMap(job: ValidationJob, helpers?: JobHelpers): Promise<ValidationJobResult> {
  const body = Buffer.isBuffer(job.body) ? job.body : Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  let sharedUnits = 0;
  const result = await validateSubmission(body, job.contentType, {
    xsd: async (xml, version) => validateAgainstXsd(xml, version, job.schemaDir),
    skipSemantic: job.skipSemantic,
    skipGeometry: job.skipGeometry,
    skipFlaechenschluss: job.skipFlaechenschluss,
    skipGeltungsbereich: job.skipGeltungsbereich,
    skipLaufrichtung: job.skipLaufrichtung,
    fileName: job.fileName,
    schemaDir: job.schemaDir,
    geometry: {
      now: job.now,
      ...(helpers && {
        shareFrom: job.shareFrom,
        share: async (part, transfer) => {
          const found = await helpers.ask(part, transfer);
          if (found) sharedUnits += part.units.length;
          return found;
        },
      }),
    },
  });
  const out: ValidationJobResult = { report: result.report, refusedWith: result.refusedWith, ...(sharedUnits ? { sharedUnits } : {}) };
  const doc = result.document;
  if (!doc) return out;
  out.fileName = doc.fileName;
  out.xplanVersion = doc.parsed.version;
  out.epsg = epsgCode(doc.parsed.srsName);
  if (!job.mapping || !result.report.valid) return out;

  const table = new Map(job.mapping.codes.map(([list, code, value]) => [`${list}\u0000${code}`, value]));
  const lookup = (list: string, code: string) => table.get(`${list}\u0000${code}`);
  const findings: Finding[] = [...result.report.findings];
  const plans: MappedPlan[] = [];
  const { plansUrl } = job.mapping;
  const archive: ArchiveFiles | undefined = isArchiveType(job.contentType)
    ? { entries: doc.attachments, urlOf: (planId, entry) => `${plansUrl}/${encodeURIComponent(planId)}/files/${entry.split('/').map(encodeURIComponent).join('/')}` }
    : undefined;
  for (const plan of plansOf(doc.parsed)) {
    const mapped = planToProcedure(doc.parsed, plan, lookup, { tenantAgs: job.mapping.tenantAgs, archive });
    findings.push(...mapped.findings);
    try {
      plans.push({ planId: plan.gmlId, planType: plan.type, procedure: parseProcedureInput(mapped.procedure) });
    } catch (err) {
      findings.push({ rule: 'mapping' satisfies RuleId, severity: 'error', stage: 'semantic', message: `Der Plan lässt sich nicht als Verfahren speichern: ${(err as Error).message}`, gmlIds: [plan.gmlId], line: plan.line ?? null });
    }
  }
  if (plans.length === 0) findings.push({ rule: 'mapping.no-plan' satisfies RuleId, severity: 'error', stage: 'semantic', message: 'Das Dokument enthält keinen Plan (BP_Plan, FP_Plan, RP_Plan, SO_Plan oder LP_Plan).', gmlIds: [], line: null });
  out.report = makeReport({ ...result.report, findings });
  if (out.report.valid) out.plans = plans;
  return out;
}
