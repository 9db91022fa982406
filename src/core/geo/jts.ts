// A typed face of the JTS port (jsts), shared by the standards that need geometry (XPlanung rules,
// Open311 areas). jsts ships declaration stubs without methods, so the few operations the gateway
// uses are declared here once and the library is loaded through them.
import 'jsts/org/locationtech/jts/monkey.js'; // adds union, intersection, difference ... to Geometry
import OrientationImpl from 'jsts/org/locationtech/jts/algorithm/Orientation.js';
import CoordinateImpl from 'jsts/org/locationtech/jts/geom/Coordinate.js';
import GeometryFactoryImpl from 'jsts/org/locationtech/jts/geom/GeometryFactory.js';
import WKTReaderImpl from 'jsts/org/locationtech/jts/io/WKTReader.js';
import WKTWriterImpl from 'jsts/org/locationtech/jts/io/WKTWriter.js';
import BufferOpImpl from 'jsts/org/locationtech/jts/operation/buffer/BufferOp.js';
import IsValidOpImpl from 'jsts/org/locationtech/jts/operation/valid/IsValidOp.js';
import DouglasPeuckerSimplifierImpl from 'jsts/org/locationtech/jts/simplify/DouglasPeuckerSimplifier.js';
import GeoJSONReaderImpl from 'jsts/org/locationtech/jts/io/GeoJSONReader.js';
import PreparedPolygonImpl from 'jsts/org/locationtech/jts/geom/prep/PreparedPolygon.js';
import PreparedPolygonCoversImpl from 'jsts/org/locationtech/jts/geom/prep/PreparedPolygonCovers.js';
import PreparedLineStringImpl from 'jsts/org/locationtech/jts/geom/prep/PreparedLineString.js';

export interface Coordinate { x: number; y: number; equals2D(o: Coordinate): boolean; copy(): Coordinate }
export interface Envelope { getMinX(): number; getMaxX(): number; getMinY(): number; getMaxY(): number; intersects(o: Envelope): boolean }

export interface Geometry {
  getGeometryType(): string;
  getFactory(): GeometryFactory;
  getCoordinates(): Coordinate[];
  getCoordinate(): Coordinate | null;
  getNumGeometries(): number;
  getGeometryN(i: number): Geometry;
  getDimension(): number;
  getNumPoints(): number;
  getArea(): number;
  /** Length of the lines, or of the rings' boundaries. */
  getLength(): number;
  getEnvelopeInternal(): Envelope;
  getInteriorPoint(): Geometry;
  isEmpty(): boolean;
  union(): Geometry;
  intersection(o: Geometry): Geometry;
  difference(o: Geometry): Geometry;
  /** DE-9IM test, e.g. 'T********' (interiors intersect). */
  relate(o: Geometry, pattern: string): boolean;
  covers(o: Geometry): boolean;
  /** Topological equality (the same point set). */
  equals(o: Geometry): boolean;
  /** A normalised copy: rings in a canonical start point and orientation, parts in a canonical order. */
  norm(): Geometry;
}


export interface LinearRing extends Geometry { readonly __ring?: never }
export interface Polygon extends Geometry {
  getExteriorRing(): LinearRing;
  getNumInteriorRing(): number;
  getInteriorRingN(i: number): LinearRing;
}

export interface GeometryFactory {
  /** Without a coordinate: the empty point. */
  createPoint(c?: Coordinate): Geometry;
  createLineString(cs: Coordinate[]): Geometry;
  createLinearRing(cs: Coordinate[]): LinearRing;
  /** Without a shell: the empty polygon. */
  createPolygon(shell?: LinearRing, holes?: LinearRing[]): Polygon;
  createMultiPolygon(ps: Polygon[]): Geometry;
  createMultiLineString(ls: Geometry[]): Geometry;
  createMultiPoint(ps: Geometry[]): Geometry;
  createGeometryCollection(gs: Geometry[]): Geometry;
}

export interface ValidationError { getErrorType(): number; getCoordinate(): Coordinate | null; toString(): string }
interface IsValidOpInstance { isValid(): boolean; getValidationError(): ValidationError | null }

type Ctor<T, A extends unknown[] = []> = new (...args: A) => T;

export const newCoordinate = (x: number, y: number): Coordinate => new (CoordinateImpl as unknown as Ctor<Coordinate, [number, number]>)(x, y);
export const geometryFactory: GeometryFactory = new (GeometryFactoryImpl as unknown as Ctor<GeometryFactory>)();
export const isValidOp = (g: Geometry): IsValidOpInstance => new (IsValidOpImpl as unknown as Ctor<IsValidOpInstance, [Geometry]>)(g);
const writer = new (WKTWriterImpl as unknown as Ctor<{ write(g: Geometry): string }>)();
export const toWkt = (g: Geometry): string => writer.write(g);
const wktReader = new (WKTReaderImpl as unknown as Ctor<{ read(wkt: string): Geometry }>)();
/** A finding's marker (WKT) as a geometry again. */
export const fromWkt = (wkt: string): Geometry => wktReader.read(wkt);
export const buffer = (g: Geometry, distance: number): Geometry => (BufferOpImpl as unknown as { bufferOp(g: Geometry, d: number): Geometry }).bufferOp(g, distance);
export const isCCW = (ring: Coordinate[]): boolean => (OrientationImpl as unknown as { isCCW(c: Coordinate[]): boolean }).isCCW(ring);
/** Douglas-Peucker simplification: for drawing only (the result may be invalid where the input was tight). */
export const simplify = (g: Geometry, tolerance: number): Geometry =>
  (DouglasPeuckerSimplifierImpl as unknown as { simplify(g: Geometry, t: number): Geometry }).simplify(g, tolerance);
