// The geometry checks that stay inside one Bereich: 2.2.3.1 (its objects inside their Geltungsbereich,
// tolerance 0.002 m) and 2.2.1.1 (the Flächenschluss of its objects, tolerance 0.002 m), and a plan's own
// check for gaps (2.2.1.1 against its Geltungsbereich, with the objects of all its Bereiche). Each is a
// unit that needs nothing from the others, so the units of a large plan can be split between
// two worker threads (geometry.ts asks; `packAreaPart` moves a share as flat arrays, see
// ../../core/geo/pack.ts). The findings are the same wherever a unit runs.
import Flatbush from 'flatbush';
import { complementFace, coverageFace, coversExactly, insideByBox, interiorsMayMeet, lineFace, locateInFace, type CoverageFace } from '../../core/geo/coverage.ts';
import { gapShells, type FlatRing } from '../../core/geo/gaps.ts';
import { buffer, coveringArea, geometryFactory, intersectingLine, newCoordinate, toWkt, unionByTree, unionOfValidPolygons, type CoveringArea, type Geometry, type Polygon } from '../../core/geo/jts.ts';
import { packGeometries, transferablesOf, unpackGeometries, type PackedGeometries } from '../../core/geo/pack.ts';
import { germanArea, germanNumber, germanPoint } from '../german-number.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';

// the reference buffers the Geltungsbereich by 0.002 CRS units (2 mm in the metric CRSs plans use)
const INSIDE_TOLERANCE = 0.002;
const FLAECHENSCHLUSS_TOLERANCE = 0.002;
/**
 * An overlap or a gap worth reporting survives shrinking by half the tolerance, so it holds a disc of
 * radius 0.001 m: π·(0.001 m)² ≈ 3.1e-6 m². Below this much area (m², with room for rounding) there
 * is none.
 */
const AREA_EVIDENCE_M2 = 1e-6;

/** Where a finding's marker lies, for the message: a point inside it (JTS's interior point), to the millimetre, in German. */
function near(marker: Geometry): string {
  const c = marker.getInteriorPoint().getCoordinate();
  return c ? ` bei ${germanPoint(c.x, c.y)}` : '';
}

/** No point in common (DE-9IM FF*FF****). */
const disjoint = (a: Geometry, b: Geometry) => a.relate(b, 'FF*FF****');

/** How a message names a Geltungsbereich: by the plan or Bereich that has it. */
const named = (s: Shape) => `${s.ref.type} „${s.ref.label}“`;

/** Whose Geltungsbereich a gap (2.2.1.1) lies in, for a planner: „des Bereichs „…““ or „des Plans „…““. */
const whose = (s: Shape) => `${/_Plan$/.test(s.ref.type) ? 'des Plans' : 'des Bereichs'} „${s.ref.label}“`;

/** What a finding says about a feature. */
export interface FeatureRef { type: string; gmlId: string; line?: number; /** how messages name it: its name, else its gml:id */ label: string }

/** A valid geometry in a projected (metric) CRS, with the feature it belongs to. */
export interface Shape {
  ref: FeatureRef;
  geometry: Geometry;
  /** Per coordinate of the geometry, 1 where a stroked arc added it (ReadGeometry.stroked): no vertex for 2.2.1.1. */
  stroked?: Uint8Array;
}

/** One Bereich's checks, by index into the part's shapes. */
export interface AreaUnit {
  /**
   * 2.2.3.1: `object` must lie inside `area` (its Bereich's Geltungsbereich, else its plan's) and, where
   * given, inside `plan` too (its plan's, when the Bereich has another); `order` is the object's place in
   * the document, which orders the findings.
   */
  inside: Array<{ order: number; object: number; area: number; plan?: number }>;
  /**
   * 2.2.1.1: the Flächenschluss objects of the Bereich and its Geltungsbereich (none when it has no usable one);
   * `gapsAreErrors` from XPlanGML 6.0 on, which no longer allows gaps (up to 5.4 they are warnings, as in the reference).
   * `fillers`: where `area` is the plan's (the Bereich has none), the Flächenschluss objects of the plan's other
   * Bereiche, which cover it too (the reference judges the plan against the union of all its objects); they
   * close gaps but take no part in the overlap test.
   * `gapsOnly`: a plan's own check (the reference's step 4: its Geltungsbereich against the objects of all its
   * Bereiche), whose members were tested for overlaps in their Bereiche already: gaps only.
   * `alsoPlan`: the plan's Geltungsbereich, when it is the Bereich's (`area`) and the Bereich's objects are all
   * that cover it: each gap found is the plan's gap too and is reported once more against the plan, without a
   * second union.
   */
  coverage?: { members: number[]; area?: number; gapsAreErrors?: boolean; fillers?: number[]; gapsOnly?: boolean; alsoPlan?: number };
}

export interface AreaPart { shapes: Shape[]; units: AreaUnit[] }

