// The feed as linked-data clients and harvesters use its transport: literals that survive every
// serialisation, IRIs that dereference (W3C "Cool URIs for the Semantic Web": 303 See Other to a
// document, content negotiation, HEAD), one catalogue dct:modified per state of the data, stable
// validators (ETag per content-coding, Last-Modified), modified_since and unsupported Accept types.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Quad } from '@rdfjs/types';
import type { SqliteProcedures } from '../../src/core/storage/sqlite/store.ts';
import { serialize } from '../../src/dcat/serialize.ts';
import { terms } from '../../src/dcat/vocab.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';
import { canonical, objects, parseAny, parseTurtle } from '../helpers/rdf.ts';

const BASE = 'http://gateway.test';
const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const H = 'http://www.w3.org/ns/hydra/core#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const FORMATS = [['rdfxml', 'application/rdf+xml', 'rdf'], ['turtle', 'text/turtle', 'ttl'], ['jsonld', 'application/ld+json', 'jsonld']] as const;

/** Literals that XML, Turtle and JSON escape differently; CR is what XML parsers normalise away. */
const TRICKY = ['Zeile 1\r\nZeile 2', 'nur\rCR', '\tTab\tund  zwei Leerzeichen ', 'Ende mit CR\r', '\r\n\r\n', ']]> <&> "q" \'s\' \\ \u2028\u0085 😀 \uFEFF'];

async function get(gw: TestGateway, path: string, accept?: string): Promise<request.Response> {
  const r = request(gw.app).get(path);
  if (accept) r.set('Accept', accept);
  return r;
}

const pageNode = (quads: Quad[]) => quads.find((q) => q.predicate.value === RDF_TYPE && q.object.value === `${H}PagedCollection`)!.subject.value;

