// The indexed `covers` (JTS PreparedPolygon, reached around jsts#479) must answer exactly as the
// plain relate-based Geometry.covers, including the cases an index can get wrong.
import assert from 'node:assert/strict';
import { coveringArea, fromGeoJson, geometryFactory } from '../../../src/core/geo/jts.ts';

const poly = (...rings: number[][][]) => fromGeoJson({ type: 'Polygon', coordinates: rings });

describe('core/geo/jts: coveringArea', () => {
  // a U-shaped (concave) area with a hole in its left arm
  const area = poly(
    [[0, 0], [30, 0], [30, 30], [20, 30], [20, 10], [10, 10], [10, 30], [0, 30], [0, 0]],
    [[2, 20], [2, 25], [7, 25], [7, 20], [2, 20]],
  );
  const covering = coveringArea(area);
  const cases: Array<[string, ReturnType<typeof poly>, boolean]> = [
    ['inside the base', poly([[1, 1], [29, 1], [29, 9], [1, 9], [1, 1]]), true],
    ['exactly the area', area, true],
    ['sharing an edge with the boundary', poly([[0, 0], [10, 0], [10, 5], [0, 5], [0, 0]]), true],
    ['vertices inside both arms, edge across the gap between them', poly([[5, 12], [25, 12], [25, 14], [5, 14], [5, 12]]), false],
    ['over the hole', poly([[1, 19], [8, 19], [8, 26], [1, 26], [1, 19]]), false],
    ['inside the hole', poly([[3, 21], [6, 21], [6, 24], [3, 24], [3, 21]]), false],
    ['partly outside', poly([[25, 25], [35, 25], [35, 28], [25, 28], [25, 25]]), false],
    ['far away', poly([[100, 100], [101, 100], [101, 101], [100, 101], [100, 100]]), false],
  ];
  for (const [name, o, expected] of cases) {
    it(`${name}: ${expected ? 'covered' : 'not covered'}, as Geometry.covers says`, () => {
      assert.equal(area.covers(o), expected, 'the reference answer');
      assert.equal(covering.covers(o), expected);
    });
  }
  it('keeps the geometry it was made from (for the overlay of what sticks out)', () => {
    assert.equal(covering.geometry, area);
  });
  it('also answers for an empty or a line geometry (tested the plain way)', () => {
    const line = fromGeoJson({ type: 'LineString', coordinates: [[0, 0], [10, 0]] });
    const point = fromGeoJson({ type: 'Point', coordinates: [5, 0] });
    assert.equal(coveringArea(line).covers(point), true);
    assert.equal(coveringArea(geometryFactory.createGeometryCollection([])).covers(point), false);
  });
});
