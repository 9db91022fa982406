// Namespaces and controlled vocabularies of the feed (DCAT-AP.de 3.0, DCAT-AP.PLU 0.2.4, Hydra).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataFactory } from 'rdf-data-factory';
import type { NamedNode } from '@rdfjs/types';

// RDF/JS terms with plain fields: n3's own terms re-parse their id string on every read of
// value/language/datatype, which the serialisers do for each of the 7 800 quads of a page.
const factory = new DataFactory();
export const terms = {
  namedNode: factory.namedNode.bind(factory),
  literal: factory.literal.bind(factory),
  blankNode: factory.blankNode.bind(factory),
  quad: factory.quad.bind(factory),
};
const { namedNode } = terms;
// one term per vocabulary IRI, made once: a page uses the same few hundred terms 7 800 times
const ns = (base: string) => {
  const made = new Map<string, NamedNode>();
  return (local: string): NamedNode => {
    let term = made.get(local);
    if (!term) made.set(local, (term = namedNode(base + local)));
    return term;
  };
};

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  dcatde: 'http://dcat-ap.de/def/dcatde/',
  dcatap: 'http://data.europa.eu/r5r/',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  locn: 'http://www.w3.org/ns/locn#',
  adms: 'http://www.w3.org/ns/adms#',
  plu: 'http://specs.diplanung.de/plu/',
  gsp: 'http://www.opengis.net/ont/geosparql#',
} as const;

export const rdf = ns(NS.rdf);
export const xsd = ns(NS.xsd);
export const dcat = ns(NS.dcat);
export const dct = ns(NS.dct);
export const foaf = ns(NS.foaf);
export const vcard = ns(NS.vcard);
export const dcatde = ns(NS.dcatde);
export const hydra = ns(NS.hydra);
export const plu = ns(NS.plu);

export const EU = {
  theme: (code: string) => namedNode(`http://publications.europa.eu/resource/authority/data-theme/${code}`),
  fileType: (code: string) => namedNode(`http://publications.europa.eu/resource/authority/file-type/${code}`),
  language: (code: string) => namedNode(`http://publications.europa.eu/resource/authority/language/${code}`),
  accessRight: (code: string) => namedNode(`http://publications.europa.eu/resource/authority/access-right/${code}`),
};

export const mediaType = (type: string) => namedNode(`https://www.iana.org/assignments/media-types/${type}`);
export const licence = (iri: string) => namedNode(iri);
export const DEFAULT_LICENCE = 'http://dcat-ap.de/def/licenses/dl-by-de/2.0';
export const LOCAL_AUTHORITY = namedNode('http://purl.org/adms/publishertype/LocalAuthority');
export const municipalityKey = (ags: string) => namedNode(`http://dcat-ap.de/def/politicalGeocoding/municipalityKey/${ags}`);
export const MUNICIPALITY_LEVEL = namedNode('http://dcat-ap.de/def/politicalGeocoding/Level/municipality');
export const PLU = {
  procedureState: (id: string) => namedNode(`https://specs.diplanung.de/resource/procedureState#${id}`),
  planState: (id: string) => namedNode(`https://specs.diplanung.de/resource/planState#${id}`),
  processStepType: (id: string) => namedNode(`https://specs.diplanung.de/resource/processStepType#${id}`),
  planType: (id: string) => namedNode(`https://specs.diplanung.de/resource/planType#${id}`),
  procedureType: (id: string) => namedNode(`https://specs.diplanung.de/resource/procedureType#${id}`),
  docType: (id: string) => namedNode(`https://specs.diplanung.de/resource/docType#${id}`),
};

/** DCAT-AP.PLU 0.2.4 docType (codelists/docType.xml): the kinds of document a plan's distribution may name. */
const PLU_DOC_TYPES = new Set([
  'announcement', 'explanatoryReport', 'planDrawing', 'participationURL', 'procedureURL', 'xplanArchive', 'xplanGML', 'functionalPlan',
  'costAssumptionContract', 'urbanDevelopmentContract', 'implementationContract', 'propertyDevelopmentContract', 'contract', 'expertReport',
  'roughCoordinationPaper', 'supplementaryDocument', 'ordinanceDesignation', 'coverLetter', 'coverLetterParticipationProcedure', 'transcript',
  'summaryStatement', 'finalNotice', 'preliminaryPlanningApproval', 'decisionForPublicDisplay', 'declaratoryDecision', 'resolutionOnRevocation',
  'statement', 'publication', 'printedMatter', 'presentation', 'substantiation', 'internalMemo', 'meetingDocuments', 'otherDocuments', 'unknown',
]);

/**
 * XPlanung XP_ExterneReferenzTyp codes (a document mapped from a pushed plan keeps its `typ` as docType)
 * whose kind the PLU list names too, by the two lists' German labels. The others (Beschreibung, Satzung,
 * Karte, Beschluss, Bekanntmachung, Umweltbericht …) have no unambiguous counterpart and get none.
 */
const PLU_DOC_TYPE_BY_XPLANUNG: Record<string, string> = {
  '1010': 'substantiation', // Begründung
  '1030': 'planDrawing', // Rechtsplan: the plan drawing
  '1065': 'ordinanceDesignation', // Verordnung
  '1080': 'explanatoryReport', // Erläuterung(sbericht)
  '1090': 'summaryStatement', // zusammenfassende Erklärung
  '2400': 'propertyDevelopmentContract', // Erschließungsvertrag
  '2500': 'implementationContract', // Durchführungsvertrag
  '2600': 'urbanDevelopmentContract', // städtebaulicher Vertrag
  '2700': 'statement', // umweltbezogene Stellungnahmen
  '9999': 'otherDocuments', // Informell
};

