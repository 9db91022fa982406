// Parsing the feed back into quads (every format), and graph comparison up to blank node labels.
import jsonld from 'jsonld';
import { Parser, Writer } from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import { Readable } from 'node:stream';
import type { Quad } from '@rdfjs/types';

export function parseTurtle(text: string): Quad[] {
  return new Parser().parse(text) as Quad[];
}

export function parseRdfXml(text: string): Promise<Quad[]> {
  return new Promise((resolve, reject) => {
    const quads: Quad[] = [];
    Readable.from([text]).pipe(new RdfXmlParser()).on('data', (q: Quad) => quads.push(q)).on('error', reject).on('end', () => resolve(quads));
  });
}

export async function parseJsonLd(text: string): Promise<Quad[]> {
  const nquads = (await jsonld.toRDF(JSON.parse(text), { format: 'application/n-quads' })) as unknown as string;
  return new Parser({ format: 'N-Quads' }).parse(nquads) as Quad[];
}

export function parseAny(contentType: string, text: string): Promise<Quad[]> {
  if (contentType.startsWith('text/turtle')) return Promise.resolve(parseTurtle(text));
  if (contentType.startsWith('application/ld+json')) return parseJsonLd(text);
  return parseRdfXml(text);
}

/** Canonical N-Quads (URDNA2015): equal strings ⇔ isomorphic graphs. */
export async function canonical(quads: Quad[]): Promise<string> {
  const nq = await new Promise<string>((resolve, reject) => {
    const w = new Writer({ format: 'N-Quads' });
    w.addQuads(quads);
    w.end((err, out: string) => (err ? reject(err) : resolve(out)));
  });
  return jsonld.canonize(nq as never, { algorithm: 'URDNA2015', inputFormat: 'application/n-quads' } as never) as unknown as Promise<string>;
}

export const objects = (quads: Quad[], subject: string | null, predicate: string) =>
  quads.filter((q) => (subject === null || q.subject.value === subject) && q.predicate.value === predicate).map((q) => q.object.value);