export interface UnitFindings {
  /** [order, finding] per object found outside its Geltungsbereich */
  inside: Array<[number, Finding]>;
  flaechenschluss: Finding[];
  /** 2.2.1.1: the overlap test stopped at MAX_OVERLAP_FINDINGS with overlapping pairs left uncounted (see findOverlaps), or the vertex matching at MAX_POSSIBLE_GAPS */
  overlapsCapped?: true;
  /** 2.2.1.1: per index of a possible gap in `flaechenschluss` (a point marker), the box of the gap it lies on */
  gapBoxes?: Record<number, [number, number, number, number]>;
}

/** How every gap message (2.2.1.1) begins; overlaps begin otherwise. */
const GAP_MESSAGE = 'Flächenschluss: ';

/** Whether a finding is a 2.2.1.1 gap (a warning up to 5.4, an error from 6.0 on), whatever its severity. */
export function isGapFinding(f: Finding): boolean {
  return f.rule === '2.2.1.1' && f.message.startsWith(GAP_MESSAGE);
}

function finding(rule: RuleId, severity: Finding['severity'], message: string, ref: FeatureRef, gmlIds: string[], marker?: Geometry): Finding {
  const f: Finding = { rule, severity, stage: 'geometry', message, gmlIds, line: ref.line ?? null };
  if (marker && !marker.isEmpty()) f.marker = toWkt(marker);
  return f;
}

/**
 * Runs the units of a part. The boundaries as flat segments (core/geo/coverage.ts), the outside of
 * each Geltungsbereich and its widened area are made once per shape and kept for the whole part.
 */
export class AreaChecker {
  private readonly faces = new Map<Shape, CoverageFace>();
  private readonly outsides = new Map<Shape, CoverageFace>();
  private readonly insideAnswers = new Map<Shape, Array<{ area: Shape; inside: boolean }>>();
  private readonly widened = new Map<Shape, CoveringArea>();
  private readonly shells = new Map<Shape, Geometry | null>();

  constructor(private readonly shapes: Shape[]) {}

  check(unit: AreaUnit): UnitFindings {
    const out: UnitFindings = { inside: [], flaechenschluss: [] };
    for (const { order, object, area, plan } of unit.inside) {
      for (const f of this.outsideOfAreas(this.shapes[object]!, this.shapes[area]!, plan === undefined ? undefined : this.shapes[plan])) out.inside.push([order, f]);
    }
    if (unit.coverage) {
      const { members, area, gapsAreErrors, fillers, gapsOnly, alsoPlan } = unit.coverage;
      const gapBoxes: NonNullable<UnitFindings['gapBoxes']> = {};
      const capped = this.flaechenschluss(members.map((i) => this.shapes[i]!), area === undefined ? undefined : this.shapes[area], out.flaechenschluss, gapsAreErrors ? 'error' : 'warning', {
        fillers: (fillers ?? []).map((i) => this.shapes[i]!),
        gapsOnly: !!gapsOnly,
        alsoPlan: alsoPlan === undefined ? undefined : this.shapes[alsoPlan],
        gapBoxes,
      });
      if (capped) out.overlapsCapped = true;
      if (Object.keys(gapBoxes).length > 0) out.gapBoxes = gapBoxes;
    }
    return out;
  }

  private faceOf(s: Shape): CoverageFace {
    let f = this.faces.get(s);
    if (!f) this.faces.set(s, (f = coverageFace(s.geometry)));
    return f;
  }

  /** Everything outside a Geltungsbereich (within a wide frame), to test "inside" exactly. */
  private outsideOf(area: Shape): CoverageFace {
    let f = this.outsides.get(area);
    if (!f) {
      const face = this.faceOf(area);
      this.outsides.set(area, (f = complementFace(face, 1000 + Math.max(face.maxX - face.minX, face.maxY - face.minY))));
    }
    return f;
  }

  /** Asked twice for most objects (2.2.3.1, then 2.2.1.1), answered once; per area, as 2.2.3.1 may ask the Bereich's and the plan's. */
  private insideExactly(o: Shape, area: Shape): boolean {
    const known = this.insideAnswers.get(o);
    const answer = known?.find((k) => k.area === area);
    if (answer) return answer.inside;
    const inside = this.insideExactlyOnce(o, area);
    if (known) known.push({ area, inside });
    else this.insideAnswers.set(o, [{ area, inside }]);
    return inside;
  }

  private insideExactlyOnce(o: Shape, area: Shape): boolean {
    const g = o.geometry;
    const box = g.getEnvelopeInternal(), at = g.getCoordinate();
    if (!at) return false;
    // most objects lie off the Geltungsbereich's boundary: then no face of theirs is needed
    const quick = insideByBox(this.outsideOf(area), box.getMinX(), box.getMinY(), box.getMaxX(), box.getMaxY(), at.x, at.y);
    if (quick !== undefined) return quick;
    switch (g.getDimension()) {
      case 2: return coversExactly(this.outsideOf(area), this.faceOf(o));
      case 1: return coversExactly(this.outsideOf(area), lineFace(g), true);
      case 0: return g.getCoordinates().every((c) => locateInFace(this.faceOf(area), c.x, c.y) >= 0);
      default: return false;
    }
  }

