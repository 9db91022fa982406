// The gaps of a coverage inside an area, traced from the members' own boundary segments: the
// outlines of the gaps without an overlay.
//
// Why: a land-use plan's Flächenschluss objects often leave rounding slivers (a few mm wide) against
// each other or the Geltungsbereich. Proving that none of them is a gap worth reporting took a
// union of all members (a buffer by zero) and a difference with the Geltungsbereich, most of the
// geometry stage's time and memory for a small plan. When no two members' interiors meet and every
// member lies inside the area, each boundary piece not matched by a reversed piece of a neighbour
// (or of the area's outside) has a gap on its right, so these pieces alone outline the gaps.
//
// Every decision uses exact orientation predicates (./predicates.ts); whatever this cannot resolve
// (a crossing, pieces in line in the same direction, a vertex where the walk cannot choose) answers
// undefined and the caller computes the overlay.
import Flatbush from 'flatbush';
import type { CoverageFace } from './coverage.ts';
import { between, turn } from './predicates.ts';
import { isSimpleRing } from './simple-polygon.ts';

/** A closed ring as x, y pairs, first point repeated at the end. */
export type FlatRing = number[];

/**
 * Outer rings (shells) of the gaps inside `area` left by `members`, each traced clockwise (a gap
 * to the right of its boundary). A gap with islands is given without them, so it is never smaller
 * than the gap. Undefined when the configuration is not resolved here.
 *
 * Preconditions, established by the caller: no two members' interiors meet, and every member lies
 * inside the area (coverage.ts: interiorsMayMeet, coversExactly).
 */
