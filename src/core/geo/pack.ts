// JTS geometries as two flat typed arrays, so that a worker thread can hand them to another one
// without a copy (the arrays' buffers are transferred): the structured clone of jsts objects would
// copy every coordinate object and lose the classes. Exact: coordinates travel as float64, and the
// structure (geometry types, parts, rings) is rebuilt as it was. XY only, as the gateway reads GML.
import { geometryFactory, newCoordinate } from './jts.ts';
import type { Coordinate, Geometry, LinearRing, Polygon } from './jts.ts';

export interface PackedGeometries {
  /** x, y of every coordinate, in the order the structure walks them. */
  coords: Float64Array;
  /** Per geometry, depth first: a type code, then its counts (coordinates, rings or parts). */
  structure: Int32Array;
  /** How many geometries were packed (top level). */
  count: number;
}

const TYPES = ['Point', 'LineString', 'LinearRing', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection'] as const;
const CODE = new Map<string, number>(TYPES.map((t, i) => [t, i]));

/** The arrays' buffers, for the transfer list of postMessage. */
export const transferablesOf = (p: PackedGeometries): ArrayBuffer[] => [p.coords.buffer as ArrayBuffer, p.structure.buffer as ArrayBuffer];

export function packGeometries(geometries: Geometry[]): PackedGeometries {
  const coords: number[] = [];
  const structure: number[] = [];
  const sequence = (cs: Coordinate[]) => {
    structure.push(cs.length);
    for (const c of cs) coords.push(c.x, c.y);
  };
  const walk = (g: Geometry) => {
    const type = g.getGeometryType();
    const code = CODE.get(type);
    if (code === undefined) throw new Error(`cannot pack a ${type}`);
    structure.push(code);
    switch (type) {
      case 'Point':
      case 'LineString':
      case 'LinearRing':
        sequence(g.getCoordinates());
        return;
      case 'Polygon': {
        const p = g as Polygon;
        if (p.isEmpty()) {
          structure.push(0);
          return;
        }
        structure.push(1 + p.getNumInteriorRing());
        sequence(p.getExteriorRing().getCoordinates());
        for (let i = 0; i < p.getNumInteriorRing(); i++) sequence(p.getInteriorRingN(i).getCoordinates());
        return;
      }
      default:
        structure.push(g.getNumGeometries());
        for (let i = 0; i < g.getNumGeometries(); i++) walk(g.getGeometryN(i));
    }
  };
  for (const g of geometries) walk(g);
  return { coords: Float64Array.from(coords), structure: Int32Array.from(structure), count: geometries.length };
}

export function unpackGeometries(p: PackedGeometries): Geometry[] {
  let s = 0, c = 0;
  const f = geometryFactory;
  const count = (): number => {
    const n = p.structure[s++];
    if (n === undefined || n < 0) throw new Error('malformed packed geometry');
    return n;
  };
  const sequence = (): Coordinate[] => {
    const n = count();
    if (c + 2 * n > p.coords.length) throw new Error('malformed packed geometry');
    const out = new Array<Coordinate>(n);
    for (let i = 0; i < n; i++, c += 2) out[i] = newCoordinate(p.coords[c]!, p.coords[c + 1]!);
    return out;
  };
  const parts = <T>(read: () => T): T[] => {
    const n = count();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read());
    return out;
  };
  const read = (): Geometry => {
    const type = TYPES[p.structure[s++]!];
    switch (type) {
      case 'Point': {
        const cs = sequence();
        return cs.length > 0 ? f.createPoint(cs[0]!) : f.createPoint();
      }
      case 'LineString': return f.createLineString(sequence());
      case 'LinearRing': return f.createLinearRing(sequence());
      case 'Polygon': {
        const rings = parts((): LinearRing => f.createLinearRing(sequence()));
        return rings.length > 0 ? f.createPolygon(rings[0]!, rings.slice(1)) : f.createPolygon();
      }
      case 'MultiPoint': return f.createMultiPoint(parts(read));
      case 'MultiLineString': return f.createMultiLineString(parts(read));
      case 'MultiPolygon': return f.createMultiPolygon(parts(read) as Polygon[]);
      case 'GeometryCollection': return f.createGeometryCollection(parts(read));
      default: throw new Error('malformed packed geometry');
    }
  };
  const out: Geometry[] = [];
  try {
    for (let i = 0; i < p.count; i++) out.push(read());
  } catch (err) {
    // JTS refuses what no packed geometry holds (e.g. an unclosed ring): the pack is broken
    throw new Error('malformed packed geometry', { cause: err });
  }
  if (s !== p.structure.length || c !== p.coords.length) throw new Error('malformed packed geometry');
  return out;
}
