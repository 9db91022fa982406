// Is a reported point inside the tenant's area? Point-in-area with JTS on the GeoJSON area (WGS84),
// indexed once per area: a municipal boundary has thousands of vertices and every report asks.
import type { Geometry } from '../core/model.ts';
import { coveringArea, fromGeoJson, geometryFactory, newCoordinate, type CoveringArea } from '../core/geo/jts.ts';

const cache = new WeakMap<object, CoveringArea>();

export function insideArea(area: Geometry, long: number, lat: number): boolean {
  let g = cache.get(area);
  if (!g) {
    g = coveringArea(fromGeoJson(area));
    cache.set(area, g);
  }
  return g.covers(geometryFactory.createPoint(newCoordinate(long, lat)));
}