describe('dcat/linked-data: literals with CR, LF, tab and other escapes', function () {
  this.timeout(60_000);

  it('a graph with tricky literals is the same graph in RDF/XML, Turtle and JSON-LD', async () => {
    const { namedNode, literal, quad } = terms;
    const quads = TRICKY.map((v, i) => quad(namedNode('https://example.org/s'), namedNode(`https://example.org/p${i}`), literal(v, 'de')));
    const expected = await canonical(quads);
    for (const [format, type] of FORMATS) {
      assert.equal(await canonical(await parseAny(type, (await serialize(format, quads)).toString('utf8'))), expected, format);
    }
    // the CR is a character reference in RDF/XML, never a raw byte an XML parser normalises
    const xml = (await serialize('rdfxml', quads)).toString('utf8');
    assert.ok(!xml.includes('\r'));
    assert.match(xml, /Zeile 1&#13;\nZeile 2/);
  });

  it('a feed page whose titles hold CR, LF and tabs parses to isomorphic graphs in the three formats, titles exact', async () => {
    const gw = await createTestGateway();
    try {
      await gw.tenant('sayda', ['procedures:write']);
      const procedures = gw.store.procedures as SqliteProcedures;
      for (const t of TRICKY) procedures.createSync('sayda', { title: `Verfahren ${t}`, description: `Beschreibung ${t}`, family: 'informell', planKind: 'dialog' });
      const graphs: string[] = [];
      // negotiated on the one catalogue IRI, so that the page nodes are the same IRI too
      for (const [, type, ext] of FORMATS) {
        const res = await get(gw, '/dcat/catalog', type);
        assert.equal(res.status, 200);
        const quads = await parseAny(type, res.text);
        const titles = objects(quads, null, `${DCT}title`);
        for (const t of TRICKY) assert.ok(titles.includes(`Verfahren ${t}`), `${ext}: ${JSON.stringify(t)} arrived as one of ${JSON.stringify(titles)}`);
        graphs.push(await canonical(quads));
      }
      assert.equal(graphs[1], graphs[0], 'Turtle = RDF/XML');
      assert.equal(graphs[2], graphs[0], 'JSON-LD = RDF/XML');
    } finally {
      await gw.close();
    }
  });
});

describe('dcat/linked-data: every IRI of the feed dereferences', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  before(async () => {
    gw = await createTestGateway();
    mm = await setUpMangelmelder(gw, 'sayda');
    const sayda = (await gw.store.tenants.get('sayda'))!;
    await gw.store.tenants.update({ ...sayda, ags: ['14521570'] });
    await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${mm.staff}`).send({
      title: 'Bebauungsplan Nr. 3 „Am Schloss“', family: 'bauleitplanung', planKind: 'bebauungsplan',
      phases: [{ kind: 'veroeffentlichung', audience: 'oeffentlichkeit', start: '2026-03-01', end: '2026-03-31' }],
      area: { type: 'Polygon', coordinates: [[[13.42, 50.71], [13.43, 50.71], [13.43, 50.715], [13.42, 50.715], [13.42, 50.71]]] },
      documents: [{ title: 'Begründung', url: 'https://sayda.example/b3/begruendung.pdf', mimeType: 'application/pdf' }],
    }).expect(201);
    await request(gw.app).post('/open311/v2/requests.json').type('form').send(`api_key=${mm.submit}&service_code=schlagloch&lat=50.71&long=13.42`).expect(200);
  });
  after(async () => { await gw.close(); });

  /** Every gateway IRI the first page names (subjects, objects, dct:identifier literals), fragments cut. */
  async function feedIris(): Promise<string[]> {
    const quads = parseTurtle((await get(gw, '/dcat/catalog.ttl')).text);
    const iris = new Set<string>();
    for (const q of quads) {
      for (const t of [q.subject, q.object]) if (t.termType === 'NamedNode' && t.value.startsWith(`${BASE}/`)) iris.add(t.value.split('#')[0]!);
      if (q.predicate.value === `${DCT}identifier` && q.object.value.startsWith(`${BASE}/`)) iris.add(q.object.value);
    }
    return [...iris].sort();
  }

  it('names the IRIs a client may look up: datasets, distributions, publishers, services, endpoints', async () => {
    const iris = await feedIris();
    for (const pattern of [/\/dcat\/datasets\/[0-9a-f-]{36}$/, /\/dcat\/datasets\/open311-sayda$/, /\/distributions\/area$/, /\/dcat\/publishers\/sayda$/, /\/dcat\/publishers\/portal$/, /\/dcat\/services\/open311$/, /\/dcat\/services\/xplanung$/, /\/open311\/v2$/, /\/xplanung\/v1$/]) {
      assert.ok(iris.some((i) => pattern.test(i)), `${pattern} among ${iris.join(' ')}`);
    }
  });

  for (const accept of [undefined, '*/*', 'text/turtle', 'application/ld+json', 'application/rdf+xml', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8']) {
    it(`GET and HEAD with Accept ${accept ?? '(none)'}: 200, or 303 See Other to a document that answers 200`, async () => {
      for (const iri of await feedIris()) {
        const path = iri.slice(BASE.length);
        for (const method of ['get', 'head'] as const) {
          const r = request(gw.app)[method](path);
          if (accept) r.set('Accept', accept);
          const res = await r;
          assert.ok([200, 303].includes(res.status), `${method.toUpperCase()} ${path} (${accept}): ${res.status}`);
          if (res.status !== 303) continue;
          assert.match(String(res.headers.vary), /Accept/, `${path}: a negotiated redirect varies by Accept`);
          const location = String(res.headers.location);
          assert.ok(location.startsWith(`${BASE}/`), location);
          const doc = request(gw.app).get(location.slice(BASE.length));
          if (accept) doc.set('Accept', accept);
          const got = await doc;
          assert.equal(got.status, 200, `${path} → ${location}`);
          // a /dcat document in the negotiated format that describes the IRI looked up
          if (path.startsWith('/dcat/')) {
            const type = String(got.headers['content-type']);
            if (accept === 'text/turtle') assert.match(type, /^text\/turtle/);
            if (accept === 'application/ld+json') assert.match(type, /^application\/ld\+json/);
            if (!accept || accept.startsWith('*/*') || accept.startsWith('text/html') || accept === 'application/rdf+xml') assert.match(type, /^application\/rdf\+xml/);
            const quads = await parseAny(type, got.text);
            assert.ok(quads.some((q) => q.subject.value === iri), `${location} describes ${iri}`);
          }
        }
      }
    });
  }

  it('the endpoint URLs lead to Open311 discovery and to the XPlanung API description', async () => {
    const open311 = await get(gw, '/open311/v2', 'application/json');
    assert.equal(open311.status, 303);
    assert.equal(open311.headers.location, `${BASE}/open311/v2/discovery.json`);
    assert.equal((await get(gw, '/open311/v2')).headers.location, `${BASE}/open311/v2/discovery.xml`);
    const discovery = (await get(gw, '/open311/v2/discovery.json')).body;
    assert.equal(discovery.endpoints[0].url, `${BASE}/open311/v2`);
    assert.equal((await get(gw, '/xplanung/v1', 'application/json')).headers.location, `${BASE}/openapi.json`);
    assert.equal((await get(gw, '/xplanung/v1', 'text/html')).headers.location, `${BASE}/xplanung/v1/validate`);
  });

  it('the profile travels with the redirect; unknown ids are 404 problem+json', async () => {
    const quads = parseTurtle((await get(gw, '/dcat/catalog.ttl')).text);
    const dataset = objects(quads, null, `${DCAT}dataset`).find((d) => !d.includes('open311'))!.slice(BASE.length);
    const res = await get(gw, `${dataset}?profile=dcat-ap-de-2.0`, 'text/turtle');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `${BASE}${dataset}.ttl?profile=dcat-ap-de-2.0`);
    for (const path of ['/dcat/datasets/nope', `${dataset}/distributions/nope`, '/dcat/publishers/nirgendwo', '/dcat/services/wfs', '/dcat/publishers/nirgendwo.ttl', '/dcat/services/wfs.ttl']) {
      const r = await get(gw, path);
      assert.equal(r.status, 404, path);
      assert.match(String(r.headers['content-type']), /problem\+json/, path);
    }
  });

  it('an Accept nothing matches (N-Triples, TriG) is 406 naming the supported types; no Accept and */* keep RDF/XML', async () => {
    const quads = parseTurtle((await get(gw, '/dcat/catalog.ttl')).text);
    const dataset = objects(quads, null, `${DCAT}dataset`)[0]!.slice(BASE.length);
    for (const path of ['/dcat/catalog', '/dcat/tenants/sayda/catalog', dataset, '/dcat/publishers/sayda', '/dcat/services/open311']) {
      for (const accept of ['application/n-triples', 'application/trig', 'text/html']) {
        const res = await get(gw, path, accept);
        assert.equal(res.status, 406, `${path} ${accept}`);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.deepEqual(res.body.supported, ['application/rdf+xml', 'text/turtle', 'application/ld+json']);
      }
    }
    for (const accept of [undefined, '*/*']) assert.match(String((await get(gw, '/dcat/catalog', accept)).headers['content-type']), /^application\/rdf\+xml/);
    // a suffix is the format, whatever the Accept header says
    assert.equal((await get(gw, '/dcat/catalog.ttl', 'application/n-triples')).status, 200);
  });
});

describe('dcat/linked-data: one state of the data, one catalogue dct:modified and stable validators', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  before(async () => {
    gw = await createTestGateway();
    mm = await setUpMangelmelder(gw, 'sayda');
    const procedures = gw.store.procedures as SqliteProcedures;
    gw.store.db.transaction(() => {
      for (let i = 0; i < 230; i++) procedures.createSync('sayda', { title: `Verfahren ${i}`, family: 'informell', planKind: 'dialog' });
    })();
  });
  after(async () => { await gw.close(); });

  /** Follows next links from `path`; the catalogue's dct:modified values and the pages' responses. */
  async function harvest(path: string): Promise<{ modified: string[]; responses: request.Response[] }> {
    const modified: string[] = [];
    const responses: request.Response[] = [];
    let url: string | undefined = path;
    while (url) {
      const res: request.Response = await get(gw, url);
      assert.equal(res.status, 200);
      responses.push(res);
      const quads = parseTurtle(res.text);
      modified.push(...objects(quads, `${BASE}/dcat/catalog`, `${DCT}modified`));
      url = objects(quads, pageNode(quads), `${H}next`)[0]?.slice(BASE.length);
    }
    return { modified, responses };
  }

  it('every page of a harvest states the same catalogue dct:modified: the last change of the data', async () => {
    const { modified, responses } = await harvest('/dcat/catalog.ttl');
    assert.equal(responses.length, 3);
    assert.equal(modified.length, 3, 'one dct:modified per page');
    assert.equal(new Set(modified).size, 1, `pages disagree: ${modified.join(' ')}`);
    const last = (gw.store.db.prepare('SELECT max(modified) AS m FROM procedure').get() as { m: string }).m;
    const reports = (gw.store.db.prepare('SELECT max(updated) AS m FROM service_request WHERE released = 1').get() as { m: string | null }).m;
    assert.equal(modified[0], [last, reports ?? ''].sort().pop());
    // every page carries Last-Modified
    for (const res of responses) assert.ok(!Number.isNaN(Date.parse(String(res.headers['last-modified']))), String(res.headers['last-modified']));
  });

  it('page 1 keeps its bytes and ETag while nothing changes, and gets new ones when something does', async () => {
    const a = await get(gw, '/dcat/catalog.ttl');
    const b = await get(gw, '/dcat/catalog.ttl');
    assert.equal(b.headers.etag, a.headers.etag);
    assert.equal(b.text, a.text);
    await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${mm.staff}`).send({ title: 'Neu', family: 'informell', planKind: 'umfrage' }).expect(201);
    const c = await get(gw, '/dcat/catalog.ttl');
    assert.notEqual(c.headers.etag, a.headers.etag);
    const modified = (res: request.Response) => objects(parseTurtle(res.text), `${BASE}/dcat/catalog`, `${DCT}modified`)[0]!;
    assert.ok(modified(c) > modified(a), 'the catalogue is modified later');
    await request(gw.app).get('/dcat/catalog.ttl').set('If-None-Match', String(c.headers.etag)).expect(304);
    await request(gw.app).get('/dcat/catalog.ttl').set('If-None-Match', String(a.headers.etag)).expect(200);
  });

  it('identity, gzip and br answers have distinct ETags, each giving 304 for its own coding; Last-Modified gives 304 too', async () => {
    const tags = new Map<string, string>();
    for (const coding of ['identity', 'gzip', 'br']) {
      const res = await request(gw.app).get('/dcat/catalog.rdf').set('Accept-Encoding', coding).expect(200);
      assert.equal(res.headers['content-encoding'], coding === 'identity' ? undefined : coding);
      assert.match(String(res.headers.vary), /Accept-Encoding/);
      tags.set(coding, String(res.headers.etag));
      await request(gw.app).get('/dcat/catalog.rdf').set('Accept-Encoding', coding).set('If-None-Match', String(res.headers.etag)).expect(304);
      const since = String(res.headers['last-modified']);
      await request(gw.app).get('/dcat/catalog.rdf').set('Accept-Encoding', coding).set('If-Modified-Since', since).expect(304);
      await request(gw.app).get('/dcat/catalog.rdf').set('Accept-Encoding', coding).set('If-Modified-Since', new Date(Date.parse(since) - 1000).toUTCString()).expect(200);
    }
    assert.equal(new Set(tags.values()).size, 3, [...tags.values()].join(' '));
    // a gzip tag does not validate the br bytes
    await request(gw.app).get('/dcat/catalog.rdf').set('Accept-Encoding', 'br').set('If-None-Match', tags.get('gzip')!).expect(200);
    // a dataset document has its own Last-Modified and per-coding ETags too
    const quads = parseTurtle((await get(gw, '/dcat/catalog.ttl')).text);
    const dataset = objects(quads, null, `${DCAT}dataset`)[0]!.slice(BASE.length);
    const doc = await request(gw.app).get(`${dataset}.ttl`).expect(200);
    assert.ok(doc.headers['last-modified']);
    assert.ok(doc.headers.etag);
  });

  it('modified_since keeps the reports dataset when reports changed after the cut-off, and leaves it out when not', async () => {
    const before = new Date().toISOString();
    const withoutReports = parseTurtle((await get(gw, `/dcat/catalog.ttl?modified_since=${encodeURIComponent(before)}`)).text);
    assert.ok(!objects(withoutReports, null, `${DCAT}dataset`).includes(`${BASE}/dcat/datasets/open311-sayda`));
    await request(gw.app).post('/open311/v2/requests.json').type('form').send(`api_key=${mm.submit}&service_code=schlagloch&lat=50.71&long=13.42`).expect(200);
    const summary = await gw.store.serviceRequests.publicSummary('sayda');
    assert.ok(summary.count > 0 && summary.lastModified! >= before, 'the report is released at once (schlagloch is not moderated)');
    const quads = parseTurtle((await get(gw, `/dcat/catalog.ttl?modified_since=${encodeURIComponent(before)}`)).text);
    assert.deepEqual(objects(quads, null, `${DCAT}dataset`), [`${BASE}/dcat/datasets/open311-sayda`]);
    assert.equal(objects(quads, pageNode(quads), `${H}totalItems`)[0], '1');
  });
});
