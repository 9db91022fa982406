// The catalogue feed against the official DCAT-AP.de shapes (every format, both profiles), its
// HTTP behaviour (negotiation, HEAD, errors), deletions, and paging while data changes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import request from 'supertest';
import { projectRoot } from '../../src/core/paths.ts';
import type { SqliteProcedures } from '../../src/core/storage/sqlite/store.ts';
import { FeedValidator } from '../../src/dcat/shacl.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';
import { objects, parseAny, parseTurtle } from '../helpers/rdf.ts';
import { real } from '../helpers/xplanung.ts';

const H = 'http://www.w3.org/ns/hydra/core#';
const DCAT = 'http://www.w3.org/ns/dcat#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const validator = new FeedValidator(join(projectRoot, 'schemas', 'vendor'));

/** A realistic catalogue: two authorities, plans with phases and documents, a pushed XPlanGML plan, informal procedures, reports, a deleted procedure. */
async function seed(gw: TestGateway): Promise<{ mm: Mangelmelder; deleted: string }> {
  const mm = await setUpMangelmelder(gw, 'sayda');
  const sayda = (await gw.store.tenants.get('sayda'))!;
  await gw.store.tenants.update({ ...sayda, ags: ['14521570'], contributorId: 'http://dcat-ap.de/def/contributors/freistaatSachsen', contact: { name: 'Bauamt Sayda', email: 'bauamt@sayda.example', url: 'https://sayda.example/bauamt' } });
  const hhKey = await gw.tenant('hamburg', ['xplanung:push', 'procedures:write'], { name: 'Freie und Hansestadt Hamburg', ags: ['02000000'], licence: 'http://dcat-ap.de/def/licenses/dl-zero-de/2.0' });
  const auth = { Authorization: `Bearer ${mm.staff}` };
  const create = async (body: Record<string, unknown>) => (await request(gw.app).post('/api/v1/tenants/sayda/procedures').set(auth).send(body).expect(201)).body.id as string;
  await create({
    title: 'Bebauungsplan Nr. 3 „Am Schloss“', number: '3', description: 'Wohnen am Schlosspark', family: 'bauleitplanung', planKind: 'bebauungsplan', verfahrensart: 'innenentwicklung_13a',
    phases: [
      { kind: 'aufstellungsbeschluss', audience: 'intern', start: '2026-01-10' },
      { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2026-03-01', end: '2026-03-31' },
      { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 2, start: '2026-09-01', end: '2026-09-30' },
      { kind: 'toeb_beteiligung', audience: 'toeb', start: '2026-03-01', end: '2026-04-15' },
    ],
    area: { type: 'Polygon', coordinates: [[[13.42, 50.71], [13.43, 50.71], [13.43, 50.715], [13.42, 50.715], [13.42, 50.71]]] },
    documents: [{ title: 'Begründung', url: 'https://sayda.example/b3/begruendung.pdf', mimeType: 'application/pdf' }, { title: 'Planzeichnung', url: 'https://sayda.example/b3/plan.png', mimeType: 'image/png' }],
    participationUrl: 'https://beteiligung.sachsen.example/sayda/b3',
  });
  await create({ title: 'Flächennutzungsplan, 2. Änderung', family: 'bauleitplanung', planKind: 'flaechennutzungsplan', phases: [{ kind: 'feststellungsbeschluss', audience: 'intern', start: '2025-11-05' }, { kind: 'inkrafttreten', audience: 'intern', start: '2026-01-02' }] });
  await create({ title: 'Bürgerdialog Marktplatz', family: 'informell', planKind: 'dialog', phases: [{ kind: 'beteiligung', audience: 'oeffentlichkeit', start: '2026-05-01' }] });
  const deleted = await create({ title: 'Umfrage Busfahrplan (zurückgezogen)', family: 'informell', planKind: 'umfrage' });
  await request(gw.app).delete(`/api/v1/tenants/sayda/procedures/${deleted}`).set(auth).expect(204);
  await request(gw.app).post('/xplanung/v1/tenants/hamburg/plans').set('Authorization', `Bearer ${hhKey}`).set('Content-Type', 'application/zip').send(real('Osdorf48_Test_60.zip')).expect(201);
  for (const [code, extra] of [['schlagloch', ''], ['schlagloch', '&description=Loch%20am%20Markt']] as const) {
    await request(gw.app).post('/open311/v2/requests.json').type('form').send(`api_key=${mm.submit}&service_code=${code}&lat=50.71&long=13.42${extra}`).expect(200);
  }
  return { mm, deleted };
}

describe('dcat/feed: DCAT-AP.de 3.0 that harvesters accept', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let deleted: string;
  const started = new Date(Date.now() - 1000).toISOString();
  before(async () => {
    gw = await createTestGateway();
    ({ deleted } = await seed(gw));
  });
  after(async () => { await gw.close(); });

  for (const [label, path, accept] of [
    ['RDF/XML (default)', '/dcat/catalog', undefined], ['Turtle by Accept', '/dcat/catalog', 'text/turtle'], ['JSON-LD by Accept', '/dcat/catalog', 'application/ld+json'],
    ['.rdf', '/dcat/catalog.rdf', undefined], ['.ttl', '/dcat/catalog.ttl', undefined], ['.jsonld', '/dcat/catalog.jsonld', undefined], ['tenant catalogue .ttl', '/dcat/tenants/sayda/catalog.ttl', undefined],
  ] as const) {
    it(`${label}: zero SHACL violations against the DCAT-AP.de 3.0 shapes`, async () => {
      const r = request(gw.app).get(path);
      if (accept) r.set('Accept', accept);
      const res = await r.expect(200);
      const type = String(res.headers['content-type']);
      assert.match(type, /charset=utf-8/);
      const quads = await parseAny(type, res.text);
      assert.ok(quads.length > 100, `${quads.length} quads`);
      const report = await validator.validate(quads, 'dcat-ap-de-3.0');
      assert.equal(report.violations, 0, JSON.stringify(report.results.filter((x) => x.severity === 'Violation').slice(0, 3)));
      const datasets = objects(quads, null, `${DCAT}dataset`);
      if (path.includes('tenants/sayda')) assert.equal(datasets.length, 4); // 3 live procedures + the reports
      else assert.equal(datasets.length, 5);
    });
  }

  it('a page holds every triple once, though its datasets share publishers, municipality keys and standards', async () => {
    const quads = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
    const keys = quads.map((q) => `${q.subject.termType}|${q.subject.value}|${q.predicate.value}|${q.object.termType}|${q.object.value}|${q.object.termType === 'Literal' ? `${q.object.language}|${q.object.datatype.value}` : ''}`);
    assert.equal(new Set(keys).size, keys.length);
    const publishers = objects(quads, null, 'http://purl.org/dc/terms/publisher');
    assert.ok(publishers.length > new Set(publishers).size, 'several datasets share a publisher');
    assert.equal(quads.filter((q) => q.subject.value === 'http://www.xplanung.de/xplangml/6/0' && q.predicate.value === RDF_TYPE).length, 1);
  });

  it('content types per format and HEAD without a body', async () => {
    assert.match(String((await request(gw.app).get('/dcat/catalog').expect(200)).headers['content-type']), /^application\/rdf\+xml/);
    assert.match(String((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).headers['content-type']), /^text\/turtle/);
    assert.match(String((await request(gw.app).get('/dcat/catalog.jsonld').expect(200)).headers['content-type']), /^application\/ld\+json/);
    for (const path of ['/dcat/catalog', '/dcat/catalog.rdf', '/dcat/tenants/sayda/catalog.jsonld', '/dcat/datasets/open311-sayda.ttl', '/dcat/deletions?since=2020-01-01T00:00:00Z']) {
      const head = await request(gw.app).head(path).expect(200);
      assert.equal(head.text, undefined);
      assert.ok(head.headers['content-type']);
    }
  });

  it('pages come gzip- or br-compressed when asked, vary by Accept and Accept-Encoding, and answer 304 to their ETag', async () => {
    const plain = await request(gw.app).get('/dcat/catalog.ttl').set('Accept-Encoding', 'identity').expect(200);
    assert.equal(plain.headers['content-encoding'], undefined);
    for (const encoding of ['gzip', 'br']) {
      const packed = await request(gw.app).get('/dcat/catalog.ttl').set('Accept-Encoding', encoding).expect(200);
      assert.equal(packed.headers['content-encoding'], encoding);
      assert.ok(Number(packed.headers['content-length']) < plain.text.length / 2);
      assert.equal(packed.text, plain.text);
    }
    const vary = String((await request(gw.app).get('/dcat/catalog').expect(200)).headers.vary);
    assert.match(vary, /Accept(,|$)/);
    assert.match(vary, /Accept-Encoding/);
    // the ETag is per content-coding: the identity bytes' tag validates the identity bytes
    await request(gw.app).get('/dcat/catalog.ttl').set('Accept-Encoding', 'identity').set('If-None-Match', String(plain.headers.etag)).expect(304);
    await request(gw.app).get('/dcat/catalog.rdf').set('If-None-Match', String(plain.headers.etag)).expect(200);
  });

  it('the 2.0 profile: byteSize as xsd:decimal, politicalGeocodingURI, zero violations against the 2.0 shapes', async () => {
    const v30 = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
    const v20 = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl?profile=dcat-ap-de-2.0').expect(200)).text);
    const size = (qs: typeof v30) => qs.find((q) => q.predicate.value === `${DCAT}byteSize`)!.object as { datatype: { value: string } };
    assert.equal(size(v30).datatype.value, 'http://www.w3.org/2001/XMLSchema#nonNegativeInteger');
    assert.equal(size(v20).datatype.value, 'http://www.w3.org/2001/XMLSchema#decimal');
    assert.ok(objects(v20, null, 'http://dcat-ap.de/def/dcatde/politicalGeocodingURI').includes('http://dcat-ap.de/def/politicalGeocoding/municipalityKey/14521570'));
    const report = await validator.validate(v20, 'dcat-ap-de-2.0');
    assert.equal(report.violations, 0, JSON.stringify(report.results.filter((x) => x.severity === 'Violation').slice(0, 3)));
    await request(gw.app).get('/dcat/catalog?profile=dcat-ap-de-9').expect(400);
  });

  it('plan datasets carry DCAT-AP.PLU: states, and one process step per phase with pass number and period', async () => {
    const quads = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
    const PLU = 'http://specs.diplanung.de/plu/';
    const plan = quads.find((q) => q.predicate.value === 'http://purl.org/dc/terms/title' && q.object.value === 'Bebauungsplan Nr. 3 „Am Schloss“')!.subject.value;
    assert.deepEqual(objects(quads, plan, `${PLU}procedureState`), ['https://specs.diplanung.de/resource/procedureState#ongoing']);
    assert.deepEqual(objects(quads, plan, `${PLU}planState`), ['https://specs.diplanung.de/resource/planState#inPreparation']);
    assert.deepEqual(objects(quads, plan, `${PLU}procedureType`), ['https://specs.diplanung.de/resource/procedureType#innerDevPlan']);
    const steps = objects(quads, plan, `${PLU}processStep`);
    assert.equal(steps.length, 4);
    const passes = steps.map((s) => [objects(quads, s, `${PLU}processStepType`)[0], objects(quads, s, `${PLU}passNumber`)[0]]);
    assert.ok(passes.some(([t, n]) => t === 'https://specs.diplanung.de/resource/processStepType#publicDisclosure' && n === '2'));
    const fnp = quads.find((q) => q.object.value === 'Flächennutzungsplan, 2. Änderung')!.subject.value;
    assert.deepEqual(objects(quads, fnp, `${PLU}planState`), ['https://specs.diplanung.de/resource/planState#fixed']);
    const dialog = quads.find((q) => q.object.value === 'Bürgerdialog Marktplatz')!.subject.value;
    assert.deepEqual(objects(quads, dialog, `${PLU}planState`), []);
  });

  it('distributions: XPlanGML export, pushed source with its size, area GeoJSON, documents, reports as CSV/GeoJSON/Open311 JSON', async () => {
    const quads = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
    const urls = objects(quads, null, `${DCAT}downloadURL`);
    assert.ok(urls.some((u) => /\/xplanung\/v1\/tenants\/sayda\/procedures\/[0-9a-f-]+\.gml\?version=6\.0$/.test(u)));
    assert.ok(urls.some((u) => u.endsWith('/xplanung/v1/tenants/hamburg/plans/GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2/source')));
    assert.ok(urls.includes('https://sayda.example/b3/begruendung.pdf'));
    for (const ext of ['csv', 'geojson', 'json']) assert.ok(urls.includes(`http://gateway.test/open311/v2/requests.${ext}?jurisdiction_id=sayda`), ext);
    const area = urls.find((u) => u.endsWith('/area.geojson'))!;
    const geo = (await request(gw.app).get(new URL(area).pathname).expect(200)).body;
    assert.equal(geo.type, 'Feature');
    assert.equal(geo.geometry.type, 'Polygon');
    // every linked gateway URL answers
    for (const u of urls.filter((x) => x.startsWith('http://gateway.test/'))) {
      const res = await request(gw.app).get(u.replace('http://gateway.test', ''));
      assert.equal(res.status, 200, u);
    }
    assert.deepEqual(objects(quads, null, 'http://purl.org/dc/terms/license').filter((l) => !l.startsWith('http://dcat-ap.de/def/licenses/')), []);
    // no personal data of reporters in the feed
    assert.ok(!quads.some((q) => /@example\.org/.test(q.object.value)));
  });

  it('one dataset in each format; deleted and unknown are 404; deletions list the tombstone', async () => {
    const quads = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
    const id = objects(quads, null, `${DCAT}dataset`).find((d) => !d.includes('open311'))!.split('/').pop()!;
    for (const ext of ['rdf', 'ttl', 'jsonld']) {
      const res = await request(gw.app).get(`/dcat/datasets/${id}.${ext}`).expect(200);
      const qs = await parseAny(String(res.headers['content-type']), res.text);
      assert.ok(qs.some((q) => q.predicate.value === RDF_TYPE && q.object.value === `${DCAT}Dataset`));
    }
    await request(gw.app).get(`/dcat/datasets/${deleted}.ttl`).expect(404);
    await request(gw.app).get('/dcat/datasets/nope.ttl').expect(404);
    await request(gw.app).get(`/dcat/datasets/${id}.yaml`).expect(404);
    const del = (await request(gw.app).get(`/dcat/deletions?since=${encodeURIComponent(started)}`).expect(200)).body;
    assert.deepEqual(del.deleted.map((d: { id: string }) => d.id), [deleted]);
    assert.equal(del.deleted[0].identifier, `http://gateway.test/dcat/datasets/${deleted}`);
    await request(gw.app).get('/dcat/deletions').expect(400);
    await request(gw.app).get('/dcat/deletions?since=gestern').expect(400);
  });

  it('/dcat/validation reports the feed against the shapes as JSON and Turtle', async () => {
    const json = (await request(gw.app).get('/dcat/validation').expect(200)).body;
    assert.equal(json.conforms, true);
    assert.equal(json.violations, 0);
    assert.equal(json.profile, 'dcat-ap-de-3.0');
    const ttl = await request(gw.app).get('/dcat/validation').set('Accept', 'text/turtle').expect(200);
    assert.ok(parseTurtle(ttl.text).some((q) => q.predicate.value === 'http://www.w3.org/ns/shacl#conforms' && q.object.value === 'true'));
  });

  it('bad parameters are specific 400s; a page past the end is 404', async () => {
    for (const q of ['page=0', 'page=x', 'modified_since=soon', 'after=5', 'snapshot=2026-01-01T00:00:00Z', 'after=-1&snapshot=2026-01-01T00:00:00Z']) {
      const res = await request(gw.app).get(`/dcat/catalog.ttl?${q}`).expect(400);
      assert.match(String(res.headers['content-type']), /problem\+json/, q);
    }
    await request(gw.app).get('/dcat/catalog.ttl?page=9').expect(404);
    await request(gw.app).get('/dcat/tenants/nirgendwo/catalog').expect(404);
  });
});

