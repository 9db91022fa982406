// Assembles catalogue pages and single datasets from the store: which procedures, in which order,
// with which links. Paging is keyset-based on a snapshot (see docs/dcat.md): `?page=N` alone starts
// a fresh snapshot, and every next link carries the snapshot and the position, so a harvester that
// follows next links sees each dataset that existed at the start exactly once while data changes.
import type { GatewayContext } from '../core/context.ts';
import type { Procedure, Tenant } from '../core/model.ts';
import type { StoredPlan } from '../core/storage/plan-repository.ts';
import { Graph, catalogIri, catalogNode, dataServices, datasetIri, open311Dataset, operatorAgent, pagingNode, procedureDataset } from './build.ts';
import { dcat } from './vocab.ts';
import type { FeedContext, PagingLinks, PortalContact, Profile } from './build.ts';

export const PAGE_SIZE = 100;
const EXPORTABLE_KINDS = new Set(['bebauungsplan', 'vorhabenbezogener_bplan', 'vorhaben_und_erschliessungsplan', 'klarstellungssatzung', 'entwicklungssatzung', 'ergaenzungssatzung', 'aussenbereichssatzung', 'oertliche_bauvorschrift', 'flaechennutzungsplan', 'regionalplan', 'braunkohlenplan', 'landesentwicklungsplan']);

export interface PageRequest {
  tenant?: string;
  page: number;
  snapshot?: string;
  after?: number;
  modifiedSince?: string;
  profile: Profile;
  /** Absolute URL of the catalogue resource without query (from catalogResourceUrl). */
  resourceUrl: string;
}

/**
 * The catalogue resource's URL, from validated parts only (never from the request target: whatever
 * a client puts into the URL would otherwise land in the page's IRIs and Link header).
 */
export function catalogResourceUrl(base: string, tenant?: string, suffix?: string): string {
  return `${base}/dcat/${tenant === undefined ? '' : `tenants/${encodeURIComponent(tenant)}/`}catalog${suffix === undefined ? '' : `.${encodeURIComponent(suffix)}`}`;
}

/** A page's URL with `params` and the request's filters, in one canonical order, each value percent-encoded. */
function pageUrl(req: PageRequest, params: string): string {
  const filters = [req.modifiedSince ? `modified_since=${encodeURIComponent(req.modifiedSince)}` : '', req.profile !== 'dcat-ap-de-3.0' ? `profile=${encodeURIComponent(req.profile)}` : ''].filter(Boolean).join('&');
  return `${req.resourceUrl}?${[params, filters].filter(Boolean).join('&')}`;
}

/**
 * The page's own IRI (the hydra node, the cache key of pages rendered ahead): built from the known
 * parameters only, so unknown ones and the spelling of known ones do not change it. A page reached
 * by a next link has the IRI of that link.
 */
export function pageIri(req: PageRequest): string {
  if (req.after === undefined || req.snapshot === undefined) return pageUrl(req, `page=${req.page}`);
  return pageUrl(req, `page=${req.page}&snapshot=${encodeURIComponent(req.snapshot)}&after=${req.after}`);
}

/** The next link of page `req` (hydra:next and the Link header): the snapshot and the keyset cursor. */
export function nextPageUrl(req: PageRequest, snapshot: string, afterSeq: number): string {
  return pageIri({ ...req, page: req.page + 1, snapshot, after: afterSeq });
}

/** The snapshot of a catalogue in which nothing was ever written. */
export const NO_CHANGE = '1970-01-01T00:00:00.000Z';

export class Feed {
  private tenants = new Map<string, Tenant>();

  /** `portalContact`: the operator's contact, for datasets whose tenant has none and for the data services. */
  constructor(private readonly ctx: Pick<GatewayContext, 'store'>, private readonly base: string, private readonly portalContact?: PortalContact) {}

  private async tenant(id: string): Promise<Tenant> {
    let t = this.tenants.get(id);
    if (!t) {
      t = (await this.ctx.store.tenants.get(id)) ?? { id, name: id };
      this.tenants.set(id, t);
    }
    return t;
  }

  private feedContext(profile: Profile): FeedContext {
    return { base: this.base, profile, ...(this.portalContact ? { portalContact: this.portalContact } : {}) };
  }

  /** `plan`: the procedure's plan when the caller has looked it up already (null: it has none). */
  async datasetOf(g: Graph, p: Procedure, profile: Profile, plan?: StoredPlan | null): Promise<void> {
    const tenant = await this.tenant(p.tenant);
    if (plan === undefined) plan = await this.ctx.store.plans.byProcedure(p.tenant, p.id);
    const exportable = EXPORTABLE_KINDS.has(p.planKind) && !!p.area && ['Polygon', 'MultiPolygon'].includes(p.area.type);
    procedureDataset(g, p, tenant, {
      exportable,
      ...(plan ? { source: { url: `${this.base}/xplanung/v1/tenants/${p.tenant}/plans/${encodeURIComponent(plan.planId)}/source`, contentType: plan.contentType, size: plan.size, xplanVersion: plan.xplanVersion } } : {}),
    }, this.feedContext(profile));
  }