  /**
   * 2.2.3.1: the part of `o` outside the widened `area`, none when it lies inside. Most objects lie
   * inside exactly (off the boundary, or along it), which the exact test shows without JTS; the rest
   * are tested against the widened area, built and indexed once per Geltungsbereich, and only those
   * outside it reach the (costlier) overlay.
   */
  private partOutside(o: Shape, area: Shape): Geometry | undefined {
    if (this.insideExactly(o, area)) return undefined;
    let w = this.widened.get(area);
    if (!w) {
      w = coveringArea(buffer(area.geometry, INSIDE_TOLERANCE));
      this.widened.set(area, w);
    }
    if (w.covers(o.geometry)) return undefined;
    const outside = o.geometry.difference(w.geometry);
    return outside.isEmpty() ? undefined : outside;
  }

  /**
   * 2.2.3.1 for one object: inside `area` and, when given, inside `plan` too. Outside both, xPlanBox
   * counts one error when the object lies wholly outside both or both are the same area, else one
   * for each; so does this.
   */
  private outsideOfAreas(o: Shape, area: Shape, plan: Shape | undefined): Finding[] {
    const outArea = this.partOutside(o, area);
    const outPlan = plan && this.partOutside(o, plan);
    const partly = (a: Shape, outside: Geometry) => this.beyondOrInHole(o, a, outside);
    if (!outArea || !outPlan) return outArea ? partly(area, outArea) : outPlan ? partly(plan!, outPlan) : [];
    const ids = [o.ref.gmlId, area.ref.gmlId, plan!.ref.gmlId];
    if (disjoint(o.geometry, area.geometry) && disjoint(o.geometry, plan!.geometry)) {
      return [finding('2.2.3.1', 'error', `${o.ref.type} liegt ganz außerhalb der Geltungsbereiche von ${named(area)} und ${named(plan!)}${near(outArea)}.`, o.ref, ids, outArea)];
    }
    if (area.geometry.equals(plan!.geometry)) {
      return [finding('2.2.3.1', 'error', `${o.ref.type} liegt teilweise außerhalb des gemeinsamen Geltungsbereichs von ${named(area)} und ${named(plan!)}${near(outArea)}.`, o.ref, ids, outArea)];
    }
    return [...partly(area, outArea), ...partly(plan!, outPlan)];
  }

  /**
   * The part of `o` outside `area`: beyond its outer boundary, in a hole of it, or both, which xPlanBox
   * counts as two errors (a planner mends them differently).
   */
  private beyondOrInHole(o: Shape, area: Shape, outside: Geometry): Finding[] {
    const ids = [o.ref.gmlId, area.ref.gmlId];
    const shell = this.shellOf(area);
    const inHole = shell && outside.intersection(shell);
    const beyond = shell && outside.difference(shell);
    const real = (g: Geometry | null): g is Geometry => !!g && !g.isEmpty() && g.getDimension() === outside.getDimension();
    const found: Finding[] = [];
    if (!real(inHole) || real(beyond)) {
      const marker = real(inHole) ? beyond! : outside;
      found.push(finding('2.2.3.1', 'error', `${o.ref.type} liegt teilweise außerhalb des Geltungsbereichs von ${named(area)}${near(marker)}.`, o.ref, ids, marker));
    }
    if (real(inHole)) found.push(finding('2.2.3.1', 'error', `${o.ref.type} liegt teilweise in einem Loch (einer Aussparung) des Geltungsbereichs von ${named(area)}${near(inHole)}.`, o.ref, ids, inHole));
    return found;
  }

  /** The area without its holes; null when it has none. */
  private shellOf(area: Shape): Geometry | null {
    let shell = this.shells.get(area);
    if (shell === undefined) {
      const g = area.geometry;
      const polygons = Array.from({ length: g.getNumGeometries() }, (_x, i) => g.getGeometryN(i) as Polygon);
      // buffer by 0 unions the shells: an island in another polygon's hole lies inside that shell
      shell = polygons.some((p) => p.getNumInteriorRing() > 0) ? buffer(g.getFactory().createMultiPolygon(polygons.map((p) => g.getFactory().createPolygon(p.getExteriorRing()))), 0) : null;
      this.shells.set(area, shell);
    }
    return shell;
  }

