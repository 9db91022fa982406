// gapShells outlines the gaps a coverage leaves inside an area. The geometry stage trusts it to skip
// the union when every outline is too thin to hold a reportable gap, so an outline may be larger
// than its gap (islands are left out) but must never miss a part of one. Checked against JTS
// (area minus the union of the members) on hand-made cases and random coverages.
import assert from 'node:assert/strict';
import { coverageFace, interiorsMayMeet } from '../../../src/core/geo/coverage.ts';
import { gapShells, type FlatRing } from '../../../src/core/geo/gaps.ts';
import { fromGeoJson, geometryFactory, isValidOp, newCoordinate, unionOfValidPolygons, type Geometry } from '../../../src/core/geo/jts.ts';

type Ring = number[][];
const poly = (...rings: Ring[]) => fromGeoJson({ type: 'Polygon', coordinates: rings });
const square = (x: number, y: number, s = 10): Ring => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];
const clockwise = (r: Ring): Ring => [...r].reverse();
const shellsOf = (area: Geometry, members: Geometry[]) => gapShells(members.map(coverageFace), coverageFace(area));
const asPolygon = (ring: FlatRing) => {
  const cs = [];
  for (let i = 0; i < ring.length; i += 2) cs.push(newCoordinate(ring[i]!, ring[i + 1]!));
  return geometryFactory.createPolygon(geometryFactory.createLinearRing(cs));
};
/** JTS's answer: the gaps as area minus the union of the members. */
const jtsGaps = (area: Geometry, members: Geometry[]) => area.difference(unionOfValidPolygons(geometryFactory, members));