  /** Tenants whose Mängelmelder has released reports, with their summaries. */
  private async open311Tenants(only?: string): Promise<Array<{ tenant: Tenant; summary: Awaited<ReturnType<GatewayContext['store']['serviceRequests']['publicSummary']>> }>> {
    const out = [];
    for (const id of await this.ctx.store.serviceRequests.jurisdictions()) {
      if (only && id !== only) continue;
      const summary = await this.ctx.store.serviceRequests.publicSummary(id);
      if (summary.count > 0) out.push({ tenant: await this.tenant(id), summary });
    }
    return out;
  }

  /**
   * When the catalogue (of `tenant`) last changed: the latest write to a procedure or a released
   * report. A harvest's snapshot and the catalogue's dct:modified: the same for every page of one
   * state of the data, so pages merge to one value and page 1 keeps its ETag while nothing changes.
   */
  async lastChange(tenant?: string): Promise<string> {
    let last = await this.ctx.store.procedures.lastChange(tenant);
    for (const { summary } of await this.open311Tenants(tenant)) {
      const reports = summary.lastModified ? new Date(summary.lastModified).toISOString() : null;
      if (reports && (!last || reports > last)) last = reports;
    }
    return last ?? NO_CHANGE;
  }

  async page(req: PageRequest): Promise<{ graph: Graph; found: boolean; links: PagingLinks }> {
    const g = new Graph();
    const snapshot = req.snapshot ?? (await this.lastChange(req.tenant));
    const harvest = await this.ctx.store.procedures.harvest({
      tenant: req.tenant, snapshot, modifiedSince: req.modifiedSince, limit: PAGE_SIZE,
      ...(req.after !== undefined ? { afterSeq: req.after } : { offset: (req.page - 1) * PAGE_SIZE }),
    });
    // the authorities' report datasets are counted on every page but served on the first; with
    // modified_since, those whose reports changed since then (they were left out altogether)
    const since = req.modifiedSince;
    const reporting = (await this.open311Tenants(req.tenant)).filter(({ summary }) => !since || (summary.lastModified !== null && new Date(summary.lastModified).toISOString() >= since));
    const open311 = req.page === 1 ? reporting : [];
    const catalog = catalogIri(this.base, req.tenant);
    const operator = operatorAgent(g, this.base);
    const title = req.tenant ? `Beteiligungsportal: ${(await this.tenant(req.tenant)).name}` : 'Beteiligungsportal – Verfahren, Bauleitpläne und Mängelmeldungen';
    // the snapshot is when the catalogue last changed (lastChange), carried by every next link: one
    // dct:modified for all pages of a harvest (it was the latest of each page's own datasets)
    catalogNode(g, catalog, operator, title, this.feedContext(req.profile), snapshot === NO_CHANGE ? null : snapshot);
    dataServices(g, catalog, operator, this.feedContext(req.profile));
    const plans = await this.ctx.store.plans.byProcedures(harvest.items.map((i) => i.procedure));
    for (const { procedure } of harvest.items) {
      await this.datasetOf(g, procedure, req.profile, plans.get(procedure.id) ?? null);
      g.add(catalog, dcat('dataset'), datasetIri(this.base, procedure.id));
    }
    for (const { tenant, summary } of open311) {
      const ds = open311Dataset(g, tenant, summary, this.feedContext(req.profile));
      g.add(catalog, dcat('dataset'), ds);
    }
    const lastPage = Math.max(1, Math.ceil(harvest.total / PAGE_SIZE));
    const links: PagingLinks = {
      page: pageIri(req),
      first: pageUrl(req, 'page=1'),
      last: pageUrl(req, `page=${lastPage}`),
      ...(harvest.nextSeq !== undefined ? { next: nextPageUrl(req, snapshot, harvest.nextSeq) } : {}),
      totalItems: harvest.total + reporting.length,
      itemsPerPage: PAGE_SIZE,
    };
    pagingNode(g, links);
    return { graph: g, found: harvest.items.length > 0 || req.page === 1, links };
  }

  /** One dataset (procedure id or `open311-<tenant>`), or null. */
  async dataset(id: string, profile: Profile): Promise<Graph | null> {
    const g = new Graph();
    if (id.startsWith('open311-')) {
      const entry = (await this.open311Tenants(id.slice(8)))[0];
      if (!entry) return null;
      open311Dataset(g, entry.tenant, entry.summary, this.feedContext(profile));
      return g;
    }
    const tenant = await this.ctx.store.procedures.tenantOf(id);
    if (!tenant) return null;
    const got = await this.ctx.store.procedures.get(tenant, id);
    if (!got || 'tombstone' in got) return null;
    await this.datasetOf(g, got.procedure, profile);
    return g;
  }
}
