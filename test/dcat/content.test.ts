// The feed's content as CKAN (ckanext-dcat, GovData's ckanext-dcatde) and data.europa.eu read it:
// a format for every distribution, a distribution for every dataset, a licence that CKAN's licence
// register matches, contributor ids from the DCAT-AP.de list, and the DCAT-AP 3.0 recommended
// properties. Real HTTP against the app, a real SQLite file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Quad } from '@rdfjs/types';
import { projectRoot } from '../../src/core/paths.ts';
import { FeedValidator } from '../../src/dcat/shacl.ts';
import { CONTRIBUTORS, LICENCES } from '../../src/dcat/vocab.ts';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { SAYDA_AREA, SCHLAGLOCH } from '../helpers/open311.ts';
import { objects, parseTurtle } from '../helpers/rdf.ts';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const FILE_TYPE = 'http://publications.europa.eu/resource/authority/file-type/';
const VOCAB = join(projectRoot, 'schemas', 'vendor', 'dcat-ap-de', 'vocab');
const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const SAYDA = {
  id: 'sayda', name: 'Stadt Sayda', kind: 'gemeinde', ags: ['14521570'], area: SAYDA_AREA,
  contributorId: 'http://dcat-ap.de/def/contributors/freistaatSachsen', licence: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
  contact: { name: 'Bauamt Sayda', email: 'bauamt@sayda.example', url: 'https://sayda.example/bauamt' },
};

const subjectsOfType = (quads: Quad[], type: string) => quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === type).map((q) => q.subject.value);

/**
 * ckanext-dcat's RDFProfile._license (profiles/base.py), which every profile, GovData's dcatde one
 * included, uses for CKAN's license_id: the first distribution whose dct:license is the `url` of a
 * licence in CKAN's licence register, else one whose dct:title is a licence's title, else ''.
 * The register here is the DCAT-AP.de licence list, as GovData's CKAN keys it (url = the IRI).
 */
function ckanLicenseId(quads: Quad[], dataset: string, register: Array<{ id: string; url: string; title: string }>): string {
  const uri2id = new Map(register.map((l) => [l.url, l.id]));
  const title2id = new Map(register.map((l) => [l.title, l.id]));
  for (const distribution of objects(quads, dataset, `${DCAT}distribution`)) {
    const licence = objects(quads, distribution, `${DCT}license`)[0];
    if (!licence) continue;
    const id = uri2id.get(licence) ?? title2id.get(objects(quads, licence, `${DCT}title`)[0] ?? '');
    if (id) return id;
  }
  return '';
}

/**
 * ckanext-dcat's RDFProfile._distribution_format without the normalisation against CKAN's format
 * list: the media type from dcat:mediaType, the format label from dct:format (a URI that is not an
 * IANA one is the label). CKAN's resource gets them as `mimetype` and `format`.
 */
function ckanFormat(quads: Quad[], distribution: string): [string | null, string | null] {
  let imt = objects(quads, distribution, `${DCAT}mediaType`)[0] ?? null;
  let label: string | null = null;
  const format = objects(quads, distribution, `${DCT}format`)[0];
  if (format) {
    if (format.includes('iana.org/assignments/media-types') && !imt) imt = format;
    else label = format;
  }
  return [imt, label];
}

