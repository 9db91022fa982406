// The geometry checks that stay inside one Bereich: 2.2.3.1 (its objects inside their Geltungsbereich,
// tolerance 0.002 m) and 2.2.1.1 (the Flächenschluss of its objects, tolerance 0.002 m). Each Bereich
// is a unit that needs nothing from the others, so the units of a large plan can be split between
// two worker threads (geometry.ts asks; `packAreaPart` moves a share as flat arrays, see
// ../../core/geo/pack.ts). The findings are the same wherever a unit runs.
import Flatbush from 'flatbush';
import { complementFace, coverageFace, coversExactly, insideByBox, interiorsMayMeet, lineFace, locateInFace, type CoverageFace } from '../../core/geo/coverage.ts';
import { gapShells, type FlatRing } from '../../core/geo/gaps.ts';
import { buffer, coveringArea, geometryFactory, newCoordinate, toWkt, unionOfValidPolygons, type CoveringArea, type Geometry, type Polygon } from '../../core/geo/jts.ts';
import { packGeometries, transferablesOf, unpackGeometries, type PackedGeometries } from '../../core/geo/pack.ts';
import { germanArea, germanPoint } from '../german-number.ts';
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

/** What a finding says about a feature. */
export interface FeatureRef { type: string; gmlId: string; line?: number; /** how messages name it: its name, else its gml:id */ label: string }

/** A valid geometry in a projected (metric) CRS, with the feature it belongs to. */
export interface Shape { ref: FeatureRef; geometry: Geometry }

/** One Bereich's checks, by index into the part's shapes. */
export interface AreaUnit {
  /**
   * 2.2.3.1: `object` must lie inside `area` (its Bereich's Geltungsbereich, else its plan's) and, where
   * given, inside `plan` too (its plan's, when the Bereich has another); `order` is the object's place in
   * the document, which orders the findings.
   */
  inside: Array<{ order: number; object: number; area: number; plan?: number }>;
  /** 2.2.1.1: the Flächenschluss objects of the Bereich and its Geltungsbereich (none when it has no usable one). */
  coverage?: { members: number[]; area?: number };
}

export interface AreaPart { shapes: Shape[]; units: AreaUnit[] }

export interface UnitFindings {
  /** [order, finding] per object found outside its Geltungsbereich */
  inside: Array<[number, Finding]>;
  flaechenschluss: Finding[];
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
    if (unit.coverage) this.flaechenschluss(unit.coverage.members.map((i) => this.shapes[i]!), unit.coverage.area === undefined ? undefined : this.shapes[unit.coverage.area], out.flaechenschluss);
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

