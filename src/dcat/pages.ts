// Catalogue pages, rendered off the event loop and ahead of the harvester. A harvester reads page
// after page and asks for the next one only when it has this one; each page takes the gateway tens
// of milliseconds (graphy's RDF/XML writer is most of it), and on its own one core does that work
// while the others idle. So pages are rendered in worker threads (./page-worker.ts), and while a
// page is requested the next ones, whose cursors one cheap query predicts, are already being
// rendered: a harvest runs at the speed of all the workers together. A page rendered ahead is used
// only if the store has not changed since its rendering began; otherwise it is rendered again.
import type { GatewayContext } from '../core/context.ts';
import { todayUtc } from '../core/status.ts';
import { WorkerPool } from '../core/workers/pool.ts';
import { encode, representation, type Encoding, type Representation } from '../http/representation.ts';
import type { PagingLinks, PortalContact } from './build.ts';
import { Feed, PAGE_SIZE, pageIri, type PageRequest } from './feed.ts';
import { MEDIA, serialize, type RdfFormat } from './serialize.ts';
import type { ValidationJob, ValidationOutcome } from './validation.ts';

/** Everything needed to render one page, in any thread. */
export interface PageJob {
  dbFile: string;
  base: string;
  /** The operator's contact (config), which the worker's feed falls back to. */
  portalContact?: PortalContact;
  format: RdfFormat;
  request: PageRequest & { snapshot: string };
  /** The compression to make along (what the harvester asked for); others are made when asked. */
  encoding: Encoding;
}

/** A rendered page, with the compressed form its request asked for (made where it was rendered). */
export interface RenderedPage {
  found: boolean;
  links: PagingLinks;
  contentType: string;
  body: Uint8Array;
  etag: string;
  br?: Uint8Array;
  gzip?: Uint8Array;
}

/** Renders one page from `feed`: the graph, its serialisation, the ETag and the compressed form asked for. */
export async function renderPage(feed: Feed, job: Pick<PageJob, 'format' | 'request' | 'encoding'>): Promise<RenderedPage> {
  const { graph, found, links } = await feed.page(job.request);
  // a harvester fetches each page once: compress fast
  const rep = representation(`${MEDIA[job.format]}; charset=utf-8`, await serialize(job.format, graph.quads), 'fast');
  if (job.encoding !== 'identity') encode(rep, job.encoding);
  return { found, links, contentType: rep.contentType, body: rep.body, etag: rep.etag, ...(rep.br ? { br: rep.br } : {}), ...(rep.gzip ? { gzip: rep.gzip } : {}) };
}

const asBuffer = (u: Uint8Array) => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** The representation the routes send, from a page rendered here or in a worker. */
export function pageRepresentation(page: RenderedPage): Representation {
  return { contentType: page.contentType, body: asBuffer(page.body), etag: page.etag, compression: 'fast', ...(page.br ? { br: asBuffer(page.br) } : {}), ...(page.gzip ? { gzip: asBuffer(page.gzip) } : {}) };
}

/** What the feed's workers do: render a page, or validate one against the shapes (./validation.ts). */
export type FeedJob = { page: PageJob } | { validate: ValidationJob };
export type FeedResult = RenderedPage | ValidationOutcome;

interface Ahead { stamp: string; result: Promise<RenderedPage>; expires: number }

/** Pages rendered ahead are dropped after this long unused. */
const AHEAD_TTL_MS = 60_000;
/** At most this many pages rendered ahead are kept, over all harvesters. */
const MAX_AHEAD = 32;

export class FeedPages {
  private readonly pool: WorkerPool<FeedJob, FeedResult> | undefined;
  private readonly ahead = new Map<string, Ahead>();
  /** Next links handed out (keys of the pages a harvester will ask for next), oldest first. */
  private readonly predicted = new Set<string>();
  /** Pages rendered ahead of each harvester: as many as there are workers. */
  private readonly readAhead: number;
  /** What happened to pages rendered ahead (tests check it). */
  readonly stats = { renderedAhead: 0, usedAhead: 0, discardedAhead: 0, renderedInThread: 0 };
  private lastChanges: { stamp: string; byTenant: Map<string, string> } = { stamp: '', byTenant: new Map() };

  /** `workers`: threads that render pages; 0 renders them in the request's thread, without reading ahead. */
  constructor(private readonly ctx: Pick<GatewayContext, 'store' | 'config' | 'logger'>, workers: number) {
    // a database in memory cannot be opened by a second connection
    const threads = ctx.config.dbFile === ':memory:' ? 0 : workers;
    // A page's graph lives across the batches of its writing; in V8's default young generation (16 MB
    // semi-spaces) it was promoted and collected again in the old generation (40% of a page's time).
    // 192 MB of young generation = 64 MB semi-spaces, for these workers only.
    this.pool = threads > 0 ? new WorkerPool(new URL('./page-worker.ts', import.meta.url), threads, { jobTimeoutMs: 60_000, maxQueue: 100 }, 'feed page', { maxYoungGenerationSizeMb: 192 }) : undefined;
    this.readAhead = threads;
  }

  /**
   * Page `request` in `format` (compressed with `encoding` along), as the feed is now, with the time
   * the catalogue last changed (for Last-Modified).
   */
  async page(base: string, format: RdfFormat, request: PageRequest, encoding: Encoding = 'identity'): Promise<RenderedPage & { lastChange: string }> {
    const stamp = await this.stamp();
    const lastChange = await this.lastChange(base, request.tenant, stamp);
    // a fresh harvest's snapshot is the last change, not the clock: page 1 of unchanged data is the
    // same bytes (and ETag) every time, and every page states the same catalogue dct:modified
    const job: PageJob = { dbFile: this.ctx.config.dbFile, base, portalContact: this.ctx.config.portalContact, format, request: { ...request, snapshot: request.snapshot ?? lastChange }, encoding };
    return { ...(await this.pageOf(job, stamp)), lastChange };
  }

