// HTTP routes of the XPlanung module. Thin: read the body, call the service, render.
import { Router, type Request, type Response } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import fresh from 'fresh';
import { authorize } from '../../core/auth.ts';
import type { GatewayContext } from '../../core/context.ts';
import { HttpError, badRequest, gone, notFound, unprocessable, unsupportedMediaType } from '../../core/errors.ts';
import type { Tenant } from '../../core/model.ts';
import { UploadBudget, UploadError, sharedFileUpload, sharedRawBody, type UploadRefusal } from '../../http/body.ts';
import { quoteForError } from '../../core/text.ts';
import { authState } from '../../http/credentials.ts';
import { DownloadBudget } from '../../http/download-budget.ts';
import { baseUrl } from '../../http/security.ts';
import { ExportError } from '../export.ts';
import { reportToHtml } from '../report.ts';
import type { ValidationReport } from '../report.ts';
import { ruleList } from '../rules.ts';
import type { XPlanungService, StageSwitches } from '../service.ts';
import { UPLOAD_FIELD, germanSize, uploadPageHtml } from '../upload-page.ts';
import { ARCHIVE_TYPES, GML_TYPES, mediaType } from '../validate/index.ts';
import { PoolBusyError } from '../validate/pool.ts';
import { EXPORT_VERSIONS } from '../versions.ts';
import type { ExportVersion } from '../versions.ts';

const ACCEPTED = [...GML_TYPES, ...ARCHIVE_TYPES];

function planBody(ctx: GatewayContext, uploads: UploadBudget) {
  const raw = sharedRawBody(ctx.config.maxPlanBytes, uploads);
  return [
    (req: Request, _res: Response, next: (err?: unknown) => void) => {
      const type = mediaType(req.get('content-type'));
      if (!ACCEPTED.includes(type)) {
        next(unsupportedMediaType(`Content-Type ${type || '(none)'} is not a plan; send XPlanGML as ${GML_TYPES.join(', ')} or an XPlanArchive as application/zip`));
        return;
      }
      next();
    },
    raw,
    (req: Request, _res: Response, next: (err?: unknown) => void) => {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        next(badRequest('the request body is empty; send the XPlanGML document or XPlanArchive'));
        return;
      }
      next();
    },
  ];
}

function flag(req: Request, ...names: string[]): boolean {
  for (const n of names) {
    const v = req.query[n];
    if (v === undefined) continue;
    if (v !== 'true' && v !== 'false') throw badRequest(`query parameter ${n} must be true or false`, [{ pointer: n, detail: 'must be true or false' }]);
    if (v === 'true') return true;
  }
  return false;
}

/**
 * The switches as the xPlanBox validator names them (the first, also a form field), with English aliases
 * for the two stages: skipFlaechenschluss, skipGeltungsbereich and skipLaufrichtung switch off one check
 * of the geometry stage each.
 */
const SWITCHES: Array<[keyof StageSwitches, string, ...string[]]> = [
  ['skipSemantic', 'skipSemantisch', 'skipSemantic'],
  ['skipGeometry', 'skipGeometrisch', 'skipGeometry'],
  ['skipFlaechenschluss', 'skipFlaechenschluss'],
  ['skipGeltungsbereich', 'skipGeltungsbereich'],
  ['skipLaufrichtung', 'skipLaufrichtung'],
];

function switches(req: Request): StageSwitches {
  const out: StageSwitches = {};
  for (const [key, ...names] of SWITCHES) out[key] = flag(req, ...names);
  return out;
}

/** The switches of the upload form: its check boxes, or the query as for any client. */
function formSwitches(req: Request): StageSwitches {
  const fields = req.body as Record<string, unknown>;
  const checked = (name: string) => fields[name] === 'true' || fields[name] === 'on';
  const out = switches(req);
  for (const [key, field] of SWITCHES) out[key] ||= checked(field);
  return out;
}

