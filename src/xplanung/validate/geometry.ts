// Geometry stage, in the plan's own (metric) CRS, with JTS (jsts):
// 2.1.3.1 a supported CRS, 2.2.2.1 valid geometries (closed rings, no self-intersection, no duplicate
// points, ring orientation, holes inside their shell, contiguous patches), 2.2.3.1 objects inside
// the Geltungsbereich (tolerance 0.001 m), 2.2.1.1 Flächenschluss (overlaps are errors, gaps
// warnings, tolerance 0.002 m).
import Flatbush from 'flatbush';
import { complementFace, coverageFace, coversExactly, insideByBox, interiorsMayMeet, lineFace, locateInFace, type CoverageFace } from '../../core/geo/coverage.ts';
import { gapShells, type FlatRing } from '../../core/geo/gaps.ts';
import { isValidWithoutContact } from '../../core/geo/simple-polygon.ts';
import { buffer, coveringArea, geometryFactory, isCCW, isValidOp, newCoordinate, toWkt, unionOfValidPolygons, type CoveringArea } from '../../core/geo/jts.ts';
import type { Geometry } from '../../core/geo/jts.ts';
import { attr, text } from '../parse.ts';
import type { XPlanDocument, XPlanFeature } from '../parse.ts';
import type { Finding } from '../report.ts';
import { epsgCode, isSupportedCrs, PROJECTED, SUPPORTED_CRS_LIST } from '../crs.ts';
import { readGmlGeometry } from '../geometry/gml.ts';
import type { GmlDefect, ReadGeometry } from '../geometry/gml.ts';
import { geometryIn, structureOf } from './structure.ts';
import type { DocumentStructure } from './structure.ts';

export const GEOMETRY_RULES = [
  { rule: '2.1.3.1', title: 'Angabe eines unterstützten Koordinatenreferenzsystems' },
  { rule: '2.2.2.1', title: 'Gültige Geometrie (geschlossene Ringe, keine Selbstüberschneidung, keine doppelten Stützpunkte, Orientierung, Löcher im Inneren, zusammenhängende Patches)' },
  { rule: '2.2.3.1', title: 'Objekte liegen innerhalb des Geltungsbereichs (Toleranz 0,001 m)' },
  { rule: '2.2.1.1', title: 'Flächenschlussbedingung: keine Überlappungen (Fehler), keine Lücken (Warnung), Toleranz 0,002 m' },
];

const INSIDE_TOLERANCE = 0.001;
const FLAECHENSCHLUSS_TOLERANCE = 0.002;
const MAX_FINDINGS_PER_RULE = 500;
/**
 * An overlap or a gap worth reporting survives shrinking by half the tolerance, so it holds a disc of
 * radius 0.001 m: π·(0.001 m)² ≈ 3.1e-6 m². Below this much area (m², with room for rounding) there
 * is none.
 */
const AREA_EVIDENCE_M2 = 1e-6;

const round = (n: number) => Math.round(n * 1000) / 1000;

interface Located { feature: XPlanFeature; read: ReadGeometry; srsName?: string }

function finding(rule: string, severity: Finding['severity'], message: string, feature: XPlanFeature | undefined, gmlIds: string[], marker?: Geometry): Finding {
  const f: Finding = { rule, severity, stage: 'geometry', message, gmlIds, line: feature?.line ?? null };
  if (marker && !marker.isEmpty()) f.marker = toWkt(marker);
  return f;
}

const DEFECT_TEXT: Record<GmlDefect['kind'], string> = {
  'unclosed-ring': 'ein Ring ist nicht geschlossen (erster und letzter Stützpunkt verschieden)',
  'duplicate-point': 'aufeinanderfolgende doppelte Stützpunkte',
  'too-few-points': 'ein Ring hat weniger als vier Stützpunkte',
  unsupported: 'ein Geometrietyp, den die Prüfung nicht lesen kann',
  'bad-coordinates': 'Koordinaten, die keine Zahlen sind oder nicht zur Dimension passen',
  'patches-not-contiguous': 'die PolygonPatches einer Fläche überlappen sich oder hängen nicht zusammen',
};