  /**
   * 2.2.1.1: overlaps between members are errors (not tested when `gapsOnly`), gaps in the Geltungsbereich of
   * `gapSeverity`, each reported once more against `alsoPlan` when given (AreaUnit); true when the overlap test
   * or the vertex matching of the gaps stopped at its cap.
   */
  private flaechenschluss(members: Shape[], area: Shape | undefined, out: Finding[], gapSeverity: Finding['severity'], { fillers = [], gapsOnly = false, alsoPlan, gapBoxes = {} }: { fillers?: Shape[]; gapsOnly?: boolean; alsoPlan?: Shape; gapBoxes?: UnitFindings['gapBoxes'] } = {}): boolean {
    const geometries = members.map((m) => m.geometry);
    const pairs = new CandidatePairs(members.map((m) => this.faceOf(m)), geometries);
    const summed = geometries.reduce((sum, g) => sum + g.getArea(), 0);
    // A coverage without overlaps needs no union when it has no gap worth reporting. When no two
    // members' interiors meet (exact, see CandidatePairs) and every member lies inside the
    // Geltungsbereich (exact), the members' areas add up to the covered part of it and what is left
    // over is the gaps' area: under π·(0.001 m)² no gap survives shrinking by half the tolerance
    // (see below). Otherwise the gaps' outlines, traced from the unshared boundary pieces
    // (core/geo/gaps.ts), show whether any gap is wide enough; only then is the union built.
    if (pairs.empty) {
      if (!area) return false;
      if (members.every((m) => this.insideExactly(m, area))) {
        if (area.geometry.getArea() - summed <= AREA_EVIDENCE_M2) return false;
        const shells = gapShells(members.map((m) => this.faceOf(m)), this.faceOf(area));
        if (shells && shells.every(tooThinToReport)) return false;
      }
    }
    // copies add nothing to the union, only to its cost (noding the same edges N times); members that
    // overlap many others (more pairs that may meet than there are distinct members) are joined as a
    // tree in spatial order, as their crossings would make one noding pass quadratic
    const distinct = pairs.distinct(geometries);
    const union = pairs.atLeastPairs(distinct.length + 1)
      ? unionByTree(geometries[0]!.getFactory(), pairs.spatialOrder().map((g) => distinct[g]!))
      : unionOfValidPolygons(geometries[0]!.getFactory(), distinct);
    // The areas add up to the union's exactly when no two members overlap; any overlap worth
    // reporting (one that survives shrinking by half the tolerance) holds a disc of that radius,
    // so it adds at least π·(0.001 m)² to the sum. Below that, no pair can overlap and the pairwise
    // test is skipped. Many real plans have rounding slivers between neighbours (Blankenese29:
    // 0.031 m²), and then every pair whose interiors meet is intersected (findOverlaps).
    const excess = summed - union.getArea();
    let capped = !gapsOnly && excess > AREA_EVIDENCE_M2 && findOverlaps(members, pairs, out);
    if (!area) return capped;
    let difference = area.geometry.difference(union);
    if (fillers.length > 0 && !difference.isEmpty()) difference = difference.difference(unionOfValidPolygons(difference.getFactory(), fillers.map((f) => f.geometry)));
    // in a stable order and form (ring start and orientation), whichever way the union was built
    const gaps = Array.from({ length: difference.getNumGeometries() }, (_x, k) => difference.getGeometryN(k).norm());
    gaps.sort((a, b) => a.getEnvelopeInternal().getMinX() - b.getEnvelopeInternal().getMinX() || a.getEnvelopeInternal().getMinY() - b.getEnvelopeInternal().getMinY());
    const reported = gaps.filter((gap) => !gap.isEmpty() && !buffer(gap, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty() && !wholePartOf(area.geometry, gap));
    if (reported.length === 0) return capped;
    // As the reference (OptimisedFlaechenschlussInspector): along the outline of each gap, every vertex of the
    // Flächenschluss objects that touch it needs a partner vertex within 2 mm (of another object, of its own, or
    // of the Geltungsbereich). A gap whose outline has vertices without one is reported as one possible gap per
    // such vertex (once per vertex and step); one without, as one gap. A gap that is a hole of the objects'
    // union (it touches no boundary of the Geltungsbereich) is first judged as that hole (step 2), which reports
    // only the vertices without a partner.
    const vertices = new OutlineVertices([...members, ...fillers]);
    const outlines = reported.map((gap) => (gap as Polygon).getExteriorRing());
    // at most MAX_POSSIBLE_GAPS possible gaps per unit (as the overlaps, the plan shows at most MAX_FINDINGS_PER_RULE
    // of a rule): past it, the vertices are matched no more, a gap is reported as one gap, and the unit says so
    let possible = 0;
    const unmatched = (outline: Geometry, a: Shape): LoneVertex[] => {
      if (possible >= MAX_POSSIBLE_GAPS) {
        capped = true;
        return [];
      }
      const found = vertices.unmatched(outline, a);
      if (possible + found.length > MAX_POSSIBLE_GAPS) capped = true;
      const kept = found.slice(0, MAX_POSSIBLE_GAPS - possible);
      possible += kept.length;
      return kept;
    };
    if (!gapsOnly) {
      const onBoundary = intersectingLine(areaBoundary(area.geometry));
      const seen = new Set<string>();
      reported.forEach((gap, k) => {
        if (onBoundary(outlines[k]!)) return;
        for (const v of unmatched(outlines[k]!, area)) {
          if (seen.has(v.key)) continue;
          seen.add(v.key);
          gapBoxes[out.length] = boxOf(gap);
          out.push(possibleGap(v, gapSeverity, `er liegt am Rand eines Lochs von ${germanArea(gap.getArea())} zwischen den Flächenschlussobjekten ${whose(area).replace(/^des/, 'im Geltungsbereich des')}${near(gap)}`, area));
        }
      });
    }
    // the Bereich's gaps first, then the same gaps as its plan's (the reference's steps 3 and 4)
    for (const a of alsoPlan ? [area, alsoPlan] : [area]) {
      const seen = new Set<string>();
      reported.forEach((gap, k) => {
        const gapText = `Lücke von ${germanArea(gap.getArea())} im Geltungsbereich ${whose(a)}${near(gap)}, die kein Flächenschlussobjekt abdeckt`;
        const lone = unmatched(outlines[k]!, a);
        if (lone.length === 0) {
          out.push(finding('2.2.1.1', gapSeverity, `${GAP_MESSAGE}${gapText}.`, a.ref, [a.ref.gmlId], gap));
          return;
        }
        for (const v of lone) {
          if (seen.has(v.key)) continue;
          seen.add(v.key);
          gapBoxes[out.length] = boxOf(gap);
          out.push(possibleGap(v, gapSeverity, `er liegt am Rand der ${gapText}`, a));
        }
      });
    }
    return capped;
  }
}

/** 2.2.1.1: possible gaps (vertices without a partner) are looked for until a unit has this many (as MAX_OVERLAP_FINDINGS). */
export const MAX_POSSIBLE_GAPS = 500;

/** 2.2.1.1: two vertices are the same within this distance (the reference's ALLOWEDDISTANCE_METRE, 2 mm). */
const VERTEX_TOLERANCE = 0.002;

/** A vertex of a Flächenschluss object along a gap's outline without a partner vertex (OutlineVertices). */
interface LoneVertex { x: number; y: number; owner: Shape; /** the object and the point, to report each once per step */ key: string }

/**
 * A possible gap (2.2.1.1): a vertex without a partner along a gap's outline, as the reference reports it (one
 * per vertex, its point as the marker). `where`: the gap it lies on, for the planner.
 */
function possibleGap(v: LoneVertex, severity: Finding['severity'], where: string, a: Shape): Finding {
  const message = `${GAP_MESSAGE}mögliche Lücke bei ${germanPoint(v.x, v.y)}: der Stützpunkt von ${v.owner.ref.type} „${v.owner.ref.label}“ hat keinen Partner (einen Stützpunkt im Abstand bis ${germanNumber(VERTEX_TOLERANCE)} m) in einem anderen Flächenschlussobjekt oder im Geltungsbereich; ${where}.`;
  return finding('2.2.1.1', severity, message, v.owner.ref, [a.ref.gmlId, v.owner.ref.gmlId], geometryFactory.createPoint(newCoordinate(v.x, v.y)));
}

const boxOf = (g: Geometry): [number, number, number, number] => {
  const e = g.getEnvelopeInternal();
  return [e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()];
};

/** All rings of an area as one lineal geometry: its boundary. */
function areaBoundary(area: Geometry): Geometry {
  const rings: Geometry[] = [];
  for (let k = 0; k < area.getNumGeometries(); k++) {
    const p = area.getGeometryN(k) as Polygon;
    rings.push(p.getExteriorRing());
    for (let i = 0; i < p.getNumInteriorRing(); i++) rings.push(p.getInteriorRingN(i));
  }
  return area.getFactory().createMultiLineString(rings);
}

/** The distance² from (px, py) to the segment (ax, ay)–(bx, by). */
function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2));
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * The vertex test of 2.2.1.1 along a gap's outline, as the reference makes it (OptimisedFlaechenschlussInspector,
 * collectControlPointsIntersectingTheInteriorRing and checkControlPointsAndAddFailures): the Flächenschluss objects
 * that touch the outline give their vertices within 2 mm of it (of all their rings, each ring's closing vertex
 * too, so that a ring's first vertex always has a partner, as the reference lists a ring's points), the
 * Geltungsbereich gives its vertices there as partners; a vertex of an object without another vertex within 2 mm
 * has no partner. The objects are found by their boxes (an index, made once per unit), the vertices near the
 * outline by an index of its segments, the partners along the vertices sorted by x: no pair of all.
 */
