// Geometries packed into flat arrays for another worker must come back as they were: same types,
// same parts and rings, the same coordinates to the last bit, also after a real structured clone
// with the buffers transferred (what postMessage does).
import assert from 'node:assert/strict';
import { fromGeoJson, geometryFactory, newCoordinate, toWkt, type Geometry } from '../../../src/core/geo/jts.ts';
import { packGeometries, transferablesOf, unpackGeometries } from '../../../src/core/geo/pack.ts';

const f = geometryFactory;
const square = (x: number, y: number, s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];

// the kinds readGmlGeometry makes, with coordinates as a plan in EPSG:25833 has them
const samples: Array<[string, Geometry]> = [
  ['Point', fromGeoJson({ type: 'Point', coordinates: [411000.123456789, 5655000.987654321] })],
  ['LineString', fromGeoJson({ type: 'LineString', coordinates: [[411000.1, 5655000.2], [411010.3, 5655000.4], [411020.5, 5655010.6]] })],
  ['Polygon with two holes', fromGeoJson({ type: 'Polygon', coordinates: [square(0, 0, 100), square(10, 10, 5), square(50, 50, 20)] })],
  ['MultiPolygon', fromGeoJson({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 2), square(5.5, 5.5, 1)]] })],
  ['MultiLineString', fromGeoJson({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3], [4, 2]]] })],
  ['MultiPoint', fromGeoJson({ type: 'MultiPoint', coordinates: [[0.1, 0.2], [0.3, 0.4]] })],
  ['GeometryCollection of a polygon and a line', f.createGeometryCollection([fromGeoJson({ type: 'Polygon', coordinates: [square(0, 0, 3)] }), f.createLineString([newCoordinate(7, 7), newCoordinate(8, 9)])])],
  ['empty GeometryCollection', f.createGeometryCollection([])],
  ['empty Point', f.createPoint()],
  ['empty Polygon', f.createPolygon()],
];

/** Every coordinate, bit for bit, with the structure around it. */
const exactly = (g: Geometry): unknown => ({
  type: g.getGeometryType(),
  coordinates: g.getCoordinates().map((c) => [c.x, c.y]),
  parts: g.getNumGeometries() > 1 || (g.getNumGeometries() === 1 && g.getGeometryN(0) !== g) ? Array.from({ length: g.getNumGeometries() }, (_x, i) => exactly(g.getGeometryN(i))) : undefined,
  wkt: toWkt(g),
});

describe('core/geo/pack', () => {
  for (const [name, g] of samples) {
    it(`${name}: unpacked as it was`, () => {
      const [back] = unpackGeometries(packGeometries([g]));
      assert.deepEqual(exactly(back!), exactly(g));
      assert.ok(back!.equals(g) || g.isEmpty(), 'the same point set');
    });
  }

  it('many geometries in one pack, through a structured clone that moves the buffers', () => {
    const geometries = samples.map(([, g]) => g);
    const packed = packGeometries(geometries);
    const moved = structuredClone(packed, { transfer: transferablesOf(packed) });
    assert.equal(packed.coords.byteLength, 0, 'the sender no longer holds the coordinates: moved, not copied');
    const back = unpackGeometries(moved);
    assert.equal(back.length, geometries.length);
    back.forEach((b, i) => assert.deepEqual(exactly(b), exactly(geometries[i]!), samples[i]![0]));
  });

  it('refuses a pack whose structure does not match its coordinates', () => {
    const packed = packGeometries([samples[2]![1]]);
    assert.throws(() => unpackGeometries({ ...packed, coords: packed.coords.subarray(2) }), /malformed packed geometry/);
    assert.throws(() => unpackGeometries({ ...packed, structure: Int32Array.from([99, 0]) }), /malformed packed geometry/);
  });
});
