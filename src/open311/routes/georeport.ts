// Open311 GeoReport v2 at /open311/v2 (Mängelmelder). Thin handlers: parameters → repository →
// view → render; every failure leaves through the Open311 error handler at the end.
import { createHash, randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { formBody } from '../../http/body.ts';
import { fileTypeFromBuffer } from 'file-type';
import multer from 'multer';
import { authorize, resolvePrincipal } from '../../core/auth.ts';
import type { GatewayContext } from '../../core/context.ts';
import type { Open311Service, ServiceRequestQuery } from '../../core/storage/service-request-repository.ts';
import { authState } from '../../http/credentials.ts';
import { encodeAhead, preferredEncoding, representation, sendRepresentation, type Representation } from '../../http/representation.ts';
import { baseUrl } from '../../http/security.ts';
import { ClientGate } from '../../http/client-gate.ts';
import { SharedWork } from '../../http/shared-work.ts';
import { MAX_PAGING_INTEGER, UNREPRESENTABLE_DETAIL, boundedInteger, hasUnrepresentable, quoteForError } from '../../core/text.ts';
import { attributeValues, checkAttributes, malformedAttributes } from '../attributes.ts';
import { Open311Error, badParam, forbiddenKey, toOpen311Error, unknown } from '../errors.ts';
import { render, type Format } from '../format.ts';
import { insideArea } from '../geo.ts';
import { Abandoned, requestList, updateList, type ListFormat } from '../list.ts';
import { RateLimiter } from '../rate-limit.ts';
import { portalStatusesFor } from '../status.ts';
import { checkSubmission, submittedForm } from '../submission.ts';
import { publicRequest, serviceDefinition, serviceListItem, serviceType } from '../view.ts';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Images in one multipart report: `media`, or FixMyStreet's `photo1`, `photo2` … (upload_files). */
const MAX_IMAGES = 5;
const IMAGE_FIELD = /^(media|photo[1-9]\d{0,2})$/;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic']);
const DAY = 86_400_000;
// W3C date-time with zone, as the spec requires for every date parameter
const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function formatOf(req: Request): Format {
  const f = req.params.format;
  if (f === 'xml' || f === 'json') return f;
  throw unknown(`unsupported format .${quoteForError(String(f))}; use .xml or .json`);
}

function send(res: Response, format: Format, root: string, value: Parameters<typeof render>[2], status = 200): void {
  const { contentType, body } = render(format, root, value);
  res.status(status).type(contentType).send(body);
}

/** A parameter from the query or the form body; empty counts as absent. */
function param(req: Request, name: string): string | undefined {
  const v = (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>)[name] : undefined) ?? req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badParam(`${name} must be given once`);
  // the shared text rule for every parameter: nothing XML cannot carry is stored or echoed
  if (hasUnrepresentable(v)) throw badParam(`${name} ${UNREPRESENTABLE_DETAIL}`);
  return v;
}

/** A paging parameter: decimal digits in [min, max] (1e17 or 0x10 would reach SQL as something else). */
function pagingParam(req: Request, name: string, fallback: number, max: number): number {
  const raw = param(req, name);
  if (raw === undefined) return fallback;
  const n = boundedInteger(raw, 1, max);
  if (n === null) throw badParam(`${name} must be an integer from 1 to ${max}, not ${quoteForError(raw, 40)}`);
  return n;
}

function dateParam(req: Request, name: string): string | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  if (!W3C_DATETIME.test(v) || Number.isNaN(Date.parse(v))) throw badParam(`${name} must be a W3C date-time with zone, e.g. 2026-05-01T00:00:00Z`);
  return new Date(v).toISOString();
}

