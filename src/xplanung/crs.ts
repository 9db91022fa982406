// Coordinate reference systems found in German plans, and transformation to WGS84 with proj4.
// srsName comes in several spellings (EPSG:25832, urn:ogc:def:crs:EPSG::25832,
// http://www.opengis.net/def/crs/EPSG/0/25832); all are reduced to the EPSG code.
import proj4 from 'proj4';

/** proj4 definitions (from the EPSG registry) of the CRSs German planning software writes. */
const DEFINITIONS: Record<number, string> = {
  25831: '+proj=utm +zone=31 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  25832: '+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  25833: '+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  // ETRS89 / UTM with the zone number prefixed to the easting (used in Brandenburg and Saxony)
  4647: '+proj=tmerc +lat_0=0 +lon_0=9 +k=0.9996 +x_0=32500000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  5650: '+proj=tmerc +lat_0=0 +lon_0=15 +k=0.9996 +x_0=33500000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
  // DHDN / Gauß-Krüger zones 2–5 (older plans)
  31466: '+proj=tmerc +lat_0=0 +lon_0=6 +k=1 +x_0=2500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs',
  31467: '+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=3500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs',
  31468: '+proj=tmerc +lat_0=0 +lon_0=12 +k=1 +x_0=4500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs',
  31469: '+proj=tmerc +lat_0=0 +lon_0=15 +k=1 +x_0=5500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs',
  // Rauenberg/83 (former GDR) Gauß-Krüger zones 4 and 5
  2398: '+proj=tmerc +lat_0=0 +lon_0=12 +k=1 +x_0=4500000 +y_0=0 +ellps=krass +towgs84=24,-123,-94,0.02,-0.25,-0.13,1.1 +units=m +no_defs',
  2399: '+proj=tmerc +lat_0=0 +lon_0=15 +k=1 +x_0=5500000 +y_0=0 +ellps=krass +towgs84=24,-123,-94,0.02,-0.25,-0.13,1.1 +units=m +no_defs',
  4258: '+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs',
  4326: '+proj=longlat +datum=WGS84 +no_defs',
};

for (const [code, def] of Object.entries(DEFINITIONS)) proj4.defs(`EPSG:${code}`, def);

/** Metric, projected CRSs: the only ones geometry rules with metre tolerances make sense in. */
export const PROJECTED = new Set([25831, 25832, 25833, 4647, 5650, 31466, 31467, 31468, 31469, 2398, 2399]);

// a plan names its CRS the same way on each of thousands of geometries: match each name once
const codes = new Map<string, number | undefined>();

/** The EPSG code of an srsName, or undefined when it is not an EPSG reference. */
export function epsgCode(srsName: string | undefined): number | undefined {
  if (!srsName) return undefined;
  if (codes.has(srsName)) return codes.get(srsName);
  const m = /^(?:EPSG:|urn:ogc:def:crs:EPSG:[0-9.]*:|urn:x-ogc:def:crs:EPSG:[0-9.]*:|https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/0\/)(\d+)$/i.exec(srsName.trim());
  const code = m ? Number(m[1]) : undefined;
  if (codes.size < 1000) codes.set(srsName, code); // bounded: names come from pushed documents
  return code;
}

export function isSupportedCrs(code: number | undefined): code is number {
  return code !== undefined && code in DEFINITIONS;
}

export const SUPPORTED_CRS_LIST = Object.keys(DEFINITIONS).map((c) => `EPSG:${c}`).join(', ');

/** A function mapping [x, y] in `code` to [lon, lat] in WGS84. */
export function toWgs84(code: number): (xy: [number, number]) => [number, number] {
  if (!isSupportedCrs(code)) throw new Error(`unsupported CRS EPSG:${code}`);
  if (code === 4326) return (xy) => xy;
  const converter = proj4(`EPSG:${code}`, 'EPSG:4326');
  return (xy) => converter.forward(xy) as [number, number];
}

/** A function mapping [lon, lat] in WGS84 to [x, y] in `code`. */
export function fromWgs84(code: number): (lonLat: [number, number]) => [number, number] {
  if (!isSupportedCrs(code)) throw new Error(`unsupported CRS EPSG:${code}`);
  if (code === 4326) return (xy) => xy;
  const converter = proj4('EPSG:4326', `EPSG:${code}`);
  return (xy) => converter.forward(xy) as [number, number];
}

/** EPSG codes whose GML axis order is latitude first (geographic CRSs in urn/http form). */
export function latitudeFirst(srsName: string | undefined): boolean {
  const code = epsgCode(srsName);
  return (code === 4326 || code === 4258) && !/^EPSG:/i.test(srsName ?? '');
}
