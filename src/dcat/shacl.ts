// Validation of the feed against the official DCAT-AP.de SHACL shapes from the schema directory,
// composed as GovData's validator composes them. rdf-validate-shacl has no background knowledge,
// so the vocabularies the shapes refer to (EU themes and file types, licences, contributors, FOAF,
// vCard …) are added to the data graph and the shapes' owl:imports are dropped.
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import rdf from '@zazuko/env-node';
import { DataFactory, Parser } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import type { DatasetCore, Quad } from '@rdfjs/types';
import type { Profile } from './build.ts';

const SHAPES: Record<Profile, string[]> = {
  'dcat-ap-de-3.0': ['base/dcat-ap-3.0.0-SHACL.ttl', '3.0/dcat-ap-SHACL-DE.ttl', '3.0/dcat-ap-de-deprecated.ttl', '3.0/dcat-ap-spec-german-additions.ttl', '3.0/dcat-ap-de-controlledvocabularies.ttl'],
  'dcat-ap-de-2.0': ['base/dcat-ap_2.1.1_shacl_shapes.ttl', '2.0/dcat-ap-spec-german-messages.ttl', '2.0/dcat-ap-spec-german-additions.ttl', '2.0/dcat-ap-de-deprecated.ttl'],
};
const VOCAB = ['vocab/eu-data-theme-skos.rdf', 'vocab/eu-file-type-skos.rdf', 'vocab/eu-frequency-skos.rdf', 'vocab/dcat-ap-de-licenses.rdf', 'vocab/dcat-ap-de-contributors.rdf', 'vocab/ADMS_SKOS_v1.00.rdf', 'vocab/foaf_0_1.rdf', 'vocab/vcard.ttl', 'vocab/org.ttl'];
const OWL_IMPORTS = 'http://www.w3.org/2002/07/owl#imports';

// The schema directory has no copies of the EU language and access-right tables (SOURCES.md); the
// validator GovData runs knows them. The feed uses one concept of each, so that much background
// knowledge is stated here: the concept and the table it belongs to, nothing else.
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const EU_TABLES: Array<[string, string]> = [
  ['http://publications.europa.eu/resource/authority/language/DEU', 'http://publications.europa.eu/resource/authority/language'],
  ['http://publications.europa.eu/resource/authority/access-right/PUBLIC', 'http://publications.europa.eu/resource/authority/access-right'],
];
function euTableMembership(): Quad[] {
  const { namedNode, quad } = DataFactory;
  return EU_TABLES.flatMap(([concept, scheme]) => [
    quad(namedNode(concept), namedNode(`http://www.w3.org/1999/02/22-rdf-syntax-ns#type`), namedNode(`${SKOS}Concept`)),
    quad(namedNode(concept), namedNode(`${SKOS}inScheme`), namedNode(scheme)),
  ]) as Quad[];
}

function parseTurtle(file: string): Quad[] {
  return new Parser({ baseIRI: `file://${file}` }).parse(readFileSync(file, 'utf8')) as Quad[];
}

function parseRdfXml(file: string): Promise<Quad[]> {
  return new Promise((resolve, reject) => {
    const quads: Quad[] = [];
    const parser = new RdfXmlParser({ baseIRI: `file://${file}` });
    createReadStream(file).pipe(parser).on('data', (q: Quad) => quads.push(q)).on('error', reject).on('end', () => resolve(quads));
  });
}

const load = (file: string) => (file.endsWith('.ttl') ? Promise.resolve(parseTurtle(file)) : parseRdfXml(file));

export interface ShaclResult {
  profile: Profile;
  conforms: boolean;
  violations: number;
  warnings: number;
  infos: number;
  results: Array<{ severity: 'Violation' | 'Warning' | 'Info'; focusNode: string; path: string | null; message: string; shape: string | null; value: string | null }>;
}

export class FeedValidator {
  private validators = new Map<Profile, Promise<SHACLValidator>>();
  private vocab?: Promise<Quad[]>;

  constructor(private readonly schemaDir: string) {}

  private shapes(profile: Profile): Promise<SHACLValidator> {
    let v = this.validators.get(profile);
    if (!v) {
      v = (async () => {
        const dataset = rdf.dataset();
        for (const f of SHAPES[profile]) for (const q of await load(join(this.schemaDir, 'dcat-ap-de', f))) if (q.predicate.value !== OWL_IMPORTS) dataset.add(q);
        return new SHACLValidator(dataset, { factory: rdf });
      })();
      this.validators.set(profile, v);
    }
    return v;
  }

  private vocabulary(): Promise<Quad[]> {
    this.vocab ??= (async () => [...(await Promise.all(VOCAB.map((f) => load(join(this.schemaDir, 'dcat-ap-de', f))))).flat(), ...euTableMembership()])();
    return this.vocab;
  }

  async validate(quads: Quad[], profile: Profile): Promise<ShaclResult> {
    const validator = await this.shapes(profile);
    const data = rdf.dataset();
    for (const q of await this.vocabulary()) data.add(q);
    for (const q of quads) data.add(q);
    const report = await validator.validate(data as unknown as DatasetCore);
    const results = report.results.map((r) => {
      const severity = (r.severity?.value.split('#')[1] ?? 'Violation') as ShaclResult['results'][number]['severity'];
      return {
        severity,
        focusNode: r.focusNode?.value ?? '',
        path: r.path?.value ?? null,
        message: r.message.map((m) => m.value).join(' ') || 'constraint violated',
        shape: r.sourceShape?.value ?? null,
        value: r.value?.value ?? null,
      };
    });
    const count = (s: string) => results.filter((r) => r.severity === s).length;
    return { profile, conforms: count('Violation') === 0, violations: count('Violation'), warnings: count('Warning'), infos: count('Info'), results };
  }
}
