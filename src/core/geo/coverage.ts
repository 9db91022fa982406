// Neighbouring areas of a coverage (the Flächenschluss objects of a land-use plan): an exact test
// whether the interiors of two valid polygonal geometries may meet, much cheaper than JTS's relate.
//
// Why: neighbours in a plan share their boundary edges, so almost every pair whose envelopes meet
// has interiors that do not. A relate per pair nodes both boundaries and labels the graph; on the
// 20 MB plan of bench/xplanung.ts that was ~0.45 s for 4 256 pairs, of which 150 overlap. This test
// walks only the segments near the other geometry, in the spirit of JTS's CoverageValidator:
// a segment matched exactly by a reversed segment of the other (a shared edge) is skipped, and a
// segment that does not touch the other's boundary is located once per run. Every decision uses
// exact orientation predicates (Shewchuk's, via robust-predicates), so "no" is exact for the given
// coordinates; whatever the walk cannot resolve cheaply (a collinear partial overlap, a vertex of
// one inside a segment of the other, a chord between two boundary points) answers "maybe", and the
// caller runs the full relate. It answers "no" for 3 975 of those 4 256 pairs, in ~40 ms.
import Flatbush from 'flatbush';
import { isCCW, type Coordinate, type Geometry, type Polygon } from './jts.ts';
import { between, turn } from './predicates.ts';

/** A polygonal geometry's boundary as flat segments, indexed when it has many. */
export interface CoverageFace {
  /** x1 y1 x2 y2 per segment; every ring turned so that the interior lies to its left */
  readonly seg: Float64Array;
  /** per segment, the index of the first segment of its ring */
  readonly ringStart: Int32Array;
  readonly n: number;
  readonly index: Flatbush | null;
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** Below this many segments a linear scan beats the index. */
const INDEX_FROM = 24;

/** The face of a valid polygonal geometry (Polygon, MultiPolygon, or a collection of them). */
export function coverageFace(g: Geometry): CoverageFace {
  const rings: Array<{ cs: Coordinate[]; hole: boolean }> = [];
  // the polygons of a polygon, a multipolygon or a collection; lines and points have no interior
  const collect = (x: Geometry): void => {
    if (x.getGeometryType() === 'Polygon') {
      const p = x as Polygon;
      if (p.isEmpty()) return;
      rings.push({ cs: p.getExteriorRing().getCoordinates(), hole: false });
      for (let k = 0; k < p.getNumInteriorRing(); k++) rings.push({ cs: p.getInteriorRingN(k).getCoordinates(), hole: true });
    } else if (x.getNumGeometries() > 1 || x.getGeometryN(0) !== x) {
      for (let i = 0; i < x.getNumGeometries(); i++) collect(x.getGeometryN(i));
    }
  };
  collect(g);
  let n = 0;
  for (const r of rings) n += Math.max(0, r.cs.length - 1);
  const seg = new Float64Array(4 * n);
  const ringStart = new Int32Array(n);
  let j = 0;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const { cs, hole } of rings) {
    // interior to the left: shells counter-clockwise, holes clockwise (whatever the file wrote)
    const ccw = isCCW(cs);
    const flip = hole ? ccw : !ccw;
    const start = j;
    const m = cs.length;
    for (let i = 0; i + 1 < m; i++, j++) {
      const a = flip ? cs[m - 1 - i]! : cs[i]!;
      const b = flip ? cs[m - 2 - i]! : cs[i + 1]!;
      seg[4 * j] = a.x; seg[4 * j + 1] = a.y; seg[4 * j + 2] = b.x; seg[4 * j + 3] = b.y;
      ringStart[j] = start;
      if (a.x < minX) minX = a.x;
      if (a.x > maxX) maxX = a.x;
      if (a.y < minY) minY = a.y;
      if (a.y > maxY) maxY = a.y;
    }
  }
  return { seg, ringStart, n, index: indexOf(seg, n), minX, minY, maxX, maxY };
}

