// HTTP of the catalogue feed under /dcat: content negotiation (RDF/XML by default, Turtle, JSON-LD)
// or a suffix, Hydra paging, deletions, and the feed's own SHACL report. HEAD works on every GET.
// Every IRI the feed mints under /dcat dereferences (W3C "Cool URIs for the Semantic Web"): the
// catalogue answers itself, a dataset, distribution, publisher or service IRI answers 303 See Other
// to the document in the negotiated format.
import { Router, type Request, type Response } from 'express';
import type { GatewayContext } from '../core/context.ts';
import { HttpError, badRequest, notFound } from '../core/errors.ts';
import { MAX_PAGING_INTEGER, boundedInteger } from '../core/text.ts';
import { PoolBusyError } from '../core/workers/pool.ts';
import { ClientGate } from '../http/client-gate.ts';
import { encode, preferredEncoding, representation, type Representation } from '../http/representation.ts';
import { baseUrl } from '../http/security.ts';
import { Graph, PROFILES, bboxOf, catalogIri, dataServices, datasetIri, operatorAgent, publisher } from './build.ts';
import type { Profile } from './build.ts';
import { Feed, NO_CHANGE, catalogResourceUrl } from './feed.ts';
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

// the media types negotiated; the first for a missing Accept and for */* (RDF/XML: what harvesters read by default)
const NEGOTIATED = ['application/rdf+xml', 'text/turtle', 'application/ld+json', 'application/xml'] as const;
/** The suffix of each format's document. */
const EXTENSION: Record<RdfFormat, string> = { rdfxml: 'rdf', turtle: 'ttl', jsonld: 'jsonld' };

function formatOf(req: Request): RdfFormat {
  const suffix = req.params.format as string | undefined;
  if (suffix !== undefined) {
    // own keys only: .constructor or .__proto__ are no formats
    const f = Object.hasOwn(SUFFIX, suffix) ? SUFFIX[suffix] : undefined;
    if (!f) throw notFound(`no catalogue format .${suffix}; use .rdf, .ttl or .jsonld`);
    return f;
  }
  const accepted = req.accepts([...NEGOTIATED]);
  if (accepted === 'text/turtle') return 'turtle';
  if (accepted === 'application/ld+json') return 'jsonld';
  if (accepted) return 'rdfxml'; // also for a missing Accept and */*
  // N-Triples, TriG …: silently sending RDF/XML made the client's parser fail on it
  throw new HttpError(406, 'Not Acceptable', `none of the Accept types (${String(req.headers.accept)}) is served here; the feed is ${NEGOTIATED.slice(0, 3).join(', ')} (or the suffixes .rdf, .ttl, .jsonld)`, {
    extensions: { supported: NEGOTIATED.slice(0, 3) },
  });
}

