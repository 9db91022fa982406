// isValidWithoutContact may leave a valid polygon to JTS (answer false), but must never call a
// polygon valid that JTS's IsValidOp calls invalid: that would hide a 2.2.2.1 error.
import assert from 'node:assert/strict';
import { fromGeoJson, isValidOp, type Polygon } from '../../../src/core/geo/jts.ts';
import { isValidWithoutContact } from '../../../src/core/geo/simple-polygon.ts';

const poly = (...rings: number[][][]) => fromGeoJson({ type: 'Polygon', coordinates: rings }) as Polygon;
const jtsValid = (p: Polygon) => isValidOp(p).isValid();

describe('core/geo/simple-polygon: isValidWithoutContact (one ring, or holes that touch nothing)', () => {
  const cases: Array<[string, Polygon, boolean | 'jts']> = [
    ['a square', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]), true],
    ['a square written clockwise', poly([[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]), true],
    ['a triangle', poly([[0, 0], [10, 0], [5, 5], [0, 0]]), true],
    ['a straight vertex in an edge', poly([[0, 0], [5, 0], [10, 0], [10, 10], [0, 10], [0, 0]]), true],
    ['a concave comb', poly([[0, 0], [30, 0], [30, 10], [25, 10], [25, 2], [20, 2], [20, 10], [15, 10], [15, 2], [10, 2], [10, 10], [0, 10], [0, 0]]), true],
    ['a bow tie', poly([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]), false],
    ['a ring touching itself in a vertex', poly([[0, 0], [10, 0], [5, 5], [10, 10], [0, 10], [5, 5], [0, 0]]), false],
    ['a vertex on another edge', poly([[0, 0], [10, 0], [10, 10], [5, 0.0], [0, 10], [0, 0]]), false],
    ['a spike turning back along its edge', poly([[0, 0], [10, 0], [10, 10], [10, 5], [10, 12], [0, 10], [0, 0]]), false],
    ['a spike out and back', poly([[0, 0], [10, 0], [15, 0], [10, 0], [10, 10], [0, 10], [0, 0]]), false],
    ['all points in line', poly([[0, 0], [5, 0], [10, 0], [0, 0]]), false],
    ['the closing edge turning back', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, -5], [0, 0]]), false],
    ['a repeated point (left to JTS)', poly([[0, 0], [10, 0], [10, 0], [10, 10], [0, 10], [0, 0]]), 'jts'],
    ['a hole touching nothing', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]), true],
    ['two holes touching nothing, one written counter-clockwise', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]], [[6, 6], [8, 6], [8, 8], [6, 8], [6, 6]]), true],
    ['a hole touching the shell in one point (valid, left to JTS)', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[0, 5], [4, 4], [4, 6], [0, 5]]), 'jts'],
    ['two holes touching in one point (valid, left to JTS)', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]), 'jts'],
    ['a hole outside the shell', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[12, 2], [12, 4], [14, 4], [14, 2], [12, 2]]), false],
    ['a hole inside another hole', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[1, 1], [1, 9], [9, 9], [9, 1], [1, 1]], [[3, 3], [3, 5], [5, 5], [5, 3], [3, 3]]), false],
    ['a hole crossing the shell', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[-1, 2], [-1, 4], [4, 4], [4, 2], [-1, 2]]), false],
    ['a hole sharing an edge with the shell', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[0, 2], [0, 4], [4, 4], [4, 2], [0, 2]]), false],
    ['two holes crossing', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [2, 5], [5, 5], [5, 2], [2, 2]], [[4, 4], [4, 7], [7, 7], [7, 4], [4, 4]]), false],
    ['a self-crossing hole', poly([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[2, 2], [4, 4], [4, 2], [2, 4], [2, 2]]), false],
    ['edges crossing far from their vertices', poly([[0, 0], [100, 0], [100, 10], [60, 10], [60, -5], [40, -5], [40, 10], [0, 10], [0, 0]]), false],
    ['edges crossing by 1e-9 m', poly([[567000, 5938000], [567100, 5938000], [567100, 5938010], [567050, 5937999.999999999], [567000, 5938010], [567000, 5938000]]), false],
  ];
  for (const [name, p, expected] of cases) {
    it(`${name}: ${expected === 'jts' ? 'left to JTS' : expected ? 'valid' : 'not called valid'}`, () => {
      if (expected === true) {
        assert.equal(jtsValid(p), true, 'the reference answer (JTS)');
        assert.equal(isValidWithoutContact(p), true);
      } else if (expected === false) {
        assert.equal(jtsValid(p), false, 'the reference answer (JTS)');
        assert.equal(isValidWithoutContact(p), false);
      } else assert.equal(isValidWithoutContact(p), false);
    });
  }

  it('never calls a polygon valid that JTS calls invalid, on random rings (and calls the simple star-shaped ones valid)', () => {
    let seed = 4711;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let invalid = 0, stars = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 3 + Math.floor(random() * 12);
      // points on a small integer grid, so that touching and in-line cases are frequent
      const pts = Array.from({ length: n }, () => [567000 + Math.floor(random() * 8), 5938000 + Math.floor(random() * 8)]);
      const star = k % 2 === 0;
      if (star) {
        // sorted around their centre: a simple ring unless points repeat or lie in line with it
        const cx = pts.reduce((s, p) => s + p[0]!, 0) / n + 0.01, cy = pts.reduce((s, p) => s + p[1]!, 0) / n + 0.013;
        pts.sort((a, b) => Math.atan2(a[1]! - cy, a[0]! - cx) - Math.atan2(b[1]! - cy, b[0]! - cx));
      }
      const ring = [...pts, pts[0]!];
      let p: Polygon;
      try {
        p = poly(ring);
      } catch {
        continue; // fewer than four coordinates after all
      }
      const reference = jtsValid(p);
      const fast = isValidWithoutContact(p);
      if (!reference) {
        invalid++;
        assert.equal(fast, false, `called valid, JTS says ${isValidOp(p).getValidationError()?.toString()}: ${JSON.stringify(ring)}`);
      } else if (star && new Set(pts.map((q) => `${q[0]},${q[1]}`)).size === n) {
        stars++;
        assert.equal(fast, true, `a valid star-shaped ring without repeated points left to JTS: ${JSON.stringify(ring)}`);
      }
    }
    assert.ok(invalid > 1000, `invalid rings tried: ${invalid}`);
    assert.ok(stars > 200, `valid star-shaped rings tried: ${stars}`);
  });

  it('never calls a polygon with holes valid that JTS calls invalid, on random shells and holes (and calls the untouched ones valid)', () => {
    let seed = 815;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    // a star-shaped ring around (cx, cy) on a grid of step 1, radius up to r
    const star = (cx: number, cy: number, r: number, n: number) => {
      const pts = Array.from({ length: n }, () => [cx + Math.round((random() * 2 - 1) * r), cy + Math.round((random() * 2 - 1) * r)]);
      pts.sort((a, b) => Math.atan2(a[1]! - cy - 0.013, a[0]! - cx - 0.01) - Math.atan2(b[1]! - cy - 0.013, b[0]! - cx - 0.01));
      return [...pts, pts[0]!];
    };
    let invalid = 0, valid = 0, fastValid = 0;
    for (let k = 0; k < 3000; k++) {
      const shell = k % 3 === 0 ? [[0, 0], [12, 0], [12, 12], [0, 12], [0, 0]] : star(6, 6, 6, 4 + Math.floor(random() * 8));
      const holes = Array.from({ length: 1 + Math.floor(random() * 3) }, () => star(2 + Math.floor(random() * 9), 2 + Math.floor(random() * 9), 1 + Math.floor(random() * 3), 3 + Math.floor(random() * 4)));
      let p: Polygon;
      try {
        p = poly(shell.map(([x, y]) => [567000 + x!, 5938000 + y!]), ...holes.map((h) => h.map(([x, y]) => [567000 + x!, 5938000 + y!])));
      } catch {
        continue;
      }
      const reference = jtsValid(p);
      const fast = isValidWithoutContact(p);
      if (!reference) {
        invalid++;
        assert.equal(fast, false, `called valid, JTS says ${isValidOp(p).getValidationError()?.toString()}: ${JSON.stringify([shell, ...holes])}`);
      } else {
        valid++;
        if (fast) fastValid++;
      }
    }
    assert.ok(invalid > 500, `invalid polygons tried: ${invalid}`);
    // on a grid of step 1 many valid holes touch the shell or each other in a point: those are left to JTS
    assert.ok(valid > 300 && fastValid > 0.25 * valid, `valid polygons tried: ${valid}, of them called valid here: ${fastValid}`);
  });
});
