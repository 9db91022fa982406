// The feed as RDF quads: the catalogue, one dcat:Dataset per live procedure (plan procedures with
// the DCAT-AP.PLU properties), one per tenant's Mängelmelder reports, the data services, and the
// Hydra paging node. Plain functions over the portal's model; serialisation is serialize.ts.
import type { BlankNode, NamedNode, Quad, Quad_Object, Quad_Subject } from '@rdfjs/types';
import type { Phase, Procedure, Tenant } from '../core/model.ts';
import { AVAILABILITY, DEFAULT_LICENCE, EU, GERMANY, LOCAL_AUTHORITY, dcatap, fileKindOf, MUNICIPALITY_LEVEL, NS, PLU, dcat, pluDocType, dcatde, dct, foaf, hydra, mediaType, municipalityKey, plu, rdf, terms, vcard, xsd } from './vocab.ts';

const { namedNode, literal, blankNode, quad } = terms;

export type Profile = 'dcat-ap-de-3.0' | 'dcat-ap-de-2.0';
export const PROFILES: readonly Profile[] = ['dcat-ap-de-3.0', 'dcat-ap-de-2.0'];

/** The portal operator's own contact (GATEWAY_PORTAL_CONTACT_*): for datasets of tenants without one, and the data services. */
export interface PortalContact { name?: string; email?: string; url?: string }

export interface FeedContext {
  base: string;
  profile: Profile;
  portalContact?: PortalContact;
}

/**
 * Collects the quads of one answer. Resources that many datasets share (a publisher, a municipality key,
 * a standard) are described once per graph through `once`; everything else is unique by construction
 * (tested: a page holds no triple twice), which spares a set lookup for each of a page's 7 800 quads.
 * Blank node labels are unique per graph.
 */
export class Graph {
  readonly quads: Quad[] = [];
  private readonly described = new Set<string>();
  private bnodes = 0;
  add(s: Quad_Subject, p: NamedNode, o: Quad_Object): void {
    this.quads.push(quad(s, p, o));
  }
  /** True the first time `subject` is asked for: describe it then. */
  once(subject: NamedNode): boolean {
    if (this.described.has(subject.value)) return false;
    this.described.add(subject.value);
    return true;
  }
  blank(): BlankNode { return blankNode(`b${++this.bnodes}`); }
  text(s: Quad_Subject, p: NamedNode, value: string | undefined | null, lang = 'de'): void {
    if (value) this.add(s, p, literal(value, lang));
  }
}

const dateTime = (v: string) => literal(v, xsd('dateTime'));
const date = (v: string) => literal(v, xsd('date'));

export const datasetIri = (base: string, id: string) => namedNode(`${base}/dcat/datasets/${id}`);
export const publisherIri = (base: string, tenant: string) => namedNode(`${base}/dcat/publishers/${tenant}`);
export const catalogIri = (base: string, tenant?: string) => namedNode(tenant ? `${base}/dcat/tenants/${tenant}/catalog` : `${base}/dcat/catalog`);