  /** Feed.lastChange, kept while the store's change stamp (and the day) stay the same. */
  private async lastChange(base: string, tenant: string | undefined, stamp: string): Promise<string> {
    if (this.lastChanges.stamp !== stamp) this.lastChanges = { stamp, byTenant: new Map() };
    const key = tenant ?? '';
    let last = this.lastChanges.byTenant.get(key);
    if (last === undefined) {
      last = await new Feed(this.ctx, base, this.ctx.config.portalContact).lastChange(tenant);
      // a flood of unknown tenants is refused before this (404), but bound it all the same
      if (this.lastChanges.byTenant.size >= 1000) this.lastChanges.byTenant.clear();
      this.lastChanges.byTenant.set(key, last);
    }
    return last;
  }

  private async pageOf(job: PageJob, stamp: string): Promise<RenderedPage> {
    const { request } = job;
    const key = FeedPages.key(job);
    const ahead = this.ahead.get(key);
    this.ahead.delete(key);
    // A harvester follows the next links handed out: from its second page on, the pages after the
    // one it asks for are rendered ahead, starting now, before this one is done. A first page alone
    // (a portal showing the catalogue, a client polling it) or a page fetched on its own gets no work
    // done ahead; a first page only notes where a harvest would continue.
    const harvesting = this.predicted.delete(key);
    if (harvesting || request.after === undefined) {
      this.startReadAhead(job, stamp, harvesting).catch((err: unknown) => this.ctx.logger.warn({ err }, 'dcat: reading ahead failed'));
    }
    if (ahead && ahead.stamp === stamp && ahead.expires > Date.now()) {
      try {
        const page = await ahead.result;
        // the store may have changed while the page was being rendered
        if ((await this.stamp()) === stamp) {
          this.stats.usedAhead++;
          return page;
        }
      } catch { /* rendered again below */ }
    }
    if (ahead) this.stats.discardedAhead++;
    return this.render(job, true);
  }

  /** Starts the workers, so that the first harvester after a start does not wait for them. */
  warm(): void {
    this.pool?.spawnAll();
  }

  /** Resolves when every page being rendered ahead is done (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.ahead.values()].map((a) => a.result));
  }

  async close(): Promise<void> {
    this.ahead.clear();
    await this.pool?.close();
  }

  /**
   * Runs a SHACL validation of a page in a worker, after the pages requests wait for (a harvester
   * comes first); undefined when pages are rendered in the request's thread (no workers).
   */
  validateInWorker(job: ValidationJob): Promise<ValidationOutcome> | undefined {
    return this.pool?.run({ validate: job }) as Promise<ValidationOutcome> | undefined;
  }

  /** What a page's content depends on: the store's change stamp and the day. */
  async stamp(): Promise<string> {
    // a page also depends on the day (the procedures' status)
    return `${await this.ctx.store.changeStamp()} ${todayUtc()}`;
  }

  private static key(job: PageJob): string {
    return `${job.format} ${pageIri(job.request)}`;
  }

  private async render(job: PageJob, urgent: boolean): Promise<RenderedPage> {
    if (this.pool) {
      try {
        return (await this.pool.run({ page: job }, urgent)) as RenderedPage;
      } catch (err) {
        if (!urgent) throw err;
        this.ctx.logger.warn({ err }, 'dcat: page worker failed; rendering the page in the request thread');
      }
    }
    this.stats.renderedInThread++;
    return renderPage(new Feed(this.ctx, job.base, job.portalContact), job);
  }

  /** Notes the next pages' keys; with `render`, renders those not yet rendered ahead. */
  private async startReadAhead(job: PageJob, stamp: string, render: boolean): Promise<void> {
    if (this.readAhead === 0) return;
    const now = Date.now();
    for (const [k, a] of this.ahead) if (a.expires <= now || a.stamp !== stamp) this.ahead.delete(k);
    const r = job.request;
    const cursors = await this.ctx.store.procedures.harvestCursors({
      tenant: r.tenant, snapshot: r.snapshot, modifiedSince: r.modifiedSince, limit: PAGE_SIZE,
      ...(r.after !== undefined ? { afterSeq: r.after } : { offset: (r.page - 1) * PAGE_SIZE }),
    }, this.readAhead);
    let previous = r;
    for (const after of cursors) {
      const request = { ...r, page: previous.page + 1, after };
      previous = request;
      const next: PageJob = { ...job, request };
      const key = FeedPages.key(next);
      this.predicted.delete(key);
      this.predicted.add(key);
      if (this.predicted.size > 10_000) this.predicted.delete(this.predicted.values().next().value!);
      if (!render) return; // the next page's key is noted; that is all a first page needs
      if (this.ahead.has(key)) continue;
      // under load, requests come first: no more work ahead while more pages wait for a worker
      // than one harvester reads ahead
      if (this.ahead.size >= MAX_AHEAD || (this.pool?.waiting ?? 0) > this.readAhead) return;
      const result = this.render(next, false);
      result.catch(() => undefined); // a failure shows when the page is asked for, and it is rendered again
      this.stats.renderedAhead++;
      this.ahead.set(key, { stamp, result, expires: now + AHEAD_TTL_MS });
    }
  }
}