/** The PLU docType of a procedure document's docType: itself when it is one, its XPlanung counterpart, or none. */
export function pluDocType(docType: string | undefined): string | undefined {
  if (!docType) return undefined;
  return PLU_DOC_TYPES.has(docType) ? docType : PLU_DOC_TYPE_BY_XPLANUNG[docType];
}

// Code lists kept as files (src/dcat/codelists/, each naming its source), read once.
const codelist = <T>(file: string): T => JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'codelists', file), 'utf8')) as T;

interface FileTypeRow { fileType: string; mediaType: string; extensions: string[]; label: string }
const FILE_TYPES = codelist<{ types: FileTypeRow[]; mediaTypeAliases: Record<string, string> }>('file-types.json');
const BY_MEDIA = new Map(FILE_TYPES.types.map((t) => [t.mediaType, t]));
const BY_EXTENSION = new Map(FILE_TYPES.types.flatMap((t) => t.extensions.map((e) => [e, t] as const)));
const OCTET = BY_MEDIA.get('application/octet-stream')!;

export interface FileKind {
  /** IANA media type for dcat:mediaType. */
  mediaType: string;
  /** Code of the EU file-type table for dct:format. */
  fileType: string;
  /** German name of the kind, for the distribution's description. */
  label: string;
}

/**
 * The media type and EU file type of a linked file: its declared media type when the table knows it,
 * else the extension of its URL's path (documents are often sent without a media type, or as
 * application/octet-stream), else OCTET. A declared type the table does not know is kept as the
 * media type: it is what the server says, only the format is unnamed.
 */
export function fileKindOf(media: string | undefined, url?: string): FileKind {
  const declared = media?.split(';')[0]!.trim().toLowerCase();
  const known = declared ? BY_MEDIA.get(FILE_TYPES.mediaTypeAliases[declared] ?? declared) : undefined;
  if (known && known !== OCTET) return { mediaType: known.mediaType, fileType: known.fileType, label: known.label };
  let path = '';
  try { path = url ? new URL(url).pathname : ''; } catch { /* not a URL: no extension */ }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  const byExt = ext ? BY_EXTENSION.get(ext) : undefined;
  if (byExt) return { mediaType: byExt.mediaType, fileType: byExt.fileType, label: byExt.label };
  return { mediaType: declared && /^[a-z]+\/[a-z0-9.+-]+$/.test(declared) ? declared : OCTET.mediaType, fileType: OCTET.fileType, label: OCTET.label };
}

interface VocabularyList { source: string; version: string; concepts: Record<string, string> }
/** DCAT-AP.de contributor list (dcatde:contributorID): IRI → name. */
export const CONTRIBUTORS = codelist<VocabularyList>('dcat-ap-de-contributors.json');
/** DCAT-AP.de licence list (dct:license, Konvention 32): IRI → German name. */
export const LICENCES = codelist<VocabularyList>('dcat-ap-de-licenses.json');

/**
 * dcatap:availability of every distribution: EU planned-availability AVAILABLE ("available for the
 * medium term"). The gateway serves each distribution as long as its procedure is published; a
 * withdrawn procedure takes its distributions with it (a tombstone in /dcat/deletions), so no
 * long-term promise (STABLE) is made, and none is short-lived by design (TEMPORARY, EXPERIMENTAL).
 */
export const AVAILABILITY = namedNode('http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE');
export const dcatap = ns(NS.dcatap);

/**
 * The country every tenant of the portal lies in, as the catalogue's dct:spatial (EU country table),
 * with bounding box and centroid (WGS84): the extreme points of Germany and its geographic centre
 * (Niederdorla, Thuringia).
 */
export const GERMANY = {
  iri: namedNode('http://publications.europa.eu/resource/authority/country/DEU'),
  bbox: [5.8663, 47.2701, 15.0419, 55.0584] as [number, number, number, number],
  centroid: [10.4477, 51.1634] as [number, number],
};

/**
 * Where a tenant's DCAT fields leave the DCAT-AP.de vocabularies: GovData's harvester files a dataset
 * under its dcatde:contributorID (Konvention 12/13) and takes only licences of its list (K32), so a
 * value outside them is refused when a tenant is created or changed. Tenants stored earlier keep
 * working; the feed's validation report says what is wrong with them (explainResult).
 */
export function tenantVocabularyErrors(tenant: { contributorId?: string; licence?: string }): Array<{ pointer: string; detail: string }> {
  const errors: Array<{ pointer: string; detail: string }> = [];
  if (tenant.contributorId !== undefined && !(tenant.contributorId in CONTRIBUTORS.concepts)) {
    errors.push({ pointer: '/contributorId', detail: `${tenant.contributorId} is not in the DCAT-AP.de contributor list (http://dcat-ap.de/def/contributors, version ${CONTRIBUTORS.version}); use one of its IRIs, e.g. http://dcat-ap.de/def/contributors/freistaatSachsen, or leave the field out` });
  }
  if (tenant.licence !== undefined && !(tenant.licence in LICENCES.concepts)) {
    errors.push({ pointer: '/licence', detail: `${tenant.licence} is not in the DCAT-AP.de licence list (http://dcat-ap.de/def/licenses, version ${LICENCES.version}); use one of its IRIs, e.g. http://dcat-ap.de/def/licenses/dl-by-de/2.0` });
  }
  return errors;
}