function listParam(req: Request, name: string): string[] | undefined {
  const v = param(req, name);
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The resources under /open311/v2 and their methods (express answers HEAD with each GET route). */
const RESOURCES: Array<[RegExp, string[]]> = [
  [/^\/open311\/v2\/?$/, ['GET', 'HEAD']],
  [/^\/open311\/v2\/requests\.[^/]+$/, ['GET', 'HEAD', 'POST']],
  [/^\/open311\/v2\/(discovery|services|servicerequestupdates)\.[^/]+$/, ['GET', 'HEAD']],
  [/^\/open311\/v2\/(services|requests|tokens)\/[^/]+\.[^/]+$/, ['GET', 'HEAD']],
  [/^\/open311\/v2\/media\/[^/]+$/, ['GET', 'HEAD']],
];

type UploadedFile = { fieldname: string; buffer: Buffer };

/**
 * The images of a multipart report in field order: `media` first, then `photo1`, `photo2` … by
 * number (FixMyStreet numbers them in the order the citizen added them). A field given twice is refused.
 */
function uploadedImages(req: Request): UploadedFile[] {
  const files = ((req as Request & { files?: UploadedFile[] }).files ?? []);
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.fieldname)) throw badParam(`${f.fieldname} must be given once; send further images as photo1, photo2 …`);
    seen.add(f.fieldname);
  }
  const rank = (name: string) => (name === 'media' ? 0 : Number(name.slice('photo'.length)));
  return [...files].sort((a, b) => rank(a.fieldname) - rank(b.fieldname));
}