export function checkGeometry(doc: XPlanDocument, structure: DocumentStructure = structureOf(doc)): Finding[] {
  const out: Finding[] = [];
  const count = new Map<string, number>();
  const push = (f: Finding) => {
    const n = (count.get(f.rule) ?? 0) + 1;
    count.set(f.rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) out.push(f);
  };

  // 2.1.3.1 CRS
  const docCrs = epsgCode(doc.srsName);
  const read = (feature: XPlanFeature, property: string): Located | undefined => {
    const el = geometryIn(feature.node, property);
    if (!el) return undefined;
    const srsName = attr(el.node, 'srsName') ?? doc.srsName;
    const code = epsgCode(srsName);
    if (!isSupportedCrs(code)) {
      push(finding('2.1.3.1', 'error', `${feature.type}: das Koordinatenreferenzsystem „${srsName ?? '(keins angegeben)'}“ wird nicht unterstützt; erwartet wird eines von ${SUPPORTED_CRS_LIST}.`, feature, [feature.gmlId]));
      return undefined;
    }
    if (docCrs !== undefined && code !== docCrs) {
      push(finding('2.1.3.1', 'error', `${feature.type}: die Geometrie ist in ${srsName}, das Dokument aber in ${doc.srsName}; ein Plan muss ein einheitliches Koordinatenreferenzsystem verwenden.`, feature, [feature.gmlId]));
      return undefined;
    }
    const g = readGmlGeometry(el.name, el.node);
    return g ? { feature, read: g, srsName } : undefined;
  };

  const planAreas = new Map<string, Located>();
  const bereichAreas = new Map<string, Located>();
  const objects: Array<Located & { bereich?: XPlanFeature; plan?: XPlanFeature }> = [];
  for (const { plan } of structure.plans) {
    const g = read(plan, 'raeumlicherGeltungsbereich');
    if (g) planAreas.set(plan.gmlId, g);
  }
  for (const b of doc.features.filter((f) => /_Bereich$/.test(f.type))) {
    const g = read(b, 'geltungsbereich');
    if (g) bereichAreas.set(b.gmlId, g);
  }
  for (const o of structure.objects) {
    const g = read(o.feature, 'position');
    if (g) objects.push({ ...g, bereich: o.bereich, plan: o.plan });
  }

  // 2.2.2.1 validity of every geometry read
  const valid = new Set<Located>();
  for (const located of [...planAreas.values(), ...bereichAreas.values(), ...objects]) {
    const { feature, read: g } = located;
    let ok = true;
    for (const d of g.defects) {
      const severity = d.kind === 'unsupported' ? 'warning' : 'error';
      if (severity === 'error') ok = false;
      push(finding('2.2.2.1', severity, `${feature.type}: ${DEFECT_TEXT[d.kind]}${d.coordinate ? ` bei (${round(d.coordinate[0])} ${round(d.coordinate[1])})` : ''}.`, feature, [feature.gmlId, ...(d.gmlId && d.gmlId !== feature.gmlId ? [d.gmlId] : [])]));
    }
    for (const { polygon, gmlId } of g.polygons) {
      // most are one simple ring, valid without JTS's topology graph; the rest JTS judges
      const op = isValidWithoutContact(polygon) ? undefined : isValidOp(polygon);
      if (op && !op.isValid()) {
        ok = false;
        const err = op.getValidationError();
        const c = err?.getCoordinate();
        const marker = c ? polygon.getFactory().createPoint(c) : undefined;
        push(finding('2.2.2.1', 'error', `${feature.type}: ungültige Fläche – ${germanJtsError(err?.getErrorType())}${c ? ` bei (${round(c.x)} ${round(c.y)})` : ''}.`, feature, [feature.gmlId, ...(gmlId && gmlId !== feature.gmlId ? [gmlId] : [])], marker));
        continue;
      }
      // GML: exterior ring counter-clockwise, interior rings clockwise
      const shellCcw = isCCW(polygon.getExteriorRing().getCoordinates());
      let holesCw = true;
      for (let i = 0; i < polygon.getNumInteriorRing(); i++) if (isCCW(polygon.getInteriorRingN(i).getCoordinates())) holesCw = false;
      if (!shellCcw || !holesCw) {
        push(finding('2.2.2.1', 'warning', `${feature.type}: ${!shellCcw ? 'der äußere Ring ist im Uhrzeigersinn orientiert (erwartet: gegen den Uhrzeigersinn)' : 'ein innerer Ring ist gegen den Uhrzeigersinn orientiert (erwartet: im Uhrzeigersinn)'}.`, feature, [feature.gmlId]));
      }
    }
    if (ok) valid.add(located);
  }

  // The remaining rules measure in metres: only in projected CRSs, only on valid geometries.
  const metric = (l: Located) => PROJECTED.has(epsgCode(l.srsName) ?? -1) && valid.has(l);

  // Boundaries as flat segments for the exact tests (core/geo/coverage.ts), made once per geometry.
  const faces = new Map<Located, CoverageFace>();
  const faceOf = (l: Located) => {
    let f = faces.get(l);
    if (!f) faces.set(l, (f = coverageFace(l.read.geometry)));
    return f;
  };
  // everything outside a Geltungsbereich (within a wide frame), to test "inside" exactly
  const outsides = new Map<Located, CoverageFace>();
  const outsideOf = (area: Located) => {
    let f = outsides.get(area);
    if (!f) {
      const face = faceOf(area);
      outsides.set(area, (f = complementFace(face, 1000 + Math.max(face.maxX - face.minX, face.maxY - face.minY))));
    }
    return f;
  };
  // asked twice for most areas (2.2.3.1, then 2.2.1.1), answered once
  const insideAnswers = new Map<Located, { area: Located; inside: boolean }>();
  const insideExactly = (o: Located, area: Located): boolean => {
    const known = insideAnswers.get(o);
    if (known?.area === area) return known.inside;
    const inside = insideExactlyOnce(o, area);
    insideAnswers.set(o, { area, inside });
    return inside;
  };
  const insideExactlyOnce = (o: Located, area: Located): boolean => {
    const g = o.read.geometry;
    const box = g.getEnvelopeInternal(), at = g.getCoordinate();
    if (!at) return false;
    // most objects lie off the Geltungsbereich's boundary: then no face of theirs is needed
    const quick = insideByBox(outsideOf(area), box.getMinX(), box.getMinY(), box.getMaxX(), box.getMaxY(), at.x, at.y);
    if (quick !== undefined) return quick;
    switch (g.getDimension()) {
      case 2: return coversExactly(outsideOf(area), faceOf(o));
      case 1: return coversExactly(outsideOf(area), lineFace(g), true);
      case 0: return g.getCoordinates().every((c) => locateInFace(faceOf(area), c.x, c.y) >= 0);
      default: return false;
    }
  };

  // 2.2.3.1 objects inside the Geltungsbereich of their Bereich, otherwise of their plan.
  // Most objects lie inside exactly (off the boundary, or along it), which the exact test shows without JTS;
  // the rest are tested against the widened area, built and indexed once per Geltungsbereich, and
  // only those outside it reach the (costlier) overlay.
  const widened = new Map<Located, CoveringArea>();
  for (const o of objects) {
    if (!metric(o)) continue;
    const area = (o.bereich && bereichAreas.get(o.bereich.gmlId)) || (o.plan && planAreas.get(o.plan.gmlId));
    if (!area || !metric(area)) continue;
    if (insideExactly(o, area)) continue;
    let w = widened.get(area);
    if (!w) {
      w = coveringArea(buffer(area.read.geometry, INSIDE_TOLERANCE));
      widened.set(area, w);
    }
    if (w.covers(o.read.geometry)) continue;
    const outside = o.read.geometry.difference(w.geometry);
    if (!outside.isEmpty()) {
      push(finding('2.2.3.1', 'error', `${o.feature.type} liegt teilweise außerhalb des Geltungsbereichs von ${area.feature.type} „${text(area.feature.node, 'name') ?? area.feature.gmlId}“.`, o.feature, [o.feature.gmlId, area.feature.gmlId], outside));
    }
  }

  // 2.2.1.1 Flächenschluss per Bereich: objects with flaechenschluss=true on the base level (ebene 0)
  const byBereich = new Map<string, Array<Located & { bereich?: XPlanFeature; plan?: XPlanFeature }>>();
  for (const o of objects) {
    if (!metric(o) || text(o.feature.node, 'flaechenschluss') !== 'true' || (text(o.feature.node, 'ebene') ?? '0') !== '0') continue;
    if (o.read.geometry.getDimension() !== 2) continue;
    const key = o.bereich?.gmlId ?? '';
    const list = byBereich.get(key);
    if (list) list.push(o);
    else byBereich.set(key, [o]);
  }
  for (const [bereichId, members] of byBereich) {
    const bereich = bereichId ? structure.planOfBereich.get(bereichId) : undefined;
    const area = (bereichId && bereichAreas.get(bereichId)) || (bereich && planAreas.get(bereich.gmlId));
    const geometries = members.map((m) => m.read.geometry);
    const pairs = pairsThatMayOverlap(members, faceOf);
    const summed = geometries.reduce((sum, g) => sum + g.getArea(), 0);
    // A coverage without overlaps needs no union when it has no gap worth reporting. When no two
    // members' interiors meet (exact, see pairsThatMayOverlap) and every member lies inside the
    // Geltungsbereich (exact), the members' areas add up to the covered part of it and what is left
    // over is the gaps' area: under π·(0.001 m)² no gap survives shrinking by half the tolerance
    // (see below). Otherwise the gaps' outlines, traced from the unshared boundary pieces
    // (core/geo/gaps.ts), show whether any gap is wide enough; only then is the union built.
    if (pairs.length === 0) {
      if (!area || !metric(area)) continue;
      if (members.every((m) => insideExactly(m, area))) {
        if (area.read.geometry.getArea() - summed <= AREA_EVIDENCE_M2) continue;
        const shells = gapShells(members.map(faceOf), faceOf(area));
        if (shells && shells.every(tooThinToReport)) continue;
      }
    }
    const union = unionOfValidPolygons(geometries[0]!.getFactory(), geometries);
    // The areas add up to the union's exactly when no two members overlap; any overlap worth
    // reporting (one that survives shrinking by half the tolerance) holds a disc of that radius,
    // so it adds at least π·(0.001 m)² to the sum. Below that, no pair can overlap and the pairwise
    // test is skipped. Many real plans have rounding slivers between neighbours (Blankenese29:
    // 0.031 m²), and then every pair whose interiors meet is intersected (findOverlaps).
    const excess = summed - union.getArea();
    if (excess > AREA_EVIDENCE_M2) findOverlaps(members, pairs, push);
    if (!area || !metric(area)) continue;
    const difference = area.read.geometry.difference(union);
    // in a stable order and form (ring start and orientation), whichever way the union was built
    const gaps = Array.from({ length: difference.getNumGeometries() }, (_x, k) => difference.getGeometryN(k).norm());
    gaps.sort((a, b) => a.getEnvelopeInternal().getMinX() - b.getEnvelopeInternal().getMinX() || a.getEnvelopeInternal().getMinY() - b.getEnvelopeInternal().getMinY());
    for (const gap of gaps) {
      if (gap.isEmpty() || buffer(gap, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty()) continue;
      const c = gap.getInteriorPoint().getCoordinate();
      const at = c ? ` bei (${round(c.x)} ${round(c.y)})` : '';
      push(finding('2.2.1.1', 'warning', `Flächenschluss: Lücke von ${round(gap.getArea())} m² im Geltungsbereich${at}, die kein Flächenschlussobjekt abdeckt.`, area.feature, [area.feature.gmlId], gap));
    }
  }

  for (const [rule, n] of count) {
    if (n > MAX_FINDINGS_PER_RULE) out.push({ rule, severity: 'warning', stage: 'geometry', message: `Regel ${rule}: ${n - MAX_FINDINGS_PER_RULE} weitere Befunde ausgelassen.`, gmlIds: [], line: null });
  }
  return out;
}

/**
 * Pairs of members (i < j, in document order) whose interiors may meet. Most members whose
 * envelopes meet are neighbours sharing edges; the exact coverage test clears them without a
 * relate (src/core/geo/coverage.ts); on the 20 MB plan of bench/xplanung.ts it leaves exactly the
 * 150 of 4 256 pairs that overlap.
 */
function pairsThatMayOverlap(members: Located[], faceOf: (l: Located) => CoverageFace): Array<[number, number]> {
  const faces = members.map(faceOf);
  const index = new Flatbush(members.length);
  for (const f of faces) index.add(f.minX, f.minY, f.maxX, f.maxY);
  index.finish();
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < members.length; i++) {
    const fa = faces[i]!;
    const candidates = index.search(fa.minX, fa.minY, fa.maxX, fa.maxY).filter((j) => j > i).sort((x, y) => x - y);
    for (const j of candidates) if (interiorsMayMeet(fa, faces[j]!)) pairs.push([i, j]);
  }
  return pairs;
}

