// A harvest as ckanext-dcat's RDF harvester does it (harvesters/rdf.py, processors.py): HEAD then GET
// each page, parse by the Content-Type, follow hydra:next (else hydra:nextPage) of the
// PagedCollection, stop when there is none or a page repeats, and merge the pages into one graph.
// The merged catalogue must validate against the DCAT-AP.de shapes and be the same graph whichever
// of the three formats the harvester reads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import type { Quad, Term } from '@rdfjs/types';
import { projectRoot } from '../../src/core/paths.ts';
import type { SqliteProcedures } from '../../src/core/storage/sqlite/store.ts';
import { FeedValidator } from '../../src/dcat/shacl.ts';
import { terms } from '../../src/dcat/vocab.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder } from '../helpers/open311.ts';
import { canonical, objects, parseAny } from '../helpers/rdf.ts';

const BASE = 'http://gateway.test';
const H = 'http://www.w3.org/ns/hydra/core#';
const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const validator = new FeedValidator(join(projectRoot, 'schemas', 'vendor'));
const LIVE = 210; // three pages of 100

/** Blank nodes of page `n` apart from every other page's, as rdflib keeps them when it merges parses. */
function relabel(quads: Quad[], n: number): Quad[] {
  const { blankNode, quad } = terms;
  const term = <T extends Term>(t: T): T => (t.termType === 'BlankNode' ? (blankNode(`p${n}_${t.value}`) as unknown as T) : t);
  return quads.map((q) => quad(term(q.subject), q.predicate, term(q.object)));
}

interface Harvest { merged: Quad[]; pages: number }

/** Harvests `/dcat/catalog` asking for `accept`, page after page, as ckanext-dcat does. */
async function harvest(gw: TestGateway, accept: string | undefined): Promise<Harvest> {
  const merged: Quad[] = [];
  const seen = new Set<string>();
  let url: string | undefined = `${BASE}/dcat/catalog`;
  let pages = 0;
  while (url) {
    const path = url.slice(BASE.length);
    const head = request(gw.app).head(path);
    const get = request(gw.app).get(path);
    if (accept) {
      head.set('Accept', accept);
      get.set('Accept', accept);
    }
    const h = await head;
    assert.equal(h.status, 200, `HEAD ${path}`);
    const res = await get;
    assert.equal(res.status, 200, `GET ${path}`);
    assert.equal(h.headers['content-type'], res.headers['content-type']);
    // ckanext-dcat stops when a page's content repeats (a next link pointing back)
    const digest = createHash('sha1').update(res.text).digest('hex');
    assert.ok(!seen.has(digest), `${path} repeats an earlier page`);
    seen.add(digest);
    const quads = await parseAny(String(res.headers['content-type']), res.text);
    merged.push(...relabel(quads, pages++));
    const collection = quads.find((q) => q.predicate.value === RDF_TYPE && [`${H}PagedCollection`, `${H}PartialCollectionView`].includes(q.object.value))?.subject.value;
    assert.ok(collection, `${path} has a hydra collection node`);
    url = objects(quads, collection, `${H}next`)[0] ?? objects(quads, collection, `${H}nextPage`)[0];
  }
  return { merged, pages };
}

describe('dcat/harvest contract: a paged harvest as ckanext-dcat does it, merged, valid and the same in every format', function () {
  this.timeout(300_000);
  let gw: TestGateway;
  const titles: string[] = [];
  before(async () => {
    gw = await createTestGateway();
    const mm = await setUpMangelmelder(gw, 'sayda');
    const sayda = (await gw.store.tenants.get('sayda'))!;
    await gw.store.tenants.update({ ...sayda, ags: ['14521570'], contact: { name: 'Bauamt Sayda', email: 'bauamt@sayda.example', url: 'https://sayda.example/bauamt' } });
    await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${mm.staff}`).send({
      title: 'Bebauungsplan Nr. 3\r\n„Am Schloss“', family: 'bauleitplanung', planKind: 'bebauungsplan', verfahrensart: 'innenentwicklung_13a',
      phases: [{ kind: 'aufstellungsbeschluss', audience: 'intern', start: '2026-01-10' }, { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', start: '2026-03-01', end: '2026-03-31' }],
      area: { type: 'Polygon', coordinates: [[[13.42, 50.71], [13.43, 50.71], [13.43, 50.715], [13.42, 50.715], [13.42, 50.71]]] },
      documents: [{ title: 'Begründung', url: 'https://sayda.example/b3/begruendung.pdf', mimeType: 'application/pdf' }],
    }).expect(201);
    titles.push('Bebauungsplan Nr. 3\r\n„Am Schloss“');
    const procedures = gw.store.procedures as SqliteProcedures;
    gw.store.db.transaction(() => {
      for (let i = 1; i < LIVE; i++) {
        // every seventh title holds a CR, a tab or a lone CR: the literals CKAN got changed
        const title = i % 7 === 0 ? `Verfahren ${i}\r\nzweite Zeile\t(${i % 2 ? 'ungerade' : 'gerade'})\r` : `Verfahren ${i}`;
        titles.push(title);
        procedures.createSync('sayda', { title, family: 'informell', planKind: 'dialog', phases: [{ kind: 'beteiligung', audience: 'oeffentlichkeit', durchgang: 1, start: '2026-05-01' }] });
      }
    })();
    await request(gw.app).post('/open311/v2/requests.json').type('form').send(`api_key=${mm.submit}&service_code=schlagloch&lat=50.71&long=13.42`).expect(200);
  });
  after(async () => { await gw.close(); });

  let reference: string | undefined;

  for (const [label, accept] of [['RDF/XML (no Accept, the harvesters\' default)', undefined], ['Turtle', 'text/turtle'], ['JSON-LD', 'application/ld+json'], ['RDF/XML by Accept', 'application/rdf+xml']] as const) {
    it(`${label}: every dataset once, one catalogue dct:modified, titles exact, the same merged graph`, async () => {
      const { merged, pages } = await harvest(gw, accept);
      assert.equal(pages, 3);
      const datasets = objects(merged, `${BASE}/dcat/catalog`, `${DCAT}dataset`);
      assert.equal(datasets.length, LIVE + 1, 'the procedures and the reports dataset');
      assert.equal(new Set(datasets).size, datasets.length, 'no dataset twice');
      // DCAT-AP.de: a catalogue has at most one dct:modified; pages that disagreed gave the merge two
      assert.equal(new Set(objects(merged, `${BASE}/dcat/catalog`, `${DCT}modified`)).size, 1);
      const got = objects(merged, null, `${DCT}title`);
      for (const t of titles) assert.ok(got.includes(t), `${JSON.stringify(t)} arrived changed`);
      const graph = await canonical(merged);
      if (reference) assert.equal(graph, reference, 'the merged graph is the same in every format');
      else reference = graph;
    });
  }

  it('the merged catalogue has zero violations against the DCAT-AP.de 3.0 shapes', async () => {
    // a harvest of its own (RDF/XML, the default), so that this holds apart from the checks above
    const { merged } = await harvest(gw, undefined);
    const report = await validator.validate(merged, 'dcat-ap-de-3.0');
    assert.equal(report.violations, 0, JSON.stringify(report.results.filter((x) => x.severity === 'Violation').slice(0, 3)));
  });
});