/**
 * An uploaded file is an XPlanArchive when its bytes are a ZIP, and read as XPlanGML otherwise: browsers
 * name a .gml's type variously (application/octet-stream, application/gml+xml, nothing).
 */
async function uploadedType(bytes: Buffer): Promise<string> {
  return (await fileTypeFromBuffer(bytes))?.mime === 'application/zip' ? 'application/zip' : 'application/gml+xml';
}

/** The file name a browser sent, without any path, for the report. */
function uploadedName(name: string | undefined): string | undefined {
  const base = (name ?? '').split(/[\\/]/).pop()!.replace(/\p{Cc}/gu, '').trim().slice(0, 200);
  return base || undefined;
}

/** Why an upload was refused, as the form page says it. */
function refusalText(reason: UploadRefusal, maxBytes: number): string {
  switch (reason) {
    case 'too-large': return `Die Datei ist größer als die erlaubten ${germanSize(maxBytes)}.`;
    case 'no-file': return 'Bitte wählen Sie eine Datei aus.';
    case 'unexpected-part': return 'Bitte senden Sie genau eine Datei.';
    case 'unreadable': return 'Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut.';
    case 'busy': return 'Gerade werden zu viele Pläne auf einmal hochgeladen. Bitte versuchen Sie es in einigen Sekunden erneut.';
  }
}

/** The client reads the report as the German page (a browser), not as JSON. */
function wantsPage(req: Request): boolean {
  return req.accepts(['application/json', 'text/html']) === 'text/html';
}

/** `page`: the report already rendered as HTML by the validation worker (report.ts), when the client wants the page. */
function sendReport(req: Request, res: Response, status: number, report: ValidationReport, page?: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.vary('Accept');
  if (wantsPage(req)) res.type('text/html; charset=utf-8').send(page ?? reportToHtml(report));
  else res.json(report);
}

/** A refusal by the safety stage (413, 415): problem+json carrying the report. */
function refusal(status: number, report: ValidationReport): HttpError {
  const title = status === 413 ? 'Content Too Large' : 'Unsupported Media Type';
  return new HttpError(status, title, report.findings[0]?.message ?? 'the plan was refused', { extensions: { report } });
}

/** The memory budgets of the routes; built from the configuration unless given (tests give small ones to watch them). */
export interface XPlanungRouteOptions {
  downloads?: DownloadBudget;
  uploads?: UploadBudget;
}

