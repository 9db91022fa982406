// Is a reported point inside the tenant's area? Point-in-area with JTS on the GeoJSON area (WGS84).
import type { Geometry } from '../core/model.ts';
import { fromGeoJson, geometryFactory, newCoordinate } from '../core/geo/jts.ts';
import type { Geometry as JtsGeometry } from '../core/geo/jts.ts';

const cache = new WeakMap<object, JtsGeometry>();

export function insideArea(area: Geometry, long: number, lat: number): boolean {
  let g = cache.get(area);
  if (!g) {
    g = fromGeoJson(area);
    cache.set(area, g);
  }
  return g.covers(geometryFactory.createPoint(newCoordinate(long, lat)));
}
