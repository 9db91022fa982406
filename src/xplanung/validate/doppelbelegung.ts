// 4.5.2.4 Doppelbelegung (XPlanGML 6.0 only): an attribute of the building rules (Maß der baulichen
// Nutzung, Bauweise, …) may be set either on a Baugebiet-like area or on a BP_UeberbaubareGrundstuecksFlaeche
// lying over it, not on both. Judged as xPlanBox's DoppelbelegungInspector does (reference notes §5):
// - the checked classes and the attribute list are its own (so BP_WohngebaeudeFlaeche and dachgestaltung
//   are not checked, and its "BP_GestaltungBaugebiet", a type name, never matches an element);
// - an attribute counts when the object has the element as a direct child, whatever its value;
// - a BP_UeberbaubareGrundstuecksFlaeche overlaps when its interior meets the object shrunk by 0.002 CRS
//   units (DE-9IM T********), so neighbours and slivers below the tolerance do not count;
// - one error per object, overlapping area and attribute, across Bereiche and plans.
// The geometry stage (geometry.ts) hands over the objects whose geometry it could read and judged valid in
// a projected CRS, as for its other rules; an invalid one is a 2.2.2.1 error already.
import Flatbush from 'flatbush';
import { buffer, toWkt, type Geometry, type Polygon } from '../../core/geo/jts.ts';
import type { ReadGeometry } from '../geometry/gml.ts';
import { germanArea, germanPoint } from '../german-number.ts';
import { children } from '../parse.ts';
import type { XPlanDocument, XPlanFeature } from '../parse.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';

const RULE: RuleId = '4.5.2.4';
const OVERLAYING = 'BP_UeberbaubareGrundstuecksFlaeche';

/** The classes whose attributes must not be repeated by an overlaying BP_UeberbaubareGrundstuecksFlaeche. */
const CHECKED = new Set(['BP_BaugebietsTeilFlaeche', 'BP_BesondererNutzungszweckFlaeche', 'BP_SpielSportanlagenFlaeche', 'BP_GemeinbedarfsFlaeche', 'BP_GruenFlaeche', 'BP_VerEntsorgung', 'SO_Strassenverkehr']);

/** The compared attributes, in the reference's order (which orders the findings of one pair). */
export const DOPPELBELEGUNG_ATTRIBUTES: readonly string[] = [
  'bauweise', 'bauweiseText', 'abweichendeBauweise', 'vertikaleDifferenzierung', 'bebauungsArt', 'bebauungVordereGrenze',
  'bebauungRueckwaertigeGrenze', 'bebauungSeitlicheGrenze', 'refGebaeudequerschnitt', 'geschossMin', 'geschossMax',
  'BP_GestaltungBaugebiet', 'FR', 'MaxZahlWohnungen', 'MinGRWohneinheit', 'Fmin', 'Fmax', 'Bmin', 'Bmax', 'Tmin', 'Tmax',
  'GFZmin', 'GFZmax', 'GFZ', 'GFZ_Ausn', 'GFmin', 'GFmax', 'GF', 'GF_Ausn', 'BMZ', 'BMZ_Ausn', 'BM', 'BM_Ausn',
  'GRZmin', 'GRZmax', 'GRZ', 'GRZ_Ausn', 'GRmin', 'GRmax', 'GR', 'GR_Ausn', 'Zmin', 'Zmax', 'Zzwingend', 'Z', 'Z_Ausn',
  'Z_Staffel', 'Z_Dach', 'ZUmin', 'ZUmax', 'ZUzwingend', 'ZU', 'ZU_Ausn', 'MZspezial', 'wohnnutzungEGStrasse', 'ZWohn',
  'GFAntWohnen', 'GFWohnen', 'GFAntGewerbe', 'GFGewerbe', 'VF',
];

/** The reference shrinks the object by 0.002 CRS units (2 mm in the metric CRSs plans use), not converted. */
const TOLERANCE = 0.002;

export interface DoppelbelegungObject { feature: XPlanFeature; read: ReadGeometry }

/** The listed attributes a feature sets. */
const attributesOf = (f: XPlanFeature) => DOPPELBELEGUNG_ATTRIBUTES.filter((a) => children(f.node, a).length > 0);

