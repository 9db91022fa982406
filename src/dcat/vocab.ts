// Namespaces and controlled vocabularies of the feed (DCAT-AP.de 3.0, DCAT-AP.PLU 0.2.4, Hydra).
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

/** File types of the EU list for the media types the feed links. */
export const FILE_TYPE_BY_MEDIA: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/gml+xml': 'GML',
  'application/geo+json': 'GEOJSON',
  'application/json': 'JSON',
  'text/csv': 'CSV',
  'application/zip': 'ZIP',
  'text/html': 'HTML',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'application/xml': 'XML',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/msword': 'DOC',
};
