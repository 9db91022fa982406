// Public Open311 lists are written a slice at a time (src/open311/list.ts): the bytes must be those of
// the one-shot rendering they replace (kept below as the reference), other requests must be answered
// while a large list is written, and rows read in batches must not shift when a report comes in between.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'csv-stringify/sync';
import { xmlSafe } from '../../src/core/text.ts';
import type { Open311Service, ServiceRequestQuery } from '../../src/core/storage/service-request-repository.ts';
import { Abandoned, requestList } from '../../src/open311/list.ts';
import { publicRequest, requestUpdate } from '../../src/open311/view.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder } from '../helpers/open311.ts';

// ---- the one-shot rendering as it was before lists were written in slices (the reference) ----
type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };
const ITEM: Record<string, string> = { service_requests: 'request', service_request_updates: 'request_update', media_urls: 'media_url', notes: 'note', attributes: 'attribute' };
function refText(value: string): string {
  const safe = xmlSafe(value);
  return /[&<>]/.test(safe) ? safe.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : safe;
}
function refWrite(out: string[], name: string, value: Value): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined);
    if (!items.length) { out.push(`<${name}/>`); return; }
    out.push(`<${name}>`);
    for (const v of items) refWrite(out, ITEM[name] ?? 'item', v);
    out.push(`</${name}>`);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) { out.push(`<${name}/>`); return; }
    out.push(`<${name}>`);
    for (const [k, v] of entries) refWrite(out, k, v);
    out.push(`</${name}>`);
    return;
  }
  out.push(value === null ? `<${name}/>` : `<${name}>${refText(String(value))}</${name}>`);
}
function refRender(format: string, root: string, items: Value[]): string {
  if (format === 'json') return JSON.stringify(items);
  const out = ['<?xml version="1.0" encoding="utf-8"?>'];
  if (!items.length) out.push(`<${root}/>`);
  else {
    out.push(`<${root}>`);
    for (const v of items) refWrite(out, ITEM[root] ?? 'item', v);
    out.push(`</${root}>`);
  }
  return out.join('');
}
const CSV_COLUMNS = ['service_request_id', 'status', 'status_notes', 'service_code', 'service_name', 'description', 'requested_datetime', 'updated_datetime', 'address', 'lat', 'long', 'media_url'];
const csvCell = (v: unknown) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

async function referenceRequests(gw: TestGateway, q: ServiceRequestQuery, format: string, extensions: boolean): Promise<string> {
  const repo = gw.store.serviceRequests;
  const services = new Map((await repo.listServices(q.tenant)).map((s): [string, Open311Service] => [s.service_code, s]));
  const items = await repo.list(q, false);
  if (format === 'csv' || format === 'geojson') {
    const rows = items.map((item) => publicRequest(item, services.get(item.service_code), false));
    if (format === 'csv') return stringify(rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, csvCell(v)]))), { header: true, columns: CSV_COLUMNS });
    return JSON.stringify({ type: 'FeatureCollection', features: rows.filter((r) => r.lat !== null && r.long !== null).map((r) => ({ type: 'Feature', id: r.service_request_id, geometry: { type: 'Point', coordinates: [r.long, r.lat] }, properties: { ...r, lat: undefined, long: undefined } })) });
  }
  const views = await Promise.all(items.map(async (item) => publicRequest(item, services.get(item.service_code), extensions, extensions ? await repo.history(q.tenant, item.service_request_id) : [])));
  return refRender(format, 'service_requests', views as Value[]);
}
// ------------------------------------------------------------------------------------------------

const FROM = '2000-01-01T00:00:00.000Z';