describe('dcat/content: what CKAN and data.europa.eu read from the catalogue', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let quads: Quad[];
  const ids = { plans: [] as string[], pages: [] as string[], records: [] as string[] };

  before(async () => {
    // the operator's contact, as a production gateway is configured: the data services' contact point
    gw = await createTestGateway({ GATEWAY_FEED_WORKERS: '0', GATEWAY_PORTAL_CONTACT_NAME: 'Servicestelle Beteiligungsportal', GATEWAY_PORTAL_CONTACT_EMAIL: 'service@portal.example' });
    await request(gw.app).post('/admin/v1/tenants').set(admin).send(SAYDA).expect(201);
    const key = await gw.key('sayda', ['procedures:write', 'open311:manage', 'open311:submit']);
    const auth = { Authorization: `Bearer ${key}` };
    const create = async (body: Record<string, unknown>) => (await request(gw.app).post('/api/v1/tenants/sayda/procedures').set(auth).send(body).expect(201)).body.id as string;
    // 30 procedures as the portal holds them: plans with documents (a TIFF plan drawing sent without
    // a media type, a DOCX sent as octet-stream, a download link without extension), informal
    // procedures with only a participation page, and some with neither page nor documents
    for (let i = 0; i < 10; i++) {
      ids.plans.push(await create({
        title: `Bebauungsplan Nr. ${i + 1}`, family: 'bauleitplanung', planKind: 'bebauungsplan',
        phases: [{ kind: 'veroeffentlichung', audience: 'oeffentlichkeit', start: '2026-03-01', end: '2026-03-31' }],
        area: { type: 'Polygon', coordinates: [[[13.42, 50.71], [13.43 + i / 1000, 50.71], [13.43 + i / 1000, 50.715], [13.42, 50.715], [13.42, 50.71]]] },
        documents: [
          { title: 'Planzeichnung', url: `https://sayda.example/bplan${i}/planzeichnung.TIF` },
          { title: 'Begründung', url: `https://sayda.example/bplan${i}/begruendung.pdf`, mimeType: 'application/pdf' },
          { title: 'Umweltbericht', url: `https://sayda.example/bplan${i}/umweltbericht.docx`, mimeType: 'application/octet-stream' },
          { title: 'Gutachten', url: `https://sayda.example/dms/download?id=${i}` },
        ],
      }));
    }
    for (let i = 0; i < 10; i++) {
      ids.pages.push(await create({ title: `Bürgerdialog ${i + 1}`, family: 'informell', planKind: 'dialog', participationUrl: `https://beteiligung.sayda.example/dialog-${i}`, phases: [{ kind: 'beteiligung', audience: 'oeffentlichkeit', start: '2026-05-01', end: '2026-05-31' }] }));
    }
    for (let i = 0; i < 10; i++) {
      ids.records.push(await create({ title: `Umfrage ${i + 1}`, family: 'informell', planKind: 'umfrage', phases: [{ kind: 'beteiligung', audience: 'oeffentlichkeit', start: '2026-06-01', end: '2026-06-30' }] }));
    }
    await request(gw.app).post('/api/v1/tenants/sayda/services').set(auth).send(SCHLAGLOCH).expect(201);
    await request(gw.app).post('/open311/v2/requests.json').type('form').send(`api_key=${key}&service_code=schlagloch&lat=50.71&long=13.42`).expect(200);
    quads = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
  });
  after(async () => { await gw.close(); });

  it('every distribution has one dct:format of the EU file-type table, from the media type or else the file name: TIFF, DOCX sent as octet-stream, OCTET for the unnamed', () => {
    const euTypes = new Set([...readFileSync(join(VOCAB, 'eu-file-type-skos.rdf'), 'utf8').matchAll(/rdf:about="(http:\/\/publications\.europa\.eu\/resource\/authority\/file-type\/[A-Z0-9_]+)"/g)].map((m) => m[1]));
    const distributions = subjectsOfType(quads, `${DCAT}Distribution`);
    assert.equal(distributions.length, 10 * 6 + 10 + 10 + 3, 'plans: XPlanGML, area, 4 documents; one each for the others; 3 for the reports');
    for (const d of distributions) {
      const [mimetype, format] = ckanFormat(quads, d);
      assert.ok(mimetype?.startsWith('https://www.iana.org/assignments/media-types/') && format?.startsWith(FILE_TYPE), `CKAN reads ${mimetype} ${format} for ${d}`);
      const formats = objects(quads, d, `${DCT}format`);
      assert.equal(formats.length, 1, `${d} has one format`);
      assert.ok(euTypes.has(formats[0]!), `${formats[0]} is in the EU table`);
      assert.equal(objects(quads, d, `${DCAT}mediaType`).length, 1, `${d} has one media type`);
    }
    const byUrl = (url: string) => {
      const d = quads.find((q) => q.predicate.value === `${DCAT}accessURL` && q.object.value === url)!.subject.value;
      return [objects(quads, d, `${DCT}format`)[0], objects(quads, d, `${DCAT}mediaType`)[0]];
    };
    assert.deepEqual(byUrl('https://sayda.example/bplan0/planzeichnung.TIF'), [`${FILE_TYPE}TIFF`, 'https://www.iana.org/assignments/media-types/image/tiff']);
    assert.deepEqual(byUrl('https://sayda.example/bplan0/begruendung.pdf'), [`${FILE_TYPE}PDF`, 'https://www.iana.org/assignments/media-types/application/pdf']);
    assert.deepEqual(byUrl('https://sayda.example/bplan0/umweltbericht.docx'), [`${FILE_TYPE}DOCX`, 'https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.wordprocessingml.document']);
    assert.deepEqual(byUrl('https://sayda.example/dms/download?id=0'), [`${FILE_TYPE}OCTET`, 'https://www.iana.org/assignments/media-types/application/octet-stream']);
  });

  it('the file-type table names only codes of the EU table, and media types as IANA writes them', () => {
    const euTypes = new Set([...readFileSync(join(VOCAB, 'eu-file-type-skos.rdf'), 'utf8').matchAll(/file-type\/([A-Z0-9_]+)"/g)].map((m) => m[1]));
    const table = JSON.parse(readFileSync(join(projectRoot, 'src', 'dcat', 'codelists', 'file-types.json'), 'utf8')) as { types: Array<{ fileType: string; mediaType: string; extensions: string[] }> };
    for (const t of table.types) {
      assert.ok(euTypes.has(t.fileType), t.fileType);
      assert.match(t.mediaType, /^[a-z]+\/[a-z0-9.+-]+$/);
      for (const e of t.extensions) assert.match(e, /^[a-z0-9]+$/, 'extensions are matched in lower case');
    }
    for (const needed of ['TIFF', 'PDF', 'DOCX', 'DOC', 'ODT', 'XLSX', 'JPEG', 'PNG', 'ZIP', 'GML', 'OCTET']) assert.ok(table.types.some((t) => t.fileType === needed), needed);
  });

  it('a procedure without documents or area still has a distribution: its participation page (HTML, no download), or else its record in the feed, which answers', async () => {
    for (const id of [...ids.plans, ...ids.pages, ...ids.records]) assert.ok(objects(quads, `http://gateway.test/dcat/datasets/${id}`, `${DCAT}distribution`).length >= 1, id);
    const page = objects(quads, `http://gateway.test/dcat/datasets/${ids.pages[0]}`, `${DCAT}distribution`);
    assert.equal(page.length, 1);
    assert.deepEqual(objects(quads, page[0]!, `${DCAT}accessURL`), ['https://beteiligung.sayda.example/dialog-0']);
    assert.deepEqual(objects(quads, page[0]!, `${DCAT}downloadURL`), [], 'a web page is no download (DCAT-AP.de K39)');
    assert.deepEqual(objects(quads, page[0]!, `${DCT}format`), [`${FILE_TYPE}HTML`]);
    const record = objects(quads, `http://gateway.test/dcat/datasets/${ids.records[0]}`, `${DCAT}distribution`);
    assert.equal(record.length, 1);
    const url = objects(quads, record[0]!, `${DCAT}downloadURL`)[0]!;
    assert.equal(url, `http://gateway.test/dcat/datasets/${ids.records[0]}.jsonld`);
    const res = await request(gw.app).get(new URL(url).pathname).expect(200);
    assert.match(String(res.headers['content-type']), /^application\/ld\+json/);
    assert.ok(res.text.includes('Umfrage 1'));
  });

  it("CKAN's license_id, derived as ckanext-dcat derives it, is the tenant's licence for every dataset; the dataset carries it as dct:license too", () => {
    const register = Object.entries(LICENCES.concepts).map(([url, title]) => ({ id: url.replace('http://dcat-ap.de/def/licenses/', ''), url, title }));
    const datasets = subjectsOfType(quads, `${DCAT}Dataset`);
    assert.equal(datasets.length, 31);
    for (const d of datasets) {
      assert.equal(ckanLicenseId(quads, d, register), 'dl-by-de/2.0', d);
      assert.deepEqual(objects(quads, d, `${DCT}license`), [SAYDA.licence], d);
    }
  });

  it('the licence and contributor code lists are the vendored DCAT-AP.de vocabularies', () => {
    for (const [list, file] of [[CONTRIBUTORS, 'dcat-ap-de-contributors.rdf'], [LICENCES, 'dcat-ap-de-licenses.rdf']] as const) {
      const rdf = readFileSync(join(VOCAB, file), 'utf8');
      const iris = new Set([...rdf.matchAll(/<skos:Concept rdf:about="([^"]+)"/g)].map((m) => m[1]));
      assert.deepEqual(Object.keys(list.concepts).sort(), [...iris].sort(), file);
      assert.ok(rdf.includes(`<owl:versionInfo>${list.version}</owl:versionInfo>`), `${file} is version ${list.version}`);
    }
  });

  it('against the DCAT-AP 3.0 recommended shapes the 30-procedure catalogue has no warning on distributions, locations, datasets, data services or the catalogue’s spatial', async () => {
    const validator = new FeedValidator(gw.config.schemaDir);
    for (const profile of ['dcat-ap-de-3.0', 'dcat-ap-de-2.0'] as const) assert.equal((await validator.validate(quads, profile)).violations, 0, `${profile}: the added properties break no shape`);
    const report = await validator.validate(quads, 'dcat-ap-3.0-recommended');
    assert.equal(report.violations, 0);
    const left = report.results.map((r) => `${r.focusNode} ${r.path}`);
    // what is left, and why: the catalogue's dct:issued needs the feed to pass when the catalogue was
    // first published (catalogNode's `issued`); the reports' dct:temporal needs the date of the first
    // report, which the reports' summary does not hold; the operator agent's dct:type needs the kind
    // of body that runs the portal, which the gateway is not told
    assert.deepEqual(left.sort(), [
      `http://gateway.test/dcat/catalog ${DCT}issued`,
      `http://gateway.test/dcat/datasets/open311-sayda ${DCT}temporal`,
      `http://gateway.test/dcat/publishers/portal ${DCT}type`,
    ]);
  });
});

describe('dcat/content: tenant contributorID and licence from the DCAT-AP.de vocabularies', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway({ GATEWAY_FEED_WORKERS: '0' }); });
  after(async () => { await gw.close(); });

  it('creating or changing a tenant with a contributorID outside the list is a 422 problem naming the field; a listed one is taken', async () => {
    const bad = await request(gw.app).post('/admin/v1/tenants').set(admin).send({ ...SAYDA, contributorId: 'http://dcat-ap.de/def/contributors/beteiligungSachsen' }).expect(422);
    assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(bad.body.errors.map((e: { pointer: string }) => e.pointer), ['/contributorId']);
    assert.match(bad.body.detail, /beteiligungSachsen is not in the DCAT-AP\.de contributor list/);
    assert.equal(await gw.store.tenants.get('sayda'), null, 'nothing stored');
    await request(gw.app).post('/admin/v1/tenants').set(admin).send(SAYDA).expect(201);
    const put = await request(gw.app).put('/admin/v1/tenants/sayda').set(admin).send({ ...SAYDA, contributorId: 'https://example.org/contributors/sayda' }).expect(422);
    assert.deepEqual(put.body.errors.map((e: { pointer: string }) => e.pointer), ['/contributorId']);
    assert.equal((await gw.store.tenants.get('sayda'))!.contributorId, SAYDA.contributorId, 'unchanged');
    const licence = await request(gw.app).put('/admin/v1/tenants/sayda').set(admin).send({ ...SAYDA, licence: 'https://www.govdata.de/dl-de/by-2-0' }).expect(422);
    assert.deepEqual(licence.body.errors.map((e: { pointer: string }) => e.pointer), ['/licence']);
    await request(gw.app).put('/admin/v1/tenants/sayda').set(admin).send({ ...SAYDA, contributorId: 'http://dcat-ap.de/def/contributors/openDataBund' }).expect(200);
  });

  it('a tenant stored earlier with an unlisted contributorID keeps working; the validation report says why and what to do', async () => {
    await gw.store.tenants.create({ id: 'olbernhau', name: 'Stadt Olbernhau', ags: ['14521470'], contributorId: 'http://dcat-ap.de/def/contributors/beteiligungSachsen', contact: { email: 'bauamt@olbernhau.example' } });
    const key = await gw.key('olbernhau', ['procedures:write']);
    await request(gw.app).post('/api/v1/tenants/olbernhau/procedures').set('Authorization', `Bearer ${key}`).send({ title: 'Bürgerdialog Stadtpark', family: 'informell', planKind: 'dialog' }).expect(201);
    const catalogue = parseTurtle((await request(gw.app).get('/dcat/tenants/olbernhau/catalog.ttl').expect(200)).text);
    assert.ok(catalogue.some((q) => q.object.value === 'http://dcat-ap.de/def/contributors/beteiligungSachsen'), 'served as stored');
    for (const profile of ['dcat-ap-de-3.0', 'dcat-ap-de-2.0']) {
      const report = (await request(gw.app).get(`/dcat/validation?profile=${profile}`).set('Accept', 'application/json').expect(200)).body as { results: Array<{ message: string; focusNode: string }> };
      const about = report.results.filter((r) => r.focusNode === 'http://dcat-ap.de/def/contributors/beteiligungSachsen');
      assert.ok(about.length >= 1, profile);
      for (const r of about) {
        assert.match(r.message, /is not in the DCAT-AP\.de contributor list \(http:\/\/dcat-ap\.de\/def\/contributors, version 20251021\)/);
        assert.match(r.message, /tenant olbernhau/);
        assert.match(r.message, /PUT \/admin\/v1\/tenants\/\{id\}/);
      }
    }
  });
});