class OutlineVertices {
  private index: Flatbush | undefined;

  constructor(private readonly objects: Shape[]) {}

  private objectsNear(minX: number, minY: number, maxX: number, maxY: number): Shape[] {
    if (!this.index) {
      this.index = new Flatbush(Math.max(1, this.objects.length));
      for (const o of this.objects) {
        const e = o.geometry.getEnvelopeInternal();
        this.index.add(e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY());
      }
      if (this.objects.length === 0) this.index.add(0, 0, 0, 0);
      this.index.finish();
    }
    return this.index.search(minX, minY, maxX, maxY).filter((i) => i < this.objects.length).map((i) => this.objects[i]!);
  }

  unmatched(outline: Geometry, area: Shape): LoneVertex[] {
    const t = VERTEX_TOLERANCE;
    const ring = outline.getCoordinates();
    if (ring.length < 2) return [];
    const segments = new Flatbush(ring.length - 1);
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i]!, b = ring[i + 1]!;
      segments.add(Math.min(a.x, b.x) - t, Math.min(a.y, b.y) - t, Math.max(a.x, b.x) + t, Math.max(a.y, b.y) + t);
    }
    segments.finish();
    const near = (x: number, y: number) => segments.search(x, y, x, y).some((i) => segmentDistance2(x, y, ring[i]!.x, ring[i]!.y, ring[i + 1]!.x, ring[i + 1]!.y) <= t * t);
    const e = outline.getEnvelopeInternal();
    const minX = e.getMinX() - t, minY = e.getMinY() - t, maxX = e.getMaxX() + t, maxY = e.getMaxY() + t;
    const points: Array<{ x: number; y: number; owner?: Shape; matched: boolean }> = [];
    // only the vertices that stand in the GML: the reference sees an arc's three points, not its chords
    const collect = (shape: Shape, owner: Shape | undefined) => {
      const coords = shape.geometry.getCoordinates(), stroked = shape.stroked;
      for (let i = 0; i < coords.length; i++) {
        const c = coords[i]!;
        if (stroked?.[i]) continue;
        if (c.x >= minX && c.x <= maxX && c.y >= minY && c.y <= maxY && near(c.x, c.y)) points.push({ x: c.x, y: c.y, owner, matched: !owner });
      }
    };
    const touches = intersectingLine(outline);
    for (const o of this.objectsNear(minX, minY, maxX, maxY)) if (touches(o.geometry)) collect(o, o);
    if (!points.some((p) => p.owner)) return [];
    collect(area, undefined);
    points.sort((p, q) => p.x - q.x || p.y - q.y);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      for (let j = i + 1; j < points.length && points[j]!.x - p.x <= t; j++) {
        const q = points[j]!;
        if ((q.x - p.x) ** 2 + (q.y - p.y) ** 2 <= t * t) p.matched = q.matched = true;
      }
    }
    return points.filter((p) => !p.matched).map((p) => ({ x: p.x, y: p.y, owner: p.owner!, key: `${p.owner!.ref.gmlId} ${p.x} ${p.y}` }));
  }
}