describe('dcat/paging: a harvest that follows next links while data changes', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let key: string;
  before(async () => {
    gw = await createTestGateway();
    key = await gw.tenant('leipzig', ['procedures:write'], { name: 'Stadt Leipzig', ags: ['14713000'] });
  });
  after(async () => { await gw.close(); });

  it('sees every dataset that existed at the start exactly once; creations wait for the next harvest; deletions are listed', async () => {
    const ids: string[] = [];
    gw.store.db.transaction(() => {
      for (let i = 0; i < 250; i++) ids.push((gw.store.procedures as SqliteProcedures).createSync('leipzig', { title: `Verfahren ${i}`, family: 'informell', planKind: 'dialog' }).procedure.id);
    })();
    const started = new Date().toISOString();
    const seen: string[] = [];
    const pages: string[] = [];
    let url: string | undefined = '/dcat/catalog.ttl';
    let deletedMidway: string | undefined;
    let totalItems = 0;
    while (url) {
      const res: request.Response = await request(gw.app).get(url).expect(200);
      const quads = parseTurtle(res.text);
      const page = quads.find((q) => q.predicate.value === RDF_TYPE && q.object.value === `${H}PagedCollection`)!.subject.value;
      pages.push(page);
      totalItems = Number(objects(quads, page, `${H}totalItems`)[0]);
      assert.equal(objects(quads, page, `${H}itemsPerPage`)[0], '100');
      const next = objects(quads, page, `${H}next`)[0];
      assert.equal(objects(quads, page, `${H}nextPage`)[0], next, 'next and nextPage agree');
      if (next) assert.ok(!pages.includes(next), 'no page links back');
      if (next) assert.match(next, /^http:\/\/gateway\.test\/dcat\/catalog\.ttl\?page=\d+&snapshot=/);
      // the same links as RFC 8288 headers
      const link: string = String(res.headers.link);
      assert.equal(/<([^>]+)>; rel="next"/.exec(link)?.[1], next);
      assert.equal(/<([^>]+)>; rel="first"/.exec(link)?.[1], objects(quads, page, `${H}first`)[0]);
      assert.equal(/<([^>]+)>; rel="last"/.exec(link)?.[1], objects(quads, page, `${H}last`)[0]);
      seen.push(...objects(quads, null, `${DCAT}dataset`).map((d) => d.split('/').pop()!));
      if (pages.length === 1) {
        // between pages: a new procedure, a change to one not yet seen, a deletion of one not yet seen
        await request(gw.app).post('/api/v1/tenants/leipzig/procedures').set('Authorization', `Bearer ${key}`).send({ title: 'Neu während der Ernte', family: 'informell', planKind: 'umfrage' }).expect(201);
        await request(gw.app).patch(`/api/v1/tenants/leipzig/procedures/${ids[180]}`).set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/merge-patch+json').send({ title: 'Verfahren 180 (geändert)' }).expect(200);
        deletedMidway = ids[200];
        await request(gw.app).delete(`/api/v1/tenants/leipzig/procedures/${deletedMidway}`).set('Authorization', `Bearer ${key}`).expect(204);
      }
      url = next?.replace('http://gateway.test', '');
    }
    assert.equal(pages.length, 3);
    assert.equal(totalItems >= 249, true);
    const expected = ids.filter((id) => id !== deletedMidway);
    assert.deepEqual([...seen].sort(), [...expected].sort());
    assert.equal(new Set(seen).size, seen.length, 'no dataset twice');
    const del = (await request(gw.app).get(`/dcat/deletions?since=${encodeURIComponent(started)}`).expect(200)).body;
    assert.deepEqual(del.deleted.map((d: { id: string }) => d.id), [deletedMidway]);
    // a fresh harvest sees the new procedure
    const fresh = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl?page=3').expect(200)).text);
    assert.ok(fresh.some((q) => q.object.value === 'Neu während der Ernte'));
  });

  it('modified_since selects changed procedures, keeping the filter in the links', async () => {
    const since = new Date().toISOString();
    const p = (await request(gw.app).post('/api/v1/tenants/leipzig/procedures').set('Authorization', `Bearer ${key}`).send({ title: 'Ganz frisch', family: 'informell', planKind: 'dialog' }).expect(201)).body;
    const quads = parseTurtle((await request(gw.app).get(`/dcat/catalog.ttl?modified_since=${encodeURIComponent(since)}`).expect(200)).text);
    assert.deepEqual(objects(quads, null, `${DCAT}dataset`), [`http://gateway.test/dcat/datasets/${p.id}`]);
    const page = quads.find((q) => q.predicate.value === RDF_TYPE && q.object.value === `${H}PagedCollection`)!.subject.value;
    assert.match(objects(quads, page, `${H}first`)[0]!, /modified_since=/);
  });
});
