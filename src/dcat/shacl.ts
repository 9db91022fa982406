// Validation of the feed against the official DCAT-AP.de SHACL shapes from the schema directory,
// composed as GovData's validator composes them. rdf-validate-shacl has no background knowledge,
// so the vocabularies the shapes refer to (EU themes and file types, licences, contributors, FOAF,
// vCard …) are added to the data graph and the shapes' owl:imports are dropped.
import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rdf from '@zazuko/env-node';
import { DataFactory, Parser } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import type { DatasetCore, Quad } from '@rdfjs/types';
import type { Profile } from './build.ts';
import { CONTRIBUTORS } from './vocab.ts';

/**
 * The shape sets: the two profiles as GovData's validator composes them, and the DCAT-AP 3.0
 * recommended properties as warnings (the gateway's own shapes, written from the specification) that
 * GovData's quality dashboard and data.europa.eu's MQA rank feeds by; kept apart so that their
 * warnings are counted on their own.
 */
export type ShapeSet = Profile | 'dcat-ap-3.0-recommended';
export const SHAPE_SETS: readonly ShapeSet[] = ['dcat-ap-de-3.0', 'dcat-ap-de-2.0', 'dcat-ap-3.0-recommended'];

const SHAPES: Record<ShapeSet, string[]> = {
  'dcat-ap-de-3.0': ['base/dcat-ap-3.0.0-SHACL.ttl', '3.0/dcat-ap-SHACL-DE.ttl', '3.0/dcat-ap-de-deprecated.ttl', '3.0/dcat-ap-spec-german-additions.ttl', '3.0/dcat-ap-de-controlledvocabularies.ttl'],
  'dcat-ap-de-2.0': ['base/dcat-ap_2.1.1_shacl_shapes.ttl', '2.0/dcat-ap-spec-german-messages.ttl', '2.0/dcat-ap-spec-german-additions.ttl', '2.0/dcat-ap-de-deprecated.ttl'],
  'dcat-ap-3.0-recommended': [],
};
// the gateway's own file (src/dcat/shapes/), not an installed third-party schema
const OWN_SHAPES: Partial<Record<ShapeSet, string[]>> = {
  'dcat-ap-3.0-recommended': [join(dirname(fileURLToPath(import.meta.url)), 'shapes', 'dcat-ap-3.0-empfohlen.ttl')],
};
const VOCAB = ['vocab/eu-data-theme-skos.rdf', 'vocab/eu-file-type-skos.rdf', 'vocab/eu-frequency-skos.rdf', 'vocab/dcat-ap-de-licenses.rdf', 'vocab/dcat-ap-de-contributors.rdf', 'vocab/ADMS_SKOS_v1.00.rdf', 'vocab/foaf_0_1.rdf', 'vocab/vcard.ttl', 'vocab/org.ttl'];
const OWL_IMPORTS = 'http://www.w3.org/2002/07/owl#imports';

// The schema directory has no copies of the EU language and access-right tables (SOURCES.md); the
// validator GovData runs knows them (and the planned-availability table). The feed uses one concept of each, so that much background
// knowledge is stated here: the concept and the table it belongs to, nothing else.
const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const EU_TABLES: Array<[string, string]> = [
  ['http://publications.europa.eu/resource/authority/language/DEU', 'http://publications.europa.eu/resource/authority/language'],
  ['http://publications.europa.eu/resource/authority/access-right/PUBLIC', 'http://publications.europa.eu/resource/authority/access-right'],
  ['http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE', 'http://publications.europa.eu/resource/authority/planned-availability'],
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
  profile: ShapeSet;
  conforms: boolean;
  violations: number;
  warnings: number;
  infos: number;
  results: Array<{ severity: 'Violation' | 'Warning' | 'Info'; focusNode: string; path: string | null; message: string; shape: string | null; value: string | null }>;
}

const CONTRIBUTOR_ID = 'http://dcat-ap.de/def/dcatde/contributorID';
const PUBLISHER = 'http://purl.org/dc/terms/publisher';

/**
 * Says why a dcatde:contributorID is outside the DCAT-AP.de list, and what to do: the shapes only
 * say that the list SHOULD be used (3.0), or nothing (2.0). Such an id comes from a tenant stored
 * before the admin API checked it; the tenant keeps working, and this is where the fault shows.
 */
function explainContributors(quads: Quad[], results: ShaclResult['results']): void {
  const bad = new Map<string, Set<string>>(); // contributor IRI → tenant ids
  const publisherOf = new Map<string, string>();
  for (const q of quads) if (q.predicate.value === PUBLISHER) publisherOf.set(q.subject.value, q.object.value);
  for (const q of quads) {
    if (q.predicate.value !== CONTRIBUTOR_ID || q.object.value in CONTRIBUTORS.concepts) continue;
    const tenant = /\/dcat\/publishers\/([^/]+)$/.exec(publisherOf.get(q.subject.value) ?? '')?.[1];
    if (!bad.has(q.object.value)) bad.set(q.object.value, new Set());
    if (tenant) bad.get(q.object.value)!.add(decodeURIComponent(tenant));
  }
  for (const [iri, tenants] of bad) {
    const who = [...tenants].join(', ') || 'unknown';
    const why = `${iri} is not in the DCAT-AP.de contributor list (http://dcat-ap.de/def/contributors, version ${CONTRIBUTORS.version}): GovData cannot file these datasets under a known data provider (Konvention 12/13). The id is the one stored for tenant ${who}, from before the admin API checked it; set the tenant's contributorId to an IRI of that list (PUT /admin/v1/tenants/{id}).`;
    const shacl = results.filter((r) => r.focusNode === iri && r.message.includes('contributorID'));
    for (const r of shacl) r.message = `${r.message} ${why}`;
    if (!shacl.length) results.push({ severity: 'Warning', focusNode: iri, path: CONTRIBUTOR_ID, message: why, shape: null, value: iri });
  }
}

export class FeedValidator {
  private validators = new Map<ShapeSet, Promise<SHACLValidator>>();
  private vocab?: Promise<Quad[]>;

  constructor(private readonly schemaDir: string) {}

  private shapes(profile: ShapeSet): Promise<SHACLValidator> {
    let v = this.validators.get(profile);
    if (!v) {
      v = (async () => {
        const dataset = rdf.dataset();
        const files = [...SHAPES[profile].map((f) => join(this.schemaDir, 'dcat-ap-de', f)), ...(OWN_SHAPES[profile] ?? [])];
        for (const f of files) for (const q of await load(f)) if (q.predicate.value !== OWL_IMPORTS) dataset.add(q);
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

  async validate(quads: Quad[], profile: ShapeSet): Promise<ShaclResult> {
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
    if (profile !== 'dcat-ap-3.0-recommended') explainContributors(quads, results);
    const count = (s: string) => results.filter((r) => r.severity === s).length;
    return { profile, conforms: count('Violation') === 0, violations: count('Violation'), warnings: count('Warning'), infos: count('Info'), results };
  }
}
