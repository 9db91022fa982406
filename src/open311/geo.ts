// Is a reported point inside the tenant's area? Point-in-polygon with JTS (jsts) on the GeoJSON area.
import 'jsts/org/locationtech/jts/monkey.js';
import GeoJSONReaderImpl from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import CoordinateImpl from 'jsts/org/locationtech/jts/geom/Coordinate.js';
import GeometryFactoryImpl from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import type { Geometry } from '../core/model.ts';

interface JtsGeometry { covers(o: JtsGeometry): boolean }
const reader = new (GeoJSONReaderImpl as unknown as new () => { read(g: unknown): JtsGeometry })();
const factory = new (GeometryFactoryImpl as unknown as new () => { createPoint(c: unknown): JtsGeometry })();
const cache = new WeakMap<object, JtsGeometry>();

export function insideArea(area: Geometry, long: number, lat: number): boolean {
  let g = cache.get(area);
  if (!g) {
    g = reader.read(area);
    cache.set(area, g);
  }
  return g.covers(factory.createPoint(new (CoordinateImpl as unknown as new (x: number, y: number) => unknown)(long, lat)));
}