/** The areal part of an overlap: an intersection can also hold the lines and points where the boundaries meet. */
function areal(overlap: Geometry): Geometry {
  if (overlap.getGeometryType() !== 'GeometryCollection') return overlap;
  const polygons: Polygon[] = [];
  for (let i = 0; i < overlap.getNumGeometries(); i++) {
    const part = overlap.getGeometryN(i);
    if (part.getDimension() === 2) for (let j = 0; j < part.getNumGeometries(); j++) polygons.push(part.getGeometryN(j) as Polygon);
  }
  return polygons.length === 1 ? polygons[0]! : overlap.getFactory().createMultiPolygon(polygons);
}

/** The overlap of two valid areas; none when JTS's overlay fails on them (the finding then goes without a marker). */
function overlapOf(a: Geometry, b: Geometry): Geometry | undefined {
  try {
    const overlap = areal(a.intersection(b));
    return overlap.isEmpty() ? undefined : overlap;
  } catch {
    return undefined;
  }
}

/** A point inside the overlap, for the message, to the millimetre. */
function near(overlap: Geometry): string {
  const c = overlap.getInteriorPoint().getCoordinate();
  return c ? ` bei ${germanPoint(c.x, c.y)}` : '';
}

/** 4.5.2.4 findings for the objects of a document (in document order); none outside XPlanGML 6.0. */
export function checkDoppelbelegung(doc: XPlanDocument, objects: readonly DoppelbelegungObject[]): Finding[] {
  if (doc.version !== '6.0') return [];
  const isArea = (o: DoppelbelegungObject) => o.read.geometry.getDimension() === 2 && !o.read.geometry.isEmpty();
  // only overlaying areas that set a listed attribute can take part: most plans have none, and then nothing is indexed
  const overlaying = objects.filter((o) => o.feature.type === OVERLAYING && isArea(o)).map((o) => ({ ...o, attributes: new Set(attributesOf(o.feature)) })).filter((o) => o.attributes.size > 0);
  const checked = objects.filter((o) => CHECKED.has(o.feature.type) && isArea(o)).map((o) => ({ ...o, attributes: attributesOf(o.feature) })).filter((o) => o.attributes.length > 0);
  if (overlaying.length === 0 || checked.length === 0) return [];

  const index = new Flatbush(overlaying.length);
  for (const o of overlaying) {
    const e = o.read.geometry.getEnvelopeInternal();
    index.add(e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY());
  }
  index.finish();

  const out: Finding[] = [];
  for (const o of checked) {
    const geometry = o.read.geometry;
    const e = geometry.getEnvelopeInternal();
    // the shrunk object lies inside its box, so the box finds every candidate; in document order, as the reference reports them
    const candidates = index.search(e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()).sort((a, b) => a - b);
    let shrunk: Geometry | undefined;
    for (const i of candidates) {
      const u = overlaying[i]!;
      const shared = o.attributes.filter((a) => u.attributes.has(a));
      if (shared.length === 0) continue;
      // shrunk once per object, and only when an attribute is shared: the buffer is the costly step
      shrunk ??= buffer(geometry, -TOLERANCE);
      if (shrunk.isEmpty() || !u.read.geometry.relate(shrunk, 'T********')) continue;
      const overlap = overlapOf(u.read.geometry, geometry);
      const where = overlap ? ` (Überlagerung von ${germanArea(overlap.getArea())}${near(overlap)})` : '';
      for (const attribute of shared) {
        const f: Finding = {
          rule: RULE,
          severity: 'error',
          stage: 'geometry',
          message: `Doppelbelegung: ${o.feature.type} „${o.feature.gmlId}“ und die überlagernde ${OVERLAYING} „${u.feature.gmlId}“ setzen beide das Attribut ${attribute}${where}; es darf nur an einem der beiden Objekte angegeben sein.`,
          gmlIds: [o.feature.gmlId, u.feature.gmlId],
          line: o.feature.line ?? null,
        };
        if (overlap) f.marker = toWkt(overlap);
        out.push(f);
      }
    }
  }
  return out;
}
