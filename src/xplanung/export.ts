// Export of a procedure as XPlanGML 6.0 or 5.4, built with xmlbuilder2 in the element order the
// official XSD prescribes (XP_Plan, then BP_/FP_/RP_Plan properties), so that the result passes
// the schema. Phases become the plan's dates (each pass an element of the repeated date lists),
// the area the raeumlicherGeltungsbereich in ETRS89/UTM.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { defaultCodeLists, type CodeTable } from '../core/codelists.ts';
import type { Phase, Procedure, Tenant } from '../core/model.ts';
import { fromWgs84 } from './crs.ts';
import { PLAN_DRAWING, referenceTypeFor } from './document-kinds.ts';
import type { ExportVersion } from './versions.ts';
import { versionById } from './versions.ts';

const NS = {
  gml: 'http://www.opengis.net/gml/3.2',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

/** planKind → [plan family, planArt code]. */
const PLAN_ART: Record<string, [string, string]> = {
  bebauungsplan: ['BP', '1000'],
  vorhabenbezogener_bplan: ['BP', '3000'],
  vorhaben_und_erschliessungsplan: ['BP', '3100'],
  klarstellungssatzung: ['BP', '40000'],
  entwicklungssatzung: ['BP', '40001'],
  ergaenzungssatzung: ['BP', '40002'],
  aussenbereichssatzung: ['BP', '5000'],
  oertliche_bauvorschrift: ['BP', '7000'],
  flaechennutzungsplan: ['FP', '1000'],
  regionalplan: ['RP', '1000'],
  braunkohlenplan: ['RP', '3000'],
  landesentwicklungsplan: ['RP', '4000'],
};

/** Plan family → the code lists (procedure-model §7.2) whose inverse the export writes. */
const LISTS: Record<string, { rechtsstand: string; verfahren: string }> = {
  BP: { rechtsstand: 'xplanung:bp-rechtsstand', verfahren: 'xplanung:bp-verfahren' },
  FP: { rechtsstand: 'xplanung:fp-rechtsstand', verfahren: 'xplanung:fp-verfahren' },
  RP: { rechtsstand: 'xplanung:rp-rechtsstand', verfahren: 'xplanung:rp-verfahren' },
};

/** value → code of a code list (the first code for a value wins), e.g. `satzungsbeschluss/intern` → 3000. */
function inverse(codes: CodeTable, list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [code, value] of Object.entries(codes[list] ?? {})) out[value] ??= code;
  return out;
}

/** First two digits of the AGS (Land key) → XP_Bundeslaender code. */
const BUNDESLAND_BY_AGS: Record<string, string> = {
  '01': '2100', '02': '1600', '03': '1800', '04': '1400', '05': '1900', '06': '1500', '07': '2000', '08': '1200',
  '09': '1300', '10': '2200', '11': '1100', '12': '1000', '13': '1700', '14': '2300', '15': '2400', '16': '2500',
};

export class ExportError extends Error {}

/** Whether a procedure can be written as XPlanGML at all, and why not. */
export function exportability(p: Procedure): string | undefined {
  if (!PLAN_ART[p.planKind]) return `Ein Verfahren der Art „${p.planKind}“ hat keine Entsprechung in XPlanung (nur Bebauungs-, Flächennutzungs- und Raumordnungspläne).`;
  if (!p.area || !['Polygon', 'MultiPolygon'].includes(p.area.type)) return 'Das Verfahren hat keinen flächenhaften Geltungsbereich; XPlanGML verlangt raeumlicherGeltungsbereich.';
  return undefined;
}

/** ETRS89 / UTM zone 32 west of 12° E, zone 33 east of it (as the Länder use them). */
function utmFor(lonLat: [number, number][]): number {
  const lon = lonLat.reduce((a, c) => a + c[0], 0) / Math.max(1, lonLat.length);
  return lon >= 12 ? 25833 : 25832;
}

const byPass = (phases: Phase[], kind: Phase['kind'], audience: Phase['audience']) =>
  phases.filter((p) => p.kind === kind && p.audience === audience).sort((a, b) => (a.durchgang ?? 1) - (b.durchgang ?? 1) || a.start.localeCompare(b.start));

const first = (phases: Phase[], kind: Phase['kind']) => phases.filter((p) => p.kind === kind).sort((a, b) => a.start.localeCompare(b.start))[0]?.start;

