// GML 3.2 geometries (the XPlanGML profile) as JTS geometries (jsts), with what is wrong in them.
// Curves with arcs are linearised (stroked) so that area rules can run on them.
import { geometryFactory, newCoordinate } from '../../core/geo/jts.ts';
import type { Coordinate, Geometry, LinearRing, Polygon } from '../../core/geo/jts.ts';
import { attr, childNodes, children, elementEntries, firstElement, orderedChildren, textOf } from '../parse.ts';
import type { XmlNode } from '../parse.ts';


/** A defect found while reading a geometry (before JTS's own validity check). */
export interface GmlDefect {
  kind: 'unclosed-ring' | 'duplicate-point' | 'too-few-points' | 'unsupported' | 'bad-coordinates' | 'patches-not-contiguous';
  gmlId?: string;
  coordinate?: [number, number];
  /** duplicate-point: every repeated point of the ring, `coordinate` the first (one defect per ring, as xPlanBox). */
  coordinates?: Array<[number, number]>;
}

export interface ReadGeometry {
  geometry: Geometry;
  /** The polygons of surfaces with their GML ids, for ring checks. */
  polygons: Array<{ polygon: Polygon; gmlId?: string }>;
  defects: GmlDefect[];
  /**
   * Where arcs were stroked: per coordinate of `geometry.getCoordinates()` (in that order), 1 for a point the
   * stroking added, 0 for one that stands in the GML (a LineString's vertex, an Arc's three points). Undefined
   * when the geometry has no stroked points. 2.2.1.1 matches only the GML's vertices, as xPlanBox does.
   */
  stroked?: Uint8Array;
}

interface Ctx { defects: GmlDefect[]; polygons: Array<{ polygon: Polygon; gmlId?: string }>; dim: number; stroked?: Set<Coordinate> }

/** Notes the points of a stroked arc that the GML does not hold (all but `controls`). */
function noteStroked(ctx: Ctx, points: Coordinate[], controls: Coordinate[]): void {
  for (const c of points) {
    if (controls.includes(c)) continue;
    (ctx.stroked ??= new Set()).add(c);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;

/**
 * The number in s[start, end), exactly as Number() reads it. Coordinates are plain decimals (an optional
 * sign, at most 15 digits, a point): then the digits as an integer are exact in a double, and one
 * division by an exact power of ten rounds correctly, so the result is Number()'s (Clinger's fast
 * path). That is twice as fast as Number() on the substring, which takes everything else.
 */
function decimal(s: string, start: number, end: number): number {
  let i = start;
  let c = s.charCodeAt(i);
  const negative = c === 45; // -
  if (negative || c === 43) i++; // +
  let value = 0, digits = 0, fraction = -1;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) fraction = 0; // .
    else return Number(s.slice(start, end));
  }
  if (digits === 0 || digits > 15) return Number(s.slice(start, end));
  const v = fraction > 0 ? value / POW10[fraction]! : value;
  return negative ? -v : v;
}