function indexOf(seg: Float64Array, n: number): Flatbush | null {
  if (n <= INDEX_FROM) return null;
  const index = new Flatbush(n, 8);
  for (let i = 0; i < n; i++) {
    const x1 = seg[4 * i]!, y1 = seg[4 * i + 1]!, x2 = seg[4 * i + 2]!, y2 = seg[4 * i + 3]!;
    index.add(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
  }
  index.finish();
  return index;
}

/**
 * Everything outside f, within a frame `margin` beyond f's box, as a face: f's rings reversed (the
 * outside to their left) inside a counter-clockwise rectangle. With it, "a lies inside f" is
 * `!interiorsMayMeet(a, complementFace(f))` for any a inside the frame (see `coversExactly`).
 */
export function complementFace(f: CoverageFace, margin: number): CoverageFace {
  const n = f.n + 4;
  const seg = new Float64Array(4 * n);
  const ringStart = new Int32Array(n);
  const x0 = f.minX - margin, y0 = f.minY - margin, x1 = f.maxX + margin, y1 = f.maxY + margin;
  const frame = [x0, y0, x1, y0, x1, y1, x0, y1, x0, y0];
  for (let k = 0; k < 4; k++) {
    seg.set(frame.slice(2 * k, 2 * k + 4), 4 * k);
    ringStart[k] = 0;
  }
  // each ring backwards, so that the end of one segment is the start of the next, as in f
  const S = f.seg;
  let j = 4;
  for (let start = 0; start < f.n;) {
    let end = start + 1;
    while (end < f.n && f.ringStart[end] === start) end++;
    const first = j;
    for (let i = end - 1; i >= start; i--, j++) {
      seg[4 * j] = S[4 * i + 2]!; seg[4 * j + 1] = S[4 * i + 3]!; seg[4 * j + 2] = S[4 * i]!; seg[4 * j + 3] = S[4 * i + 1]!;
      ringStart[j] = first;
    }
    start = end;
  }
  return { seg, ringStart, n, index: indexOf(seg, n), minX: x0, minY: y0, maxX: x1, maxY: y1 };
}

/**
 * Whether `inner` lies inside `outer` (boundaries may touch), exactly: true only when it does; false
 * when it does not or when the test leaves it open (see interiorsMayMeet). `outside` is
 * complementFace(outer); `inner` is a coverageFace, or a lineFace for lines.
 */
export function coversExactly(outside: CoverageFace, inner: CoverageFace, innerIsLine = false): boolean {
  if (inner.n === 0) return false;
  const quick = insideByBox(outside, inner.minX, inner.minY, inner.maxX, inner.maxY, inner.seg[0]!, inner.seg[1]!);
  if (quick !== undefined) return quick;
  // a line has no interior: it lies inside when no piece of it lies outside
  if (innerIsLine) return !mayEnter(inner, outside, true);
  return !interiorsMayMeet(inner, outside);
}

/**
 * The common case of coversExactly, from a geometry's box and one of its points, before any face of
 * it is built: when no boundary segment of the outer area comes near the box, the geometry lies
 * wholly inside or wholly outside, as the point does (exact). Undefined when the boundary is near.
 */
export function insideByBox(outside: CoverageFace, minX: number, minY: number, maxX: number, maxY: number, px: number, py: number): boolean | undefined {
  if (minX <= outside.minX || minY <= outside.minY || maxX >= outside.maxX || maxY >= outside.maxY) return false;
  if (segmentsNear(outside, minX, minY, maxX, maxY) === 0) return locateInFace(outside, px, py) < 0;
  return undefined;
}

/**
 * The segments of a LineString or MultiLineString, each line a run (as a ring of a face), for
 * coversExactly. Its "interior" side means nothing; only its pieces are placed.
 */
export function lineFace(g: Geometry): CoverageFace {
  const lines: Coordinate[][] = [];
  if (g.getGeometryType() === 'LineString') lines.push(g.getCoordinates());
  else if (g.getGeometryType() === 'MultiLineString') for (let i = 0; i < g.getNumGeometries(); i++) lines.push(g.getGeometryN(i).getCoordinates());
  let n = 0;
  for (const cs of lines) n += Math.max(0, cs.length - 1);
  const seg = new Float64Array(4 * n);
  const ringStart = new Int32Array(n);
  let j = 0;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const cs of lines) {
    const start = j;
    for (let i = 0; i + 1 < cs.length; i++) {
      const a = cs[i]!, b = cs[i + 1]!;
      if (a.x === b.x && a.y === b.y) continue; // a repeated point: no segment, the run goes on from it
      seg[4 * j] = a.x; seg[4 * j + 1] = a.y; seg[4 * j + 2] = b.x; seg[4 * j + 3] = b.y;
      ringStart[j] = start;
      minX = Math.min(minX, a.x, b.x); maxX = Math.max(maxX, a.x, b.x);
      minY = Math.min(minY, a.y, b.y); maxY = Math.max(maxY, a.y, b.y);
      j++;
    }
  }
  return { seg: seg.subarray(0, 4 * j), ringStart: ringStart.subarray(0, j), n: j, index: indexOf(seg, j), minX, minY, maxX, maxY };
}