export interface ExportOptions {
  version: ExportVersion;
  /** The tenant's effective code lists (default: the shipped ones): Rechtsstand and Verfahren are written from them. */
  codes?: CodeTable;
  /** gml:id of the plan: the id it was pushed with, so a re-push maps to the same procedure. */
  planGmlId?: string;
  /** EPSG code of the plan's CRS (default: UTM zone by longitude). */
  epsg?: number;
}

/**
 * A ring in the order XPlanung wants (ISO 19107, and the reference validator errs on anything else):
 * the exterior counter-clockwise, holes clockwise. A portal area need not follow GeoJSON's own rule,
 * and a UTM projection keeps the turning sense, so the projected ring is checked (shoelace sign).
 */
function oriented(ring: number[][], exterior: boolean): number[][] {
  let twiceArea = 0;
  for (let i = 0; i + 1 < ring.length; i++) twiceArea += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return (twiceArea > 0) === exterior ? ring : [...ring].reverse();
}

export function procedureToXPlanGml(p: Procedure, tenant: Tenant, options: ExportOptions): string {
  const why = exportability(p);
  if (why) throw new ExportError(why);
  const v = versionById(options.version);
  if (!v) throw new ExportError(`XPlanGML ${options.version} kann nicht exportiert werden.`);
  const [family, planArt] = PLAN_ART[p.planKind]!;
  const codes = options.codes ?? defaultCodeLists();
  const rechtsstand = inverse(codes, LISTS[family]!.rechtsstand);
  const verfahren = inverse(codes, LISTS[family]!.verfahren);
  const area = p.area as { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
  const polygons = (area.type === 'Polygon' ? [area.coordinates] : area.coordinates) as [number, number][][][];
  const epsg = options.epsg ?? utmFor(polygons.flat(2));
  const project = fromWgs84(epsg);
  const srsName = `EPSG:${epsg}`;
  const projected = polygons.map((rings) => rings.map((ring) => ring.map((c) => project(c).map((n) => Math.round(n * 1000) / 1000) as [number, number])));
  const xs = projected.flat(2).map((c) => c[0]);
  const ys = projected.flat(2).map((c) => c[1]);
  const planId = options.planGmlId ?? `GML_${p.id}`;
  const bereichId = `${planId}_bereich0`;

  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele(v.namespace, 'xplan:XPlanAuszug', {
    'xmlns:gml': NS.gml,
    'xmlns:xlink': NS.xlink,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': `${v.namespace} https://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/${v.version}/XPlanung-Operationen.xsd`,
    'gml:id': `${planId}_auszug`,
  });
  const envelope = (parent: XMLBuilder) => {
    const env = parent.ele(NS.gml, 'gml:boundedBy').ele(NS.gml, 'gml:Envelope', { srsName });
    env.ele(NS.gml, 'gml:lowerCorner').txt(`${Math.min(...xs)} ${Math.min(...ys)}`);
    env.ele(NS.gml, 'gml:upperCorner').txt(`${Math.max(...xs)} ${Math.max(...ys)}`);
  };
  envelope(root);
  const x = (parent: XMLBuilder, name: string, value?: string | null) => {
    if (value !== undefined && value !== null && value !== '') parent.ele(v.namespace, `xplan:${name}`).txt(value);
  };

  const plan = root.ele(NS.gml, 'gml:featureMember').ele(v.namespace, `xplan:${family}_Plan`, { 'gml:id': planId });
  envelope(plan);
  // XP_Plan
  x(plan, 'name', p.title);
  x(plan, 'nummer', p.number);
  x(plan, 'beschreibung', p.description);
  x(plan, 'genehmigungsDatum', first(p.phases, 'genehmigung'));
  const geltungsbereich = plan.ele(v.namespace, 'xplan:raeumlicherGeltungsbereich')
    .ele(NS.gml, 'gml:MultiSurface', { srsName, 'gml:id': `${planId}_geltungsbereich` });
  projected.forEach((rings, i) => {
    const polygon = geltungsbereich.ele(NS.gml, 'gml:surfaceMember').ele(NS.gml, 'gml:Polygon', { srsName, 'gml:id': `${planId}_geltungsbereich_${i}` });
    rings.forEach((ring, j) => {
      polygon.ele(NS.gml, j === 0 ? 'gml:exterior' : 'gml:interior').ele(NS.gml, 'gml:LinearRing')
        .ele(NS.gml, 'gml:posList', { srsDimension: '2', count: String(ring.length) }).txt(oriented(ring, j === 0).map((c) => `${c[0]} ${c[1]}`).join(' '));
    });
  });
  // the plan images go to the Bereich's refScan, where a pushed plan had them (to-procedure.ts)
  for (const d of (p.documents ?? []).filter((x) => x.docType !== PLAN_DRAWING)) {
    const ref = plan.ele(v.namespace, 'xplan:externeReferenz').ele(v.namespace, 'xplan:XP_SpezExterneReferenz');
    x(ref, 'referenzName', d.title);
    x(ref, 'referenzURL', d.url);
    x(ref, 'referenzMimeType', d.mimeType);
    x(ref, 'typ', referenceTypeFor(d.docType, v.version));
  }

  // BP_/FP_/RP_Plan
  if (family === 'RP') {
    x(plan, 'bundesland', BUNDESLAND_BY_AGS[tenant.ags?.[0]?.slice(0, 2) ?? ''] ?? '2300'); // default: Sachsen, the portal's Land
  } else {
    const gemeinde = plan.ele(v.namespace, 'xplan:gemeinde').ele(v.namespace, 'xplan:XP_Gemeinde');
    x(gemeinde, 'ags', tenant.ags?.[0]);
    x(gemeinde, 'gemeindeName', tenant.name);
  }
  x(plan, 'planArt', planArt);
  if ((family === 'FP' || (family === 'BP' && v.version === '5.4')) && p.verfahrensart) x(plan, 'verfahren', verfahren[p.verfahrensart]);
  const latest = [...p.phases].filter((ph) => rechtsstand[`${ph.kind}/${ph.audience}`]).sort((a, b) => a.start.localeCompare(b.start)).pop();
  x(plan, 'rechtsstand', latest ? rechtsstand[`${latest.kind}/${latest.audience}`] : undefined);
  x(plan, 'aufstellungsbeschlussDatum', first(p.phases, 'aufstellungsbeschluss'));
  const periods = (startEl: string, endEl: string, kind: Phase['kind'], audience: Phase['audience']) => {
    const passes = byPass(p.phases, kind, audience);
    for (const ph of passes) x(plan, startEl, ph.start);
    // end dates pair with start dates by position; only a complete list keeps that pairing
    if (passes.every((ph) => ph.end)) for (const ph of passes) x(plan, endEl, ph.end);
  };
  const auslegung: [string, string] = family === 'RP' ? ['auslegungStartDatum', 'auslegungEndDatum'] : ['auslegungsStartDatum', 'auslegungsEndDatum'];
  if (family === 'RP' || family === 'FP') {
    periods(auslegung[0], auslegung[1], 'veroeffentlichung', 'oeffentlichkeit');
    periods('traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'toeb_beteiligung', 'toeb');
    x(plan, 'entwurfsbeschlussDatum', first(p.phases, 'entwurfsbeschluss'));
    x(plan, 'planbeschlussDatum', first(p.phases, 'feststellungsbeschluss'));
    x(plan, family === 'FP' ? 'wirksamkeitsDatum' : 'datumDesInkrafttretens', first(p.phases, 'inkrafttreten'));
    if (family === 'RP' && p.verfahrensart) x(plan, 'verfahren', verfahren[p.verfahrensart]);
  } else {
    periods(auslegung[0], auslegung[1], 'veroeffentlichung', 'oeffentlichkeit');
    periods('traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'toeb_beteiligung', 'toeb');
    x(plan, 'satzungsbeschlussDatum', first(p.phases, 'satzungsbeschluss'));
    x(plan, 'inkrafttretensDatum', first(p.phases, 'inkrafttreten'));
  }
  plan.ele(v.namespace, 'xplan:bereich', { 'xlink:href': `#${bereichId}` });

  const bereich = root.ele(NS.gml, 'gml:featureMember').ele(v.namespace, `xplan:${family}_Bereich`, { 'gml:id': bereichId });
  x(bereich, 'nummer', '0');
  for (const d of (p.documents ?? []).filter((x) => x.docType === PLAN_DRAWING)) {
    const scan = bereich.ele(v.namespace, 'xplan:refScan').ele(v.namespace, 'xplan:XP_ExterneReferenz');
    x(scan, 'referenzName', d.title);
    x(scan, 'referenzURL', d.url);
    x(scan, 'referenzMimeType', d.mimeType);
  }
  if (family === 'BP' && v.version === '6.0' && p.verfahrensart) x(bereich, 'verfahren', verfahren[p.verfahrensart]);
  bereich.ele(v.namespace, 'xplan:gehoertZuPlan', { 'xlink:href': `#${planId}` });
  return doc.end({ prettyPrint: true });
}