export function georeportRoutes(ctx: GatewayContext): Router {
  const r = Router();
  const { store, config } = ctx;
  const repo = store.serviceRequests;
  const limiter = new RateLimiter(config.open311RatePerMinute);
  const form = formBody(config.maxJsonBytes);
  // rendering a list costs CPU and memory for every request that is not replayed from memory
  const listGate = new ClientGate(4, 'Open311 list answers');
  const listRenders = new SharedWork<Representation>();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_IMAGE_BYTES, files: MAX_IMAGES, fields: 100, fieldSize: 8 * 1024, parts: 100 + MAX_IMAGES },
    // a file in any other field is refused by name before it is read
    fileFilter: (_req, file, cb) => {
      if (IMAGE_FIELD.test(file.fieldname)) cb(null, true);
      else cb(badParam(`${quoteForError(file.fieldname, 64)} is no image field: send images as media or photo1, photo2 … (at most ${MAX_IMAGES})`));
    },
  }).any();

  // CORS for browser apps (the spec's resources are public reads)
  r.use('/open311/v2', (_req, res, next) => { res.setHeader('Access-Control-Allow-Origin', '*'); next(); });

  /** The tenant an Open311 call is about: jurisdiction_id, or the only tenant that serves Open311. */
  async function jurisdiction(req: Request): Promise<string> {
    const given = param(req, 'jurisdiction_id');
    const served = await repo.jurisdictions();
    if (given !== undefined) {
      if (!served.includes(given)) throw unknown(`jurisdiction_id ${quoteForError(given)} is not served here`);
      return given;
    }
    if (served.length === 1) return served[0]!;
    throw badParam(served.length === 0 ? 'no jurisdiction serves Open311 here yet' : 'jurisdiction_id is required: this endpoint serves several jurisdictions');
  }

  r.get('/open311/v2/discovery.:format', async (req, res) => {
    const format = formatOf(req);
    const base = baseUrl(req, config.publicBaseUrl, config.trustProxy);
    const changeset = '2026-11-24T00:00:00Z';
    send(res, format, 'discovery', {
      changeset,
      contact: 'Beteiligungsportal – Mängelmelder; contact the authority of your jurisdiction',
      key_service: `API keys for submitting reports are issued by the portal operator (${base}/docs)`,
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${base}/open311/v2`, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
    });
  });

  // the endpoint URL (of discovery, and of the DCAT feed's Open311 data service): 303 to discovery,
  // JSON when asked for, else XML (GeoReport's default)
  r.get('/open311/v2', (req, res) => {
    res.vary('Accept');
    const format = req.accepts(['text/xml', 'application/xml', 'application/json']) === 'application/json' ? 'json' : 'xml';
    res.location(`${baseUrl(req, config.publicBaseUrl, config.trustProxy)}/open311/v2/discovery.${format}`).status(303).end();
  });

  /**
   * Sends a public answer that apps poll (categories on every start, a report's status, the
   * updates since the last sync) with ETag and compression, and lets the replay cache answer the
   * same request from memory until any stored data changes (or after `maxAgeMs`, for answers
   * whose window moves with the clock). `stamp` must be taken before the data is read.
   */
  function sendPolled(req: Request, res: Response, stamp: string, maxAgeMs: number, rendered: { contentType: string; body: string }): void {
    sendRepresentation(req, res, representation(rendered.contentType, rendered.body), { isCurrent: async () => (await repo.changeStamp()) === stamp, maxAgeMs });
  }

  r.get('/open311/v2/services.:format', async (req, res) => {
    const format = formatOf(req);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    let services = await repo.listServices(tenant);
    const procedure = param(req, 'procedure_id');
    if (procedure) services = services.filter((s) => s.procedure_id === procedure);
    const group = param(req, 'group');
    if (group) services = services.filter((s) => s.group === group);
    sendPolled(req, res, stamp, 60_000, render(format, 'services', services.map(serviceListItem)));
  });

  r.get('/open311/v2/services/:service_code.:format', async (req, res) => {
    const format = formatOf(req);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    const service = await repo.getService(tenant, String(req.params.service_code));
    if (!service) throw unknown(`service_code ${quoteForError(String(req.params.service_code))} does not exist`);
    sendPolled(req, res, stamp, 60_000, render(format, 'service_definition', serviceDefinition(service)));
  });

  /** A multipart failure as an Open311 error naming the limit. */
  const uploadError = (err: unknown): Open311Error => {
    if (err instanceof Open311Error) return err;
    const e = err as { code?: string; field?: string; message?: string };
    if (e.code === 'LIMIT_FILE_SIZE') return new Open311Error(413, [{ code: 413, description: `the image ${quoteForError(e.field ?? '', 64)} is larger than ${MAX_IMAGE_BYTES / 1048576} MB` }]);
    if (e.code === 'LIMIT_FILE_COUNT') return badParam(`at most ${MAX_IMAGES} images in one report`);
    return badParam(`the multipart body cannot be read: ${e.message ?? ''}`.trim());
  };

  /** Reads a POST body: form-urlencoded, or multipart with images in `media` or `photo1`, `photo2` … */
  const body = (req: Request, res: Response, next: NextFunction) => {
    if (req.is('multipart/form-data')) upload(req, res, (err?: unknown) => next(err ? uploadError(err) : undefined));
    else if (!req.headers['content-type'] || req.is('application/x-www-form-urlencoded')) form(req, res, next);
    else {
      // refused after the api_key check, so that a caller without a key learns nothing more
      res.locals.open311UnsupportedBody = true;
      next();
    }
  };
  const supportedBody = (_req: Request, res: Response, next: NextFunction) => {
    if (res.locals.open311UnsupportedBody) next(new Open311Error(415, [{ code: 415, description: 'send the report as application/x-www-form-urlencoded (or multipart/form-data with images in media or photo1, photo2 …)' }]));
    else next();
  };

  /**
   * api_key as form field or query (Open311), or the gateway's Bearer / X-API-Key headers. Resolves
   * the tenant a report goes to once (res.locals.open311Tenant), so that the tenant authorized is
   * the tenant written to: jurisdiction_id, else the key's own tenant (never another one, even if
   * only another serves Open311), else for the admin token the only tenant that serves Open311.
   */
  const requireKey = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const fromForm = param(req, 'api_key');
      const state = authState(res);
      const principal = fromForm !== undefined ? await resolvePrincipal(store, config.adminToken, fromForm) : state.principal;
      const presented = fromForm !== undefined || state.presented;
      if (!principal) throw forbiddenKey(presented ? 'api_key is not valid' : 'api_key is required to submit a report');
      const given = param(req, 'jurisdiction_id');
      let tenant: string;
      if (given !== undefined || principal.kind === 'admin') {
        if (given !== undefined) authorize(principal, true, given, 'open311:submit');
        tenant = await jurisdiction(req);
      } else {
        tenant = principal.tenant;
        authorize(principal, true, tenant, 'open311:submit');
        if (!(await repo.jurisdictions()).includes(tenant)) throw unknown(`jurisdiction_id was left out, so the api_key's own jurisdiction ${quoteForError(tenant)} applies, and it serves no Open311 categories here`);
      }
      res.locals.open311Tenant = tenant;
      res.locals.open311Submitter = principal.kind === 'key' ? principal.keyId : 'admin';
      next();
    } catch (err) {
      next(err);
    }
  };

  r.post('/open311/v2/requests.:format', body, requireKey, supportedBody, async (req, res) => {
    const format = formatOf(req);
    const tenant = String(res.locals.open311Tenant); // resolved and authorized once, in requireKey
    limiter.take(`key:${String(res.locals.open311Submitter)}`);
    limiter.take(`ip:${req.ip}`);
    // lengths and the text rule first (schemas/open311-submission.schema.json): nothing else reads an unchecked field
    const formErrors = checkSubmission(submittedForm(req.body, req.query));
    if (formErrors.length) throw badParam(...formErrors);
    const code = param(req, 'service_code');
    if (!code) throw badParam('service_code is required');
    const service = await repo.getService(tenant, code);
    if (!service) throw unknown(`service_code ${quoteForError(code)} does not exist`);

    const errors: string[] = [];
    const latS = param(req, 'lat');
    const longS = param(req, 'long');
    const address = param(req, 'address_string');
    const addressId = param(req, 'address_id');
    let lat: number | null = null;
    let long: number | null = null;
    if (latS !== undefined || longS !== undefined) {
      lat = Number(latS);
      long = Number(longS);
      if (latS === undefined || longS === undefined || !Number.isFinite(lat) || !Number.isFinite(long) || Math.abs(lat) > 90 || Math.abs(long) > 180) {
        errors.push('lat and long must both be given as WGS84 decimal degrees');
      } else {
        const t = await store.tenants.get(tenant);
        if (t?.area && !insideArea(t.area, long, lat)) errors.push(`the location ${lat}, ${long} lies outside the area of ${t.name}`);
      }
    } else if (!address && !addressId) errors.push('a location is required: lat and long, or address_string, or address_id');
    const description = param(req, 'description');
    const rawAttributes = (req.body as Record<string, unknown>)?.attribute;
    for (const code of malformedAttributes(rawAttributes)) errors.push(`attribute[${quoteForError(code, 64)}] must be a value (attribute[code]=…) or a list (attribute[code][]=…)`);
    const attrs = attributeValues(service, rawAttributes);
    errors.push(...checkAttributes(service, attrs));
    const mediaUrls: string[] = [];
    const rawMedia = (req.body as Record<string, unknown>)?.media_url;
    // form and length checked by the submission schema above
    for (const u of (Array.isArray(rawMedia) ? rawMedia : rawMedia ? [rawMedia] : []).map(String).filter(Boolean)) mediaUrls.push(u);
    const media: Array<{ hash: string; contentType: string; bytes: Buffer }> = [];
    const uploadedUrls: string[] = [];
    for (const file of uploadedImages(req)) {
      const sniffed = await fileTypeFromBuffer(file.buffer);
      if (!sniffed || !IMAGE_TYPES.has(sniffed.mime)) errors.push(`${file.fieldname} must be an image (JPEG, PNG, WebP, GIF or HEIC); its content says otherwise`);
      else {
        const m = { hash: createHash('sha256').update(file.buffer).digest('hex'), contentType: sniffed.mime, bytes: file.buffer };
        media.push(m);
        uploadedUrls.push(`${baseUrl(req, config.publicBaseUrl, config.trustProxy)}/open311/v2/media/${m.hash}?jurisdiction_id=${encodeURIComponent(tenant)}`);
      }
    }
    // uploaded images first (the first is the report's media_url), then the media_url values
    mediaUrls.unshift(...uploadedUrls);
    if (errors.length) throw badParam(...errors);
    for (const m of media) await repo.putMedia(m);

    const moderated = service.moderated ?? true;
    const created = await repo.create({
      tenant, service_code: code, released: !moderated, description: description ?? null, lat, long,
      address: address ?? null, address_id: addressId ?? null, zipcode: param(req, 'zipcode') ?? null,
      attributes: attrs, media_urls: mediaUrls, token: serviceType(service) === 'batch' ? randomBytes(12).toString('base64url') : null,
      personal: { email: param(req, 'email') ?? null, first_name: param(req, 'first_name') ?? null, last_name: param(req, 'last_name') ?? null, phone: param(req, 'phone') ?? null, device_id: param(req, 'device_id') ?? param(req, 'deviceid') ?? null, account_id: param(req, 'account_id') ?? null },
    });
    const answer = created.token
      ? { token: created.token, service_notice: 'Ihre Meldung wird geprüft und danach veröffentlicht.' }
      : { service_request_id: created.service_request_id, service_notice: '' };
    send(res, format, 'service_requests', [answer]);
  });

  r.get('/open311/v2/tokens/:token.:format', async (req, res) => {
    const format = formatOf(req);
    const tenant = await jurisdiction(req);
    const found = await repo.byToken(tenant, String(req.params.token));
    if (!found) throw unknown(`token ${quoteForError(String(req.params.token))} does not exist`);
    send(res, format, 'service_requests', [{ service_request_id: found.service_request_id, token: String(req.params.token) }]);
  });

  async function listQuery(req: Request, tenant: string): Promise<ServiceRequestQuery> {
    const ids = listParam(req, 'service_request_id');
    const pageSize = pagingParam(req, 'page_size', 1000, 1000);
    const page = pagingParam(req, 'page', 1, MAX_PAGING_INTEGER);
    const q: ServiceRequestQuery = { tenant, releasedOnly: true, limit: pageSize, offset: (page - 1) * pageSize };
    // service_request_id overrides every other argument; a report the client names by id (it has the
    // id from its token) is listed while in moderation too, as publicRequest withholds its content
    if (ids) return { ...q, ids, releasedOnly: false };
    q.serviceCodes = listParam(req, 'service_code');
    const statuses = listParam(req, 'status');
    if (statuses) {
      for (const s of statuses) if (s !== 'open' && s !== 'closed') throw badParam(`status must be open or closed, not ${quoteForError(s, 40)}`);
      q.statuses = statuses.flatMap(portalStatusesFor);
    }
    const end = dateParam(req, 'end_date');
    const start = dateParam(req, 'start_date');
    q.updatedAfter = dateParam(req, 'updated_after');
    q.updatedBefore = dateParam(req, 'updated_before');
    q.procedureId = param(req, 'procedure_id');
    if (start && end && start > end) throw badParam('start_date must not be after end_date');
    // the default window is the most recent 90 days; update-time filters replace it
    if (!start && !end && !q.updatedAfter && !q.updatedBefore) q.requestedFrom = new Date(Date.now() - 90 * DAY).toISOString();
    else {
      if (start) q.requestedFrom = start;
      if (end) q.requestedTo = end;
    }
    return q;
  }

  /**
   * Sends a public list written a slice at a time (../list.ts), as sendPolled does; nothing when
   * the client has gone meanwhile. The compressed form is made off the event loop.
   */
  async function sendList(req: Request, res: Response, stamp: string, write: (stillWanted: () => boolean) => Promise<Representation>): Promise<void> {
    let rep: Representation;
    try {
      // identical requests in progress share one render, and only its starter takes a place of the gate
      // the compressed form the starter asked for is made in the run too (off the event loop: 50 MB took
      // half a second): requests arriving meanwhile join it instead of rendering the list again
      const encoding = preferredEncoding(req);
      rep = await listRenders.run(`${req.originalUrl}\u0000${stamp}`, res, async (stillWanted) => {
        const written = await write(stillWanted);
        await encodeAhead(written, encoding);
        return written;
      }, () => listGate.enter(req, res));
    } catch (err) {
      if (err instanceof Abandoned) return;
      throw err;
    }
    if (res.destroyed) return;
    await encodeAhead(rep, preferredEncoding(req));
    // dashboards poll the same list; the default window moves with the clock: at most 5 s
    sendRepresentation(req, res, rep, { isCurrent: async () => (await repo.changeStamp()) === stamp, maxAgeMs: 5_000 });
  }

  r.get('/open311/v2/requests.:format', async (req, res) => {
    const fmt = String(req.params.format);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    const format: ListFormat = fmt === 'csv' || fmt === 'geojson' ? fmt : formatOf(req);
    const q = await listQuery(req, tenant);
    const extensions = param(req, 'extensions') === 'true';
    const services = new Map((await repo.listServices(tenant)).map((s): [string, Open311Service] => [s.service_code, s]));
    await sendList(req, res, stamp, (stillWanted) => requestList(repo, q, services, format, extensions, stillWanted));
  });

  r.get('/open311/v2/requests/:service_request_id.:format', async (req, res) => {
    const format = formatOf(req);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    const found = await repo.get(tenant, String(req.params.service_request_id), false);
    // an unreleased report is answered (FixMyStreet has its id from the token), without its content (view.ts)
    if (!found) throw unknown(`service_request_id ${quoteForError(String(req.params.service_request_id))} does not exist`);
    const service = await repo.getService(tenant, found.service_code);
    const extensions = param(req, 'extensions') === 'true';
    sendPolled(req, res, stamp, 60_000, render(format, 'service_requests', [publicRequest(found, service ?? undefined, extensions, extensions ? await repo.history(tenant, found.service_request_id) : [])]));
  });

  r.get('/open311/v2/servicerequestupdates.:format', async (req, res) => {
    const format = formatOf(req);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    const start = dateParam(req, 'start_date');
    const end = dateParam(req, 'end_date');
    if (start && end && start > end) throw badParam('start_date must not be after end_date');
    // FixMyStreet asks for both dates or neither; without them: the last 2 hours, as it expects
    const from = start ?? (end ? undefined : new Date(Date.now() - 2 * 3_600_000).toISOString());
    const q = { from, to: end, ids: listParam(req, 'service_request_id'), limit: 1000 };
    await sendList(req, res, stamp, (stillWanted) => updateList(repo, tenant, q, format, stillWanted));
  });

  r.get('/open311/v2/media/:hash', async (req, res) => {
    const tenant = await jurisdiction(req);
    const media = /^[0-9a-f]{64}$/.test(String(req.params.hash)) ? await repo.publicMedia(tenant, String(req.params.hash)) : null;
    if (!media) throw unknown('no such image');
    res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
    res.type(media.contentType).send(media.bytes);
  });

  // Not mounted at '/open311/v2': a mount path would strip it from req.url (and so from req.path in
  // every log line written for the answer); the full path, without the query, is what operators trace.
  const pathOf = (req: Request) => req.originalUrl.split('?', 1)[0] ?? '';
  const isOpen311 = (req: Request) => /^\/open311\/v2(\/|$)/.test(pathOf(req));
  r.use((req, _res, next) => {
    if (!isOpen311(req)) { next(); return; }
    // a resource that exists but not for this method is a 405 naming the methods it has (RFC 9110
    // §15.5.6): FixMyStreet's send-comments POSTs servicerequestupdates, which is offered for GET only
    const allowed = RESOURCES.find(([pattern]) => pattern.test(pathOf(req)))?.[1];
    if (allowed) next(new Open311Error(405, [{ code: 405, description: `${req.method} is not offered at ${quoteForError(pathOf(req))}; it answers ${allowed.join(', ')}` }], { Allow: allowed.join(', ') }));
    else next(unknown(`no Open311 resource at ${req.method} ${quoteForError(pathOf(req))}`));
  });

  // every failure under /open311/v2 in the spec's error format, in the format the path asked for
  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!isOpen311(req)) return next(err);
    const e = toOpen311Error(err);
    if (e.status >= 500) ctx.logger.error({ err, path: pathOf(req) }, 'open311 request failed');
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    const format: Format = /\.json$/.test(pathOf(req)) ? 'json' : 'xml';
    send(res, format, 'errors', e.items.map((i) => ({ code: i.code, description: i.description })), e.status);
  });
  return r;
}
