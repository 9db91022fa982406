// The feed's RDF serialisations, each by an RDF library: Turtle with n3, RDF/XML with graphy's
// XML scribe, JSON-LD with jsonld (from N-Quads, compacted with the feed's prefixes).
import scribe from '@graphy/content.xml.scribe';
import jsonld from 'jsonld';
import { Writer } from 'n3';
import type { Quad } from '@rdfjs/types';
import { NS } from './vocab.ts';

export type RdfFormat = 'rdfxml' | 'turtle' | 'jsonld';

export const MEDIA: Record<RdfFormat, string> = {
  rdfxml: 'application/rdf+xml',
  turtle: 'text/turtle',
  jsonld: 'application/ld+json',
};

export const SUFFIX: Record<string, RdfFormat> = { rdf: 'rdfxml', xml: 'rdfxml', ttl: 'turtle', jsonld: 'jsonld' };

const PREFIXES: Record<string, string> = { ...NS };

/** Quads grouped by subject (first appearance order), so writers emit one block per resource. */
function bySubject(quads: Quad[]): Quad[] {
  // keyed by the subject's value, IRIs and blank nodes apart: no key string built per quad
  const named = new Map<string, Quad[]>();
  const blank = new Map<string, Quad[]>();
  const groups: Quad[][] = [];
  for (const q of quads) {
    const byValue = q.subject.termType === 'BlankNode' ? blank : named;
    let g = byValue.get(q.subject.value);
    if (!g) {
      byValue.set(q.subject.value, (g = []));
      groups.push(g);
    }
    g.push(q);
  }
  const out: Quad[] = [];
  for (const g of groups) for (const q of g) out.push(q);
  return out;
}

export function toTurtle(quads: Quad[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = new Writer({ prefixes: PREFIXES });
    w.addQuads(bySubject(quads));
    w.end((err, out: string) => (err ? reject(err) : resolve(out)));
  });
}

export function toNQuads(quads: Quad[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = new Writer({ format: 'N-Quads' });
    w.addQuads(quads);
    w.end((err, out: string) => (err ? reject(err) : resolve(out)));
  });
}

const CR = 0x0d;
const CR_REFERENCE = Buffer.from('&#13;');

/**
 * graphy writes a literal's carriage returns as they are, and every XML parser turns a raw CR (and
 * CR LF) into LF before the application sees it (XML 1.0 §2.11): titles came out of CKAN changed.
 * A character reference survives that normalisation. A raw CR in graphy's output can only come from
 * a literal (its own markup uses LF; IRIs hold no CR), so every CR byte is replaced.
 */
function escapeCarriageReturns(chunk: Buffer): Buffer {
  let at = chunk.indexOf(CR);
  if (at < 0) return chunk;
  const parts: Buffer[] = [];
  let from = 0;
  for (; at >= 0; at = chunk.indexOf(CR, from)) {
    parts.push(chunk.subarray(from, at), CR_REFERENCE);
    from = at + 1;
  }
  parts.push(chunk.subarray(from));
  return Buffer.concat(parts);
}

/** Quads per write to the scribe: each write's output is encoded to bytes while it is still small. */
const RDFXML_BATCH = 500;

/**
 * RDF/XML as UTF-8 bytes. graphy builds its output by string concatenation; handed one write of a
 * whole page it returns a single rope of some 100 000 pieces, and flattening that took longer than
 * writing it. Written in batches, each piece is encoded while small (same bytes, a third faster).
 */
export function toRdfXml(quads: Quad[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = scribe({ prefixes: PREFIXES });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(escapeCarriageReturns(d)));
    s.on('error', reject);
    s.on('end', () => resolve(Buffer.concat(chunks)));
    const grouped = bySubject(quads);
    // graphy takes an array of quads as one write event; the subject in progress carries over
    for (let i = 0; i < grouped.length; i += RDFXML_BATCH) s.write({ type: 'array', value: grouped.slice(i, i + RDFXML_BATCH) } as never);
    s.end();
  });
}

export async function toJsonLd(quads: Quad[]): Promise<string> {
  const expanded = await jsonld.fromRDF(await toNQuads(quads), { format: 'application/n-quads' });
  const context: Record<string, string> = { ...PREFIXES };
  return JSON.stringify(await jsonld.compact(expanded, context));
}

/**
 * A page as one body: pages are bounded (100 datasets, under 1 MB), and a whole body can be
 * compressed and tagged (ETag) before it is sent, which a harvester gains far more from (771 KB of
 * RDF/XML are 28 KB gzipped) than from a body that streams.
 */
export async function serialize(format: RdfFormat, quads: Quad[]): Promise<Buffer> {
  if (format === 'jsonld') return Buffer.from(await toJsonLd(quads), 'utf8');
  if (format === 'turtle') return Buffer.from(await toTurtle(quads), 'utf8');
  return toRdfXml(quads);
}