/**
 * Whether a gap outline holds no disc of radius half the tolerance (then the gap it bounds, which
 * may have islands, holds none either): by its area when far below π·(0.001 m)², else as the
 * gaps themselves are judged, by shrinking.
 */
function tooThinToReport(ring: FlatRing): boolean {
  // shoelace around the first point: the coordinates are large, the slivers small
  const x0 = ring[0]!, y0 = ring[1]!;
  let twice = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) twice += (ring[i]! - x0) * (ring[i + 3]! - y0) - (ring[i + 2]! - x0) * (ring[i + 1]! - y0);
  if (Math.abs(twice) / 2 < AREA_EVIDENCE_M2) return true;
  const coordinates = [];
  for (let i = 0; i + 1 < ring.length; i += 2) coordinates.push(newCoordinate(ring[i]!, ring[i + 1]!));
  const gap = geometryFactory.createPolygon(geometryFactory.createLinearRing(coordinates));
  return buffer(gap, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty();
}

/** 2.2.1.1 overlaps among the pairs whose interiors may meet. */
function findOverlaps(members: Located[], pairs: Array<[number, number]>, push: (f: Finding) => void): void {
  for (const [i, j] of pairs) {
    const a = members[i]!, b = members[j]!;
    const overlap = a.read.geometry.intersection(b.read.geometry);
    if (overlap.getDimension() < 2 || overlap.isEmpty()) continue;
    // thinner than the tolerance everywhere → rounding, not an overlap
    if (buffer(overlap, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty()) continue;
    push(finding('2.2.1.1', 'error', `Flächenschlussobjekte überlappen sich: ${a.feature.type} und ${b.feature.type} (${round(overlap.getArea())} m²).`, a.feature, [a.feature.gmlId, b.feature.gmlId], overlap));
  }
}

function germanJtsError(type: number | undefined): string {
  // TopologyValidationError codes
  switch (type) {
    case 1: return 'wiederholter Stützpunkt';
    case 2: return 'ein Loch liegt außerhalb der äußeren Begrenzung';
    case 3: return 'Löcher sind ineinander geschachtelt';
    case 4: return 'das Innere ist nicht zusammenhängend';
    case 5: return 'Selbstüberschneidung (Ringe berühren oder kreuzen sich)';
    case 6: return 'ein Ring überschneidet sich selbst';
    case 7: return 'Polygone einer Multifläche sind ineinander geschachtelt';
    case 8: return 'doppelte Ringe';
    case 9: return 'zu wenige Stützpunkte';
    case 10: return 'ungültige Koordinate';
    case 11: return 'ein Ring ist nicht geschlossen';
    default: return 'Topologiefehler';
  }
}
