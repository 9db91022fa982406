// A fast, exact "certainly valid" for the common polygon of a land-use plan: one ring, no holes.
//
// Why: JTS's IsValidOp builds a topology graph per polygon; for the 13 000 objects of the 20 MB plan
// of bench/xplanung.ts that was ~0.14 s, nearly all of it for simple rings. A polygon without holes
// is valid exactly when its ring is simple (no two segments meet except neighbours at their common
// vertex, and no neighbour turns back along the other). This checks that with a sweep over the
// segments and exact orientation predicates (./predicates.ts). It answers true only then; for
// anything else (holes, too few points, a repeated point, any contact) the caller asks JTS, so
// findings and their messages stay JTS's.
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

/** True only when the polygon has no holes and its shell is a simple ring: then it is valid. */
export function isSimpleRingPolygon(polygon: Polygon): boolean {
  if (polygon.isEmpty() || polygon.getNumInteriorRing() > 0) return false;
  const cs = polygon.getExteriorRing().getCoordinates();
  const n = cs.length - 1; // segments
  if (n < 3) return false;
  if (cs[0]!.x !== cs[n]!.x || cs[0]!.y !== cs[n]!.y) return false;
  const xs = new Float64Array(n + 1), ys = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    xs[i] = cs[i]!.x;
    ys[i] = cs[i]!.y;
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) return false;
    if (i > 0 && xs[i] === xs[i - 1] && ys[i] === ys[i - 1]) return false; // a repeated point
  }
  // neighbours (segment i and the next) may not turn back along each other
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const px = xs[i]!, py = ys[i]!, qx = xs[i + 1]!, qy = ys[i + 1]!, rx = xs[j + 1]!, ry = ys[j + 1]!;
    // in line and not straight on (the signs of coordinate differences are exact)
    if (turn(px, py, qx, qy, rx, ry) === 0 && (Math.sign(qx - px) !== Math.sign(rx - qx) || Math.sign(qy - py) !== Math.sign(ry - qy))) return false;
  }
  if (n === 3) return true; // three segments, all neighbours
  // every other pair: a sweep over the segments in order of their left ends
  const order = Array.from({ length: n }, (_, i) => i);
  const minX = (i: number) => Math.min(xs[i]!, xs[i + 1]!);
  order.sort((a, b) => minX(a) - minX(b));
  const active: number[] = [];
  for (const i of order) {
    const x0 = minX(i);
    const y0 = Math.min(ys[i]!, ys[i + 1]!), y1 = Math.max(ys[i]!, ys[i + 1]!);
    let w = 0;
    for (let k = 0; k < active.length; k++) {
      const j = active[k]!;
      if (Math.max(xs[j]!, xs[j + 1]!) < x0) continue; // ended left of this one: drop it
      active[w++] = j;
      const adjacent = j === i + 1 || i === j + 1 || (i === 0 && j === n - 1) || (j === 0 && i === n - 1);
      if (adjacent) continue;
      if (Math.max(ys[j]!, ys[j + 1]!) < y0 || Math.min(ys[j]!, ys[j + 1]!) > y1) continue;
      if (segmentsMeet(xs[i]!, ys[i]!, xs[i + 1]!, ys[i + 1]!, xs[j]!, ys[j]!, xs[j + 1]!, ys[j + 1]!)) return false;
    }
    active.length = w;
    active.push(i);
  }
  return true;
}
