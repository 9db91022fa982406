// Open311 GeoReport v2 over real HTTP, in XML and JSON, against the specification: the XML
// structure of hand-written golden documents, the Spark JSON convention, every error case.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { projectRoot } from '../../src/core/paths.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, xmlObject, xmlTree, type Mangelmelder } from '../helpers/open311.ts';

const golden = (name: string) => readFileSync(join(projectRoot, 'fixtures', 'golden', 'open311', name), 'utf8');
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('open311/georeport: the GeoReport v2 API', function () {
  this.timeout(30_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  before(async () => {
    gw = await createTestGateway();
    mm = await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  const post = (format: string, form: Record<string, string | string[]>, key: string | null = mm.submit) => {
    const r = request(gw.app).post(`/open311/v2/requests.${format}`).type('form');
    const fields: Record<string, string | string[]> = { ...form };
    if (key) fields.api_key = key;
    return r.send(new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString());
  };
  const release = (id: string, patch: Record<string, unknown> = { released: true }) =>
    request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set('Authorization', `Bearer ${mm.staff}`).send(patch).expect(200);

  describe('discovery and services', () => {
    it('discovery.xml and discovery.json carry every required field', async () => {
      const xml = await request(gw.app).get('/open311/v2/discovery.xml').expect(200);
      assert.match(String(xml.headers['content-type']), /^text\/xml; charset=utf-8/);
      assert.match(xml.text, /^<\?xml version="1.0" encoding="utf-8"\?>/);
      const d = xmlObject(xml.text).discovery as Record<string, unknown>;
      for (const f of ['changeset', 'contact', 'key_service']) assert.ok(d[f], f);
      const endpoint = (d.endpoints as { endpoint: Array<Record<string, unknown>> }).endpoint[0]!;
      assert.equal(endpoint.specification, 'http://wiki.open311.org/GeoReport_v2');
      assert.equal(endpoint.url, 'http://gateway.test/open311/v2');
      assert.deepEqual((endpoint.formats as { format: string[] }).format, ['text/xml', 'application/json']);
      const json = await request(gw.app).get('/open311/v2/discovery.json').expect(200);
      assert.match(String(json.headers['content-type']), /^application\/json/);
      assert.deepEqual(json.body.endpoints[0].formats, ['text/xml', 'application/json']);
      assert.ok(Date.parse(json.body.changeset) < Date.now());
    });

    it('services.xml equals the hand-written golden document; services.json is a bare array', async () => {
      const xml = await request(gw.app).get('/open311/v2/services.xml').expect(200);
      assert.deepEqual(xmlTree(xml.text), xmlTree(golden('services.xml')));
      const json = await request(gw.app).get('/open311/v2/services.json').expect(200);
      assert.ok(Array.isArray(json.body));
      assert.deepEqual(json.body[1], { service_code: 'wegweiser', service_name: 'Wegweiser beschädigt', description: 'Beschilderung an Wanderwegen', metadata: true, type: 'batch', keywords: 'wanderweg,schild', group: 'Wanderwege' });
    });

    it('the service definition in XML equals the golden document; JSON is an object with an attributes array', async () => {
      const xml = await request(gw.app).get('/open311/v2/services/wegweiser.xml').expect(200);
      assert.deepEqual(xmlTree(xml.text), xmlTree(golden('service-definition-wegweiser.xml')));
      const json = (await request(gw.app).get('/open311/v2/services/wegweiser.json').expect(200)).body;
      assert.equal(json.service_code, 'wegweiser');
      assert.deepEqual(json.attributes.map((a: { order: number }) => a.order), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(json.attributes[1].values, [{ key: 'umgefallen', name: 'Umgefallen' }, { key: 'unleserlich', name: 'Unleserlich' }, { key: 'fehlt', name: 'Fehlt ganz' }]);
      assert.equal('values' in json.attributes[3], false);
    });

    it('unknown service, request, token and format are 404 in the error format of the suffix', async () => {
      const xml = await request(gw.app).get('/open311/v2/services/gibtsnicht.xml').expect(404);
      const errs = (xmlObject(xml.text).errors as { error: Array<{ code: string; description: string }> }).error;
      assert.equal(errs[0]!.code, '404');
      assert.match(errs[0]!.description, /gibtsnicht/);
      const json = await request(gw.app).get('/open311/v2/requests/nope.json').expect(404);
      assert.deepEqual(Object.keys(json.body[0]).sort(), ['code', 'description']);
      await request(gw.app).get('/open311/v2/tokens/nope.json').expect(404);
      const yaml = await request(gw.app).get('/open311/v2/services.yaml').expect(404);
      assert.match(yaml.text, /<errors><error><code>404<\/code>/);
      await request(gw.app).get('/open311/v2/whatever.json').expect(404);
    });
  });

  describe('jurisdiction_id', () => {
    it('may be left out while one tenant serves Open311; unknown is 404; missing with two is 400', async () => {
      await request(gw.app).get('/open311/v2/services.json?jurisdiction_id=sayda').expect(200);
      await request(gw.app).get('/open311/v2/services.json?jurisdiction_id=nirgendwo').expect(404);
      const other = await createTestGateway();
      try {
        await setUpMangelmelder(other, 'sayda');
        await setUpMangelmelder(other, 'olbernhau');
        const res = await request(other.app).get('/open311/v2/services.xml').expect(400);
        assert.match(res.text, /jurisdiction_id is required/);
        await request(other.app).get('/open311/v2/services.json?jurisdiction_id=olbernhau').expect(200);
      } finally {
        await other.close();
      }
    });
  });

  describe('POST requests', () => {
    it('without api_key → 403; a key without open311:submit → 403; the staff key of another scope → 403', async () => {
      const res = await post('xml', { service_code: 'schlagloch', lat: '50.71', long: '13.42' }, null).expect(403);
      assert.match(res.text, /<code>403<\/code>/);
      await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42' }, 'bgw_wrong').expect(403);
      await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42' }, mm.staff).expect(403);
    });

    it('a realtime (unmoderated) category answers with service_request_id, public at once', async () => {
      const res = await post('json', { service_code: 'schlagloch', lat: '50.7123', long: '13.4211', description: 'Tiefes Schlagloch vor der Bäckerei, Straße nach Neuhausen', address_string: 'Dresdner Straße 5, Sayda' }).expect(200);
      assert.ok(Array.isArray(res.body) && res.body.length === 1);
      const id = res.body[0].service_request_id;
      assert.ok(typeof id === 'string' && id.length > 0);
      assert.equal('token' in res.body[0], false);
      const got = (await request(gw.app).get(`/open311/v2/requests/${id}.json`).expect(200)).body;
      assert.equal(got.length, 1);
      assert.equal(got[0].status, 'open');
      assert.equal(got[0].description, 'Tiefes Schlagloch vor der Bäckerei, Straße nach Neuhausen');
      assert.equal(got[0].address, 'Dresdner Straße 5, Sayda');
      assert.equal(got[0].lat, 50.7123);
      assert.equal(got[0].long, 13.4211);
      assert.match(got[0].requested_datetime, W3C);
      assert.match(got[0].updated_datetime, W3C);
      const xml = await request(gw.app).get(`/open311/v2/requests/${id}.xml`).expect(200);
      const req = (xmlObject(xml.text).service_requests as { request: Array<Record<string, string>> }).request;
      assert.equal(req.length, 1);
      assert.equal(req[0]!.service_request_id, id);
      assert.equal(req[0]!.service_code, 'schlagloch');
      assert.equal(req[0]!.service_name, 'Schlagloch');
    });

    it('a moderated category answers with a token; the report stays hidden until staff release it', async () => {
      const res = await post('xml', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'umgefallen', 'attribute[teile][]': ['pfosten', 'schild'], 'attribute[anzahl]': '2', 'attribute[bemerkt]': '2026-11-20T15:30:00+01:00' }).expect(200);
      const r = (xmlObject(res.text).service_requests as { request: Array<Record<string, string>> }).request[0]!;
      assert.ok(r.token);
      assert.equal(r.service_request_id, undefined);
      const tok = (await request(gw.app).get(`/open311/v2/tokens/${r.token}.json`).expect(200)).body;
      const id = tok[0].service_request_id;
      assert.equal(tok[0].token, r.token);
      // the submitter may ask for it by id: status and times only, nothing it holds (fixmystreet.test.ts)
      const withheld = (await request(gw.app).get(`/open311/v2/requests/${id}.json`).expect(200)).body[0];
      assert.equal(withheld.status, 'open');
      assert.equal(withheld.lat, null);
      const listed = (await request(gw.app).get('/open311/v2/requests.json').expect(200)).body;
      assert.ok(!listed.some((x: { service_request_id: string }) => x.service_request_id === id));
      await release(id);
      const after = (await request(gw.app).get(`/open311/v2/requests/${id}.json?extensions=true`).expect(200)).body[0];
      assert.equal(after.service_code, 'wegweiser');
      assert.deepEqual(after.extended_attributes.attributes, [{ code: 'schaden', value: 'umgefallen' }, { code: 'teile', value: 'pfosten,schild' }, { code: 'anzahl', value: '2' }, { code: 'bemerkt', value: '2026-11-20T15:30:00+01:00' }]);
    });

    it('validates attributes against the service definition (required, list keys, number, datetime)', async () => {
      const res = await post('json', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[teile][]': ['pfosten', 'dach'], 'attribute[anzahl]': 'zwei', 'attribute[bemerkt]': 'gestern' }).expect(400);
      const descriptions = res.body.map((e: { description: string }) => e.description).join(' | ');
      assert.match(descriptions, /attribute\[schaden\] is required/);
      assert.match(descriptions, /attribute\[teile\] must be one of the listed keys/);
      assert.match(descriptions, /attribute\[anzahl\] must be a number/);
      assert.match(descriptions, /attribute\[bemerkt\] must be a W3C date-time/);
      const wrongKey = await post('json', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'explodiert' }).expect(400);
      assert.match(wrongKey.body[0].description, /umgefallen, unleserlich, fehlt/);
      // a nested value (attribute[code][key]=…) is refused by name, found by a property test
      const nested = await post('json', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden][toString]': '0' }).expect(400);
      assert.match(nested.body.map((e: { description: string }) => e.description).join(' '), /attribute\[schaden\] must be a value/);
      // unknown attributes (FixMyStreet sends some) are accepted and ignored; empty counts as absent
      await post('json', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'fehlt', 'attribute[uprn]': '123', 'attribute[wegnummer]': '' }).expect(200);
    });

    it('location: lat+long inside the tenant area, or an address; unknown service_code 404', async () => {
      const none = await post('json', { service_code: 'schlagloch' }).expect(400);
      assert.match(none.body[0].description, /a location is required/);
      const half = await post('json', { service_code: 'schlagloch', lat: '50.7' }).expect(400);
      assert.match(half.body[0].description, /lat and long must both be given/);
      const outside = await post('json', { service_code: 'schlagloch', lat: '51.05', long: '13.74' }).expect(400);
      assert.match(outside.body[0].description, /outside the area of Stadt Sayda/);
      await post('json', { service_code: 'schlagloch', address_id: 'DEBYvAAAAABCDEFG' }).expect(200);
      await post('json', { service_code: 'fliegend', lat: '50.7', long: '13.4' }).expect(404);
      await post('json', { lat: '50.7', long: '13.4' }).expect(400);
    });

    it('the wrong body type is 415 in the Open311 format; too large 413', async () => {
      const res = await request(gw.app).post('/open311/v2/requests.json').set('Authorization', `Bearer ${mm.submit}`).set('Content-Type', 'application/json').send('{"service_code":"schlagloch"}').expect(415);
      assert.equal(res.body[0].code, 415);
      await post('json', { service_code: 'schlagloch', lat: '50.7', long: '13.4', description: 'x'.repeat(2 * 1024 * 1024) }).expect(413);
    });
  });

  describe('GET requests', () => {
    let ids: string[] = [];
    before(async () => {
      ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42', description: `Loch ${i}` }).expect(200)).body[0].service_request_id);
      }
      await release(ids[0]!, { status: 'erledigt', status_notes: 'Am 23.11. verfüllt' });
    });

    it('newest first; status, service_code, and service_request_id (which overrides the rest)', async () => {
      const all = (await request(gw.app).get('/open311/v2/requests.json').expect(200)).body;
      const times = all.map((r: { requested_datetime: string }) => r.requested_datetime);
      assert.deepEqual(times, [...times].sort().reverse());
      const closed = (await request(gw.app).get('/open311/v2/requests.json?status=closed').expect(200)).body;
      assert.ok(closed.length >= 1 && closed.every((r: { status: string }) => r.status === 'closed'));
      assert.equal(closed.find((r: { service_request_id: string }) => r.service_request_id === ids[0]).status_notes, 'Am 23.11. verfüllt');
      const open = (await request(gw.app).get('/open311/v2/requests.json?status=open&service_code=schlagloch').expect(200)).body;
      assert.ok(open.every((r: { status: string; service_code: string }) => r.status === 'open' && r.service_code === 'schlagloch'));
      const byId = (await request(gw.app).get(`/open311/v2/requests.json?service_request_id=${ids[1]},${ids[2]}&status=closed&service_code=wegweiser`).expect(200)).body;
      assert.deepEqual(byId.map((r: { service_request_id: string }) => r.service_request_id).sort(), [ids[1], ids[2]].sort());
      const empty = (await request(gw.app).get('/open311/v2/requests.json?status=').expect(200)).body;
      assert.equal(empty.length, all.length);
    });

    it('date windows, update-time filters and pages', async () => {
      const future = (await request(gw.app).get('/open311/v2/requests.json?start_date=2030-01-01T00:00:00Z').expect(200)).body;
      assert.deepEqual(future, []);
      const past = (await request(gw.app).get('/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00%2B01:00').expect(200)).body;
      assert.deepEqual(past, []);
      const changed = (await request(gw.app).get(`/open311/v2/requests.json?updated_after=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`).expect(200)).body;
      assert.ok(changed.length >= 3);
      const p1 = (await request(gw.app).get('/open311/v2/requests.json?page_size=2&page=1').expect(200)).body;
      const p2 = (await request(gw.app).get('/open311/v2/requests.json?page_size=2&page=2').expect(200)).body;
      assert.equal(p1.length, 2);
      assert.ok(!p2.some((r: { service_request_id: string }) => p1.some((q: { service_request_id: string }) => q.service_request_id === r.service_request_id)));
      for (const bad of ['status=pending', 'start_date=2026-01-01', 'end_date=yesterday', 'page_size=5000', 'page=0', 'start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z']) {
        const res = await request(gw.app).get(`/open311/v2/requests.xml?${bad}`).expect(400);
        assert.match(res.text, /<errors><error><code>400<\/code>/, bad);
      }
    });

    it('extensions=true adds the detailed status and the status history', async () => {
      const r = (await request(gw.app).get(`/open311/v2/requests/${ids[0]}.json?extensions=true`).expect(200)).body[0];
      assert.equal(r.extended_attributes.detailed_status, 'PROCESSED');
      assert.deepEqual(r.extended_attributes.notes.map((n: { status: string }) => n.status), ['open', 'closed']);
      const xml = await request(gw.app).get(`/open311/v2/requests/${ids[0]}.xml?extensions=true`).expect(200);
      assert.match(xml.text, /<extended_attributes><detailed_status>PROCESSED<\/detailed_status>/);
    });

    it('servicerequestupdates: every status change with update_id, time, status and note (FixMyStreet)', async () => {
      await release(ids[1]!, { released: true, status: 'in_bearbeitung', status_notes: 'Bauhof informiert' });
      const res = await request(gw.app).get(`/open311/v2/servicerequestupdates.xml?start_date=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&end_date=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`).expect(200);
      const updates = (xmlObject(res.text).service_request_updates as { request_update: Array<Record<string, string>> }).request_update;
      const mine = updates.filter((u) => u.service_request_id === ids[1]);
      assert.deepEqual(mine.map((u) => u.status), ['open', 'in_progress']);
      assert.equal(mine[1]!.description, 'Bauhof informiert');
      assert.match(mine[1]!.updated_datetime!, W3C);
      assert.ok(mine[0]!.update_id !== mine[1]!.update_id);
      // reports in moderation never appear
      const token = (await post('json', { service_code: 'wegweiser', lat: '50.7', long: '13.4', 'attribute[schaden]': 'fehlt' }).expect(200)).body[0].token;
      const hidden = (await request(gw.app).get(`/open311/v2/tokens/${token}.json`).expect(200)).body[0].service_request_id;
      const again = (await request(gw.app).get('/open311/v2/servicerequestupdates.json?start_date=2020-01-01T00:00:00Z').expect(200)).body;
      assert.ok(again.length >= 2);
      assert.ok(!again.some((u: { service_request_id: string }) => u.service_request_id === hidden));
    });

    it('lists come compressed when the client asks (br, gzip), with an ETag that answers 304 until a report changes', async () => {
      for (let i = 0; i < 5; i++) await post('json', { service_code: 'schlagloch', lat: '50.72', long: '13.43', description: `Bordstein ${i} abgesackt, Stolpergefahr für Fußgänger` }).expect(200);
      const plain = await request(gw.app).get('/open311/v2/requests.xml').set('Accept-Encoding', 'identity').expect(200);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.ok(plain.text.length > 1024, 'long enough to be worth compressing');
      assert.match(String(plain.headers.vary), /Accept-Encoding/);
      const gz = await request(gw.app).get('/open311/v2/requests.xml').set('Accept-Encoding', 'gzip').expect(200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gz.text, plain.text);
      // superagent decodes both encodings, as browsers and app HTTP stacks do
      const br = await request(gw.app).get('/open311/v2/requests.xml').set('Accept-Encoding', 'gzip;q=0.5, br').expect(200);
      assert.equal(br.headers['content-encoding'], 'br');
      assert.ok(Number(br.headers['content-length']) < plain.text.length / 2);
      assert.equal(br.text, plain.text);

      const etag = String(plain.headers.etag);
      assert.equal(gz.headers.etag, etag, 'one ETag per representation, whatever the transfer encoding');
      const notModified = await request(gw.app).get('/open311/v2/requests.xml').set('If-None-Match', etag).expect(304);
      assert.equal(notModified.text, '');
      await post('json', { service_code: 'schlagloch', lat: '50.72', long: '13.43', description: 'Neues Loch' }).expect(200);
      const changed = await request(gw.app).get('/open311/v2/requests.xml').set('If-None-Match', etag).expect(200);
      assert.notEqual(changed.headers.etag, etag);
      assert.match(changed.text, /Neues Loch/);
    });

    it('a polled list is replayed from memory with the same headers and bytes until stored data changes, also through another connection', async () => {
      const url = '/open311/v2/requests.json?service_code=schlagloch';
      const served = () => gw.logLines.map((l) => JSON.parse(l) as { msg?: string; path?: string; replayed?: boolean }).filter((l) => l.msg === 'request' && l.path === '/open311/v2/requests.json');
      const before = served().length;
      const first = await request(gw.app).get(url).set('Accept-Encoding', 'gzip').expect(200);
      const second = await request(gw.app).get(url).set('Accept-Encoding', 'gzip').expect(200);
      const head = await request(gw.app).head(url).set('Accept-Encoding', 'gzip').expect(200);
      const plain = await request(gw.app).get(url).set('Accept-Encoding', 'identity').expect(200);
      const notModified = await request(gw.app).get(url).set('If-None-Match', String(first.headers.etag)).expect(304);
      assert.deepEqual(served().slice(before).map((l) => l.replayed ?? false), [false, true, true, true, true], 'rendered once, then replayed');
      const { date: _d1, ...h1 } = first.headers;
      const { date: _d2, ...h2 } = second.headers;
      assert.deepEqual(h2, h1, 'a replay carries the headers of the rendered answer (security headers, CORS, Vary, ETag)');
      assert.deepEqual(second.body, first.body);
      assert.equal(head.headers['content-length'], first.headers['content-length']);
      assert.equal(head.text, undefined);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.deepEqual(plain.body, first.body);
      assert.equal(notModified.headers.etag, first.headers.etag);

      // a write through the portal API: the next poll sees it
      const id = first.body[0].service_request_id as string;
      await release(id, { status_notes: 'Reparatur beauftragt' });
      const afterPatch = await request(gw.app).get(url).expect(200);
      assert.equal(afterPatch.body.find((r: { service_request_id: string }) => r.service_request_id === id).status_notes, 'Reparatur beauftragt');
      await request(gw.app).get(url).expect(200);
      // a commit by another connection to the same file (a second process): the next poll sees it too
      const other = new Database(gw.config.dbFile);
      try {
        other.prepare('UPDATE service_request SET description = ? WHERE id = ?').run('Von einem anderen Prozess geändert', id);
      } finally { other.close(); }
      const afterOther = await request(gw.app).get(url).expect(200);
      assert.equal(afterOther.body.find((r: { service_request_id: string }) => r.service_request_id === id).description, 'Von einem anderen Prozess geändert');
      assert.deepEqual(served().slice(before).map((l) => l.replayed ?? false), [false, true, true, true, true, false, true, false]);
    });

    it('what apps poll (categories, one report, updates) is replayed too, and a status change shows at the next poll', async () => {
      const polled = ['/open311/v2/services.json', '/open311/v2/services/schlagloch.xml'];
      const id = (await request(gw.app).get('/open311/v2/requests.json').expect(200)).body[0].service_request_id as string;
      polled.push(`/open311/v2/requests/${id}.json`, `/open311/v2/servicerequestupdates.json?service_request_id=${id}&start_date=2020-01-01T00:00:00Z`);
      const replayed = (path: string) => gw.logLines.map((l) => JSON.parse(l) as { msg?: string; path?: string; replayed?: boolean }).filter((l) => l.msg === 'request' && l.path === path.split('?')[0]).at(-1)?.replayed ?? false;
      for (const url of polled) {
        const a = await request(gw.app).get(url).expect(200);
        const b = await request(gw.app).get(url).expect(200);
        assert.equal(replayed(url), true, `${url} replayed`);
        assert.equal(b.text, a.text);
      }
      await release(id, { status: 'in_bearbeitung', status_notes: 'Bauhof informiert' });
      const report = (await request(gw.app).get(`/open311/v2/requests/${id}.json`).expect(200)).body[0];
      assert.equal(replayed(`/open311/v2/requests/${id}.json`), false, 'rendered again after the change');
      assert.equal(report.status_notes, 'Bauhof informiert');
      const updates = (await request(gw.app).get(polled[3]!).expect(200)).body as { description: string }[];
      assert.ok(updates.some((u) => u.description === 'Bauhof informiert'));
    });

    it('CSV and GeoJSON of the released reports', async () => {
      const csv = await request(gw.app).get('/open311/v2/requests.csv').expect(200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      assert.match(csv.text.split('\n')[0]!, /^service_request_id,status,status_notes,service_code/);
      const geo = (await request(gw.app).get('/open311/v2/requests.geojson').expect(200)).body;
      assert.equal(geo.type, 'FeatureCollection');
      assert.ok(geo.features.every((f: { geometry: { type: string } }) => f.geometry.type === 'Point'));
    });
  });
});
