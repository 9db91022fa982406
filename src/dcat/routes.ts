// HTTP of the catalogue feed under /dcat: content negotiation (RDF/XML by default, Turtle, JSON-LD)
// or a suffix, Hydra paging, deletions, and the feed's own SHACL report. HEAD works on every GET.
import { Router, type Request, type Response } from 'express';
import type { GatewayContext } from '../core/context.ts';
import { HttpError, badRequest, notFound } from '../core/errors.ts';
import { MAX_PAGING_INTEGER, boundedInteger } from '../core/text.ts';
import { PoolBusyError } from '../core/workers/pool.ts';
import { ClientGate } from '../http/client-gate.ts';
import { preferredEncoding, representation, sendRepresentation } from '../http/representation.ts';
import { baseUrl } from '../http/security.ts';
import { PROFILES, bboxOf } from './build.ts';
import type { Profile } from './build.ts';
import { Feed, catalogResourceUrl } from './feed.ts';
import { pageRepresentation, type FeedPages } from './pages.ts';
import { MEDIA, SUFFIX, serialize, toTurtle } from './serialize.ts';
import type { Quad } from '@rdfjs/types';
import type { RdfFormat } from './serialize.ts';
import { FeedValidations } from './validation.ts';
import { terms } from './vocab.ts';

const { namedNode, literal, blankNode, quad } = terms;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