describe('open311/list-slices: public lists written a slice at a time', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let server: Server | undefined;
  let port = 0;
  beforeEach(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '100000' });
    await setUpMangelmelder(gw);
  });
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = undefined;
    await gw.close();
  });

  async function listen(listener: Parameters<typeof createServer>[1] = gw.app): Promise<void> {
    server = createServer(listener).listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    port = (server.address() as AddressInfo).port;
  }

  /** A GET over real HTTP: status, headers and the raw bytes of the body. */
  const get = (path: string, headers: Record<string, string> = {}) => new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });

  /** 260 reports with varied fields (markup characters, umlauts, formula starts, no location), several status updates each for some. */
  async function varied(): Promise<void> {
    const repo = gw.store.serviceRequests;
    const texts = ['Schlagloch & Riss <gefährlich> in der Hauptstraße', '=SUMME(A1)+Grüße', 'Übergroßer Ast > 3 m, Äste & Laub', '', 'ß'.repeat(3000), 'a&amp;b &nbsp; ]]> ö', '&<>'.repeat(1300)];
    const created = await Promise.all(Array.from({ length: 260 }, (_, i) => repo.create({
      tenant: 'sayda', service_code: i % 3 === 0 ? 'wegweiser' : 'schlagloch', released: i % 3 !== 0 || i % 2 === 0,
      description: i % 7 === 3 ? null : `${texts[i % texts.length]} #${i}`, lat: i % 5 === 4 ? null : 50.7 + i / 10_000, long: i % 5 === 4 ? null : 13.4 + i / 10_000,
      address: i % 4 === 0 ? null : `Am Mühlgraben ${i} <Hof> & Garten`, address_id: i % 6 === 0 ? `adr-${i}` : null, zipcode: i % 2 ? '09619' : null,
      attributes: i % 3 === 0 ? { schaden: 'umgefallen', teile: ['pfosten', 'schild'], hinweis: `Ärger & <Ärger> ${i}` } : {},
      media_urls: i % 8 === 0 ? [`https://bilder.example/${i}.jpg?a=1&b=<2>`, 'https://bilder.example/zwei.jpg'] : [], token: null, personal: null,
    })));
    for (const [i, r] of created.entries()) {
      if (i % 4 === 1) {
        await repo.patch('sayda', r.service_request_id, { status: 'in_bearbeitung', status_notes: `Geprüft & <weitergeleitet> an Bauhof Süd ${i}` });
        await repo.patch('sayda', r.service_request_id, { status: i % 8 === 1 ? 'erledigt' : 'abgelehnt', status_notes: i % 8 === 1 ? 'Repariert – größer als gedacht' : null });
      }
    }
  }

  it('every list format gives the bytes of the one-shot rendering, across batches and slices, pages and filters, with and without extensions; the ETag is the sha1 of those bytes', async () => {
    await varied();
    await listen();
    const cases: Array<[string, Partial<ServiceRequestQuery>]> = [
      ['', { limit: 1000, offset: 0 }],
      ['&page_size=37&page=3', { limit: 37, offset: 74 }],
      ['&page_size=150&page=2', { limit: 150, offset: 150 }],
      ['&page=9', { limit: 1000, offset: 8000 }], // past the end: empty
      ['&status=closed', { limit: 1000, offset: 0, statuses: ['geschlossen', 'erledigt', 'abgelehnt'] }],
    ];
    let compared = 0;
    for (const format of ['xml', 'json', 'csv', 'geojson']) {
      for (const extensions of format === 'xml' || format === 'json' ? [false, true] : [false]) {
        for (const [query, q] of cases) {
          const path = `/open311/v2/requests.${format}?start_date=${FROM}${extensions ? '&extensions=true' : ''}${query}`;
          const res = await get(path);
          assert.equal(res.status, 200, path);
          const expected = await referenceRequests(gw, { tenant: 'sayda', releasedOnly: true, requestedFrom: FROM, limit: 1000, offset: 0, ...q }, format, extensions);
          assert.ok(res.body.equals(Buffer.from(expected, 'utf8')), `${path}: ${res.body.length} bytes, expected ${Buffer.byteLength(expected)}`);
          assert.equal(res.headers.etag, `"${createHash('sha1').update(res.body).digest('base64url')}"`, path);
          compared++;
        }
      }
    }
    assert.equal(compared, 30);
    // the full page is written in several slices (of 256 Ki characters) and read in several batches (of 100 rows)
    const full = (await get(`/open311/v2/requests.xml?start_date=${FROM}&extensions=true`)).body.length;
    assert.ok(full > 800_000, `${full} bytes`);

    for (const format of ['xml', 'json']) {
      const path = `/open311/v2/servicerequestupdates.${format}?start_date=${FROM}&end_date=2100-01-01T00:00:00Z`;
      const res = await get(path);
      const updates = await gw.store.serviceRequests.updates('sayda', { from: FROM, to: '2100-01-01T00:00:00.000Z', limit: 1000 });
      assert.ok(updates.length > 150, `${updates.length} updates: more than one batch`);
      assert.ok(res.body.equals(Buffer.from(refRender(format, 'service_request_updates', updates.map(requestUpdate)), 'utf8')), path);
    }
    // compression still applies to the one body
    const gz = await get(`/open311/v2/requests.json?start_date=${FROM}`, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
  });

  it('while a list of 1000 large reports is written, /health is answered before the list answer begins', async () => {
    // straight into SQLite (a worst-case page: every text field long and every character escaped in XML)
    const db = gw.store.db;
    const insert = db.prepare(`INSERT INTO service_request (id, tenant_id, service_code, status, released, status_notes, description, lat, long, address, address_id, attributes, media_urls, requested, updated)
      VALUES (?, 'sayda', 'schlagloch', 'neu', 1, ?, ?, 50.71, 13.42, ?, ?, '{}', ?, ?, ?)`);
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        const ts = new Date(now - i * 1000).toISOString();
        insert.run(`r-${i}`, '&'.repeat(2000), '&'.repeat(4000), '&'.repeat(500), '&'.repeat(200), JSON.stringify([`https://b.example/${'&'.repeat(1980)}`]), ts, ts);
      }
    })();
    let listArrived!: () => void;
    const listInApp = new Promise<void>((resolve) => { listArrived = resolve; });
    await listen((req, res) => {
      if (req.url?.startsWith('/open311/v2/requests.xml')) listArrived();
      gw.app(req, res);
    });
    const order: string[] = [];
    const list = new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/open311/v2/requests.xml', agent: false }, (res) => {
        order.push('list');
        let bytes = 0;
        res.on('data', (c: Buffer) => { bytes += c.length; }).on('end', () => resolve(bytes));
      }).on('error', reject).end();
    });
    // asked only once the gateway has begun on the list
    await listInApp;
    const health = await get('/health');
    order.push('health');
    assert.equal(health.status, 200);
    assert.ok((await list) > 30_000_000);
    assert.deepEqual(order, ['health', 'list']);
  });

  it('rows read in batches neither repeat nor shift when reports are created between batches', async () => {
    const repo = gw.store.serviceRequests;
    const db = gw.store.db;
    const insert = db.prepare(`INSERT INTO service_request (id, tenant_id, service_code, status, released, attributes, media_urls, requested, updated) VALUES (?, 'sayda', 'schlagloch', 'neu', 1, '{}', '[]', ?, ?)`);
    // ties on the time (as reports of one group commit have) and distinct times
    db.transaction(() => { for (let i = 0; i < 250; i++) { const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 10))).toISOString(); insert.run(`r-${String(i).padStart(3, '0')}`, ts, ts); } })();
    const q: ServiceRequestQuery = { tenant: 'sayda', releasedOnly: true, requestedFrom: FROM, limit: 220, offset: 15 };
    const expected = (await repo.list(q, false)).map((r) => r.service_request_id);
    const seen: string[] = [];
    for await (const batch of repo.listBatches(q, 40)) {
      seen.push(...batch.map((r) => r.service_request_id));
      await repo.create({ tenant: 'sayda', service_code: 'schlagloch', released: true, description: 'neu dazwischen', lat: null, long: null, address: 'x', address_id: null, zipcode: null, attributes: {}, media_urls: [], token: null, personal: null });
    }
    assert.deepEqual(seen, expected);
    assert.equal(new Set(seen).size, 220);
  });

  it('a list whose client has gone stops being written (its place in the ClientGate is already free)', async () => {
    const repo = gw.store.serviceRequests;
    await Promise.all(Array.from({ length: 50 }, () => repo.create({ tenant: 'sayda', service_code: 'schlagloch', released: true, description: 'x'.repeat(20_000), lat: null, long: null, address: 'x', address_id: null, zipcode: null, attributes: {}, media_urls: [], token: null, personal: null })));
    const services = new Map((await repo.listServices('sayda')).map((s): [string, Open311Service] => [s.service_code, s]));
    const q: ServiceRequestQuery = { tenant: 'sayda', releasedOnly: true, requestedFrom: FROM, limit: 1000, offset: 0 };
    await assert.rejects(requestList(repo, q, services, 'xml', false, () => false), Abandoned);
    assert.ok((await requestList(repo, q, services, 'xml', false, () => true)).body.length > 1_000_000);
  });
});