// candidate segments, reused between calls (the functions below are synchronous)
let near = new Int32Array(1024);
let nearCount = 0;

/**
 * The index's filter, collecting into `near` and declining every item, so that Flatbush's result
 * array stays empty: it would be allocated and grown anew on each of the millions of searches of a
 * large plan.
 */
function collectNear(i: number): boolean {
  if (nearCount === near.length) {
    const grown = new Int32Array(2 * near.length);
    grown.set(near);
    near = grown;
  }
  near[nearCount++] = i;
  return false;
}

/** Writes the indices of f's segments whose boxes meet the box into `near`; returns how many. */
function segmentsNear(f: CoverageFace, x0: number, y0: number, x1: number, y1: number): number {
  if (f.index) {
    nearCount = 0;
    f.index.search(x0, y0, x1, y1, collectNear);
    return nearCount;
  }
  if (f.n > near.length) near = new Int32Array(2 * f.n);
  const s = f.seg;
  let k = 0;
  for (let i = 0; i < f.n; i++) {
    const ax = s[4 * i]!, ay = s[4 * i + 1]!, bx = s[4 * i + 2]!, by = s[4 * i + 3]!;
    if (Math.max(ax, bx) < x0 || Math.min(ax, bx) > x1 || Math.max(ay, by) < y0 || Math.min(ay, by) > y1) continue;
    near[k++] = i;
  }
  return k;
}

/** 1 inside f, 0 on its boundary, -1 outside: crossings of the ray to +x, with exact orientation. */
export function locateInFace(f: CoverageFace, px: number, py: number): number {
  const s = f.seg;
  const count = segmentsNear(f, px, py, Infinity, py);
  let crossings = 0;
  for (let k = 0; k < count; k++) {
    const i = near[k]!;
    const x1 = s[4 * i]!, y1 = s[4 * i + 1]!, x2 = s[4 * i + 2]!, y2 = s[4 * i + 3]!;
    if ((y1 > py) !== (y2 > py)) {
      const o = turn(x1, y1, x2, y2, px, py);
      if (o === 0) return 0;
      // the segment crosses the ray right of p when p lies left of it going up, right of it going down
      if ((y2 > y1) === (o > 0)) crossings++;
    } else if (y1 === py && y2 === py) {
      if (between(x1, x2, px)) return 0;
    } else if (y1 === py && x1 === px) return 0;
  }
  return crossings % 2 === 1 ? 1 : -1;
}

const UNKNOWN = 2;
const OUTSIDE = -1;
const INSIDE = 1;
/** A configuration the walk leaves to the relate. */
const UNRESOLVED = 3;

/**
 * Where the open segment from c towards e lies, just beyond c, when c is on t's boundary: from the
 * edges of t at c (the candidates in `near`). Exact: c and e are input coordinates.
 */
function leaving(t: CoverageFace, count: number, cx: number, cy: number, ex: number, ey: number): number {
  const T = t.seg;
  let into = -1, outOf = -1, through = -1;
  for (let k = 0; k < count; k++) {
    const j = near[k]!;
    const ax = T[4 * j]!, ay = T[4 * j + 1]!, bx = T[4 * j + 2]!, by = T[4 * j + 3]!;
    if (ax === cx && ay === cy) {
      if (outOf >= 0) return UNRESOLVED; // several rings meet at c
      outOf = j;
    } else if (bx === cx && by === cy) {
      if (into >= 0) return UNRESOLVED;
      into = j;
    } else if (between(ax, bx, cx) && between(ay, by, cy) && turn(ax, ay, bx, by, cx, cy) === 0) {
      if (through >= 0) return UNRESOLVED;
      through = j;
    }
  }
  if (through >= 0) {
    if (into >= 0 || outOf >= 0) return UNRESOLVED;
    const o = turn(T[4 * through]!, T[4 * through + 1]!, T[4 * through + 2]!, T[4 * through + 3]!, ex, ey);
    return o > 0 ? INSIDE : o < 0 ? OUTSIDE : UNRESOLVED;
  }
  if (into < 0 || outOf < 0) return UNRESOLVED;
  const ux = T[4 * into]!, uy = T[4 * into + 1]!, wx = T[4 * outOf + 2]!, wy = T[4 * outOf + 3]!;
  // walking u → c → w the interior lies to the left: it is the counter-clockwise sweep from the
  // direction of w to the direction of u (convex when under 180°, reflex when over)
  const fromW = turn(cx, cy, wx, wy, ex, ey), fromU = turn(cx, cy, ux, uy, ex, ey);
  const corner = turn(cx, cy, wx, wy, ux, uy);
  if (corner > 0) return fromW > 0 && fromU < 0 ? INSIDE : OUTSIDE;
  if (corner < 0) return fromW > 0 || fromU < 0 ? INSIDE : OUTSIDE;
  // a straight vertex (u, c, w in line, c between): the interior is left of the line
  return fromW > 0 ? INSIDE : OUTSIDE;
}

