// Graph-level golden files of the feed's building blocks (fixtures/golden/dcat/*.ttl): compared as
// graphs (canonical N-Quads, blank nodes relabelled), not as text. UPDATE_GOLDEN=1 rewrites them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Procedure, Tenant } from '../../src/core/model.ts';
import { projectRoot } from '../../src/core/paths.ts';
import { XMLParser } from 'fast-xml-parser';
import { Graph, bboxOf, open311Dataset, procedureDataset } from '../../src/dcat/build.ts';
import { pluDocType } from '../../src/dcat/vocab.ts';
import { toTurtle } from '../../src/dcat/serialize.ts';
import { canonical, parseTurtle } from '../helpers/rdf.ts';

const GOLDEN = join(projectRoot, 'fixtures', 'golden', 'dcat');
const tenant: Tenant = {
  id: 'leipzig', name: 'Stadt Leipzig', ags: ['14713000'], contributorId: 'http://dcat-ap.de/def/contributors/freistaatSachsen',
  licence: 'http://dcat-ap.de/def/licenses/cc-by/4.0', contact: { name: 'Stadtplanungsamt', email: 'stadtplanung@leipzig.example', url: 'https://leipzig.example/stadtplanung' },
};
const plan = {
  id: '0b6a3f2e-8c1d-4e5f-9a7b-2c3d4e5f6a7b', tenant: 'leipzig', title: 'Bebauungsplan Nr. 451 „Stadtgärten Lindenau“', number: '451', description: 'Wohnen und Grün am Karl-Heine-Kanal',
  family: 'bauleitplanung', planKind: 'bebauungsplan', verfahrensart: 'innenentwicklung_13a',
  phases: [
    { kind: 'aufstellungsbeschluss', audience: 'intern', durchgang: 1, start: '2025-05-14', end: null },
    { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2025-09-01', end: '2025-10-02' },
    { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 2, start: '2026-02-02', end: '2026-03-04' },
  ],
  area: { type: 'Polygon', coordinates: [[[12.3301, 51.3301], [12.3352, 51.3301], [12.3352, 51.3333], [12.3301, 51.3333], [12.3301, 51.3301]]] },
  documents: [{ title: 'Begründung', url: 'https://leipzig.example/bplan451/begruendung.pdf', mimeType: 'application/pdf' }],
  externalIds: [], status: 'Beendet', created: '2025-05-14T08:00:00.000Z', modified: '2026-03-05T08:00:00.000Z', participationUrl: 'https://beteiligung.leipzig.example/451',
} as unknown as Procedure;

async function compare(file: string, g: Graph): Promise<void> {
  const path = join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, await toTurtle(g.quads));
  assert.equal(await canonical(g.quads), await canonical(parseTurtle(readFileSync(path, 'utf8'))));
}