const PLAN_KIND_LABEL: Record<string, string> = {
  bebauungsplan: 'Bebauungsplan', vorhabenbezogener_bplan: 'Vorhabenbezogener Bebauungsplan', vorhaben_und_erschliessungsplan: 'Vorhaben- und Erschließungsplan',
  ergaenzungssatzung: 'Ergänzungssatzung', entwicklungssatzung: 'Entwicklungssatzung', klarstellungssatzung: 'Klarstellungssatzung', aussenbereichssatzung: 'Außenbereichssatzung',
  oertliche_bauvorschrift: 'Örtliche Bauvorschrift', flaechennutzungsplan: 'Flächennutzungsplan', sonstiger_plan: 'Sonstiger Plan', regionalplan: 'Regionalplan',
  braunkohlenplan: 'Braunkohlenplan', landesentwicklungsplan: 'Landesentwicklungsplan', planfeststellung: 'Planfeststellung', dialog: 'Dialog', umfrage: 'Umfrage',
  veranstaltung: 'Veranstaltung', meldeverfahren: 'Meldeverfahren',
};
const PLU_PLAN_TYPE: Record<string, string> = {
  bebauungsplan: 'developmentPlan', vorhabenbezogener_bplan: 'developmentPlan', vorhaben_und_erschliessungsplan: 'developmentPlan',
  ergaenzungssatzung: 'urbanPlanningStatutes', entwicklungssatzung: 'urbanPlanningStatutes', klarstellungssatzung: 'urbanPlanningStatutes', aussenbereichssatzung: 'urbanPlanningStatutes',
  oertliche_bauvorschrift: 'other', flaechennutzungsplan: 'landUsePlan', sonstiger_plan: 'other', regionalplan: 'spatialPlan', braunkohlenplan: 'spatialPlan', landesentwicklungsplan: 'spatialPlan',
};
const PLU_PROCEDURE_TYPE: Record<string, string> = {
  normal: 'regular', vereinfacht_13: 'simplified', innenentwicklung_13a: 'innerDevPlan', aussenbereich_13b: 'outdoorArea', aenderung: 'revision',
  teilfortschreibung: 'partialExtrapolation', neuaufstellung: 'newPreparation', gesamtfortschreibung: 'completeExtrapolation', aktualisierung: 'update', neubekanntmachung: 'newAnnouncement',
};
const STEP_TYPE = (p: Phase): string => {
  if (p.kind === 'fruehzeitige_beteiligung') return p.audience === 'toeb' ? 'earlyInvolveAuth' : 'earlyPublicPart';
  if (p.kind === 'veroeffentlichung') return 'publicDisclosure';
  if (p.kind === 'toeb_beteiligung') return 'publicAgencies';
  if (p.kind === 'inkrafttreten') return 'completed';
  return 'internal';
};
const PHASE_LABEL: Record<string, string> = {
  aufstellungsbeschluss: 'Aufstellungsbeschluss', fruehzeitige_beteiligung: 'Frühzeitige Beteiligung', entwurfsbeschluss: 'Entwurfsbeschluss', veroeffentlichung: 'Veröffentlichung (Auslegung)',
  toeb_beteiligung: 'Beteiligung der Träger öffentlicher Belange', abwaegung: 'Abwägung', satzungsbeschluss: 'Satzungsbeschluss', feststellungsbeschluss: 'Feststellungsbeschluss',
  genehmigung: 'Genehmigung', inkrafttreten: 'Inkrafttreten', eingestellt: 'Eingestellt', beteiligung: 'Beteiligung',
};

