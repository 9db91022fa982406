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
  const groups = new Map<string, Quad[]>();
  for (const q of quads) {
    const k = `${q.subject.termType}:${q.subject.value}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(q);
  }
  return [...groups.values()].flat();
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

export function toRdfXml(quads: Quad[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = scribe({ prefixes: PREFIXES });
    const chunks: string[] = [];
    s.on('data', (d: string | Buffer) => chunks.push(String(d)));
    s.on('error', reject);
    s.on('end', () => resolve(chunks.join('')));
    for (const q of bySubject(quads)) s.write(q as never);
    s.end();
  });
}

export async function toJsonLd(quads: Quad[]): Promise<string> {
  const expanded = await jsonld.fromRDF(await toNQuads(quads), { format: 'application/n-quads' });
  const context: Record<string, string> = { ...PREFIXES };
  return JSON.stringify(await jsonld.compact(expanded, context));
}

/**
 * Writes the quads to a stream as they are serialised (RDF/XML and Turtle), so that a large page
 * starts arriving while it is still being written; JSON-LD needs the whole graph first.
 */
export async function serializeTo(format: RdfFormat, quads: Quad[], out: NodeJS.WritableStream): Promise<void> {
  if (format === 'jsonld') {
    out.end(await toJsonLd(quads));
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const ordered = bySubject(quads);
    if (format === 'turtle') {
      const w = new Writer(out, { prefixes: PREFIXES, end: true });
      w.addQuads(ordered);
      w.end((err) => (err ? reject(err) : resolve()));
      return;
    }
    const s = scribe({ prefixes: PREFIXES });
    s.on('error', reject);
    s.on('end', () => resolve());
    s.pipe(out);
    for (const q of ordered) s.write(q as never);
    s.end();
  });
}