/**
 * Whether a gap is a whole polygon of the Geltungsbereich, or all of it: no Flächenschluss object lies in that
 * part at all (a plan's second polygon that no Bereich covers, 1_Geltungsbereich-Test.gml). xPlanBox reports a
 * difference polygon as a gap only where it relates to the Geltungsbereich as DE-9IM TTT*****T (Konformitätsregeln
 * §5, step 3): its outline must run through the Geltungsbereich's interior somewhere, and the Geltungsbereich must
 * reach beyond it; a gap inside the Geltungsbereich (which it covers) fails that only by being such a whole part.
 * The areas pick the few gaps worth the exact test.
 */
function wholePartOf(area: Geometry, gap: Geometry): boolean {
  const a = gap.getArea(), box = gap.getEnvelopeInternal();
  for (let k = 0; k < area.getNumGeometries(); k++) {
    const part = area.getGeometryN(k);
    if (Math.abs(part.getArea() - a) <= 1e-6 * a + AREA_EVIDENCE_M2 && part.getEnvelopeInternal().intersects(box)) return !area.relate(gap, 'TTT*****T');
  }
  return false;
}

/**
 * 2.2.1.1 findings for overlaps are capped at this many per rule for the whole plan
 * (MAX_FINDINGS_PER_RULE in geometry.ts): once a unit has this many, further pairs could only be
 * counted, and each costs an overlay, so they are left unexamined. The plan is invalid by then.
 */
export const MAX_OVERLAP_FINDINGS = 500;
/**
 * Past the cap, how many more overlays may be spent looking for one more overlap (copies cost none:
 * their overlap is known). A pair left may still be a sliver below the tolerance, but its interiors
 * do meet (CandidatePairs): when the look finds none within this many, the test counts as capped too.
 */
const OVERLAYS_PAST_CAP = 8;

/**
 * The pairs of members (i < j, in document order) whose interiors may meet, enumerated lazily: a
 * plan of N copies of one area has N²/2 of them, and the overlap test stops at its cap. Members with
 * the same coordinates (copies) form one group, tested once: its representative's face stands for
 * every member, so the envelope index and the coverage test see each distinct geometry once.
 * Most members whose envelopes meet are neighbours sharing edges; the exact coverage test clears
 * them without a relate (src/core/geo/coverage.ts); on the 20 MB plan of bench/xplanung.ts it leaves
 * exactly the 150 of 4 256 pairs that overlap.
 */
export class CandidatePairs implements Iterable<[number, number]> {
  /** per member, its group; per group, its members in document order (the first represents it) */
  readonly groupOf: Int32Array;
  readonly groups: number[][] = [];
  private readonly index: Flatbush;
  private readonly meet = new Map<number, boolean>();

  constructor(private readonly faces: CoverageFace[], geometries: Geometry[]) {
    this.groupOf = identicalGroups(faces, geometries, this.groups);
    this.index = new Flatbush(this.groups.length);
    for (const [r] of this.groups) {
      const f = faces[r!]!;
      this.index.add(f.minX, f.minY, f.maxX, f.maxY);
    }
    this.index.finish();
  }

  /** One member of each group: the union of these is the union of all. */
  distinct<T>(items: T[]): T[] {
    return this.groups.map((g) => items[g[0]!]!);
  }