/** Last-Modified: when the data last changed, but no earlier than today (the procedures' status moves with the day). */
function lastModified(lastChange: string | null | undefined): string {
  const today = `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
  return new Date(!lastChange || lastChange < today ? today : lastChange).toUTCString();
}

/**
 * Sends `rep` as sendRepresentation does (br/gzip as asked, 304 on a matching validator), but with an
 * ETag per content-coding: the gzip and br bytes are other representations than the identity ones
 * (RFC 9110 §8.8.3), and one strong ETag for all three let a cache answer a client that cannot
 * decode br with br bytes, or pair ranges of different bytes.
 */
function sendFeed(req: Request, res: Response, rep: Representation, lastChange?: string | null): void {
  const [bytes, encoding] = encode(rep, preferredEncoding(req));
  res.vary('Accept');
  res.vary('Accept-Encoding');
  res.setHeader('ETag', encoding === 'identity' ? rep.etag : `${rep.etag.slice(0, -1)}.${encoding}"`);
  if (lastChange !== undefined) res.setHeader('Last-Modified', lastModified(lastChange));
  res.type(rep.contentType);
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', bytes.length);
  res.status(200).end(req.method === 'HEAD' ? undefined : bytes);
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

async function send(req: Request, res: Response, format: RdfFormat, quads: Quad[], lastChange?: string | null): Promise<void> {
  sendFeed(req, res, representation(`${MEDIA[format]}; charset=utf-8`, await serialize(format, quads)), lastChange);
}

const DCT_MODIFIED = 'http://purl.org/dc/terms/modified';

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
    sendFeed(req, res, pageRepresentation(rendered), rendered.lastChange === NO_CHANGE ? null : rendered.lastChange);
  }

  /**
   * A non-information resource's IRI (dataset, distribution, publisher, service): 303 See Other to
   * the document about it in the format the Accept header asks for (406 when none), with the
   * profile kept. HEAD answers the same.
   */
  function seeOther(req: Request, res: Response, documentPath: string): void {
    const format = formatOf(req);
    const profile = profileOf(req);
    res.vary('Accept');
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.location(`${base(req)}${documentPath}.${EXTENSION[format]}${profile === 'dcat-ap-de-3.0' ? '' : `?profile=${profile}`}`);
    res.status(303).end();
  }

  /** The graph about publisher `id` (a tenant, or `portal`, the operator), or null. */
  async function publisherGraph(b: string, id: string): Promise<Graph | null> {
    const g = new Graph();
    if (id === 'portal') operatorAgent(g, b);
    else {
      const tenant = await ctx.store.tenants.get(id);
      if (!tenant) return null;
      publisher(g, b, tenant);
    }
    return g;
  }

  /** The description of data service `id` (as on the catalogue's first page), or null. */
  function serviceGraph(b: string, id: string, profile: Profile): Graph | null {
    const g = new Graph();
    dataServices(g, catalogIri(b), operatorAgent(new Graph(), b), { base: b, profile });
    const iri = `${b}/dcat/services/${id}`;
    const quads = g.quads.filter((q) => q.subject.value === iri);
    if (!quads.length) return null;
    // the service, and the standard it conforms to (typed dct:Standard)
    const standards = new Set(quads.filter((q) => q.predicate.value === 'http://purl.org/dc/terms/conformsTo').map((q) => q.object.value));
    const out = new Graph();
    out.quads.push(...quads, ...g.quads.filter((q) => standards.has(q.subject.value)));
    return out;
  }

  r.get('/dcat/catalog', (req, res) => catalog(req, res));
  r.get('/dcat/catalog.:format', (req, res) => catalog(req, res));
  r.get('/dcat/tenants/:tenant/catalog', (req, res) => catalog(req, res, String(req.params.tenant)));
  r.get('/dcat/tenants/:tenant/catalog.:format', (req, res) => catalog(req, res, String(req.params.tenant)));

  const noDataset = (id: string) => notFound(`dataset ${id} does not exist (see /dcat/deletions for withdrawn ones)`);

  r.get('/dcat/datasets/:id.:format', async (req, res) => {
    const format = formatOf(req);
    const b = base(req);
    const id = String(req.params.id);
    const g = await new Feed(ctx, b, ctx.config.portalContact).dataset(id, profileOf(req));
    if (!g) throw noDataset(id);
    const iri = datasetIri(b, id).value;
    const modified = g.quads.find((q) => q.subject.value === iri && q.predicate.value === DCT_MODIFIED)?.object.value ?? null;
    await send(req, res, format, g.quads, modified);
  });

  // the dataset IRI (also its dct:identifier)
  r.get('/dcat/datasets/:id', async (req, res) => {
    const id = String(req.params.id);
    formatOf(req); // an unacceptable Accept is a 406 before anything is looked up
    if (!(await new Feed(ctx, base(req), ctx.config.portalContact).dataset(id, profileOf(req)))) throw noDataset(id);
    seeOther(req, res, `/dcat/datasets/${encodeURIComponent(id)}`);
  });

  // a distribution is described in its dataset's document
  r.get('/dcat/datasets/:id/distributions/:name', async (req, res) => {
    const id = String(req.params.id);
    formatOf(req);
    const g = await new Feed(ctx, base(req), ctx.config.portalContact).dataset(id, profileOf(req));
    const iri = `${datasetIri(base(req), id).value}/distributions/${String(req.params.name)}`;
    if (!g?.quads.some((q) => q.subject.value === iri)) throw notFound(`distribution ${String(req.params.name)} of dataset ${id} does not exist`);
    seeOther(req, res, `/dcat/datasets/${encodeURIComponent(id)}`);
  });

  r.get('/dcat/publishers/:id.:format', async (req, res) => {
    const format = formatOf(req);
    const g = await publisherGraph(base(req), String(req.params.id));
    if (!g) throw notFound(`publisher ${String(req.params.id)} does not exist`);
    await send(req, res, format, g.quads);
  });

  r.get('/dcat/publishers/:id', async (req, res) => {
    formatOf(req);
    if (!(await publisherGraph(base(req), String(req.params.id)))) throw notFound(`publisher ${String(req.params.id)} does not exist`);
    seeOther(req, res, `/dcat/publishers/${encodeURIComponent(String(req.params.id))}`);
  });

  r.get('/dcat/services/:id.:format', async (req, res) => {
    const format = formatOf(req);
    const g = serviceGraph(base(req), String(req.params.id), profileOf(req));
    if (!g) throw notFound(`data service ${String(req.params.id)} does not exist; the feed describes open311 and xplanung`);
    await send(req, res, format, g.quads);
  });

  r.get('/dcat/services/:id', (req, res) => {
    formatOf(req);
    if (!serviceGraph(base(req), String(req.params.id), profileOf(req))) throw notFound(`data service ${String(req.params.id)} does not exist; the feed describes open311 and xplanung`);
    seeOther(req, res, `/dcat/services/${encodeURIComponent(String(req.params.id))}`);
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
