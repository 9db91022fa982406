// A fast, exact "certainly valid" for the common polygons of a land-use plan: one simple ring, or a
// simple shell with simple holes that touch nothing.
//
// Why: JTS's IsValidOp builds a topology graph per polygon; for the 13 000 objects of the 20 MB plan
// of bench/xplanung.ts that was ~0.14 s, nearly all of it for simple rings, and a 170-point road
// area with one hole cost 0.3 ms. A polygon is valid when its rings are simple (no two segments meet
// except neighbours at their common vertex, and no neighbour turns back along the other), no two
// rings have a point in common, every hole lies inside the shell and no hole inside another: then
// the interior is connected too. This checks that with one sweep over all segments and exact
// orientation predicates (./predicates.ts). It answers true only then; for anything else (too few
// points, a repeated point, any contact between rings) the caller asks JTS, so findings and their
// messages stay JTS's.
import type { Polygon } from './jts.ts';
import { between, turn } from './predicates.ts';

/** Whether two closed segments have a point in common (exact). */
function segmentsMeet(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = turn(ax, ay, bx, by, cx, cy), o2 = turn(ax, ay, bx, by, dx, dy);
  if (o1 !== 0 && o1 === o2) return false;
  const o3 = turn(cx, cy, dx, dy, ax, ay), o4 = turn(cx, cy, dx, dy, bx, by);
  if (o3 !== 0 && o3 === o4) return false;
  if (o1 === 0 && o2 === 0) {
    // in line: they meet when one holds an end of the other
    return (between(ax, bx, cx) && between(ay, by, cy)) || (between(ax, bx, dx) && between(ay, by, dy))
      || (between(cx, dx, ax) && between(cy, dy, ay)) || (between(cx, dx, bx) && between(cy, dy, by));
  }
  return true;
}

/** True only when the polygon is valid by the conditions above. */
export function isValidWithoutContact(polygon: Polygon): boolean {
  if (polygon.isEmpty()) return false;
  const holes = polygon.getNumInteriorRing();
  // each hole is placed against every other: beyond a few, JTS's indexed test is the better one
  if (holes > MAX_HOLES) return false;
  const rings = [polygon.getExteriorRing().getCoordinates()];
  for (let h = 0; h < holes; h++) rings.push(polygon.getInteriorRingN(h).getCoordinates());
  let total = 0;
  for (const cs of rings) total += cs.length;
  const xs = new Float64Array(total), ys = new Float64Array(total);
  const starts: number[] = [];
  let k = 0;
  for (const cs of rings) {
    starts.push(k);
    for (const c of cs) {
      xs[k] = c.x;
      ys[k++] = c.y;
    }
  }
  starts.push(k);
  return validRings(xs, ys, starts);
}

const MAX_HOLES = 16;

/** Whether the closed ring (last point = first) is simple: finite, no repeated point, no contact but neighbours at their vertex (exact). */
export function isSimpleRing(xs: Float64Array, ys: Float64Array): boolean {
  return validRings(xs, ys, [0, xs.length]);
}

/**
 * Rings given one after the other in xs/ys, ring r from starts[r] to starts[r + 1] - 1 (each closed:
 * last point = first); the first is the shell, the others holes. True when each is simple, no two
 * have a point in common, and the holes lie inside the shell and outside each other.
 */
function validRings(xs: Float64Array, ys: Float64Array, starts: number[]): boolean {
  const rings = starts.length - 1;
  // segment g runs from point g to g + 1; the last point of a ring starts none
  const segments: number[] = [];
  const ringOf: number[] = [];
  for (let r = 0; r < rings; r++) {
    const a = starts[r]!, b = starts[r + 1]! - 1; // first and last point
    const n = b - a;
    if (n < 3) return false;
    if (xs[a] !== xs[b] || ys[a] !== ys[b]) return false;
    for (let i = a; i <= b; i++) {
      if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) return false;
      if (i > a && xs[i] === xs[i - 1] && ys[i] === ys[i - 1]) return false; // a repeated point
    }
    // neighbours (segment i and the next) may not turn back along each other
    for (let i = a; i < b; i++) {
      const j = i + 1 < b ? i + 1 : a;
      const px = xs[i]!, py = ys[i]!, qx = xs[i + 1]!, qy = ys[i + 1]!, rx = xs[j + 1]!, ry = ys[j + 1]!;
      // in line and not straight on (the signs of coordinate differences are exact)
      if (turn(px, py, qx, qy, rx, ry) === 0 && (Math.sign(qx - px) !== Math.sign(rx - qx) || Math.sign(qy - py) !== Math.sign(ry - qy))) return false;
      segments.push(i);
      ringOf.push(r);
    }
  }
  const firstOf = (r: number) => starts[r]!, lastOf = (r: number) => starts[r + 1]! - 2; // first and last segment
  // every other pair: a sweep over the segments in order of their left ends
  const order = Array.from({ length: segments.length }, (_, i) => i);
  const minX = (g: number) => Math.min(xs[segments[g]!]!, xs[segments[g]! + 1]!);
  order.sort((a, b) => minX(a) - minX(b));
  const active: number[] = [];
  for (const gi of order) {
    const i = segments[gi]!, ri = ringOf[gi]!;
    const x0 = minX(gi);
    const y0 = Math.min(ys[i]!, ys[i + 1]!), y1 = Math.max(ys[i]!, ys[i + 1]!);
    let w = 0;
    for (let k = 0; k < active.length; k++) {
      const gj = active[k]!;
      const j = segments[gj]!;
      if (Math.max(xs[j]!, xs[j + 1]!) < x0) continue; // ended left of this one: drop it
      active[w++] = gj;
      if (ringOf[gj] === ri) {
        const adjacent = j === i + 1 || i === j + 1 || (i === firstOf(ri) && j === lastOf(ri)) || (j === firstOf(ri) && i === lastOf(ri));
        if (adjacent) continue;
      }
      if (Math.max(ys[j]!, ys[j + 1]!) < y0 || Math.min(ys[j]!, ys[j + 1]!) > y1) continue;
      if (segmentsMeet(xs[i]!, ys[i]!, xs[i + 1]!, ys[i + 1]!, xs[j]!, ys[j]!, xs[j + 1]!, ys[j + 1]!)) return false;
    }
    active.length = w;
    active.push(gi);
  }
  // no ring touches another, so a hole's first point is strictly inside or outside any other ring
  for (let h = 1; h < rings; h++) {
    const px = xs[starts[h]!]!, py = ys[starts[h]!]!;
    if (!insideRing(xs, ys, starts[0]!, starts[1]! - 1, px, py)) return false;
    for (let o = 1; o < rings; o++) if (o !== h && insideRing(xs, ys, starts[o]!, starts[o + 1]! - 1, px, py)) return false;
  }
  return true;
}

/** Whether p lies inside the closed ring from point a to b (p is on no segment of it): crossings of the ray to +x, exact. */
function insideRing(xs: Float64Array, ys: Float64Array, a: number, b: number, px: number, py: number): boolean {
  let inside = false;
  for (let i = a; i < b; i++) {
    const x1 = xs[i]!, y1 = ys[i]!, x2 = xs[i + 1]!, y2 = ys[i + 1]!;
    if ((y1 > py) !== (y2 > py) && (y2 > y1) === (turn(x1, y1, x2, y2, px, py) > 0)) inside = !inside;
  }
  return inside;
}