  /**
   * Whether at least `limit` pairs of distinct members (groups) may meet; stops counting there, so
   * it costs at most `limit` coverage tests beyond the index searches.
   */
  atLeastPairs(limit: number): boolean {
    let n = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const f = this.faces[this.groups[g]![0]!]!;
      for (const h of this.index.search(f.minX, f.minY, f.maxX, f.maxY)) {
        if (h > g && this.mayMeet(g, h) && ++n >= limit) return true;
      }
    }
    return false;
  }

  /** The groups ordered along a Hilbert curve through their boxes' centres, so that neighbours come together. */
  spatialOrder(): number[] {
    const f0 = this.groups.map(([r]) => this.faces[r!]!);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const f of f0) {
      minX = Math.min(minX, f.minX); minY = Math.min(minY, f.minY); maxX = Math.max(maxX, f.maxX); maxY = Math.max(maxY, f.maxY);
    }
    const scale = 65535 / Math.max(maxX - minX, maxY - minY, 1e-9);
    const key = f0.map((f) => hilbert(Math.floor(((f.minX + f.maxX) / 2 - minX) * scale), Math.floor(((f.minY + f.maxY) / 2 - minY) * scale)));
    return f0.map((_f, g) => g).sort((a, b) => key[a]! - key[b]! || a - b);
  }

  /** Whether there is no pair at all. */
  get empty(): boolean {
    return this[Symbol.iterator]().next().done === true;
  }

  /** Whether a member of group g and one of group h (g's member first) may overlap: one test per ordered pair of groups. */
  private mayMeet(g: number, h: number): boolean {
    const key = g * this.groups.length + h;
    let m = this.meet.get(key);
    if (m === undefined) this.meet.set(key, (m = interiorsMayMeet(this.faces[this.groups[g]![0]!]!, this.faces[this.groups[h]![0]!]!)));
    return m;
  }

  *[Symbol.iterator](): Iterator<[number, number]> {
    const faces = this.faces;
    for (let i = 0; i < faces.length; i++) {
      const fa = faces[i]!, g = this.groupOf[i]!;
      const candidates: number[] = [];
      for (const h of this.index.search(fa.minX, fa.minY, fa.maxX, fa.maxY)) {
        const members = this.groups[h]!;
        if (members[members.length - 1]! <= i || !this.mayMeet(g, h)) continue;
        for (let k = firstAbove(members, i); k < members.length; k++) candidates.push(members[k]!);
      }
      candidates.sort((x, y) => x - y);
      for (const j of candidates) yield [i, j];
    }
  }
}

/** The position of (x, y), 16-bit integers each, along a Hilbert curve. */
function hilbert(x: number, y: number): number {
  let d = 0;
  for (let s = 1 << 15; s > 0; s >>= 1) {
    const rx = (x & s) > 0 ? 1 : 0, ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) { x = 65535 - x; y = 65535 - y; }
      const t = x; x = y; y = t;
    }
  }
  return d;
}

/** The first position in an ascending list whose value is above v. */
function firstAbove(list: number[], v: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Groups members with the same geometry, coordinate for coordinate (same type, parts and rings):
 * fills `groups` and returns each member's group. Faces are compared first (by size, box and first
 * point, then segment by segment); the coordinates only where the faces are the same.
 */
function identicalGroups(faces: CoverageFace[], geometries: Geometry[], groups: number[][]): Int32Array {
  const groupOf = new Int32Array(faces.length);
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < faces.length; i++) {
    const f = faces[i]!;
    const key = `${f.n} ${f.minX} ${f.minY} ${f.maxX} ${f.maxY} ${f.seg[0]} ${f.seg[1]}`;
    let candidates = byKey.get(key);
    if (!candidates) byKey.set(key, (candidates = []));
    const same = candidates.find((g) => sameGeometry(faces[groups[g]![0]!]!, f, geometries[groups[g]![0]!]!, geometries[i]!));
    if (same === undefined) {
      candidates.push(groups.length);
      groupOf[i] = groups.length;
      groups.push([i]);
    } else {
      groupOf[i] = same;
      groups[same]!.push(i);
    }
  }
  return groupOf;
}