const geoJsonReader = new (GeoJSONReaderImpl as unknown as Ctor<{ read(g: unknown): Geometry }>)();
/** A GeoJSON geometry object as a JTS geometry (coordinates as given, e.g. WGS84 lon/lat). */
export const fromGeoJson = (g: unknown): Geometry => geoJsonReader.read(g);

/**
 * A polygonal geometry indexed for many `covers` tests against it (JTS PreparedPolygon: indexed
 * point-in-area and segment intersection instead of a full relate per test).
 */
export interface CoveringArea { covers(o: Geometry): boolean; readonly geometry: Geometry }

// jsts's prepared-geometry classes call their base constructor without arguments and throw
// (bjornharrtell/jsts#479, still in 2.12.1); their static initialisers, which chain correctly,
// are called here on objects made from the prototypes.
type Prepared<A extends unknown[]> = { prototype: object; constructor_: (this: object, ...args: A) => void };
function construct<T, A extends unknown[]>(cls: unknown, ...args: A): T {
  const c = cls as Prepared<A>;
  const o = Object.create(c.prototype) as object;
  c.constructor_.call(o, ...args);
  return o as T;
}

export function coveringArea(geometry: Geometry): CoveringArea {
  // only areas are prepared here; anything else (or nothing) is tested the plain way
  if (geometry.isEmpty() || geometry.getDimension() !== 2) return { geometry, covers: (o) => geometry.covers(o) };
  const prepared = construct<{ envelopeCovers(g: Geometry): boolean }, [Geometry]>(PreparedPolygonImpl, geometry);
  return {
    geometry,
    covers(o) {
      // what PreparedPolygon.covers does, without its broken constructor call
      return prepared.envelopeCovers(o) && construct<{ covers(g: Geometry): boolean }, [unknown]>(PreparedPolygonCoversImpl, prepared).covers(o);
    },
  };
}

/**
 * A line indexed for many `intersects` tests against it (JTS PreparedLineString: its segments indexed once
 * instead of a relate, which builds the line's graph anew, per test).
 */
export function intersectingLine(line: Geometry): (o: Geometry) => boolean {
  const prepared = construct<{ intersects(g: Geometry): boolean }, [Geometry]>(PreparedLineStringImpl, line);
  return (o) => prepared.intersects(o);
}

/**
 * The union of valid polygons, as JTS's buffer by zero computes it (one noding pass over all
 * edges). jsts's cascaded union pairs the polygons up through its old overlay and, on the coverages
 * of a land-use plan (hundreds of neighbouring areas per Bereich), took 3.5× as long for the same
 * area (the 20 MB plan of bench/xplanung.ts: 0.73 → 0.2 s, the same findings; test/xplanung/rules.test.ts).
 * Only for valid polygons: a buffer by zero drops the wrong side of a self-intersecting ring.
 */
export function unionOfValidPolygons(factory: GeometryFactory, polygons: Geometry[]): Geometry {
  unionWork.passes++;
  unionWork.inputs += polygons.length;
  unionWork.largestPass = Math.max(unionWork.largestPass, polygons.length);
  return buffer(factory.createGeometryCollection(polygons), 0);
}

/**
 * What the union passes above have done since the counts were last reset: passes, polygons given
 * in all, and the most given to one pass. For tests that check how the work grows, without timing.
 */
export const unionWork = { passes: 0, inputs: 0, largestPass: 0 };

/** How many polygons one pass of unionByTree joins. */
const TREE_FAN_IN = 4;

/**
 * The union of valid polygons that overlap each other a lot, as a tree: neighbours in the given
 * order (which should be spatial) are joined a few at a time, then their unions, and so on. One
 * pass over all of them (unionOfValidPolygons) nodes every crossing of two boundaries at once, and
 * N polygons that all overlap have ~N² crossings; joined in a tree, the inner edges are gone before
 * the next level, so each pass nodes only the outlines of a few partial unions.
 */
export function unionByTree(factory: GeometryFactory, polygons: Geometry[]): Geometry {
  if (polygons.length <= TREE_FAN_IN) return unionOfValidPolygons(factory, polygons);
  let level = polygons;
  while (level.length > 1) {
    const next: Geometry[] = [];
    for (let k = 0; k < level.length; k += TREE_FAN_IN) {
      next.push(level.length - k === 1 ? level[k]! : unionOfValidPolygons(factory, level.slice(k, k + TREE_FAN_IN)));
    }
    level = next;
  }
  return level[0]!;
}