/** [minLon, minLat, maxLon, maxLat] of a GeoJSON geometry. */
export function bboxOf(geometry: { coordinates?: unknown } | null | undefined): [number, number, number, number] | null {
  if (!geometry?.coordinates) return null;
  const flat: number[][] = [];
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') flat.push(c as number[]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(geometry.coordinates);
  if (!flat.length) return null;
  const xs = flat.map((c) => c[0]!);
  const ys = flat.map((c) => c[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

const wktBox = ([w, s, e, n]: [number, number, number, number]) => literal(`POLYGON((${w} ${s}, ${e} ${s}, ${e} ${n}, ${w} ${n}, ${w} ${s}))`, namedNode(`${NS.gsp}wktLiteral`));
const round7 = (v: number) => Math.round(v * 1e7) / 1e7; // ~1 cm: more digits are noise from the arithmetic
const wktPoint = ([x, y]: [number, number]) => literal(`POINT(${round7(x)} ${round7(y)})`, namedNode(`${NS.gsp}wktLiteral`));
const boxCentre = ([w, s, e, n]: [number, number, number, number]): [number, number] => [(w + e) / 2, (s + n) / 2];

/**
 * Centroid of a GeoJSON geometry in its own coordinates: area-weighted over the polygons (holes
 * subtract), length-weighted over lines, the mean of points; the centre of its bounding box when
 * all that is degenerate. Planar in lon/lat: for a plan area of a few km the error is far below
 * what dcat:centroid is used for (placing a marker, a proximity search).
 */
export function centroidOf(geometry: { type?: string; coordinates?: unknown } | null | undefined): [number, number] | null {
  const box = bboxOf(geometry);
  if (!geometry?.type || !box) return null;
  const c = geometry.coordinates as never;
  let a = 0, ax = 0, ay = 0;
  const ring = (r: number[][], sign: number) => {
    let ra = 0, rx = 0, ry = 0;
    for (let i = 0; i + 1 < r.length; i++) {
      const [x0, y0] = r[i]!, [x1, y1] = r[i + 1]!;
      const cross = x0! * y1! - x1! * y0!;
      ra += cross; rx += (x0! + x1!) * cross; ry += (y0! + y1!) * cross;
    }
    // orientation is not trusted (RFC 7946 only recommends it): the outer ring adds, holes subtract
    const k = sign * Math.sign(ra);
    a += k * ra / 2; ax += k * rx / 6; ay += k * ry / 6;
  };
  const polygon = (rings: number[][][]) => rings.forEach((r, i) => ring(r, i === 0 ? 1 : -1));
  if (geometry.type === 'Polygon') polygon(c);
  else if (geometry.type === 'MultiPolygon') (c as number[][][][]).forEach(polygon);
  if (a > 0) return [ax / a, ay / a];
  const lines: number[][][] = geometry.type === 'LineString' ? [c] : geometry.type === 'MultiLineString' ? c : [];
  let len = 0, lx = 0, ly = 0;
  for (const l of lines) for (let i = 0; i + 1 < l.length; i++) {
    const [x0, y0] = l[i]!, [x1, y1] = l[i + 1]!;
    const d = Math.hypot(x1! - x0!, y1! - y0!);
    len += d; lx += d * (x0! + x1!) / 2; ly += d * (y0! + y1!) / 2;
  }
  if (len > 0) return [lx / len, ly / len];
  const points: number[][] = geometry.type === 'Point' ? [c] : geometry.type === 'MultiPoint' ? c : [];
  if (points.length) return [points.reduce((s, p) => s + p[0]!, 0) / points.length, points.reduce((s, p) => s + p[1]!, 0) / points.length];
  return boxCentre(box);
}

export function publisher(g: Graph, base: string, tenant: Tenant): NamedNode {
  const iri = publisherIri(base, tenant.id);
  if (!g.once(iri)) return iri;
  g.add(iri, rdf('type'), foaf('Agent'));
  g.add(iri, rdf('type'), foaf('Organization'));
  g.add(iri, foaf('name'), literal(tenant.name));
  g.add(iri, dct('type'), LOCAL_AUTHORITY);
  return iri;
}

/** The tenant's contact; for a tenant without one the portal's own (a harvester shows no dataset without a way to ask). */
function contactPoint(g: Graph, subject: NamedNode, tenant: Tenant | null, ctx: FeedContext): void {
  const own = tenant?.contact?.email || tenant?.contact?.url ? tenant.contact : undefined;
  const contact = own ?? ctx.portalContact;
  if (!contact?.email && !contact?.url) return;
  const c = g.blank();
  g.add(subject, dcat('contactPoint'), c);
  g.add(c, rdf('type'), vcard('Organization'));
  g.add(c, vcard('fn'), literal(contact.name ?? (own && tenant ? tenant.name : 'Beteiligungsportal (Betreiber)')));
  if (contact.email) g.add(c, vcard('hasEmail'), namedNode(`mailto:${contact.email}`));
  if (contact.url) g.add(c, vcard('hasURL'), namedNode(contact.url));
}

function spatial(g: Graph, subject: NamedNode, tenant: Tenant, bbox: [number, number, number, number] | null, centroid: [number, number] | null, ctx: FeedContext): void {
  const ags = tenant.ags?.[0];
  if (ags) {
    const key = municipalityKey(ags);
    g.add(subject, dct('spatial'), key);
    if (g.once(key)) {
      g.add(key, rdf('type'), dct('Location'));
      // the tenant's territory is this municipality's only when it plans for that one alone
      const territory = tenant.ags!.length === 1 ? tenant.area : undefined;
      const box = bboxOf(territory);
      const centre = centroidOf(territory);
      if (box && centre) {
        g.add(key, dcat('bbox'), wktBox(box));
        g.add(key, dcat('centroid'), wktPoint(centre));
      }
    }
    g.add(subject, dcatde('politicalGeocodingLevelURI'), MUNICIPALITY_LEVEL);
    if (ctx.profile === 'dcat-ap-de-2.0') g.add(subject, dcatde('politicalGeocodingURI'), key); // K08 of the 2.0 conventions
  }
  if (bbox) {
    const loc = g.blank();
    g.add(subject, dct('spatial'), loc);
    g.add(loc, rdf('type'), dct('Location'));
    g.add(loc, dcat('bbox'), wktBox(bbox));
    if (centroid) g.add(loc, dcat('centroid'), wktPoint(centroid));
  }
}

/** `media`: the declared media type, if any (see fileKindOf); `description`: what the file holds, without its format. */
interface DistributionSpec { title: string; description: string; url: string; media?: string; download?: boolean; byteSize?: number; conformsTo?: string; docType?: string; service?: NamedNode }

function distribution(g: Graph, dataset: NamedNode, iri: NamedNode, d: DistributionSpec, licenceIri: string, ctx: FeedContext, isPlan: boolean): void {
  const kind = fileKindOf(d.media, d.url);
  g.add(dataset, dcat('distribution'), iri);
  g.add(iri, rdf('type'), dcat('Distribution'));
  g.text(iri, dct('title'), d.title);
  g.text(iri, dct('description'), `${d.description}. Format: ${kind.label}.`);
  g.add(iri, dcat('accessURL'), namedNode(d.url));
  if (d.download !== false) g.add(iri, dcat('downloadURL'), namedNode(d.url));
  g.add(iri, dcat('mediaType'), mediaType(kind.mediaType));
  g.add(iri, dct('format'), EU.fileType(kind.fileType));
  g.add(iri, dct('license'), namedNode(licenceIri));
  g.add(iri, dcatap('availability'), AVAILABILITY);
  if (d.service) {
    // served through one of the gateway's APIs: the service names the dataset it serves
    g.add(iri, dcat('accessService'), d.service);
    g.add(d.service, dcat('servesDataset'), dataset);
  }
  if (d.byteSize !== undefined) {
    // the one 2.x/3.0 conflict: 3.0 wants xsd:nonNegativeInteger, 2.x xsd:decimal
    g.add(iri, dcat('byteSize'), literal(String(d.byteSize), xsd(ctx.profile === 'dcat-ap-de-2.0' ? 'decimal' : 'nonNegativeInteger')));
  }
  if (d.conformsTo) {
    const std = namedNode(d.conformsTo);
    g.add(iri, dct('conformsTo'), std);
    if (g.once(std)) g.add(std, rdf('type'), dct('Standard'));
  }
  if (isPlan && d.docType) g.add(iri, plu('docType'), PLU.docType(d.docType));
}

/**
 * The licence of a dataset's distributions, on the dataset too: ckanext-dcat fills CKAN's license_id
 * from the first distribution whose dct:license its licence register knows; the dataset's own
 * dct:license is what DCAT-AP.de consumers and the GovData dashboard read at dataset level.
 */
function datasetLicence(g: Graph, dataset: NamedNode, tenant: Tenant): string {
  const licence = tenant.licence ?? DEFAULT_LICENCE;
  g.add(dataset, dct('license'), namedNode(licence));
  return licence;
}

export interface ProcedureExtras {
  /** The plan the procedure was pushed as, for the source distribution. */
  source?: { url: string; contentType: string; size: number; xplanVersion: string };
  /** Whether the XPlanung export can write this procedure. */
  exportable: boolean;
}

export function procedureDataset(g: Graph, p: Procedure, tenant: Tenant, extras: ProcedureExtras, ctx: FeedContext): NamedNode {
  const { base } = ctx;
  const iri = datasetIri(base, p.id);
  const kind = PLAN_KIND_LABEL[p.planKind] ?? p.planKind;
  const isPlan = p.family === 'bauleitplanung' || p.family === 'raumordnung';
  g.add(iri, rdf('type'), dcat('Dataset'));
  g.text(iri, dct('title'), p.title);
  g.text(iri, dct('description'), p.description ?? `${kind} „${p.title}“ von ${tenant.name}: Verfahren im Beteiligungsportal, Stand ${p.status}.`);
  g.add(iri, dct('identifier'), literal(iri.value));
  g.add(iri, dct('publisher'), publisher(g, base, tenant));
  if (tenant.contributorId) g.add(iri, dcatde('contributorID'), namedNode(tenant.contributorId));
  g.add(iri, dcat('theme'), EU.theme(isPlan ? 'REGI' : 'GOVE'));
  for (const k of new Set([kind, 'Bürgerbeteiligung', isPlan ? 'Bauleitplanung' : 'Beteiligung', ...(p.number ? [`Nr. ${p.number}`] : [])])) g.text(iri, dcat('keyword'), k);
  g.add(iri, dct('issued'), dateTime(p.created));
  g.add(iri, dct('modified'), dateTime(p.modified));
  g.add(iri, dct('language'), EU.language('DEU'));
  g.add(iri, dct('accessRights'), EU.accessRight('PUBLIC'));
  if (p.participationUrl) g.add(iri, dcat('landingPage'), namedNode(p.participationUrl));
  contactPoint(g, iri, tenant, ctx);
  spatial(g, iri, tenant, bboxOf(p.area), centroidOf(p.area), ctx);

  const starts = p.phases.map((x) => x.start).sort();
  if (starts.length) {
    const t = g.blank();
    g.add(iri, dct('temporal'), t);
    g.add(t, rdf('type'), dct('PeriodOfTime'));
    g.add(t, dcat('startDate'), date(starts[0]!));
    const ends = p.phases.map((x) => x.end ?? x.start).sort();
    if (p.phases.every((x) => x.end || ['aufstellungsbeschluss', 'entwurfsbeschluss', 'satzungsbeschluss', 'feststellungsbeschluss', 'genehmigung', 'inkrafttreten', 'eingestellt', 'abwaegung'].includes(x.kind))) {
      g.add(t, dcat('endDate'), date(ends[ends.length - 1]!));
    }
  }

  const licenceIri = datasetLicence(g, iri, tenant);
  const ofProcedure = p.title.includes(kind) ? `„${p.title}“` : `${kind} „${p.title}“`;
  let distributions = 0;
  const add = (id: string, d: DistributionSpec) => { distribution(g, iri, namedNode(`${iri.value}/distributions/${id}`), d, licenceIri, ctx, isPlan); distributions++; };
  if (extras.exportable) {
    add('xplangml', {
      title: `${kind} als XPlanGML 6.0`, description: `${ofProcedure} als XPlanGML 6.0, aus den Verfahrensdaten erzeugt (Geltungsbereich, Verfahrensschritte, Unterlagen)`,
      url: `${base}/xplanung/v1/tenants/${tenant.id}/procedures/${p.id}.gml?version=6.0`, media: 'application/gml+xml',
      conformsTo: 'http://www.xplanung.de/xplangml/6/0', docType: 'xplanGML', service: namedNode(`${base}/dcat/services/xplanung`),
    });
  }
  if (extras.source) {
    const archive = extras.source.contentType.includes('zip');
    add('source', {
      title: `Übermittelter Plan (XPlanGML ${extras.source.xplanVersion})`, description: `${ofProcedure}: der Plan, wie ihn die Kommune übermittelt hat (XPlanGML ${extras.source.xplanVersion}${archive ? ' als XPlanArchiv' : ''})`,
      url: extras.source.url, media: extras.source.contentType, byteSize: extras.source.size, docType: archive ? 'xplanArchive' : 'xplanGML',
    });
  }
  if (p.area) {
    add('area', { title: 'Geltungsbereich (GeoJSON, WGS84)', description: `Geltungsbereich von ${ofProcedure} als GeoJSON-Feature in WGS84 mit Titel, Art und Stand des Verfahrens`, url: `${iri.value}/area.geojson`, media: 'application/geo+json' });
  }
  (p.documents ?? []).forEach((d, i) => {
    add(`document-${i + 1}`, { title: d.title, description: `Unterlage „${d.title}“ zu ${ofProcedure}`, url: d.url, media: d.mimeType, download: true, docType: pluDocType(d.docType) });
  });
  if (!distributions) {
    // An informal procedure may have no area and no documents yet. Harvesters skip a dataset without
    // a distribution (CKAN: no resource, no licence_id) although its data, the procedure and its
    // steps, is public: its participation page carries it, or else the feed's own record of it.
    if (p.participationUrl) {
      add('participation-page', { title: 'Beteiligungsseite des Verfahrens', description: `Seite von ${ofProcedure} im Beteiligungsportal: Stand, Termine und Unterlagen, mit der Möglichkeit zur Stellungnahme`, url: p.participationUrl, media: 'text/html', download: false, docType: isPlan ? 'participationURL' : undefined });
    } else {
      add('record', { title: 'Verfahrensdaten (JSON-LD)', description: `Die offenen Daten von ${ofProcedure}: Titel, Beschreibung, Stand und Verfahrensschritte mit ihren Zeiträumen`, url: `${iri.value}.jsonld`, media: 'application/ld+json' });
    }
  }

  if (isPlan) pluProperties(g, iri, p);
  return iri;
}

const DATED_ACTS = new Set(['aufstellungsbeschluss', 'entwurfsbeschluss', 'satzungsbeschluss', 'feststellungsbeschluss', 'genehmigung', 'inkrafttreten', 'eingestellt']);

/** DCAT-AP.PLU: procedure and plan state, plan type, and one process step per phase with its pass number and period. */
function pluProperties(g: Graph, iri: NamedNode, p: Procedure): void {
  const kinds = new Set(p.phases.map((x) => x.kind));
  const procedureState = kinds.has('eingestellt') ? 'discontinued' : p.status === 'Beschluss' ? 'completed' : p.status === 'Ankündigung' && p.phases.length === 0 ? 'planned' : 'ongoing';
  const planState = kinds.has('eingestellt') ? 'discontinued' : kinds.has('inkrafttreten') ? 'fixed' : 'inPreparation';
  g.add(iri, plu('procedureState'), PLU.procedureState(procedureState));
  g.add(iri, plu('planState'), PLU.planState(planState));
  g.add(iri, plu('planName'), literal(p.title));
  const planType = PLU_PLAN_TYPE[p.planKind];
  if (planType) g.add(iri, plu('planType'), PLU.planType(planType));
  if (p.verfahrensart && PLU_PROCEDURE_TYPE[p.verfahrensart]) g.add(iri, plu('procedureType'), PLU.procedureType(PLU_PROCEDURE_TYPE[p.verfahrensart]!));
  p.phases.forEach((ph, i) => {
    const step = namedNode(`${iri.value}#step-${i + 1}`);
    g.add(iri, plu('processStep'), step);
    g.add(step, rdf('type'), plu('ProcessStep'));
    g.add(step, dct('identifier'), literal(`step-${i + 1}`));
    g.add(step, dct('title'), literal(`${PHASE_LABEL[ph.kind] ?? ph.kind}${(ph.durchgang ?? 1) > 1 ? ` (${ph.durchgang}. Durchgang)` : ''}`, 'de'));
    g.add(step, plu('processStepType'), PLU.processStepType(STEP_TYPE(ph)));
    g.add(step, plu('passNumber'), literal(String(ph.durchgang ?? 1), xsd('integer')));
    const t = g.blank();
    g.add(step, dct('temporal'), t);
    g.add(t, rdf('type'), dct('PeriodOfTime'));
    g.add(t, dcat('startDate'), date(ph.start));
    // a resolution, approval or entry into force is an act of one day: it ends when it starts
    const end = ph.end ?? (DATED_ACTS.has(ph.kind) ? ph.start : undefined);
    if (end) g.add(t, dcat('endDate'), date(end));
  });
}

export interface ReportSummary { count: number; lastModified: string | null; bbox: [number, number, number, number] | null }

/** The released Mängelmelder reports of a tenant, with CSV, GeoJSON and Open311 JSON distributions. */
export function open311Dataset(g: Graph, tenant: Tenant, summary: ReportSummary, ctx: FeedContext): NamedNode {
  const { base } = ctx;
  const iri = datasetIri(base, `open311-${tenant.id}`);
  g.add(iri, rdf('type'), dcat('Dataset'));
  g.text(iri, dct('title'), `Mängelmelder ${tenant.name}`);
  g.text(iri, dct('description'), `Veröffentlichte Meldungen von Mängeln im öffentlichen Raum (Schlaglöcher, Wegweiser, Müll …) an ${tenant.name}, mit Kategorie, Ort, Status und Bearbeitungshinweis; ohne personenbezogene Daten. ${summary.count} Meldungen.`);
  g.add(iri, dct('identifier'), literal(iri.value));
  g.add(iri, dct('publisher'), publisher(g, base, tenant));
  if (tenant.contributorId) g.add(iri, dcatde('contributorID'), namedNode(tenant.contributorId));
  g.add(iri, dcat('theme'), EU.theme('GOVE'));
  g.add(iri, dcat('theme'), EU.theme('TRAN'));
  for (const k of ['Mängelmelder', 'Open311', 'Infrastruktur']) g.text(iri, dcat('keyword'), k);
  if (summary.lastModified) g.add(iri, dct('modified'), dateTime(summary.lastModified));
  g.add(iri, dct('language'), EU.language('DEU'));
  g.add(iri, dct('accessRights'), EU.accessRight('PUBLIC'));
  contactPoint(g, iri, tenant, ctx);
  // the reports' extent: the centre of their bounding box stands for where they are
  spatial(g, iri, tenant, summary.bbox, summary.bbox ? boxCentre(summary.bbox) : null, ctx);
  const licenceIri = datasetLicence(g, iri, tenant);
  const q = `?jurisdiction_id=${encodeURIComponent(tenant.id)}`;
  const about = `Veröffentlichte Mängelmeldungen an ${tenant.name} mit Kategorie, Ort, Status und Bearbeitungshinweis`;
  const list: Array<[string, string, string, string]> = [
    ['csv', 'text/csv', 'Meldungen als CSV', `${about}, eine Zeile je Meldung`],
    ['geojson', 'application/geo+json', 'Meldungen als GeoJSON', `${about}, ein Punkt-Feature je Meldung`],
    ['json', 'application/json', 'Meldungen im Open311-Format (JSON)', `${about}, im Format von Open311 GeoReport v2`],
  ];
  for (const [ext, media, title, description] of list) {
    distribution(g, iri, namedNode(`${iri.value}/distributions/${ext}`), {
      title, description, url: `${base}/open311/v2/requests.${ext}${q}`, media, ...(ext === 'json' ? { service: namedNode(`${base}/dcat/services/open311`) } : {}),
    }, licenceIri, ctx, false);
  }
  return iri;
}

/** The Open311 API and the XPlanung endpoints as dcat:DataService. */
export function dataServices(g: Graph, catalog: NamedNode, operator: NamedNode, ctx: FeedContext): void {
  const { base } = ctx;
  // dcat:servesDataset comes with each dataset whose distribution the service delivers (see distribution())
  const services: Array<[string, string, string, string, string, string[], string[]]> = [
    ['open311', 'Mängelmelder-Schnittstelle (Open311 GeoReport v2)', 'Kategorien abrufen, Mängel melden und ihren Bearbeitungsstand lesen, in XML und JSON nach GeoReport v2.', `${base}/open311/v2`, 'http://wiki.open311.org/GeoReport_v2',
      ['GOVE', 'TRAN'], ['Open311', 'GeoReport v2', 'Mängelmelder', 'Schnittstelle']],
    ['xplanung', 'XPlanung-Schnittstelle', 'XPlanGML-Pläne prüfen (XSD, Konformitätsregeln, Geometrie) und Verfahren als XPlanGML 6.0 oder 5.4 abrufen.', `${base}/xplanung/v1`, 'http://www.xplanung.de/xplangml/6/0',
      ['REGI'], ['XPlanung', 'XPlanGML', 'Bauleitplanung', 'Schnittstelle']],
  ];
  for (const [id, title, description, endpoint, standard, themes, keywords] of services) {
    const s = namedNode(`${base}/dcat/services/${id}`);
    g.add(catalog, dcat('service'), s);
    g.add(s, rdf('type'), dcat('DataService'));
    g.text(s, dct('title'), title);
    g.text(s, dct('description'), description);
    g.add(s, dcat('endpointURL'), namedNode(endpoint));
    g.add(s, dcat('endpointDescription'), namedNode(`${base}/openapi.json`));
    g.add(s, dct('publisher'), operator);
    g.add(s, dct('license'), namedNode(DEFAULT_LICENCE));
    for (const t of themes) g.add(s, dcat('theme'), EU.theme(t));
    for (const k of keywords) g.text(s, dcat('keyword'), k);
    contactPoint(g, s, null, ctx);
    const std = namedNode(standard);
    g.add(s, dct('conformsTo'), std);
    if (g.once(std)) g.add(std, rdf('type'), dct('Standard'));
  }
}

/** `issued`: when the catalogue was first published (the earliest dataset's dct:issued), if the caller knows it. */
export function catalogNode(g: Graph, catalog: NamedNode, operator: NamedNode, title: string, ctx: FeedContext, modified: string | null, issued?: string | null): void {
  g.add(catalog, rdf('type'), dcat('Catalog'));
  g.text(catalog, dct('title'), title);
  g.text(catalog, dct('description'), 'Beteiligungsverfahren, Bauleitpläne (XPlanung) und Mängelmeldungen der Kommunen im Beteiligungsportal, als offene Daten nach DCAT-AP.de.');
  g.add(catalog, dct('publisher'), operator);
  g.add(catalog, dct('language'), EU.language('DEU'));
  g.add(catalog, foaf('homepage'), namedNode(`${ctx.base}/docs`));
  g.add(catalog, dct('license'), namedNode(DEFAULT_LICENCE));
  g.add(catalog, dcat('themeTaxonomy'), namedNode('http://publications.europa.eu/resource/authority/data-theme'));
  if (modified) g.add(catalog, dct('modified'), dateTime(modified));
  if (issued) g.add(catalog, dct('issued'), dateTime(issued));
  // every tenant of the portal is a German authority
  g.add(catalog, dct('spatial'), GERMANY.iri);
  if (g.once(GERMANY.iri)) {
    g.add(GERMANY.iri, rdf('type'), dct('Location'));
    g.add(GERMANY.iri, dcat('bbox'), wktBox(GERMANY.bbox));
    g.add(GERMANY.iri, dcat('centroid'), wktPoint(GERMANY.centroid));
  }
}

export function operatorAgent(g: Graph, base: string): NamedNode {
  const iri = namedNode(`${base}/dcat/publishers/portal`);
  if (!g.once(iri)) return iri;
  g.add(iri, rdf('type'), foaf('Agent'));
  g.add(iri, rdf('type'), foaf('Organization'));
  g.add(iri, foaf('name'), literal('Beteiligungsportal (Betreiber)'));
  return iri;
}

export interface PagingLinks { page: string; first: string; last: string; next?: string; totalItems: number; itemsPerPage: number }

/** The Hydra node ckanext-dcat and piveau both follow: PagedCollection with next and nextPage, totals, first/last. */
export function pagingNode(g: Graph, links: PagingLinks): void {
  const page = namedNode(links.page);
  g.add(page, rdf('type'), hydra('PagedCollection'));
  g.add(page, hydra('totalItems'), literal(String(links.totalItems), xsd('integer')));
  g.add(page, hydra('itemsPerPage'), literal(String(links.itemsPerPage), xsd('integer')));
  g.add(page, hydra('first'), namedNode(links.first));
  g.add(page, hydra('firstPage'), namedNode(links.first));
  g.add(page, hydra('last'), namedNode(links.last));
  g.add(page, hydra('lastPage'), namedNode(links.last));
  if (links.next) {
    g.add(page, hydra('next'), namedNode(links.next));
    g.add(page, hydra('nextPage'), namedNode(links.next));
  }
}