export function gapShells(members: CoverageFace[], area: CoverageFace): FlatRing[] | undefined {
  // all segments: members as they are (interior to the left), the area reversed (outside to the left)
  let total = area.n;
  for (const m of members) total += m.n;
  const seg = new Float64Array(4 * total);
  let k = 0;
  for (const m of members) {
    seg.set(m.seg.subarray(0, 4 * m.n), 4 * k);
    k += m.n;
  }
  for (let i = 0; i < area.n; i++, k++) {
    seg[4 * k] = area.seg[4 * i + 2]!; seg[4 * k + 1] = area.seg[4 * i + 3]!;
    seg[4 * k + 2] = area.seg[4 * i]!; seg[4 * k + 3] = area.seg[4 * i + 1]!;
  }
  // 1. Segments matched exactly by a reversed one are shared boundary: no gap beside them (both
  // sides are interiors). Sorting by the segments' ends, lower end first, brings such pairs together.
  const lowFirst = (i: number) => {
    const ax = seg[4 * i]!, ay = seg[4 * i + 1]!, bx = seg[4 * i + 2]!, by = seg[4 * i + 3]!;
    return ax < bx || (ax === bx && ay < by);
  };
  const key = new Float64Array(4 * total);
  for (let i = 0; i < total; i++) {
    const o = 4 * i, low = lowFirst(i);
    key[o] = seg[o + (low ? 0 : 2)]!; key[o + 1] = seg[o + (low ? 1 : 3)]!;
    key[o + 2] = seg[o + (low ? 2 : 0)]!; key[o + 3] = seg[o + (low ? 3 : 1)]!;
    if (key[o] === key[o + 2] && key[o + 1] === key[o + 3]) return undefined; // no length
  }
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((a, b) => key[4 * a]! - key[4 * b]! || key[4 * a + 1]! - key[4 * b + 1]! || key[4 * a + 2]! - key[4 * b + 2]! || key[4 * a + 3]! - key[4 * b + 3]!);
  const same = (a: number, b: number) => key[4 * a] === key[4 * b] && key[4 * a + 1] === key[4 * b + 1] && key[4 * a + 2] === key[4 * b + 2] && key[4 * a + 3] === key[4 * b + 3];
  const open: number[] = [];
  for (let g = 0; g < total;) {
    let h = g + 1;
    while (h < total && same(order[g]!, order[h]!)) h++;
    if (h - g === 1) open.push(order[g]!);
    else if (h - g !== 2 || lowFirst(order[g]!) === lowFirst(order[g + 1]!)) return undefined; // the same side twice
    g = h;
  }
  if (open.length === 0) return [];

  // 2. The unmatched segments, cut where another one ends on them, less the stretches another one
  // covers in the opposite direction (a T-junction or a partly shared edge): the gap boundary.
  const pieces: number[] = []; // x1 y1 x2 y2 per piece, gap to the right
  const index = open.length > 16 ? new Flatbush(open.length) : undefined;
  if (index) {
    for (const i of open) index.add(Math.min(seg[4 * i]!, seg[4 * i + 2]!), Math.min(seg[4 * i + 1]!, seg[4 * i + 3]!), Math.max(seg[4 * i]!, seg[4 * i + 2]!), Math.max(seg[4 * i + 1]!, seg[4 * i + 3]!));
    index.finish();
  }
  for (const i of open) {
    const x1 = seg[4 * i]!, y1 = seg[4 * i + 1]!, x2 = seg[4 * i + 2]!, y2 = seg[4 * i + 3]!;
    // positions along the segment: one axis orders points on it exactly
    const byX = Math.abs(x2 - x1) >= Math.abs(y2 - y1);
    const dir = byX ? Math.sign(x2 - x1) : Math.sign(y2 - y1);
    const pos = (x: number, y: number) => dir * (byX ? x : y);
    const cuts: number[] = []; // x, y pairs strictly inside
    const covered: number[] = []; // from, to positions
    const inside = (x: number, y: number) => between(x1, x2, x) && between(y1, y2, y) && !(x === x1 && y === y1) && !(x === x2 && y === y2);
    const near = index
      ? index.search(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)).map((n) => open[n]!)
      : open;
    for (const j of near) {
      if (j === i) continue;
      const ax = seg[4 * j]!, ay = seg[4 * j + 1]!, bx = seg[4 * j + 2]!, by = seg[4 * j + 3]!;
      if (Math.max(ax, bx) < Math.min(x1, x2) || Math.min(ax, bx) > Math.max(x1, x2) || Math.max(ay, by) < Math.min(y1, y2) || Math.min(ay, by) > Math.max(y1, y2)) continue;
      const o1 = turn(x1, y1, x2, y2, ax, ay), o2 = turn(x1, y1, x2, y2, bx, by);
      if (o1 !== 0 && o1 === o2) continue;
      if (o1 === 0 && o2 === 0) {
        const pa = pos(ax, ay), pb = pos(bx, by), p1 = pos(x1, y1), p2 = pos(x2, y2);
        const from = Math.max(p1, Math.min(pa, pb)), to = Math.min(p2, Math.max(pa, pb));
        if (from < to) {
          if (pa < pb) return undefined; // in line in the same direction: interiors on one side
          covered.push(from, to);
        }
        if (inside(ax, ay)) cuts.push(ax, ay);
        if (inside(bx, by)) cuts.push(bx, by);
        continue;
      }
      const o3 = turn(ax, ay, bx, by, x1, y1), o4 = turn(ax, ay, bx, by, x2, y2);
      if (o3 !== 0 && o3 === o4) continue;
      if (o1 * o2 < 0 && o3 * o4 < 0) return undefined; // a proper crossing
      if (o1 === 0 && inside(ax, ay)) cuts.push(ax, ay);
      if (o2 === 0 && inside(bx, by)) cuts.push(bx, by);
    }
    const points: number[] = [x1, y1];
    if (cuts.length > 0) {
      const inner: Array<[number, number]> = [];
      for (let c = 0; c < cuts.length; c += 2) inner.push([cuts[c]!, cuts[c + 1]!]);
      inner.sort((p, q) => pos(p[0], p[1]) - pos(q[0], q[1]));
      for (const [x, y] of inner) if (x !== points[points.length - 2] || y !== points[points.length - 1]) points.push(x, y);
    }
    points.push(x2, y2);
    for (let c = 0; c + 3 < points.length; c += 2) {
      const from = pos(points[c]!, points[c + 1]!), to = pos(points[c + 2]!, points[c + 3]!);
      let shared = false;
      for (let v = 0; v < covered.length && !shared; v += 2) shared = covered[v]! <= from && to <= covered[v + 1]!;
      if (!shared) pieces.push(points[c]!, points[c + 1]!, points[c + 2]!, points[c + 3]!);
    }
  }
  const count = pieces.length / 4;
  if (count === 0) return [];

  // 3. Walk the pieces into rings. At a vertex with several ways on, the gap on the right is bounded
  // by the first piece counter-clockwise from the way back.
  const outgoing = new Map<string, number[]>();
  const at = (x: number, y: number) => `${x} ${y}`;
  for (let p = 0; p < count; p++) {
    const key = at(pieces[4 * p]!, pieces[4 * p + 1]!);
    const list = outgoing.get(key);
    if (list) list.push(p);
    else outgoing.set(key, [p]);
  }
  const used = new Uint8Array(count);
  const shells: FlatRing[] = [];
  for (let start = 0; start < count; start++) {
    if (used[start]) continue;
    used[start] = 1;
    const ring: number[] = [pieces[4 * start]!, pieces[4 * start + 1]!];
    let current = start;
    for (let steps = 0; ; steps++) {
      if (steps > count) return undefined;
      const vx = pieces[4 * current + 2]!, vy = pieces[4 * current + 3]!;
      ring.push(vx, vy);
      const ways = outgoing.get(at(vx, vy));
      if (!ways) return undefined; // a loose end: not a boundary
      const next = ways.length === 1 ? ways[0]! : firstCounterClockwise(pieces, ways, vx, vy, pieces[4 * current]!, pieces[4 * current + 1]!);
      if (next === start) break;
      if (used[next]) return undefined;
      used[next] = 1;
      current = next;
    }
    // every ring must be simple for its orientation to say which side the gap is on
    const xs = new Float64Array(ring.length / 2), ys = new Float64Array(ring.length / 2);
    for (let c = 0; c < xs.length; c++) {
      xs[c] = ring[2 * c]!;
      ys[c] = ring[2 * c + 1]!;
    }
    if (!isSimpleRing(xs, ys)) return undefined;
    if (!counterClockwise(xs, ys)) shells.push(ring); // clockwise: the gap inside; counter-clockwise rings are islands in a gap
  }
  return shells;
}

