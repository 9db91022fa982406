// Catalogue pages rendered in worker threads and ahead of the harvester (src/dcat/pages.ts): the same
// bytes as a page rendered in the request's thread, pages rendered ahead are really used, and one
// rendered before a write is never served after it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { openSqliteStore, type SqliteProcedures, type SqliteStore } from '../../src/core/storage/sqlite/store.ts';
import { FeedPages, type RenderedPage } from '../../src/dcat/pages.ts';
import type { PageRequest } from '../../src/dcat/feed.ts';

const BASE = 'http://gateway.test';
const RESOURCE = `${BASE}/dcat/catalog.rdf`;
const text = (p: RenderedPage) => Buffer.from(p.body).toString('utf8');

describe('dcat/pages: pages rendered in workers and ahead of the harvester', function () {
  this.timeout(60_000);
  let dir: string;
  let store: SqliteStore;
  const renderers: FeedPages[] = [];
  const ids: string[] = [];
  const pagesFor = (workers: number, dbFile?: string) => {
    const config = loadConfig({ GATEWAY_DB: dbFile ?? join(dir, 'g.db'), GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef' });
    const pages = new FeedPages({ store, config, logger: createLogger('silent') }, workers);
    renderers.push(pages);
    return pages;
  };
  const first = (snapshot: string): PageRequest => ({ page: 1, snapshot, profile: 'dcat-ap-de-3.0', resourceUrl: RESOURCE });
  /** The request a harvester makes when it follows `next`. */
  const follow = (next: string): PageRequest => {
    const u = new URL(next);
    return { page: Number(u.searchParams.get('page')), snapshot: u.searchParams.get('snapshot')!, after: Number(u.searchParams.get('after')), profile: 'dcat-ap-de-3.0', resourceUrl: RESOURCE };
  };
  const harvest = async (pages: FeedPages, snapshot: string, between?: (page: number) => Promise<void>) => {
    const got: RenderedPage[] = [];
    let req: PageRequest | undefined = first(snapshot);
    while (req) {
      const page = await pages.page(BASE, 'rdfxml', req);
      got.push(page);
      await between?.(got.length);
      req = page.links.next ? follow(page.links.next) : undefined;
    }
    return got;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgw-pages-'));
    store = openSqliteStore(join(dir, 'g.db'));
    await store.tenants.create({ id: 'leipzig', name: 'Stadt Leipzig', ags: ['14713000'], contact: { email: 'info@leipzig.example' } });
    store.db.transaction(() => {
      for (let i = 0; i < 450; i++) ids.push((store.procedures as SqliteProcedures).createSync('leipzig', { title: `Verfahren ${i}`, family: 'informell', planKind: 'dialog' }).procedure.id);
    })();
  });
  after(async () => {
    for (const r of renderers) await r.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a harvest gets the same bytes from the workers as from the request thread, and the pages after the second come from reading ahead', async () => {
    const snapshot = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const inThread = pagesFor(0);
    const workers = pagesFor(2);
    const a = await harvest(inThread, snapshot);
    const b = await harvest(workers, snapshot, () => new Promise((r) => setTimeout(r, 150))); // as a harvester parses
    assert.equal(a.length, 5);
    assert.deepEqual(b.map(text), a.map(text));
    assert.deepEqual(b.map((p) => p.etag), a.map((p) => p.etag));
    assert.deepEqual(b.map((p) => p.links), a.map((p) => p.links));
    assert.equal(inThread.stats.renderedInThread, 5);
    assert.equal(workers.stats.renderedInThread, 0, 'every page rendered by a worker');
    assert.equal(workers.stats.usedAhead, 3, 'pages 3 to 5 were rendered ahead (from the second page on, the harvester is known)');
    assert.equal(workers.stats.discardedAhead, 0);
  });

  it('a page rendered ahead before a write is rendered again: the harvester sees the write', async () => {
    const snapshot = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const workers = pagesFor(2);
    const got = await harvest(workers, snapshot, async (n) => {
      if (n !== 2) return;
      await workers.settled(); // page 3 is rendered ahead by now
      assert.ok(workers.stats.renderedAhead >= 1);
      await store.procedures.replace('leipzig', ids[250]!, { title: 'Verfahren 250 (geändert)', family: 'informell', planKind: 'dialog' });
    });
    assert.ok(text(got[2]!).includes('Verfahren 250 (geändert)'));
    assert.ok(workers.stats.discardedAhead >= 1);
    assert.deepEqual(got.map(text), (await harvest(pagesFor(0), snapshot)).map(text));
  });

  it('a page fetched on its own (not from a next link handed out here) gets no work done ahead', async () => {
    const snapshot = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const inThread = await harvest(pagesFor(0), snapshot);
    const workers = pagesFor(2);
    const third = await workers.page(BASE, 'rdfxml', follow(inThread[1]!.links.next!), 'br');
    assert.equal(text(third), text(inThread[2]!));
    assert.ok(third.br && !third.gzip, 'compressed as asked, and only so');
    assert.equal(workers.stats.renderedAhead, 0);
    // a first page alone neither: it may be a portal showing the catalogue
    const one = await workers.page(BASE, 'rdfxml', first(snapshot));
    assert.equal(workers.stats.renderedAhead, 0);
    // a client that follows its next link is harvesting: the two pages after that are rendered ahead
    await workers.page(BASE, 'rdfxml', follow(one.links.next!));
    assert.equal(workers.stats.renderedAhead, 2);
  });

  it('when a worker cannot render, the request thread does, and nothing rendered ahead is served in its place', async () => {
    const snapshot = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const broken = pagesFor(1, join(dir, 'no-such.db')); // the workers' connection fails; the request thread's store is fine
    const got = await harvest(broken, snapshot, () => new Promise((r) => setTimeout(r, 100)));
    assert.deepEqual(got.map(text), (await harvest(pagesFor(0), snapshot)).map(text));
    assert.equal(broken.stats.renderedInThread, got.length);
    assert.equal(broken.stats.usedAhead, 0);
  });
});