function one(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be given once`, [{ pointer: name, detail: 'must be a single value' }]);
  return v;
}

function formatOf(req: Request): RdfFormat {
  const suffix = req.params.format as string | undefined;
  if (suffix !== undefined) {
    // own keys only: .constructor or .__proto__ are no formats
    const f = Object.hasOwn(SUFFIX, suffix) ? SUFFIX[suffix] : undefined;
    if (!f) throw notFound(`no catalogue format .${suffix}; use .rdf, .ttl or .jsonld`);
    return f;
  }
  const accepted = req.accepts(['application/rdf+xml', 'text/turtle', 'application/ld+json', 'application/xml']);
  if (accepted === 'text/turtle') return 'turtle';
  if (accepted === 'application/ld+json') return 'jsonld';
  return 'rdfxml'; // the lowest common denominator of harvesters, also for */* and unknown types
}

function profileOf(req: Request): Profile {
  const p = one(req, 'profile') ?? 'dcat-ap-de-3.0';
  if (!(PROFILES as readonly string[]).includes(p)) throw badRequest(`profile must be one of ${PROFILES.join(', ')}`, [{ pointer: 'profile', detail: `must be one of ${PROFILES.join(', ')}` }]);
  return p as Profile;
}

/**
 * A paging parameter (page, after): decimal digits only, within [min, MAX_PAGING_INTEGER]. Anything
 * else (1e17, 0x10, 20 digits) is refused: Number() would take it, and bound into SQL as a REAL it
 * made the query fail.
 */
function pagingParam(req: Request, name: string, min: number, hint = ''): number | undefined {
  const v = one(req, name);
  if (v === undefined) return undefined;
  const n = boundedInteger(v, min, MAX_PAGING_INTEGER);
  if (n === null) {
    const range = `a decimal integer from ${min} to ${MAX_PAGING_INTEGER}`;
    throw badRequest(`${name} must be ${range}${hint}`, [{ pointer: name, detail: `must be ${range}` }]);
  }
  return n;
}

function dateParam(req: Request, name: string): string | undefined {
  const v = one(req, name);
  if (v === undefined) return undefined;
  if (!ISO.test(v) || Number.isNaN(Date.parse(v))) throw badRequest(`${name} must be an ISO 8601 date or date-time, e.g. 2026-01-31T00:00:00Z`, [{ pointer: name, detail: 'must be an ISO 8601 date-time' }]);
  return new Date(v).toISOString();
}

async function send(req: Request, res: Response, format: RdfFormat, quads: Quad[]): Promise<void> {
  res.vary('Accept');
  sendRepresentation(req, res, representation(`${MEDIA[format]}; charset=utf-8`, await serialize(format, quads)));
}

export function dcatRoutes(ctx: GatewayContext, pages: FeedPages, validations = new FeedValidations(ctx, pages)): Router {
  const r = Router();
  // a SHACL report costs a worker hundreds of milliseconds: one client may not start many at once
  const validationGate = new ClientGate(2, 'catalogue validations');
  const base = (req: Request) => baseUrl(req, ctx.config.publicBaseUrl, ctx.config.trustProxy);

  async function catalog(req: Request, res: Response, tenant?: string): Promise<void> {
    const format = formatOf(req);
    if (tenant && !(await ctx.store.tenants.get(tenant))) throw notFound(`tenant ${tenant} does not exist`);
    const page = pagingParam(req, 'page', 1) ?? 1;
    const snapshot = dateParam(req, 'snapshot');
    const after = pagingParam(req, 'after', 0, ' (a cursor from a next link)');
    if ((after === undefined) !== (snapshot === undefined)) throw badRequest('snapshot and after come together, from a next link', [{ pointer: after === undefined ? 'after' : 'snapshot', detail: 'is missing' }]);
    const b = base(req);
    // the page's IRIs come from the validated parameters, never from the request target
    const resourceUrl = catalogResourceUrl(b, tenant, req.params.format as string | undefined);
    const rendered = await pages.page(b, format, { tenant, page, snapshot, after, modifiedSince: dateParam(req, 'modified_since'), profile: profileOf(req), resourceUrl }, preferredEncoding(req));
    if (!rendered.found) throw notFound(`page ${page} is past the last page`);
    const { links } = rendered;
    res.setHeader('Cache-Control', 'public, max-age=60');
    // the same links as the Hydra node, as RFC 8288 headers: a client can fetch the next page
    // while it still parses this one
    res.setHeader('Link', [links.next ? `<${links.next}>; rel="next"` : '', `<${links.first}>; rel="first"`, `<${links.last}>; rel="last"`].filter(Boolean).join(', '));
    res.vary('Accept');
    sendRepresentation(req, res, pageRepresentation(rendered));
  }

  r.get('/dcat/catalog', (req, res) => catalog(req, res));
  r.get('/dcat/catalog.:format', (req, res) => catalog(req, res));
  r.get('/dcat/tenants/:tenant/catalog', (req, res) => catalog(req, res, String(req.params.tenant)));
  r.get('/dcat/tenants/:tenant/catalog.:format', (req, res) => catalog(req, res, String(req.params.tenant)));

  r.get('/dcat/datasets/:id.:format', async (req, res) => {
    const format = formatOf(req);
    const g = await new Feed(ctx, base(req)).dataset(String(req.params.id), profileOf(req));
    if (!g) throw notFound(`dataset ${String(req.params.id)} does not exist (see /dcat/deletions for withdrawn ones)`);
    await send(req, res, format, g.quads);
  });

  r.get('/dcat/datasets/:id/area.geojson', async (req, res) => {
    const id = String(req.params.id);
    const tenant = await ctx.store.procedures.tenantOf(id);
    const got = tenant ? await ctx.store.procedures.get(tenant, id) : null;
    if (!got || 'tombstone' in got || !got.procedure.area) throw notFound(`dataset ${id} has no area`);
    const p = got.procedure;
    res.type('application/geo+json; charset=utf-8').json({
      type: 'Feature', id: p.id, bbox: bboxOf(p.area) ?? undefined, geometry: p.area,
      properties: { title: p.title, planKind: p.planKind, status: p.status, tenant: p.tenant, modified: p.modified },
    });
  });

  r.get('/dcat/deletions', async (req, res) => {
    const since = dateParam(req, 'since');
    if (!since) throw badRequest('since is required: the time of your last harvest (ISO 8601)', [{ pointer: 'since', detail: 'is required' }]);
    const b = base(req);
    const tombstones = await ctx.store.procedures.deletedSince(since);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ since, deleted: tombstones.map((t) => ({ identifier: `${b}/dcat/datasets/${t.id}`, id: t.id, tenant: t.tenant, title: t.title ?? null, deleted: t.deleted })) });
  });

  r.get('/dcat/validation', async (req, res) => {
    const profile = profileOf(req);
    const b = base(req);
    const page = pagingParam(req, 'page', 1) ?? 1;
    let outcome;
    try {
      outcome = await validations.report(b, profile, page, () => validationGate.enter(req, res));
    } catch (err) {
      if (err instanceof PoolBusyError) throw new HttpError(503, 'Service Unavailable', err.message, { headers: { 'Retry-After': '30' } });
      throw err;
    }
    if (!outcome.found) throw notFound(`page ${page} is past the last page`);
    const { result } = outcome;
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['application/json', 'text/turtle']) === 'text/turtle') {
      // the report as RDF (sh:ValidationReport) for SHACL tooling
      const SH = 'http://www.w3.org/ns/shacl#';
      const rep = blankNode('report');
      const quads = [quad(rep, namedNode(`${'http://www.w3.org/1999/02/22-rdf-syntax-ns#'}type`), namedNode(`${SH}ValidationReport`)), quad(rep, namedNode(`${SH}conforms`), literal(String(result.conforms), namedNode('http://www.w3.org/2001/XMLSchema#boolean')))];
      result.results.forEach((x, i) => {
        const n = blankNode(`r${i}`);
        quads.push(quad(rep, namedNode(`${SH}result`), n), quad(n, namedNode(`${SH}resultSeverity`), namedNode(`${SH}${x.severity}`)), quad(n, namedNode(`${SH}focusNode`), namedNode(x.focusNode)), quad(n, namedNode(`${SH}resultMessage`), literal(x.message)));
        if (x.path) quads.push(quad(n, namedNode(`${SH}resultPath`), namedNode(x.path)));
      });
      res.type('text/turtle; charset=utf-8').send(await toTurtle(quads));
      return;
    }
    res.json({ page, ...result });
  });

  return r;
}
