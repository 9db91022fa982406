// The feed's writers on graphs larger than one write batch: RDF/XML is written to graphy in batches of
// quads, and a resource whose statements straddle a batch must still come out as one description.
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import type { Quad } from '@rdfjs/types';
import { serialize, toRdfXml } from '../../src/dcat/serialize.ts';
import { terms } from '../../src/dcat/vocab.ts';
import { canonical, parseAny } from '../helpers/rdf.ts';

const { namedNode, literal, blankNode, quad } = terms;
const EX = 'https://example.org/';

/** 3 resources interleaved (the writer groups by subject), 1 300 statements, text that needs escaping. */
function bigGraph(): Quad[] {
  const quads: Quad[] = [];
  for (let i = 0; i < 650; i++) {
    quads.push(quad(namedNode(`${EX}a`), namedNode(`${EX}p${i % 7}`), literal(`Wert ${i} <&> „Grün“`, 'de')));
    quads.push(quad(i % 2 ? namedNode(`${EX}b`) : blankNode('n1'), namedNode(`${EX}q`), literal(String(i), namedNode('http://www.w3.org/2001/XMLSchema#integer'))));
  }
  return quads;
}

describe('dcat/serialize: writers on graphs larger than a write batch', () => {
  it('RDF/XML: the same graph back, one rdf:Description per resource', async () => {
    const quads = bigGraph();
    const xml = await toRdfXml(quads);
    assert.ok(Buffer.isBuffer(xml));
    assert.equal(await canonical(await parseAny('application/rdf+xml', xml.toString('utf8'))), await canonical(quads));
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'rdf:Description' }).parse(xml.toString('utf8')) as { 'rdf:RDF': { 'rdf:Description': Record<string, unknown>[] } };
    const described = doc['rdf:RDF']['rdf:Description'].map((d) => String(d['@_rdf:about'] ?? `_:${String(d['@_rdf:nodeID'])}`));
    assert.equal(described.length, 3);
    assert.equal(new Set(described).size, 3);
  });

  it('every format gives the same graph', async () => {
    const quads = bigGraph();
    const expected = await canonical(quads);
    for (const [format, type] of [['rdfxml', 'application/rdf+xml'], ['turtle', 'text/turtle'], ['jsonld', 'application/ld+json']] as const) {
      const body = await serialize(format, quads);
      assert.equal(await canonical(await parseAny(type, body.toString('utf8'))), expected, format);
    }
  });
});