describe('dcat/build: golden graphs', () => {
  const ctx = { base: 'https://portal.example', profile: 'dcat-ap-de-3.0' as const };

  it('a Bebauungsplan with two passes, a pushed source and a document', async () => {
    const g = new Graph();
    procedureDataset(g, plan, tenant, { exportable: true, source: { url: 'https://portal.example/xplanung/v1/tenants/leipzig/plans/GML_451/source', contentType: 'application/zip', size: 48213, xplanVersion: '6.0' } }, ctx);
    await compare('bebauungsplan-451.ttl', g);
  });

  it('the same plan in the 2.0 profile differs exactly in byteSize and politicalGeocodingURI', async () => {
    const g30 = new Graph();
    const g20 = new Graph();
    const extras = { exportable: true, source: { url: 'https://portal.example/s', contentType: 'application/zip', size: 10, xplanVersion: '6.0' } };
    procedureDataset(g30, plan, tenant, extras, ctx);
    procedureDataset(g20, plan, tenant, extras, { ...ctx, profile: 'dcat-ap-de-2.0' });
    const key = (q: { predicate: { value: string }; object: { value: string } }) => `${q.predicate.value} ${q.object.value}`;
    const only = (a: Graph, b: Graph) => a.quads.map(key).filter((k) => !b.quads.map(key).includes(k));
    assert.deepEqual(only(g20, g30).sort(), ['http://dcat-ap.de/def/dcatde/politicalGeocodingURI http://dcat-ap.de/def/politicalGeocoding/municipalityKey/14713000']);
    const dt = (g: Graph) => (g.quads.find((q) => q.predicate.value.endsWith('byteSize'))!.object as { datatype: { value: string } }).datatype.value;
    assert.equal(dt(g30), 'http://www.w3.org/2001/XMLSchema#nonNegativeInteger');
    assert.equal(dt(g20), 'http://www.w3.org/2001/XMLSchema#decimal');
  });

  it('document distributions name their PLU docType: a PLU one as it is, an XPlanung typ by its counterpart, none when ambiguous', () => {
    const g = new Graph();
    const documents = [
      { title: 'Begründung', url: 'https://leipzig.example/451/b.pdf', mimeType: 'application/pdf', docType: '1010' },
      { title: 'Satzung', url: 'https://leipzig.example/451/s.pdf', docType: '1060' },
      { title: 'Gutachten', url: 'https://leipzig.example/451/g.pdf', docType: 'expertReport' },
      { title: 'Ohne Art', url: 'https://leipzig.example/451/o.pdf' },
    ];
    procedureDataset(g, { ...plan, documents } as Procedure, tenant, { exportable: false }, ctx);
    const docTypeOf = (url: string) => {
      const dist = g.quads.find((q) => q.predicate.value === 'http://www.w3.org/ns/dcat#downloadURL' && q.object.value === url)!.subject.value;
      return g.quads.filter((q) => q.subject.value === dist && q.predicate.value.endsWith('docType')).map((q) => q.object.value);
    };
    assert.deepEqual(docTypeOf('https://leipzig.example/451/b.pdf'), ['https://specs.diplanung.de/resource/docType#substantiation']);
    assert.deepEqual(docTypeOf('https://leipzig.example/451/s.pdf'), []);
    assert.deepEqual(docTypeOf('https://leipzig.example/451/g.pdf'), ['https://specs.diplanung.de/resource/docType#expertReport']);
    assert.deepEqual(docTypeOf('https://leipzig.example/451/o.pdf'), []);
  });

  it('the PLU docTypes are those of the official code list (schemas/vendor/dcat-ap-plu/0.2.4/codelists/docType.xml)', () => {
    const xml = readFileSync(join(projectRoot, 'schemas', 'vendor', 'dcat-ap-plu', '0.2.4', 'codelists', 'docType.xml'), 'utf8');
    const parsed = new XMLParser({ removeNSPrefix: true, isArray: (name) => name === 'Concept' }).parse(xml) as { RDF: { Concept: Array<{ identifier: string }> } };
    const official = parsed.RDF.Concept.map((c) => c.identifier);
    assert.equal(official.length, 35);
    for (const id of official) assert.equal(pluDocType(id), id, id);
    // every XPlanung typ that has a counterpart names one of the list
    for (let code = 1000; code <= 9999; code++) {
      const t = pluDocType(String(code));
      if (t) assert.ok(official.includes(t), `${code} → ${t}`);
    }
    assert.equal(pluDocType('substantiaton'), undefined, 'a misspelt kind is no kind');
  });

  it("an authority's Mängelmelder reports", async () => {
    const g = new Graph();
    open311Dataset(g, tenant, { count: 1234, lastModified: '2026-11-20T10:00:00.000Z', bbox: [12.30, 51.28, 12.45, 51.40] }, ctx);
    await compare('open311-leipzig.ttl', g);
  });

  it('bbox of nested GeoJSON coordinates', () => {
    assert.deepEqual(bboxOf({ coordinates: [[[[1, 2], [3, -4]]], [[[0, 5], [2, 2]]]] }), [0, -4, 3, 5]);
    assert.equal(bboxOf(null), null);
  });
});