/** The numbers of an XML list (gml:posList, gml:pos): tokens between XML white space. */
export function numbers(s: string | undefined): number[] {
  const out: number[] = [];
  if (!s) return out;
  for (let i = 0; i < s.length;) {
    if (isSpace(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
    out.push(decimal(s, start, i));
  }
  return out;
}

function coordsOf(node: XmlNode, ctx: Ctx, gmlId: string | undefined): Coordinate[] {
  const posList = children(node, 'posList')[0];
  const dim = Number(attr(posList, 'srsDimension') ?? attr(node, 'srsDimension') ?? ctx.dim) || 2;
  let values: number[];
  if (posList !== undefined) values = numbers(textOf(posList));
  else values = children(node, 'pos').flatMap((p) => numbers(textOf(p)).slice(0, dim));
  if (values.some((v) => !Number.isFinite(v)) || values.length % dim !== 0) {
    ctx.defects.push({ kind: 'bad-coordinates', gmlId });
    return [];
  }
  const out: Coordinate[] = [];
  for (let i = 0; i + 1 < values.length; i += dim) out.push(newCoordinate(values[i]!, values[i + 1]!));
  return out;
}

/**
 * The circle through three points: its centre and radius, undefined when they lie on a line. Computed
 * relative to `p0`: in absolute coordinates (5.9e6 m northing) the squares reach 3.5e13, where a double
 * resolves only ~4 mm, and the centre came out centimetres off (Blankenese29: the same arc, written in
 * both directions by two neighbours, stroked to two different curves 3 mm apart).
 */
function circleThrough(p0: Coordinate, p1: Coordinate, p2: Coordinate): { ux: number; uy: number; r: number } | undefined {
  const bx = p1.x - p0.x, by = p1.y - p0.y, cx = p2.x - p0.x, cy = p2.y - p0.y;
  const d = 2 * (bx * cy - by * cx);
  const scale = Math.max(Math.abs(bx), Math.abs(by), Math.abs(cx), Math.abs(cy));
  if (scale === 0 || Math.abs(d) <= 1e-12 * scale * scale) return undefined;
  const b2 = bx * bx + by * by, c2 = cx * cx + cy * cy;
  const ox = (cy * b2 - by * c2) / d, oy = (bx * c2 - cx * b2) / d;
  return { ux: p0.x + ox, uy: p0.y + oy, r: Math.hypot(ox, oy) };
}

/** Chord error of the stroked arcs, m: well inside the 2 mm Flächenschluss tolerance. */
export const ARC_CHORD_ERROR = 0.00025;
/** At most this many chords per arc (a full circle of 600 m radius at 0.25 mm). */
export const ARC_MAX_CHORDS = 4096;

/** Chords for an arc of `sweep` radians on radius r: chord error at most ARC_CHORD_ERROR, at least 4, at most ARC_MAX_CHORDS. */
function chordsFor(r: number, sweep: number): number {
  const maxStep = r > ARC_CHORD_ERROR ? 2 * Math.acos(1 - ARC_CHORD_ERROR / r) : Math.PI / 8;
  return Math.max(4, Math.min(ARC_MAX_CHORDS, Math.ceil(Math.abs(sweep) / maxStep)));
}

/**
 * Points on the circular arc through p0, p1, p2 (GML Arc): chord error at most ARC_CHORD_ERROR, so that
 * neighbours sharing an arc (possibly written in opposite directions) or following it with a polyline
 * through its points do not produce slivers.
 */
export function strokeArc(p0: Coordinate, p1: Coordinate, p2: Coordinate): Coordinate[] {
  const circle = circleThrough(p0, p1, p2);
  if (!circle) return [p0, p1, p2]; // collinear: a straight segment
  const { ux, uy, r } = circle;
  const a0 = Math.atan2(p0.y - uy, p0.x - ux);
  // direction: counter-clockwise when p1 lies between p0 and p2 going ccw
  const norm = (a: number) => ((a - a0) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI);
  const a1 = norm(Math.atan2(p1.y - uy, p1.x - ux)), a2 = norm(Math.atan2(p2.y - uy, p2.x - ux));
  const sweep = a1 < a2 ? a2 : a2 - 2 * Math.PI;
  const steps = chordsFor(r, sweep);
  const out: Coordinate[] = [p0];
  for (let i = 1; i < steps; i++) {
    const a = a0 + (sweep * i) / steps;
    out.push(newCoordinate(ux + r * Math.cos(a), uy + r * Math.sin(a)));
  }
  out.push(p2);
  return out;
}

/** The full circle through three points (GML Circle), closed. */
function strokeCircle(p0: Coordinate, p1: Coordinate, p2: Coordinate): Coordinate[] {
  const circle = circleThrough(p0, p1, p2);
  if (!circle) return [p0, p1, p2];
  const { ux, uy, r } = circle;
  const a0 = Math.atan2(p0.y - uy, p0.x - ux);
  const steps = chordsFor(r, 2 * Math.PI);
  const out: Coordinate[] = [];
  for (let i = 0; i < steps; i++) out.push(newCoordinate(ux + r * Math.cos(a0 + (2 * Math.PI * i) / steps), uy + r * Math.sin(a0 + (2 * Math.PI * i) / steps)));
  out.push(p0.copy());
  return out;
}

function appendCoords(target: Coordinate[], more: Coordinate[]): void {
  if (target.length > 0 && more.length > 0 && target[target.length - 1]!.equals2D(more[0]!)) target.push(...more.slice(1));
  else target.push(...more);
}

/** Coordinates of a curve-like element: LineString, Curve (segments), Arc, ArcString, LineStringSegment. */
function curveCoords(name: string, node: XmlNode, ctx: Ctx): Coordinate[] {
  const gmlId = attr(node, 'id');
  switch (name) {
    case 'LineString':
    case 'LineStringSegment':
    case 'GeodesicString':
      return coordsOf(node, ctx, gmlId);
    case 'Arc':
    case 'ArcString': {
      const pts = coordsOf(node, ctx, gmlId);
      const out: Coordinate[] = [];
      for (let i = 0; i + 2 < pts.length; i += 2) {
        const arc = strokeArc(pts[i]!, pts[i + 1]!, pts[i + 2]!);
        noteStroked(ctx, arc, [pts[i]!, pts[i + 1]!, pts[i + 2]!]);
        appendCoords(out, arc);
      }
      return out;
    }
    case 'Circle': {
      const pts = coordsOf(node, ctx, gmlId);
      if (pts.length < 3) return pts;
      const circle = strokeCircle(pts[0]!, pts[1]!, pts[2]!);
      // its first point is computed, its last a copy of the first control point: both stand for that
      noteStroked(ctx, circle.slice(1, -1), circle.length > 3 ? [] : pts);
      return circle;
    }
    case 'Curve': {
      const out: Coordinate[] = [];
      for (const seg of orderedChildren(childNodes(node, 'segments')[0])) appendCoords(out, curveCoords(seg.name, seg.node, ctx));
      return out;
    }
    case 'CompositeCurve':
    case 'OrientableCurve': {
      const out: Coordinate[] = [];
      for (const key of ['curveMember', 'baseCurve']) {
        for (const member of childNodes(node, key)) {
          const el = firstElement(member);
          if (el) appendCoords(out, curveCoords(el.name, el.node, ctx));
        }
      }
      return out;
    }
    default:
      ctx.defects.push({ kind: 'unsupported', gmlId });
      return [];
  }
}

function ringOf(holder: XmlNode | undefined, ctx: Ctx, polygonId: string | undefined): LinearRing | undefined {
  const el = firstElement(holder);
  if (!el) return undefined;
  let coords: Coordinate[];
  if (el.name === 'LinearRing') coords = coordsOf(el.node, ctx, polygonId);
  else if (el.name === 'Ring') {
    coords = [];
    for (const member of childNodes(el.node, 'curveMember')) {
      const c = firstElement(member);
      if (c) appendCoords(coords, curveCoords(c.name, c.node, ctx));
    }
  } else {
    ctx.defects.push({ kind: 'unsupported', gmlId: polygonId });
    return undefined;
  }
  if (coords.length === 0) return undefined;
  // duplicate consecutive points (2.2.2.1): one defect per ring naming them all (xPlanBox's
  // XPlanGeometryInspector reports "Identische Stützpunkte" once per ring), then removed so JTS can judge the rest
  const cleaned: Coordinate[] = [];
  const repeated: Array<[number, number]> = [];
  for (const c of coords) {
    if (cleaned.length > 0 && cleaned[cleaned.length - 1]!.equals2D(c)) {
      repeated.push([c.x, c.y]);
      continue;
    }
    cleaned.push(c);
  }
  if (repeated.length > 0) ctx.defects.push({ kind: 'duplicate-point', gmlId: polygonId, coordinate: repeated[0], coordinates: repeated });
  const head = cleaned[0]!;
  if (!head.equals2D(cleaned[cleaned.length - 1]!)) {
    ctx.defects.push({ kind: 'unclosed-ring', gmlId: polygonId, coordinate: [head.x, head.y] });
    cleaned.push(head.copy());
  }
  if (cleaned.length < 4) {
    ctx.defects.push({ kind: 'too-few-points', gmlId: polygonId });
    return undefined;
  }
  return geometryFactory.createLinearRing(cleaned);
}

function polygonOf(node: XmlNode, ctx: Ctx, gmlId: string | undefined): Polygon | undefined {
  const shell = ringOf(childNodes(node, 'exterior')[0], ctx, gmlId);
  if (!shell) return undefined;
  const holes = childNodes(node, 'interior').map((h) => ringOf(h, ctx, gmlId)).filter((r): r is LinearRing => !!r);
  const polygon = geometryFactory.createPolygon(shell, holes);
  ctx.polygons.push({ polygon, gmlId });
  return polygon;
}

function surfaces(name: string, node: XmlNode, ctx: Ctx): Polygon[] {
  const gmlId = attr(node, 'id');
  switch (name) {
    case 'Polygon':
    case 'PolygonPatch': {
      const p = polygonOf(node, ctx, gmlId);
      return p ? [p] : [];
    }
    case 'Surface': {
      const patches = childNodes(childNodes(node, 'patches')[0], 'PolygonPatch');
      const polys = patches.map((p) => polygonOf(p, ctx, gmlId)).filter((p): p is Polygon => !!p);
      if (polys.length > 1) {
        // patches of one surface must share edges only and form one connected area (2.2.2.1)
        const union = geometryFactory.createMultiPolygon(polys).union();
        const sum = polys.reduce((a, p) => a + p.getArea(), 0);
        if (union.getNumGeometries() !== 1 || Math.abs(union.getArea() - sum) > 1e-3) {
          ctx.defects.push({ kind: 'patches-not-contiguous', gmlId });
        }
      }
      return polys;
    }
    case 'MultiSurface':
    case 'CompositeSurface': {
      const members = [...childNodes(node, 'surfaceMember'), ...childNodes(node, 'surfaceMembers')];
      const out: Polygon[] = [];
      for (const m of members) {
        for (const [childName, list] of elementEntries(m)) {
          for (const c of list) if (typeof c === 'object') out.push(...surfaces(childName, c, ctx));
        }
      }
      return out;
    }
    default:
      return [];
  }
}

const SURFACE_TYPES = new Set(['Polygon', 'Surface', 'MultiSurface', 'CompositeSurface', 'PolygonPatch']);
const CURVE_TYPES = new Set(['LineString', 'Curve', 'CompositeCurve', 'OrientableCurve', 'Arc', 'ArcString', 'Circle']);

/** Reads the geometry element `name` (e.g. 'MultiSurface'). Undefined when it holds no usable coordinates. */
export function readGmlGeometry(name: string, node: XmlNode, defaultDim = 2): ReadGeometry | undefined {
  const ctx: Ctx = { defects: [], polygons: [], dim: Number(attr(node, 'srsDimension')) || defaultDim };
  let geometry: Geometry | undefined;
  if (SURFACE_TYPES.has(name)) {
    const polys = surfaces(name, node, ctx);
    if (polys.length === 1 && name !== 'MultiSurface') geometry = polys[0];
    else if (polys.length > 0) geometry = geometryFactory.createMultiPolygon(polys);
  } else if (CURVE_TYPES.has(name)) {
    const coords = curveCoords(name, node, ctx);
    if (coords.length >= 2) geometry = geometryFactory.createLineString(coords);
  } else if (name === 'MultiCurve') {
    const lines = childNodes(node, 'curveMember').map((m) => firstElement(m)).filter((e) => !!e)
      .map((e) => curveCoords(e!.name, e!.node, ctx)).filter((c) => c.length >= 2).map((c) => geometryFactory.createLineString(c));
    if (lines.length > 0) geometry = geometryFactory.createMultiLineString(lines);
  } else if (name === 'Point') {
    const c = coordsOf(node, ctx, attr(node, 'id'));
    if (c.length === 1) geometry = geometryFactory.createPoint(c[0]!);
  } else if (name === 'MultiPoint') {
    const pts = childNodes(node, 'pointMember').map((m) => childNodes(m, 'Point')[0]).filter((p): p is XmlNode => !!p)
      .flatMap((p) => coordsOf(p, ctx, attr(p, 'id'))).map((c) => geometryFactory.createPoint(c));
    if (pts.length > 0) geometry = geometryFactory.createMultiPoint(pts);
  } else {
    ctx.defects.push({ kind: 'unsupported', gmlId: attr(node, 'id') });
  }
  if (!geometry) return ctx.defects.length > 0 ? { geometry: geometryFactory.createGeometryCollection([]), polygons: [], defects: ctx.defects } : undefined;
  if (!ctx.stroked) return { geometry, polygons: ctx.polygons, defects: ctx.defects };
  const coords = geometry.getCoordinates();
  const stroked = new Uint8Array(coords.length);
  for (let i = 0; i < coords.length; i++) if (ctx.stroked.has(coords[i]!)) stroked[i] = 1;
  return { geometry, polygons: ctx.polygons, defects: ctx.defects, stroked };
}