/** Of the pieces leaving v, the first counter-clockwise from the direction v → back (exact). */
function firstCounterClockwise(pieces: number[], ways: number[], vx: number, vy: number, backX: number, backY: number): number {
  // 0 for directions from the way back up to (not including) its opposite, 1 for the rest
  const half = (x: number, y: number) => {
    const t = turn(vx, vy, backX, backY, x, y);
    if (t > 0) return 0;
    if (t < 0) return 1;
    return Math.sign(x - vx) === Math.sign(backX - vx) && Math.sign(y - vy) === Math.sign(backY - vy) ? 0 : 1;
  };
  let best = ways[0]!;
  for (let w = 1; w < ways.length; w++) {
    const p = ways[w]!;
    const bx = pieces[4 * best + 2]!, by = pieces[4 * best + 3]!, px = pieces[4 * p + 2]!, py = pieces[4 * p + 3]!;
    const hb = half(bx, by), hp = half(px, py);
    if (hp < hb || (hp === hb && turn(vx, vy, px, py, bx, by) > 0)) best = p;
  }
  return best;
}

/** Orientation of a simple closed ring, exactly: the turn at its lowest (then leftmost) vertex. */
function counterClockwise(xs: Float64Array, ys: Float64Array): boolean {
  const n = xs.length - 1;
  let low = 0;
  for (let i = 1; i < n; i++) if (ys[i]! < ys[low]! || (ys[i] === ys[low] && xs[i]! < xs[low]!)) low = i;
  const prev = (low + n - 1) % n, next = (low + 1) % n;
  return turn(xs[prev]!, ys[prev]!, xs[low]!, ys[low]!, xs[next]!, ys[next]!) > 0;
}
