// Mapping plan → procedure (procedure-model.md §7.2, §7.3): plan kind from planArt, one phase per
// decision date and per pass of the repeated auslegung/traegerbeteiligung dates, a phase for the
// Rechtsstand when no date says it, the Geltungsbereich as WGS84 GeoJSON, documents from external
// references. Code lists come from the tenant's effective code mappings.
import type { Geometry as JstsGeometry, Polygon as JstsPolygon } from '../core/geo/jts.ts';
import type { Geometry, Phase, ProcedureDocument, ProcedureInput } from '../core/model.ts';
import { epsgCode, isSupportedCrs, latitudeFirst, toWgs84 } from './crs.ts';
import { PLAN_DRAWING } from './document-kinds.ts';
import { readGmlGeometry } from './geometry/gml.ts';
import { all, attr, childNodes, hrefs, text } from './parse.ts';
import type { XPlanDocument, XPlanFeature, XmlNode } from './parse.ts';
import type { Finding } from './report.ts';
import type { RuleId } from './rules.ts';
import { ARCHIVE_FILE_TYPES } from './validate/archive.ts';
import { entryNameOf } from './validate/references.ts';
import { geometryIn, planFamily } from './validate/structure.ts';

/** Looks up a code in one of the tenant's code lists (e.g. 'xplanung:bp-planart'). */
export type CodeLookup = (list: string, code: string) => string | undefined;

export interface MappingResult {
  procedure: ProcedureInput;
  findings: Finding[];
}

/** The files of the XPlanArchive a plan came in, and the URL at which the gateway serves each. */
export interface ArchiveFiles {
  entries: string[];
  urlOf: (planId: string, entry: string) => string;
}

export interface MappingOptions {
  /** The municipality keys the pushing tenant plans for; a plan of another municipality is an error. */
  tenantAgs?: string[];
  /** Present when the plan came in an XPlanArchive: its relative references become documents. */
  archive?: ArchiveFiles;
}

const PLAN_KIND_LIST: Record<string, string> = { BP: 'xplanung:bp-planart', FP: 'xplanung:fp-planart', RP: 'xplanung:rp-art' };
const RECHTSSTAND_LIST: Record<string, string> = { BP: 'xplanung:bp-rechtsstand', FP: 'xplanung:fp-rechtsstand', RP: 'xplanung:rp-rechtsstand' };
const VERFAHREN_LIST: Record<string, string> = { BP: 'xplanung:bp-verfahren', FP: 'xplanung:fp-verfahren', RP: 'xplanung:rp-verfahren' };

/** Decision dates of each plan family: element → phase kind. */
const DECISIONS: Record<string, Array<[string, Phase['kind']]>> = {
  BP: [['aufstellungsbeschlussDatum', 'aufstellungsbeschluss'], ['satzungsbeschlussDatum', 'satzungsbeschluss'], ['genehmigungsDatum', 'genehmigung'], ['inkrafttretensDatum', 'inkrafttreten']],
  FP: [['aufstellungsbeschlussDatum', 'aufstellungsbeschluss'], ['entwurfsbeschlussDatum', 'entwurfsbeschluss'], ['planbeschlussDatum', 'feststellungsbeschluss'], ['genehmigungsDatum', 'genehmigung'], ['wirksamkeitsDatum', 'inkrafttreten']],
  RP: [['aufstellungsbeschlussDatum', 'aufstellungsbeschluss'], ['entwurfsbeschlussDatum', 'entwurfsbeschluss'], ['planbeschlussDatum', 'feststellungsbeschluss'], ['genehmigungsDatum', 'genehmigung'], ['datumDesInkrafttretens', 'inkrafttreten']],
};