// vertices of t inside the current segment of s (x, y pairs)
const junctions: number[] = [];
// edges of t in line with the current segment
const along: number[] = [];

/** mayEnter's own list of s's segments, and the points that cut one of them. */
let ordered = new Int32Array(1024);
let cuts = new Float64Array(64);

/**
 * Whether a piece of s's boundary may lie in t's interior, or on t's boundary with both interiors
 * on the same side. If neither holds for s in t nor for t in s, the interiors are disjoint: the
 * boundary of their common part would have to be made of such pieces.
 */
function mayEnter(s: CoverageFace, t: CoverageFace, sIsLine = false): boolean {
  // s's segments that can meet t, in ring order (copied: `near` is reused for t's segments below)
  const n = segmentsNear(s, t.minX, t.minY, t.maxX, t.maxY);
  if (n > ordered.length) ordered = new Int32Array(2 * n);
  ordered.set(near.subarray(0, n));
  const list = ordered.subarray(0, n);
  if (s.index) list.sort(); // numeric, in place
  const S = s.seg, T = t.seg;
  let run = UNKNOWN; // where the start of the current segment lies, when known and off t's boundary
  let prev = -2;
  for (let li = 0; li < list.length; li++) {
    const i = list[li]!;
    if (s.ringStart[i] === i) run = UNKNOWN;
    else if (prev !== i - 1) run = OUTSIDE; // the segment before lies wholly outside t's box
    prev = i;
    const x1 = S[4 * i]!, y1 = S[4 * i + 1]!, x2 = S[4 * i + 2]!, y2 = S[4 * i + 3]!;
    const count = segmentsNear(t, Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
    // the same segment in t: a shared edge, interiors on opposite sides (reversed) or on the same side
    let shared = 0;
    for (let k = 0; k < count && shared === 0; k++) {
      const j = near[k]!;
      const ax = T[4 * j]!, ay = T[4 * j + 1]!, bx = T[4 * j + 2]!, by = T[4 * j + 3]!;
      if (ax === x2 && ay === y2 && bx === x1 && by === y1) shared = -1;
      else if (ax === x1 && ay === y1 && bx === x2 && by === y2) shared = 1;
    }
    if (shared === 1 && !sIsLine) return true;
    if (shared !== 0) {
      run = UNKNOWN;
      continue;
    }
    // where t's boundary touches the segment: its ends, vertices of t inside it, and edges of t
    // along it
    let startOn = false, endOn = false;
    junctions.length = 0;
    along.length = 0;
    for (let k = 0; k < count; k++) {
      const j = near[k]!;
      const ax = T[4 * j]!, ay = T[4 * j + 1]!, bx = T[4 * j + 2]!, by = T[4 * j + 3]!;
      const o1 = turn(ax, ay, bx, by, x1, y1), o2 = turn(ax, ay, bx, by, x2, y2);
      if (o1 !== 0 && o1 === o2) continue;
      const o3 = turn(x1, y1, x2, y2, ax, ay), o4 = turn(x1, y1, x2, y2, bx, by);
      if (o3 !== 0 && o3 === o4) continue;
      const aInside = !(ax === x1 && ay === y1) && !(ax === x2 && ay === y2);
      const bInside = !(bx === x1 && by === y1) && !(bx === x2 && by === y2);
      if (o1 === 0 && o2 === 0) {
        // in line with s: remember the edge, its ends inside s cut s into pieces
        const s1On = between(ax, bx, x1) && between(ay, by, y1), s2On = between(ax, bx, x2) && between(ay, by, y2);
        const aOn = between(x1, x2, ax) && between(y1, y2, ay), bOn = between(x1, x2, bx) && between(y1, y2, by);
        if (!s1On && !s2On && !aOn && !bOn) continue;
        if (s1On) startOn = true;
        if (s2On) endOn = true;
        if (aOn && aInside) junctions.push(ax, ay);
        if (bOn && bInside) junctions.push(bx, by);
        along.push(j);
        continue;
      }
      if (o1 * o2 < 0 && o3 * o4 < 0) return true; // a proper crossing
      // touching: the lines meet in one point, so a vertex of t on s's line lies inside s unless
      // it is one of s's ends
      if (o3 === 0 && aInside) junctions.push(ax, ay);
      if (o4 === 0 && bInside) junctions.push(bx, by);
      if (o1 === 0) startOn = true;
      if (o2 === 0) endOn = true;
    }
    // The contacts cut the segment into pieces. A piece along an edge of t is shared boundary
    // (fine when the interiors lie on opposite sides); any other piece avoids t's boundary and lies
    // wholly inside or outside t: placed by the edges of t at its start, or, when it starts off t's
    // boundary, by the run or a point-in-polygon test.
    // the cut points in order along the segment, as x, y pairs in `cuts` (reused: this runs for
    // every segment of every pair, and most have no junction)
    if (cuts.length < junctions.length + 4) cuts = new Float64Array(2 * (junctions.length + 4));
    cuts[0] = x1;
    cuts[1] = y1;
    let ends = 2;
    if (junctions.length > 0) {
      // they lie on the segment exactly, so one axis orders them
      const byX = Math.abs(x2 - x1) >= Math.abs(y2 - y1);
      const dir = byX ? Math.sign(x2 - x1) : Math.sign(y2 - y1);
      const inner: Array<[number, number]> = [];
      for (let k = 0; k < junctions.length; k += 2) inner.push([junctions[k]!, junctions[k + 1]!]);
      inner.sort((p, q) => dir * (byX ? p[0] - q[0] : p[1] - q[1]));
      for (const p of inner) {
        if (p[0] === cuts[ends - 2] && p[1] === cuts[ends - 1]) continue;
        cuts[ends++] = p[0];
        cuts[ends++] = p[1];
      }
    }
    cuts[ends++] = x2;
    cuts[ends++] = y2;
    let locateStart = false;
    for (let k = 0; k + 3 < ends; k += 2) {
      const px = cuts[k]!, py = cuts[k + 1]!, qx = cuts[k + 2]!, qy = cuts[k + 3]!;
      let covered = 0;
      for (const j of along) {
        const ax = T[4 * j]!, ay = T[4 * j + 1]!, bx = T[4 * j + 2]!, by = T[4 * j + 3]!;
        if (between(ax, bx, px) && between(ay, by, py) && between(ax, bx, qx) && between(ay, by, qy)) {
          covered = Math.sign(bx - ax) === Math.sign(x2 - x1) && Math.sign(by - ay) === Math.sign(y2 - y1) ? 1 : -1;
          break;
        }
      }
      if (covered === 1 && !sIsLine) return true; // shared, interiors on the same side
      if (covered === -1) continue;
      if (k === 0 && !startOn) {
        if (run === INSIDE) return true;
        if (run === UNKNOWN) locateStart = true;
      } else if (leaving(t, count, px, py, qx, qy) !== OUTSIDE) return true;
    }
    // last: the point-in-polygon test reuses the candidate buffer
    if (locateStart && locateInFace(t, x1, y1) !== OUTSIDE) return true;
    run = endOn ? UNKNOWN : OUTSIDE;
  }
  return false;
}

/**
 * False only when the interiors of the two faces (their polygons; lines and points in a collection
 * are left out) are disjoint, exactly for the coordinates given; true when they meet or when this
 * test leaves it to a relate.
 */
export function interiorsMayMeet(a: CoverageFace, b: CoverageFace): boolean {
  if (a.maxX < b.minX || b.maxX < a.minX || a.maxY < b.minY || b.maxY < a.minY) return false;
  return mayEnter(a, b) || mayEnter(b, a);
}
