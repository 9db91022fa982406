// The geometry checks that stay inside one Bereich: 2.2.3.1 (its objects inside their Geltungsbereich,
// tolerance 0.001 m) and 2.2.1.1 (the Flächenschluss of its objects, tolerance 0.002 m). Each Bereich
// is a unit that needs nothing from the others, so the units of a large plan can be split between
// two worker threads (geometry.ts asks; `packAreaPart` moves a share as flat arrays, see
// ../../core/geo/pack.ts). The findings are the same wherever a unit runs.
import Flatbush from 'flatbush';
import { complementFace, coverageFace, coversExactly, insideByBox, interiorsMayMeet, lineFace, locateInFace, type CoverageFace } from '../../core/geo/coverage.ts';
import { gapShells, type FlatRing } from '../../core/geo/gaps.ts';
import { buffer, coveringArea, geometryFactory, newCoordinate, toWkt, unionOfValidPolygons, type CoveringArea, type Geometry } from '../../core/geo/jts.ts';
import { packGeometries, transferablesOf, unpackGeometries, type PackedGeometries } from '../../core/geo/pack.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';

const INSIDE_TOLERANCE = 0.001;
const FLAECHENSCHLUSS_TOLERANCE = 0.002;
/**
 * An overlap or a gap worth reporting survives shrinking by half the tolerance, so it holds a disc of
 * radius 0.001 m: π·(0.001 m)² ≈ 3.1e-6 m². Below this much area (m², with room for rounding) there
 * is none.
 */
const AREA_EVIDENCE_M2 = 1e-6;

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Where a finding's marker lies, for the message: a point inside it (JTS's interior point), to the millimetre. */
function near(marker: Geometry): string {
  const c = marker.getInteriorPoint().getCoordinate();
  return c ? ` bei (${round(c.x)} ${round(c.y)})` : '';
}

/** What a finding says about a feature. */
export interface FeatureRef { type: string; gmlId: string; line?: number; /** how messages name it: its name, else its gml:id */ label: string }

/** A valid geometry in a projected (metric) CRS, with the feature it belongs to. */
export interface Shape { ref: FeatureRef; geometry: Geometry }

/** One Bereich's checks, by index into the part's shapes. */
export interface AreaUnit {
  /** 2.2.3.1: `object` must lie inside `area`; `order` is the object's place in the document, which orders the findings. */
  inside: Array<{ order: number; object: number; area: number }>;
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
  private readonly insideAnswers = new Map<Shape, { area: Shape; inside: boolean }>();
  private readonly widened = new Map<Shape, CoveringArea>();

  constructor(private readonly shapes: Shape[]) {}

  check(unit: AreaUnit): UnitFindings {
    const out: UnitFindings = { inside: [], flaechenschluss: [] };
    for (const { order, object, area } of unit.inside) {
      const f = this.outsideOfArea(this.shapes[object]!, this.shapes[area]!);
      if (f) out.inside.push([order, f]);
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

  /** Asked twice for most objects (2.2.3.1, then 2.2.1.1), answered once. */
  private insideExactly(o: Shape, area: Shape): boolean {
    const known = this.insideAnswers.get(o);
    if (known?.area === area) return known.inside;
    const inside = this.insideExactlyOnce(o, area);
    this.insideAnswers.set(o, { area, inside });
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
   * 2.2.3.1. Most objects lie inside exactly (off the boundary, or along it), which the exact test
   * shows without JTS; the rest are tested against the widened area, built and indexed once per
   * Geltungsbereich, and only those outside it reach the (costlier) overlay.
   */
  private outsideOfArea(o: Shape, area: Shape): Finding | undefined {
    if (this.insideExactly(o, area)) return undefined;
    let w = this.widened.get(area);
    if (!w) {
      w = coveringArea(buffer(area.geometry, INSIDE_TOLERANCE));
      this.widened.set(area, w);
    }
    if (w.covers(o.geometry)) return undefined;
    const outside = o.geometry.difference(w.geometry);
    if (outside.isEmpty()) return undefined;
    return finding('2.2.3.1', 'error', `${o.ref.type} liegt teilweise außerhalb des Geltungsbereichs von ${area.ref.type} „${area.ref.label}“${near(outside)}.`, o.ref, [o.ref.gmlId, area.ref.gmlId], outside);
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
      out.push(finding('2.2.1.1', 'warning', `Flächenschluss: Lücke von ${round(gap.getArea())} m² im Geltungsbereich${near(gap)}, die kein Flächenschlussobjekt abdeckt.`, area.ref, [area.ref.gmlId], gap));
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
    out.push(finding('2.2.1.1', 'error', `Flächenschlussobjekte überlappen sich: ${a.ref.type} und ${b.ref.type} (${round(overlap.getArea())} m²)${near(overlap)}.`, a.ref, [a.ref.gmlId, b.ref.gmlId], overlap));
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
    inside: u.inside.map((t) => ({ order: t.order, object: at(t.object), area: at(t.area) })),
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