describe('core/geo/gaps: gapShells', () => {
  it('a coverage without gaps: no outline', () => {
    assert.deepEqual(shellsOf(poly(square(0, 0, 20)), [poly(square(0, 0)), poly(square(10, 0)), poly(clockwise(square(0, 10))), poly(square(10, 10))]), []);
  });

  it('one cell left out: its outline, clockwise', () => {
    const shells = shellsOf(poly(square(0, 0, 20)), [poly(square(0, 0)), poly(square(10, 0)), poly(square(0, 10))])!;
    assert.equal(shells.length, 1);
    assert.equal(asPolygon(shells[0]!).getArea(), 100);
    assert.ok(asPolygon(shells[0]!).equals(poly(square(10, 10))));
  });

  it('a sliver at a T-junction (a vertex 0.5 mm off, the neighbour split in two): one thin triangle', () => {
    const left = poly([[0, 0], [10, 0], [9.9995, 5], [10, 10], [10, 20], [0, 20], [0, 0]]);
    const shells = shellsOf(poly(square(0, 0, 20)), [left, poly(square(10, 0)), poly(square(10, 10))])!;
    assert.equal(shells.length, 1);
    assert.ok(Math.abs(asPolygon(shells[0]!).getArea() - 0.0025) < 1e-9, `area ${asPolygon(shells[0]!).getArea()}`);
  });

  it('two gaps touching in one vertex: two outlines', () => {
    // a 3×3 grid of 10 m cells without the cells at (10, 0) and (0, 10), which meet in (10, 10)
    const members = [[0, 0], [20, 0], [10, 10], [20, 10], [0, 20], [10, 20], [20, 20]].map(([x, y]) => poly(square(x!, y!)));
    const shells = shellsOf(poly(square(0, 0, 30)), members)!;
    assert.equal(shells.length, 2);
    assert.deepEqual(shells.map((r) => asPolygon(r).getArea()), [100, 100]);
    const outlined = shells.map(asPolygon);
    assert.ok(outlined.some((g) => g.equals(poly(square(10, 0)))) && outlined.some((g) => g.equals(poly(square(0, 10)))));
  });

  it('an island inside a gap: the outline of the gap without the island', () => {
    const shells = shellsOf(poly(square(0, 0, 30)), [poly([[0, 0], [30, 0], [30, 10], [0, 10], [0, 0]]), poly(square(12, 15, 5))])!;
    assert.equal(shells.length, 1);
    assert.equal(asPolygon(shells[0]!).getArea(), 600); // the gap is 575 m²; the island is not cut out
  });

  it('a gap beside a hole of the area: the hole is not a gap', () => {
    const area = poly(square(0, 0, 30), clockwise(square(10, 10)));
    const members = [poly([[0, 0], [30, 0], [30, 10], [0, 10], [0, 0]]), poly([[0, 10], [10, 10], [10, 20], [0, 20], [0, 10]]), poly([[20, 10], [30, 10], [30, 20], [20, 20], [20, 10]])];
    const shells = shellsOf(area, members)!;
    assert.equal(shells.length, 1);
    assert.equal(asPolygon(shells[0]!).getArea(), 300);
  });

  it('crossing members: left to the overlay (undefined)', () => {
    assert.equal(shellsOf(poly(square(0, 0, 20)), [poly(square(0, 0)), poly(square(5, 5))]), undefined);
  });

  it('on random coverages with slivers, gaps, T-junctions and holes: every gap lies in an outline, and without islands the areas agree', () => {
    let seed = 31337;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let resolved = 0, withGaps = 0, compared = 0;
    for (let round = 0; round < 150; round++) {
      const n = 4;
      const ox = 567000 + 100 * round, oy = 5938000;
      const at = (i: number, j: number) => [ox + 5 * i, oy + 5 * j];
      const members: Geometry[] = [];
      let islands = false;
      for (let i = 0; i < 2 * n; i += 2) {
        for (let j = 0; j < 2 * n; j += 2) {
          const r = random();
          if (r < 0.1) continue; // a cell left out: a gap
          const ring: Ring = [at(i, j), at(i + 1, j), at(i + 2, j), at(i + 2, j + 1), at(i + 2, j + 2), at(i + 1, j + 2), at(i, j + 2), at(i, j + 1)];
          const k = 2 * Math.floor(random() * 4);
          if (r < 0.35) {
            // an edge's middle vertex moved into the cell by up to 2 mm, or now and then by 1 m: a sliver or a real gap
            const [cx, cy] = at(i + 1, j + 1), [mx, my] = ring[k + 1]!;
            const d = (random() < 0.8 ? 0.002 : 1) * random() / 5;
            ring[k + 1] = [mx! + (cx! - mx!) * d, my! + (cy! - my!) * d];
          }
          else if (r < 0.45) ring.splice(k + 1, 1); // a T-junction
          ring.push(ring[0]!);
          const holed = random() < 0.1;
          if (holed) islands = islands || random() < 0.5;
          const cell = poly(random() < 0.5 ? clockwise(ring) : ring, ...(holed ? [clockwise(square(at(i, j)[0]! + 3, at(i, j)[1]! + 3, 4))] : []));
          if (!isValidOp(cell).isValid()) continue;
          members.push(cell);
          // an island in the hole: a member that touches nothing
          if (holed && islands) members.push(poly(square(at(i, j)[0]! + 4, at(i, j)[1]! + 4, 2)));
        }
      }
      const area = poly(square(ox, oy, 10 * n));
      const faces = members.map(coverageFace);
      let overlapping = false;
      for (let a = 0; a < faces.length && !overlapping; a++) for (let b = a + 1; b < faces.length && !overlapping; b++) overlapping = interiorsMayMeet(faces[a]!, faces[b]!);
      if (overlapping || !members.every((m) => area.covers(m))) continue;
      const shells = gapShells(faces, coverageFace(area));
      if (!shells) continue;
      resolved++;
      const gaps = jtsGaps(area, members);
      if (gaps.isEmpty()) {
        assert.equal(shells.length, 0, `round ${round}: outlines where JTS finds no gap`);
        continue;
      }
      withGaps++;
      const outlined = shells.map(asPolygon);
      const union = outlined.length > 0 ? unionOfValidPolygons(geometryFactory, outlined) : geometryFactory.createGeometryCollection([]);
      // every gap lies in the outlines (up to JTS's rounding of the overlay)
      assert.ok(gaps.difference(union).getArea() < 1e-9, `round ${round}: gap area outside the outlines: ${gaps.difference(union).getArea()}`);
      if (!islands) {
        compared++;
        assert.ok(Math.abs(union.getArea() - gaps.getArea()) < 1e-6, `round ${round}: outlines ${union.getArea()} m², gaps ${gaps.getArea()} m²`);
      }
    }
    assert.ok(resolved > 50 && withGaps > 30 && compared > 20, `coverages resolved: ${resolved}, with gaps: ${withGaps}, compared by area: ${compared}`);
  });
});