  /** 2.2.1.1: overlaps between members are errors, gaps in the Geltungsbereich warnings. */
  private flaechenschluss(members: Shape[], area: Shape | undefined, out: Finding[]): void {
    const geometries = members.map((m) => m.geometry);
    const pairs = pairsThatMayOverlap(members.map((m) => this.faceOf(m)));
    const summed = geometries.reduce((sum, g) => sum + g.getArea(), 0);
    // A coverage without overlaps needs no union when it has no gap worth reporting. When no two
    // members' interiors meet (exact, see pairsThatMayOverlap) and every member lies inside the
    // Geltungsbereich (exact), the members' areas add up to the covered part of it and what is left
    // over is the gaps' area: under π·(0.001 m)² no gap survives shrinking by half the tolerance
    // (see below). Otherwise the gaps' outlines, traced from the unshared boundary pieces
    // (core/geo/gaps.ts), show whether any gap is wide enough; only then is the union built.
    if (pairs.length === 0) {
      if (!area) return;
      if (members.every((m) => this.insideExactly(m, area))) {
        if (area.geometry.getArea() - summed <= AREA_EVIDENCE_M2) return;
        const shells = gapShells(members.map((m) => this.faceOf(m)), this.faceOf(area));
        if (shells && shells.every(tooThinToReport)) return;
      }
    }
    const union = unionOfValidPolygons(geometries[0]!.getFactory(), geometries);
    // The areas add up to the union's exactly when no two members overlap; any overlap worth
    // reporting (one that survives shrinking by half the tolerance) holds a disc of that radius,
    // so it adds at least π·(0.001 m)² to the sum. Below that, no pair can overlap and the pairwise
    // test is skipped. Many real plans have rounding slivers between neighbours (Blankenese29:
    // 0.031 m²), and then every pair whose interiors meet is intersected (findOverlaps).
    const excess = summed - union.getArea();
    if (excess > AREA_EVIDENCE_M2) findOverlaps(members, pairs, out);
    if (!area) return;
    const difference = area.geometry.difference(union);
    // in a stable order and form (ring start and orientation), whichever way the union was built
    const gaps = Array.from({ length: difference.getNumGeometries() }, (_x, k) => difference.getGeometryN(k).norm());
    gaps.sort((a, b) => a.getEnvelopeInternal().getMinX() - b.getEnvelopeInternal().getMinX() || a.getEnvelopeInternal().getMinY() - b.getEnvelopeInternal().getMinY());
    for (const gap of gaps) {
      if (gap.isEmpty() || buffer(gap, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty()) continue;
      out.push(finding('2.2.1.1', 'warning', `Flächenschluss: Lücke von ${germanArea(gap.getArea())} im Geltungsbereich${near(gap)}, die kein Flächenschlussobjekt abdeckt.`, area.ref, [area.ref.gmlId], gap));
    }
  }
}

/**
 * Pairs of members (i < j, in document order) whose interiors may meet. Most members whose
 * envelopes meet are neighbours sharing edges; the exact coverage test clears them without a
 * relate (src/core/geo/coverage.ts); on the 20 MB plan of bench/xplanung.ts it leaves exactly the
 * 150 of 4 256 pairs that overlap.
 */
function pairsThatMayOverlap(faces: CoverageFace[]): Array<[number, number]> {
  const index = new Flatbush(faces.length);
  for (const f of faces) index.add(f.minX, f.minY, f.maxX, f.maxY);
  index.finish();
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < faces.length; i++) {
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
function findOverlaps(members: Shape[], pairs: Array<[number, number]>, out: Finding[]): void {
  for (const [i, j] of pairs) {
    const a = members[i]!, b = members[j]!;
    const overlap = a.geometry.intersection(b.geometry);
    if (overlap.getDimension() < 2 || overlap.isEmpty()) continue;
    // thinner than the tolerance everywhere → rounding, not an overlap
    if (buffer(overlap, -FLAECHENSCHLUSS_TOLERANCE / 2).isEmpty()) continue;
    out.push(finding('2.2.1.1', 'error', `Flächenschlussobjekte überlappen sich: ${a.ref.type} und ${b.ref.type} (${germanArea(overlap.getArea())})${near(overlap)}.`, a.ref, [a.ref.gmlId, b.ref.gmlId], overlap));
  }
}

/** A part as it travels to another worker: the geometries flat (transferred, not copied), the rest cloned. */
export interface PackedAreaPart { geometries: PackedGeometries; refs: FeatureRef[]; units: AreaUnit[] }

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
    ...(u.coverage ? { coverage: { members: u.coverage.members.map(at), ...(u.coverage.area === undefined ? {} : { area: at(u.coverage.area) }) } } : {}),
  }));
  const geometries = packGeometries(used.map((s) => s.geometry));
  return { packed: { geometries, refs: used.map((s) => s.ref), units: moved }, transfer: transferablesOf(geometries) };
}

function unpackAreaPart(p: PackedAreaPart): AreaPart {
  const geometries = unpackGeometries(p.geometries);
  if (geometries.length !== p.refs.length) throw new Error('malformed area part');
  return { shapes: geometries.map((geometry, i) => ({ ref: p.refs[i]!, geometry })), units: p.units };
}

/** What a helping worker does with a part another worker packed. */
export function checkPackedAreaPart(p: PackedAreaPart): UnitFindings[] {
  const part = unpackAreaPart(p);
  const checker = new AreaChecker(part.shapes);
  return part.units.map((u) => checker.check(u));
}