/** Repeated participation periods: [start element, end element, kind, audience]. */
const PERIODS: Record<string, Array<[string, string, Phase['kind'], Phase['audience']]>> = {
  BP: [['auslegungsStartDatum', 'auslegungsEndDatum', 'veroeffentlichung', 'oeffentlichkeit'], ['traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'toeb_beteiligung', 'toeb']],
  FP: [['auslegungsStartDatum', 'auslegungsEndDatum', 'veroeffentlichung', 'oeffentlichkeit'], ['traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'toeb_beteiligung', 'toeb']],
  RP: [['auslegungStartDatum', 'auslegungEndDatum', 'veroeffentlichung', 'oeffentlichkeit'], ['traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'toeb_beteiligung', 'toeb']],
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function mappingFinding(rule: RuleId, severity: Finding['severity'], message: string, plan: XPlanFeature): Finding {
  return { rule, severity, stage: 'semantic', message, gmlIds: [plan.gmlId], line: plan.line ?? null };
}

export function phasesOf(plan: XPlanFeature, family: string, lookup: CodeLookup): Phase[] {
  const phases: Phase[] = [];
  for (const [el, kind] of DECISIONS[family] ?? []) {
    const d = text(plan.node, el);
    if (d && DATE.test(d)) phases.push({ kind, audience: 'intern', durchgang: 1, start: d, end: null });
  }
  for (const [startEl, endEl, kind, audience] of PERIODS[family] ?? []) {
    const starts = all(plan.node, startEl);
    const ends = all(plan.node, endEl);
    starts.forEach((start, i) => {
      if (!DATE.test(start)) return;
      const end = ends[i] && DATE.test(ends[i]) ? ends[i] : null;
      phases.push({ kind, audience, durchgang: i + 1, start, end });
    });
  }
  // The Rechtsstand names the current step; add it when no date already does, dated by the
  // latest known date (or the technical production date).
  const rechtsstand = text(plan.node, 'rechtsstand');
  const mapped = rechtsstand ? lookup(RECHTSSTAND_LIST[family] ?? '', rechtsstand) : undefined;
  if (mapped) {
    const [kind, audience] = mapped.split('/') as [Phase['kind'], Phase['audience']];
    if (!phases.some((p) => p.kind === kind && p.audience === audience)) {
      const dates = phases.map((p) => p.start).sort();
      const start = dates[dates.length - 1] ?? text(plan.node, 'technHerstellDatum');
      if (start && DATE.test(start)) phases.push({ kind, audience, durchgang: 1, start, end: null });
    }
  }
  return phases.sort((a, b) => a.start.localeCompare(b.start) || a.kind.localeCompare(b.kind) || (a.durchgang ?? 1) - (b.durchgang ?? 1));
}

/** A JTS geometry in `code` as GeoJSON in WGS84 (coordinates rounded to 7 decimals, about 1 cm). */
export function toGeoJson(g: JstsGeometry, code: number, swapAxes = false): Geometry | null {
  const transform = toWgs84(code);
  const pt = (c: { x: number; y: number }): [number, number] => {
    const [lon, lat] = transform(swapAxes ? [c.y, c.x] : [c.x, c.y]);
    return [Math.round(lon * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7];
  };
  const ring = (r: JstsGeometry) => r.getCoordinates().map(pt);
  const polygon = (p: JstsGeometry): [number, number][][] => {
    const poly = p as JstsPolygon;
    const rings = [ring(poly.getExteriorRing())];
    for (let i = 0; i < poly.getNumInteriorRing(); i++) rings.push(ring(poly.getInteriorRingN(i)));
    return rings;
  };
  const type = g.getGeometryType();
  if (type === 'Polygon') return { type: 'Polygon', coordinates: polygon(g) } as Geometry;
  if (type === 'MultiPolygon') {
    const polys: [number, number][][][] = [];
    for (let i = 0; i < g.getNumGeometries(); i++) polys.push(polygon(g.getGeometryN(i)));
    return { type: 'MultiPolygon', coordinates: polys } as Geometry;
  }
  return null;
}

function areaOf(doc: XPlanDocument, plan: XPlanFeature): { area: Geometry | null; finding?: Finding } {
  const el = geometryIn(plan.node, 'raeumlicherGeltungsbereich');
  if (!el) return { area: null };
  const srsName = attr(el.node, 'srsName') ?? doc.srsName;
  const code = epsgCode(srsName);
  if (!isSupportedCrs(code)) return { area: null, finding: mappingFinding('mapping.crs', 'warning', `Der Geltungsbereich ist in „${srsName}“; ohne unterstütztes Koordinatenreferenzsystem bleibt die Fläche des Verfahrens leer.`, plan) };
  const read = readGmlGeometry(el.name, el.node);
  if (!read || read.geometry.isEmpty()) return { area: null };
  return { area: toGeoJson(read.geometry, code, latitudeFirst(srsName)) };
}

/** A document of the procedure from one XP_ExterneReferenz / XP_SpezExterneReferenz, or none when it has no address to link to. */
function documentOf(ref: XmlNode, plan: XPlanFeature, archive: ArchiveFiles | undefined, kind?: string): ProcedureDocument | undefined {
  const reference = text(ref, 'referenzURL')?.trim();
  if (!reference) return undefined;
  let url: string;
  let fileType: string | undefined;
  if (/^https?:\/\//.test(reference)) url = reference;
  else {
    // a relative reference names a file of the XPlanArchive, which the gateway serves; one the
    // archive lacks (or a plain GML's) has no address to link to (rule externe-referenz says so)
    const entry = entryNameOf(reference);
    if (!archive?.entries.includes(entry)) return undefined;
    url = archive.urlOf(plan.gmlId, entry);
    // the media type the gateway serves the file as, when the reference names none
    fileType = ARCHIVE_FILE_TYPES[entry.split('.').pop()?.toLowerCase() ?? '']?.mediaType.split(';')[0];
  }
  const named = text(ref, 'referenzMimeType')?.trim().toLowerCase();
  const mime = named && /^[a-z]+\/[a-z0-9.+-]+$/.test(named) ? named : fileType;
  // XP_ExterneReferenzTyp (1010 Begründung, 5000 Bekanntmachung …), kept so that the export writes it back
  const typ = text(ref, 'typ')?.trim();
  const docType = kind ?? (typ && /^\d{4}$/.test(typ) ? typ : undefined);
  return {
    title: (text(ref, 'referenzName')?.trim() || reference).slice(0, 500),
    url,
    ...(mime ? { mimeType: mime } : {}),
    ...(docType ? { docType } : {}),
  } as ProcedureDocument;
}

/**
 * The plan's external references, then the georeferenced plan images of its Bereiche (refScan) as
 * DCAT-AP.PLU `planDrawing` (Planzeichnung): the export writes those back as the Bereich's refScan.
 */
function documentsOf(doc: XPlanDocument, plan: XPlanFeature, archive?: ArchiveFiles): ProcedureDocument[] {
  const docs: ProcedureDocument[] = [];
  for (const holder of childNodes(plan.node, 'externeReferenz')) {
    for (const ref of [...childNodes(holder, 'XP_SpezExterneReferenz'), ...childNodes(holder, 'XP_ExterneReferenz')]) {
      const d = documentOf(ref, plan, archive);
      if (d) docs.push(d);
    }
  }
  for (const bereich of hrefs(plan.node, 'bereich').map((id) => doc.byId.get(id))) {
    for (const holder of childNodes(bereich?.node, 'refScan')) {
      for (const ref of childNodes(holder, 'XP_ExterneReferenz')) {
        const d = documentOf(ref, plan, archive, PLAN_DRAWING);
        // one scan often serves every Bereich of a plan: one document
        if (d && !docs.some((x) => x.url === d.url)) docs.push(d);
      }
    }
  }
  return docs;
}

function gemeindeAgs(plan: XPlanFeature): string[] {
  return childNodes(plan.node, 'gemeinde').flatMap((g) => childNodes(g, 'XP_Gemeinde')).map((g: XmlNode) => text(g, 'ags')).filter((a): a is string => !!a);
}

/** Maps one plan of a validated document to the portal's procedure input. */
export function planToProcedure(doc: XPlanDocument, plan: XPlanFeature, lookup: CodeLookup, options: MappingOptions = {}): MappingResult {
  const tenantAgs = options.tenantAgs ?? [];
  const family = planFamily(plan.type);
  const findings: Finding[] = [];
  const planArt = all(plan.node, 'planArt')[0];
  let planKind: ProcedureInput['planKind'] = 'sonstiger_plan';
  const procedureFamily: ProcedureInput['family'] = family === 'RP' ? 'raumordnung' : 'bauleitplanung';
  if (PLAN_KIND_LIST[family] && planArt) {
    const k = lookup(PLAN_KIND_LIST[family], planArt);
    if (k) planKind = k as ProcedureInput['planKind'];
    else findings.push(mappingFinding('mapping.planart', 'warning', `planArt ${planArt} hat keine Zuordnung zu einer Verfahrensart des Portals; das Verfahren wird als „sonstiger Plan“ geführt.`, plan));
  }
  if (family === 'RP' && planKind === 'sonstiger_plan') planKind = 'regionalplan';

  const ags = gemeindeAgs(plan);
  if (tenantAgs.length > 0 && ags.length > 0 && !ags.some((a) => tenantAgs.includes(a))) {
    findings.push(mappingFinding('mandant-ags', 'error', `Der Plan gehört zur Gemeinde mit dem Schlüssel ${ags.join(', ')}; dieser Mandant plant nur für ${tenantAgs.join(', ')}.`, plan));
  }

  const bereichVerfahren = hrefs(plan.node, 'bereich').map((id) => doc.byId.get(id)).map((b) => (b ? text(b.node, 'verfahren') : undefined)).find(Boolean);
  const verfahren = text(plan.node, 'verfahren') ?? bereichVerfahren;
  const verfahrensart = verfahren && VERFAHREN_LIST[family] ? lookup(VERFAHREN_LIST[family], verfahren) : undefined;

  const { area, finding } = areaOf(doc, plan);
  if (finding) findings.push(finding);
  const name = text(plan.node, 'name') ?? plan.gmlId;
  const procedure: ProcedureInput = {
    title: name.slice(0, 500),
    family: procedureFamily,
    planKind,
    ...(text(plan.node, 'nummer') ? { number: text(plan.node, 'nummer')!.slice(0, 100) } : {}),
    ...(text(plan.node, 'beschreibung') ? { description: text(plan.node, 'beschreibung')!.slice(0, 20000) } : {}),
    ...(verfahrensart ? { verfahrensart: verfahrensart as ProcedureInput['verfahrensart'] } : {}),
    phases: phasesOf(plan, family, lookup),
    area,
    documents: documentsOf(doc, plan, options.archive),
    externalIds: [{ system: 'xplanung', id: plan.gmlId }],
  };
  return { procedure, findings };
}