export function xplanungRoutes(ctx: GatewayContext, service: XPlanungService, options: XPlanungRouteOptions = {}): Router {
  const r = Router();
  const { store } = ctx;
  const downloads = options.downloads ?? new DownloadBudget(ctx.config.downloadBudgetBytes, { perClientBytes: ctx.config.downloadClientShareBytes, perClientDownloads: ctx.config.downloadsPerClient, stallMs: ctx.config.downloadStallMs });
  // one budget for every way a plan comes in: the form, the validator, a push
  const uploads = options.uploads ?? new UploadBudget(ctx.config.uploadBudgetBytes, ctx.config.uploadsPerClient);

  async function tenantOr404(id: string): Promise<Tenant> {
    const t = await store.tenants.get(id);
    if (!t) throw notFound(`tenant ${id} does not exist`);
    return t;
  }

  // the endpoint URL of the XPlanung data service in the DCAT feed: a browser gets the upload form,
  // any other client the API's description (the service's dcat:endpointDescription)
  r.get('/xplanung/v1', (req, res) => {
    res.vary('Accept');
    const b = baseUrl(req, ctx.config.publicBaseUrl, ctx.config.trustProxy);
    res.location(req.accepts(['application/json', 'text/html']) === 'text/html' ? `${b}/xplanung/v1/validate` : `${b}/openapi.json`).status(303).end();
  });

  r.get('/xplanung/v1/rules', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.json(ruleList());
  });

  // the upload form for planners; its answer is the report page
  const formPage = (req: Request, error?: string) =>
    uploadPageHtml({ maxBytes: ctx.config.maxPlanBytes, error, address: `${baseUrl(req, ctx.config.publicBaseUrl, ctx.config.trustProxy)}/xplanung/v1/validate` });
  r.get('/xplanung/v1/validate', (req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(formPage(req));
  });

  // the form posts the plan as multipart/form-data; every other client sends the plan as the body (below)
  const onlyForms = (req: Request, _res: Response, next: (err?: unknown) => void) => next(req.is('multipart/form-data') ? undefined : 'route');
  const formRefusal = (err: unknown, req: Request, res: Response, next: (err?: unknown) => void) => {
    // a browser gets the form again, saying in German what to change
    if (!(err instanceof UploadError) || !wantsPage(req)) { next(err); return; }
    res.status(err.status).setHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    res.type('text/html; charset=utf-8').send(formPage(req, refusalText(err.reason, ctx.config.maxPlanBytes)));
  };
  r.post('/xplanung/v1/validate', onlyForms, sharedFileUpload(UPLOAD_FIELD, ctx.config.maxPlanBytes, uploads), async (req: Request, res: Response) => {
    const bytes = req.file!.buffer;
    const page = wantsPage(req);
    const result = await service.validate(bytes, await uploadedType(bytes), formSwitches(req), { page, fileName: uploadedName(req.file!.originalname), formHref: 'validate' });
    // a browser sees a refused file's report as the page, with the refusal's status
    if (result.refusedWith && !page) throw refusal(result.refusedWith, result.report);
    sendReport(req, res, result.refusedWith ?? 200, result.report, result.page);
  }, formRefusal);

  r.post('/xplanung/v1/validate', ...planBody(ctx, uploads), async (req, res) => {
    const sw = switches(req);
    const result = await service.validate(req.body as Buffer, req.get('content-type') ?? '', sw, { page: wantsPage(req) });
    if (result.refusedWith) throw refusal(result.refusedWith, result.report);
    sendReport(req, res, 200, result.report, result.page);
  });

  // authorise before reading the body: an unauthorised client learns nothing and uploads nothing
  const canPush = (req: Request, res: Response, next: (err?: unknown) => void) => {
    try {
      authorize(authState(res).principal, authState(res).presented, String(req.params.tenant), 'xplanung:push');
      next();
    } catch (err) {
      next(err);
    }
  };

  r.post('/xplanung/v1/tenants/:tenant/plans', canPush, ...planBody(ctx, uploads), async (req, res) => {
    const tenant = String(req.params.tenant);
    const t = await tenantOr404(tenant);
    const outcome = await service.push(t, req.body as Buffer, req.get('content-type') ?? '', { page: wantsPage(req), baseUrl: baseUrl(req, ctx.config.publicBaseUrl, ctx.config.trustProxy) }, authState(res).principal);
    if (!outcome.ok) {
      if (outcome.refusedWith) throw refusal(outcome.refusedWith, outcome.report);
      sendReport(req, res, 422, outcome.report, outcome.page);
      return;
    }
    const created = outcome.results.some((x) => x.outcome === 'created');
    const base = `/xplanung/v1/tenants/${encodeURIComponent(tenant)}`;
    const only = outcome.results.length === 1 ? outcome.results[0] : undefined;
    if (only) res.setHeader('Location', `/api/v1/tenants/${encodeURIComponent(tenant)}/procedures/${only.procedure.procedure.id}`);
    res.status(created ? 201 : 200).json({
      report: outcome.report,
      plans: outcome.results.map((x) => ({
        planId: x.planId,
        outcome: x.outcome,
        procedureId: x.procedure.procedure.id,
        procedure: `/api/v1/tenants/${encodeURIComponent(tenant)}/procedures/${x.procedure.procedure.id}`,
        source: `${base}/plans/${encodeURIComponent(x.planId)}/source`,
        export: `${base}/procedures/${x.procedure.procedure.id}.gml`,
      })),
    });
  });

  r.get('/xplanung/v1/tenants/:tenant/plans', async (req, res) => {
    const { tenant } = req.params;
    await tenantOr404(tenant);
    const plans = await store.plans.list(tenant);
    res.json({ plans });
  });

  r.get('/xplanung/v1/tenants/:tenant/plans/:planId/source', async (req, res) => {
    const { tenant, planId } = req.params;
    await tenantOr404(tenant);
    const src = await store.plans.source(tenant, planId);
    if (!src) throw notFound(`plan ${planId} was never pushed to tenant ${tenant}`);
    downloads.reserve(res, src.bytes.length);
    const ext = src.plan.contentType.includes('zip') ? 'zip' : 'gml';
    res.setHeader('Content-Disposition', `attachment; filename="${src.plan.planId.replace(/[^A-Za-z0-9_.-]/g, '_')}.${ext}"`);
    res.setHeader('ETag', `"${src.plan.contentHash}"`);
    res.type(src.plan.contentType);
    downloads.send(req, res, src.bytes);
  });

  // the files of a pushed XPlanArchive (Begründung, scans): the procedure's documents link here
  r.get('/xplanung/v1/tenants/:tenant/plans/:planId/files/*name', async (req, res) => {
    const { tenant, planId } = req.params;
    const name = ([] as string[]).concat(req.params.name).join('/');
    await tenantOr404(tenant);
    const file = await service.archiveFile(tenant, planId, name, (bytes) => downloads.reserve(res, bytes));
    if (!file.found) {
      if (file.reason === 'unreadable') throw unprocessable(`the file "${quoteForError(name)}" of plan ${planId} cannot be served from its stored XPlanArchive: ${file.why}; push the plan again`);
      throw notFound(
        file.reason === 'no-plan' ? `plan ${planId} was never pushed to tenant ${tenant}`
          : file.reason === 'not-an-archive' ? `plan ${planId} was pushed as a plain XPlanGML document, which carries no files; push an XPlanArchive (ZIP) to publish its files`
            : `the XPlanArchive of plan ${planId} holds no file "${name}"`,
      );
    }
    const fileName = name.split('/').pop() ?? name;
    res.setHeader('ETag', file.etag);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // a pushed file never runs anything on the gateway's origin, whatever it contains
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'");
    res.setHeader('Content-Disposition', `${file.inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    if (fresh(req.headers, { etag: file.etag })) {
      res.status(304).end();
      return;
    }
    res.type(file.mediaType);
    downloads.send(req, res, file.bytes);
  });

  r.get('/xplanung/v1/tenants/:tenant/procedures/:procedureId.gml', async (req, res) => {
    const { tenant, procedureId } = req.params;
    const version = (req.query.version ?? '6.0') as string;
    if (!(EXPORT_VERSIONS as readonly string[]).includes(version)) {
      throw badRequest(`version must be one of ${EXPORT_VERSIONS.join(', ')}`, [{ pointer: 'version', detail: `must be one of ${EXPORT_VERSIONS.join(', ')}` }]);
    }
    const t = await tenantOr404(tenant);
    const got = await store.procedures.get(tenant, procedureId);
    if (!got) throw notFound(`procedure ${procedureId} does not exist in tenant ${tenant}`);
    if ('tombstone' in got) throw gone(`procedure ${procedureId} was deleted at ${got.tombstone.deleted}`);
    let gml: string;
    try {
      gml = await service.exportProcedure(t, got.procedure, version as ExportVersion);
    } catch (err) {
      if (err instanceof ExportError) throw unprocessable(err.message);
      throw err;
    }
    res.type('application/gml+xml; charset=utf-8').setHeader('Content-Disposition', `inline; filename="${procedureId}.gml"`);
    res.send(gml);
  });

  r.use('/xplanung/v1', (err: unknown, _req: Request, _res: Response, next: (err?: unknown) => void) => {
    if (err instanceof PoolBusyError) next(new HttpError(503, 'Service Unavailable', err.message, { headers: { 'Retry-After': '30' } }));
    else next(err);
  });
  return r;
}
