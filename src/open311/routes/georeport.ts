// Open311 GeoReport v2 at /open311/v2 (Mängelmelder). Thin handlers: parameters → repository →
// view → render; every failure leaves through the Open311 error handler at the end.
import { createHash, randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { formBody } from '../../http/body.ts';
import { fileTypeFromBuffer } from 'file-type';
import multer from 'multer';
import { stringify } from 'csv-stringify/sync';
import { authorize, resolvePrincipal } from '../../core/auth.ts';
import type { GatewayContext } from '../../core/context.ts';
import type { Open311Service, ServiceRequestQuery } from '../../core/storage/service-request-repository.ts';
import { authState } from '../../http/credentials.ts';
import { representation, sendRepresentation } from '../../http/representation.ts';
import { baseUrl } from '../../http/security.ts';
import { attributeValues, checkAttributes, malformedAttributes } from '../attributes.ts';
import { Open311Error, badParam, forbiddenKey, toOpen311Error, unknown } from '../errors.ts';
import { render, type Format } from '../format.ts';
import { insideArea } from '../geo.ts';
import { RateLimiter } from '../rate-limit.ts';
import { portalStatusesFor } from '../status.ts';
import { publicRequest, requestUpdate, serviceDefinition, serviceListItem, serviceType } from '../view.ts';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic']);
const DAY = 86_400_000;
// W3C date-time with zone, as the spec requires for every date parameter
const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function formatOf(req: Request): Format {
  const f = req.params.format;
  if (f === 'xml' || f === 'json') return f;
  throw unknown(`unsupported format .${String(f)}; use .xml or .json`);
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
  return v;
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

export function georeportRoutes(ctx: GatewayContext): Router {
  const r = Router();
  const { store, config } = ctx;
  const repo = store.serviceRequests;
  const limiter = new RateLimiter(config.open311RatePerMinute);
  const form = formBody(config.maxJsonBytes);
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 100, fieldSize: 8 * 1024, parts: 102 } }).single('media');

  // CORS for browser apps (the spec's resources are public reads)
  r.use('/open311/v2', (_req, res, next) => { res.setHeader('Access-Control-Allow-Origin', '*'); next(); });

  /** The tenant an Open311 call is about: jurisdiction_id, or the only tenant that serves Open311. */
  async function jurisdiction(req: Request): Promise<string> {
    const given = param(req, 'jurisdiction_id');
    const served = await repo.jurisdictions();
    if (given !== undefined) {
      if (!served.includes(given)) throw unknown(`jurisdiction_id ${given} is not served here`);
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
    if (!service) throw unknown(`service_code ${String(req.params.service_code)} does not exist`);
    sendPolled(req, res, stamp, 60_000, render(format, 'service_definition', serviceDefinition(service)));
  });

  /** Reads a POST body: form-urlencoded, or multipart with an image in `media`. */
  const body = (req: Request, res: Response, next: NextFunction) => {
    if (req.is('multipart/form-data')) upload(req, res, (err?: unknown) => next(err ? (err as { code?: string }).code === 'LIMIT_FILE_SIZE' ? new Open311Error(413, [{ code: 413, description: `the image is larger than ${MAX_IMAGE_BYTES / 1048576} MB` }]) : badParam(`the multipart body cannot be read: ${(err as Error).message}`) : undefined));
    else if (!req.headers['content-type'] || req.is('application/x-www-form-urlencoded')) form(req, res, next);
    else {
      // refused after the api_key check, so that a caller without a key learns nothing more
      res.locals.open311UnsupportedBody = true;
      next();
    }
  };
  const supportedBody = (_req: Request, res: Response, next: NextFunction) => {
    if (res.locals.open311UnsupportedBody) next(new Open311Error(415, [{ code: 415, description: 'send the report as application/x-www-form-urlencoded (or multipart/form-data with an image in media)' }]));
    else next();
  };

  /** api_key as form field or query (Open311), or the gateway's Bearer / X-API-Key headers. */
  const requireKey = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const fromForm = param(req, 'api_key');
      const state = authState(res);
      const principal = fromForm !== undefined ? await resolvePrincipal(store, config.adminToken, fromForm) : state.principal;
      const presented = fromForm !== undefined || state.presented;
      if (!principal) throw forbiddenKey(presented ? 'api_key is not valid' : 'api_key is required to submit a report');
      const given = param(req, 'jurisdiction_id');
      const served = await repo.jurisdictions();
      const tenant = given ?? (principal.kind === 'key' ? principal.tenant : served.length === 1 ? served[0]! : '');
      authorize(principal, true, tenant, 'open311:submit');
      res.locals.open311Submitter = principal.kind === 'key' ? principal.keyId : 'admin';
      next();
    } catch (err) {
      next(err);
    }
  };

  r.post('/open311/v2/requests.:format', body, requireKey, supportedBody, async (req, res) => {
    const format = formatOf(req);
    const tenant = await jurisdiction(req);
    limiter.take(`key:${String(res.locals.open311Submitter)}`);
    limiter.take(`ip:${req.ip}`);
    const code = param(req, 'service_code');
    if (!code) throw badParam('service_code is required');
    const service = await repo.getService(tenant, code);
    if (!service) throw unknown(`service_code ${code} does not exist`);

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
    if (description && description.length > 4000) errors.push('description must not exceed 4000 characters');
    const rawAttributes = (req.body as Record<string, unknown>)?.attribute;
    for (const code of malformedAttributes(rawAttributes)) errors.push(`attribute[${code}] must be a value (attribute[code]=…) or a list (attribute[code][]=…)`);
    const attrs = attributeValues(service, rawAttributes);
    errors.push(...checkAttributes(service, attrs));
    const mediaUrls: string[] = [];
    const rawMedia = (req.body as Record<string, unknown>)?.media_url;
    for (const u of (Array.isArray(rawMedia) ? rawMedia : rawMedia ? [rawMedia] : []).map(String).filter(Boolean)) {
      if (!/^https?:\/\/[^\s]+$/.test(u) || u.length > 2000) errors.push('media_url must be an http(s) URL');
      else mediaUrls.push(u);
    }
    const file = (req as Request & { file?: { buffer: Buffer } }).file;
    let media: { hash: string; contentType: string; bytes: Buffer } | undefined;
    if (file) {
      const sniffed = await fileTypeFromBuffer(file.buffer);
      if (!sniffed || !IMAGE_TYPES.has(sniffed.mime)) errors.push('media must be an image (JPEG, PNG, WebP, GIF or HEIC); its content says otherwise');
      else {
        media = { hash: createHash('sha256').update(file.buffer).digest('hex'), contentType: sniffed.mime, bytes: file.buffer };
        mediaUrls.unshift(`${baseUrl(req, config.publicBaseUrl, config.trustProxy)}/open311/v2/media/${media.hash}?jurisdiction_id=${encodeURIComponent(tenant)}`);
      }
    }
    if (errors.length) throw badParam(...errors);
    if (media) await repo.putMedia(media);

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
    if (!found) throw unknown(`token ${String(req.params.token)} does not exist`);
    send(res, format, 'service_requests', [{ service_request_id: found.service_request_id, token: String(req.params.token) }]);
  });

  async function listQuery(req: Request, tenant: string): Promise<ServiceRequestQuery> {
    const ids = listParam(req, 'service_request_id');
    const pageSize = Number(param(req, 'page_size') ?? 1000);
    const page = Number(param(req, 'page') ?? 1);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw badParam('page_size must be an integer from 1 to 1000');
    if (!Number.isInteger(page) || page < 1) throw badParam('page must be a positive integer');
    const q: ServiceRequestQuery = { tenant, releasedOnly: true, limit: pageSize, offset: (page - 1) * pageSize };
    if (ids) return { ...q, ids }; // service_request_id overrides every other argument
    q.serviceCodes = listParam(req, 'service_code');
    const statuses = listParam(req, 'status');
    if (statuses) {
      for (const s of statuses) if (s !== 'open' && s !== 'closed') throw badParam(`status must be open or closed, not ${s}`);
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

  async function publicList(req: Request, tenant: string) {
    const q = await listQuery(req, tenant);
    const extensions = param(req, 'extensions') === 'true';
    const items = await repo.list(q, false);
    const services = new Map((await repo.listServices(tenant)).map((s): [string, Open311Service] => [s.service_code, s]));
    return Promise.all(items.map(async (item) => publicRequest(item, services.get(item.service_code), extensions, extensions ? await repo.history(tenant, item.service_request_id) : [])));
  }

  /** A public list in the format the path asks for: the spec's xml/json, or CSV/GeoJSON for the open-data feed. */
  async function renderList(req: Request, tenant: string, fmt: string): Promise<{ contentType: string; body: string }> {
    if (fmt === 'csv' || fmt === 'geojson') {
      const q = await listQuery(req, tenant);
      const services = new Map((await repo.listServices(tenant)).map((s): [string, Open311Service] => [s.service_code, s]));
      const rows = (await repo.list(q, false)).map((item) => publicRequest(item, services.get(item.service_code), false));
      if (fmt === 'csv') {
        return { contentType: 'text/csv; charset=utf-8', body: stringify(rows, { header: true, columns: ['service_request_id', 'status', 'status_notes', 'service_code', 'service_name', 'description', 'requested_datetime', 'updated_datetime', 'address', 'lat', 'long', 'media_url'] }) };
      }
      return {
        contentType: 'application/geo+json; charset=utf-8',
        body: JSON.stringify({
          type: 'FeatureCollection',
          features: rows.filter((r) => r.lat !== null && r.long !== null).map((r) => ({ type: 'Feature', id: r.service_request_id, geometry: { type: 'Point', coordinates: [r.long, r.lat] }, properties: { ...r, lat: undefined, long: undefined } })),
        }),
      };
    }
    return render(formatOf(req), 'service_requests', await publicList(req, tenant));
  }

  r.get('/open311/v2/requests.:format', async (req, res) => {
    const fmt = String(req.params.format);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    // dashboards poll the same list; the default window moves with the clock: at most 5 s
    sendPolled(req, res, stamp, 5_000, await renderList(req, tenant, fmt));
  });

  r.get('/open311/v2/requests/:service_request_id.:format', async (req, res) => {
    const format = formatOf(req);
    const stamp = await repo.changeStamp();
    const tenant = await jurisdiction(req);
    const found = await repo.get(tenant, String(req.params.service_request_id), false);
    if (!found || !found.released) throw unknown(`service_request_id ${String(req.params.service_request_id)} does not exist`);
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
    const updates = await repo.updates(tenant, { from, to: end, ids: listParam(req, 'service_request_id'), limit: 1000 });
    // the default window moves with the clock: replayed for at most 5 s
    sendPolled(req, res, stamp, 5_000, render(format, 'service_request_updates', updates.map(requestUpdate)));
  });

  r.get('/open311/v2/media/:hash', async (req, res) => {
    const tenant = await jurisdiction(req);
    const media = /^[0-9a-f]{64}$/.test(String(req.params.hash)) ? await repo.publicMedia(tenant, String(req.params.hash)) : null;
    if (!media) throw unknown('no such image');
    res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
    res.type(media.contentType).send(media.bytes);
  });

  r.use('/open311/v2', (req, _res, next) => next(unknown(`no Open311 resource at ${req.method} ${req.originalUrl.split('?')[0]}`)));

  // every failure under /open311/v2 in the spec's error format, in the format the path asked for
  r.use('/open311/v2', (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toOpen311Error(err);
    if (e.status >= 500) ctx.logger.error({ err, path: req.path }, 'open311 request failed');
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    const format: Format = /\.json(\?|$)/.test(req.path) ? 'json' : 'xml';
    send(res, format, 'errors', e.items.map((i) => ({ code: i.code, description: i.description })), e.status);
  });
  return r;
}