function sameGeometry(fa: CoverageFace, fb: CoverageFace, a: Geometry, b: Geometry): boolean {
  if (fa.n !== fb.n || fa.n === 0) return false;
  for (let k = 0; k < fa.seg.length; k++) if (fa.seg[k] !== fb.seg[k]) return false;
  for (let k = 0; k < fa.n; k++) if (fa.ringStart[k] !== fb.ringStart[k]) return false;
  // the faces turn every ring one way; the geometries must match as written, for the same overlay results
  if (a.getGeometryType() !== b.getGeometryType() || a.getNumGeometries() !== b.getNumGeometries()) return false;
  const ca = a.getCoordinates(), cb = b.getCoordinates();
  return ca.length === cb.length && ca.every((c, k) => c.equals2D(cb[k]!));
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

/**
 * Whether an area surely holds a disc of radius half the tolerance, without shrinking it: the points
 * within r of a boundary of length L cover at most 2·r·L + π·r² per ring, so an area larger than all
 * of that has a point farther than r from every boundary. Overlaps of objects that really overlap
 * (e.g. the 500 of a plan of shifted copies) pass here; slivers go on to the buffer.
 */
function surelyHoldsDisc(g: Geometry): boolean {
  const r = FLAECHENSCHLUSS_TOLERANCE / 2;
  let rings = 0, length = 0;
  for (let k = 0; k < g.getNumGeometries(); k++) {
    // an overlap may come as a collection with lines and points too: those go to the buffer
    if (g.getGeometryN(k).getGeometryType() !== 'Polygon') return false;
    const p = g.getGeometryN(k) as Polygon;
    const all = [p.getExteriorRing(), ...Array.from({ length: p.getNumInteriorRing() }, (_x, i) => p.getInteriorRingN(i))];
    for (const ring of all) {
      rings++;
      length += ring.getLength();
    }
  }
  return g.getArea() > 2 * (2 * r * length + Math.PI * r * r * rings);
}

/**
 * 2.2.1.1 overlaps among the pairs whose interiors may meet, at most MAX_OVERLAP_FINDINGS of them.
 * The overlap of two groups of copies is computed once and holds for every pair of their members.
 * True when it stopped at the cap with more overlaps left (uncounted; see OVERLAYS_PAST_CAP).
 */
function findOverlaps(members: Shape[], pairs: CandidatePairs, out: Finding[]): boolean {
  const known = new Map<number, { area: string; near: string; marker: string } | null>();
  const G = pairs.groups.length;
  let found = 0, pastCap = 0;
  for (const [i, j] of pairs) {
    const a = members[i]!, b = members[j]!;
    const g = pairs.groupOf[i]!, h = pairs.groupOf[j]!;
    let overlap = known.get(g * G + h);
    if (overlap === undefined) {
      if (found >= MAX_OVERLAP_FINDINGS && ++pastCap > OVERLAYS_PAST_CAP) return true;
      const o = members[pairs.groups[g]![0]!]!.geometry.intersection(members[pairs.groups[h]![0]!]!.geometry);
      // thinner than the tolerance everywhere → rounding, not an overlap
      const real = o.getDimension() === 2 && !o.isEmpty() && (surelyHoldsDisc(o) || !buffer(o, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty());
      overlap = real ? { area: germanArea(o.getArea()), near: near(o), marker: toWkt(o) } : null;
      known.set(g * G + h, overlap);
    }
    if (!overlap) continue;
    if (found >= MAX_OVERLAP_FINDINGS) return true;
    const f = finding('2.2.1.1', 'error', `Flächenschlussobjekte überlappen sich: ${a.ref.type} und ${b.ref.type} (${overlap.area})${overlap.near}.`, a.ref, [a.ref.gmlId, b.ref.gmlId]);
    f.marker = overlap.marker;
    out.push(f);
    found++;
  }
  return false;
}

/** A part as it travels to another worker: the geometries flat (transferred, not copied), the rest cloned. */
export interface PackedAreaPart { geometries: PackedGeometries; refs: FeatureRef[]; units: AreaUnit[]; /** per shape, its stroked points (Shape.stroked) or null */ stroked?: Array<Uint8Array | null> }

/** The units of `part` given, with only the shapes they use, packed for postMessage (and the buffers to transfer). */
export function packAreaPart(part: AreaPart, units: AreaUnit[]): { packed: PackedAreaPart; transfer: ArrayBuffer[] } {
  const renumbered = new Map<number, number>();
  const used: Shape[] = [];
  const at = (i: number) => {
    let j = renumbered.get(i);
    if (j === undefined) {
      renumbered.set(i, (j = used.length));
      used.push(part.shapes[i]!);
    }
    return j;
  };
  const moved = units.map((u): AreaUnit => ({
    inside: u.inside.map((t) => ({ order: t.order, object: at(t.object), area: at(t.area), ...(t.plan === undefined ? {} : { plan: at(t.plan) }) })),
    ...(u.coverage ? { coverage: { members: u.coverage.members.map(at), ...(u.coverage.area === undefined ? {} : { area: at(u.coverage.area) }), ...(u.coverage.gapsAreErrors ? { gapsAreErrors: true } : {}), ...(u.coverage.fillers ? { fillers: u.coverage.fillers.map(at) } : {}), ...(u.coverage.gapsOnly ? { gapsOnly: true } : {}), ...(u.coverage.alsoPlan === undefined ? {} : { alsoPlan: at(u.coverage.alsoPlan) }) } } : {}),
  }));
  const geometries = packGeometries(used.map((s) => s.geometry));
  const stroked = used.some((s) => s.stroked) ? used.map((s) => s.stroked ?? null) : undefined;
  return { packed: { geometries, refs: used.map((s) => s.ref), units: moved, ...(stroked ? { stroked } : {}) }, transfer: transferablesOf(geometries) };
}

function unpackAreaPart(p: PackedAreaPart): AreaPart {
  const geometries = unpackGeometries(p.geometries);
  if (geometries.length !== p.refs.length) throw new Error('malformed area part');
  return { shapes: geometries.map((geometry, i) => ({ ref: p.refs[i]!, geometry, ...(p.stroked?.[i] ? { stroked: p.stroked[i]! } : {}) })), units: p.units };
}

/** What a helping worker does with a part another worker packed. */
export function checkPackedAreaPart(p: PackedAreaPart): UnitFindings[] {
  const part = unpackAreaPart(p);
  const checker = new AreaChecker(part.shapes);
  return part.units.map((u) => checker.check(u));
}
