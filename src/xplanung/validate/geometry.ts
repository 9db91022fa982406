// Geometry stage, in the plan's own (metric) CRS, with JTS (jsts):
// 2.1.3.1 a supported CRS, 2.2.2.1 valid geometries (closed rings, no self-intersection, no duplicate
// points, ring orientation, holes inside their shell, contiguous patches), 2.2.3.1 objects inside
// the Geltungsbereich (tolerance 0.002 m, as the reference), 2.2.1.1 Flächenschluss (overlaps are errors, gaps
// warnings up to 5.4 and errors from 6.0 on, tolerance 0.002 m; BP_ objects not in force on the validation day take no part). The last two run
// per Bereich, and the gaps of 2.2.1.1 per plan too (area-checks.ts).
import { isValidWithoutContact } from '../../core/geo/simple-polygon.ts';
import { fromWkt, isCCW, isValidOp, simplify, toWkt } from '../../core/geo/jts.ts';
import type { Envelope, Geometry, LinearRing, Polygon } from '../../core/geo/jts.ts';
import { attr, childNodes, text } from '../parse.ts';
import type { XPlanDocument, XPlanFeature } from '../parse.ts';
import { germanCount, germanPoint } from '../german-number.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';
import { epsgCode, isSupportedCrs, PROJECTED, SUPPORTED_CRS_LIST } from '../crs.ts';
import { readGmlGeometry } from '../geometry/gml.ts';
import type { GmlDefect, ReadGeometry } from '../geometry/gml.ts';
import { AreaChecker, isGapFinding, packAreaPart, type AreaPart, type AreaUnit, type PackedAreaPart, type UnitFindings } from './area-checks.ts';
import { checkDoppelbelegung } from './doppelbelegung.ts';
import { bereichMayLieOutsidePlan, exemptFromGeltungsbereich } from './scope.ts';
import { geometryIn, isBereich, structureOf } from './structure.ts';
import type { DocumentStructure } from './structure.ts';

const MAX_FINDINGS_PER_RULE = 500;
/** Of the drawn outline's extent: finer than a pixel of the report page's sketch (640 px wide). */
const OUTLINE_TOLERANCE = 1 / 2000;

/** Each plan's Geltungsbereich as WKT, simplified for the report page's sketch (report.ts). */
function outlinesOf(planAreas: Map<string, Located>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [gmlId, { read: g }] of planAreas) {
    if (g.geometry.isEmpty()) continue;
    const e = g.geometry.getEnvelopeInternal();
    const size = Math.max(e.getMaxX() - e.getMinX(), e.getMaxY() - e.getMinY());
    out.set(gmlId, toWkt(simplify(g.geometry, size * OUTLINE_TOLERANCE)));
  }
  return out;
}

/**
 * The work of the Bereich checks is weighed in coordinates: those of each object tested for 2.2.3.1,
 * COVERAGE_COST times those of the members and the Geltungsbereich of a Flächenschluss. Below
 * SHARE_FROM_WEIGHT a plan is checked in one worker: handing a share over costs milliseconds, and a
 * helper busy with it makes the next plan wait. Both set by measuring, see docs/xplanung.md.
 */
const COVERAGE_COST = 3;
const SHARE_FROM_WEIGHT = 100_000;
/** The helper's first chunk, of the whole weight: it starts before the semantic rules run here, but unpacks and runs colder code. */
const FIRST_SHARE = 0.4;
/** Below this part of SHARE_FROM_WEIGHT left, nothing more is sent (a chunk costs packing and a message round trip). */
const MIN_CHUNK = 0.2;

/** Hands a packed share of the Bereich checks to another worker: its findings, or undefined when none took it. */
export type ShareAreaChecks = (part: PackedAreaPart, transfer: ArrayBuffer[]) => Promise<UnitFindings[] | undefined>;

export interface GeometryOptions {
  share?: ShareAreaChecks;
  /** The weight from which a share is handed over (SHARE_FROM_WEIGHT); the warm-up and tests set it lower. */
  shareFrom?: number;
  /** Checks switched off by the client, as xPlanBox's validator offers them (skipFlaechenschluss …). */
  skip?: GeometrySkips;
  /** The validation time, against which the Wirksamkeit of 2.2.1.1 is judged (inForce); the real time unless a test sets it. */
  now?: Date;
}

/**
 * Wirksamkeit as xPlanBox judges it for 2.2.1.1 (BP_ objects only): an object whose
 * startBedingung/XP_WirksamkeitBedingung/datumAbsolut lies after the validation day, or whose
 * endeBedingung/…/datumAbsolut lies before it, is not in force then and is not held to the Flächenschluss
 * (the standard exempts objects not in force at the same time).
 */
export function inForce(feature: XPlanFeature, now: Date): boolean {
  if (!feature.type.startsWith('BP_')) return true;
  const today = now.toISOString().slice(0, 10);
  const dateOf = (condition: string) => text(childNodes(childNodes(feature.node, condition)[0], 'XP_WirksamkeitBedingung')[0], 'datumAbsolut')?.trim();
  const start = dateOf('startBedingung'), end = dateOf('endeBedingung');
  return !(start && start > today) && !(end && end < today);
}

/** 2.2.1.1 (Flächenschluss), 2.2.3.1 (inside the Geltungsbereich), the ring orientation of 2.2.2.1. */
export interface GeometrySkips { flaechenschluss?: boolean; geltungsbereich?: boolean; laufrichtung?: boolean }

interface Located { feature: XPlanFeature; read: ReadGeometry; srsName?: string }

function finding(rule: RuleId, severity: Finding['severity'], message: string, feature: XPlanFeature | undefined, gmlIds: string[], marker?: Geometry): Finding {
  const f: Finding = { rule, severity, stage: 'geometry', message, gmlIds, line: feature?.line ?? null };
  if (marker && !marker.isEmpty()) f.marker = toWkt(marker);
  return f;
}

const DEFECT_TEXT: Record<GmlDefect['kind'], string> = {
  'unclosed-ring': 'ein Ring ist nicht geschlossen (erster und letzter Stützpunkt verschieden)',
  'duplicate-point': 'aufeinanderfolgende doppelte Stützpunkte',
  'too-few-points': 'ein Ring hat weniger als vier Stützpunkte',
  unsupported: 'ein Geometrietyp, den die Prüfung nicht lesen kann',
  'bad-coordinates': 'Koordinaten, die keine Zahlen sind oder nicht zur Dimension passen',
  'patches-not-contiguous': 'die PolygonPatches einer Fläche überlappen sich oder hängen nicht zusammen',
};

export async function checkGeometry(doc: XPlanDocument, structure: DocumentStructure = structureOf(doc), options: GeometryOptions = {}): Promise<Finding[]> {
  return beginGeometry(doc, structure, options).finish();
}

/**
 * The geometry stage in two steps, so that other work of the job (the semantic rules) runs while a
 * share of it is checked elsewhere: this reads and checks every geometry and hands the share over;
 * `finish` runs the rest and gives the findings.
 */
export function beginGeometry(doc: XPlanDocument, structure: DocumentStructure = structureOf(doc), options: GeometryOptions = {}): { finish(): Promise<Finding[]>; outlines: Map<string, string> } {
  const out: Finding[] = [];
  const count = new Map<string, number>();
  const push = (f: Finding) => {
    const n = (count.get(f.rule) ?? 0) + 1;
    count.set(f.rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) out.push(f);
  };

  // 2.1.3.1 CRS
  const docCrs = epsgCode(doc.srsName);
  const read = (feature: XPlanFeature, property: string): Located | undefined => {
    const el = geometryIn(feature.node, property);
    if (!el) return undefined;
    const srsName = attr(el.node, 'srsName') ?? doc.srsName;
    const code = epsgCode(srsName);
    if (!isSupportedCrs(code)) {
      push(finding('2.1.3.1', 'error', `${feature.type}: das Koordinatenreferenzsystem „${srsName ?? '(keins angegeben)'}“ wird nicht unterstützt; erwartet wird eines von ${SUPPORTED_CRS_LIST}.`, feature, [feature.gmlId]));
      return undefined;
    }
    if (docCrs !== undefined && code !== docCrs) {
      push(finding('2.1.3.1', 'error', `${feature.type}: die Geometrie ist in ${srsName}, das Dokument aber in ${doc.srsName}; ein Plan muss ein einheitliches Koordinatenreferenzsystem verwenden.`, feature, [feature.gmlId]));
      return undefined;
    }
    const g = readGmlGeometry(el.name, el.node);
    return g ? { feature, read: g, srsName } : undefined;
  };

  const planAreas = new Map<string, Located>();
  const bereichAreas = new Map<string, Located>();
  const objects: Array<Located & { bereich?: XPlanFeature; plan?: XPlanFeature }> = [];
  for (const { plan } of structure.plans) {
    const g = read(plan, 'raeumlicherGeltungsbereich');
    if (g) planAreas.set(plan.gmlId, g);
  }
  for (const b of doc.features.filter((f) => /_Bereich$/.test(f.type))) {
    const g = read(b, 'geltungsbereich');
    if (g) bereichAreas.set(b.gmlId, g);
  }
  // Flächenschluss objects (flaechenschluss=true on the base level, ebene 0) whose geometry cannot be
  // checked (unsupported or another CRS, unreadable, invalid), per Bereich, with their box where it is
  // known: where they lie, the union shows a gap that is their consequence
  const now = options.now ?? new Date();
  const closesArea = (feature: XPlanFeature) => text(feature.node, 'flaechenschluss') === 'true' && (text(feature.node, 'ebene') ?? '0') === '0' && inForce(feature, now);
  const unchecked = new Map<string, Unchecked[]>();
  const leaveOut = (key: string, u: Unchecked) => unchecked.set(key, [...(unchecked.get(key) ?? []), u]);
  // 2.2.1.1 groups an object without a Bereich as the reference does (Konformitätsregeln §5, grouping): with
  // the document's only Bereich when that has a Geltungsbereich, else (key '') with the only plan (below)
  const allBereiche = doc.features.filter(isBereich);
  const withoutBereich = allBereiche.length === 1 && bereichAreas.has(allBereiche[0]!.gmlId) ? allBereiche[0]!.gmlId : '';
  const keyOf = (bereich: XPlanFeature | undefined) => bereich?.gmlId ?? withoutBereich;
  for (const o of structure.objects) {
    const g = read(o.feature, 'position');
    if (g) objects.push({ ...g, bereich: o.bereich, plan: o.plan });
    else if (closesArea(o.feature) && geometryIn(o.feature.node, 'position')) leaveOut(keyOf(o.bereich), { feature: o.feature });
  }

  // 2.2.2.1 validity of every geometry read
  const valid = new Set<Located>();
  for (const located of [...planAreas.values(), ...bereichAreas.values(), ...objects]) {
    const { feature, read: g } = located;
    let ok = true;
    for (const d of g.defects) {
      const severity = d.kind === 'unsupported' ? 'warning' : 'error';
      if (severity === 'error') ok = false;
      const at = d.coordinates ?? (d.coordinate ? [d.coordinate] : []);
      push(finding('2.2.2.1', severity, `${feature.type}: ${DEFECT_TEXT[d.kind]}${at.length > 0 ? ` bei ${germanList(at.map(([x, y]) => germanPoint(x, y)))}` : ''}.`, feature, [feature.gmlId, ...(d.gmlId && d.gmlId !== feature.gmlId ? [d.gmlId] : [])]));
    }
    for (const [polygonIndex, { polygon, gmlId }] of g.polygons.entries()) {
      // most are one simple ring, valid without JTS's topology graph; the rest JTS judges
      const op = isValidWithoutContact(polygon) ? undefined : isValidOp(polygon);
      if (op && !op.isValid()) {
        ok = false;
        const err = op.getValidationError();
        const c = err?.getCoordinate();
        const marker = c ? polygon.getFactory().createPoint(c) : undefined;
        push(finding('2.2.2.1', 'error', `${feature.type}: ungültige Fläche – ${germanJtsError(err?.getErrorType())}${c ? ` bei ${germanPoint(c.x, c.y)}` : ''}.`, feature, [feature.gmlId, ...(gmlId && gmlId !== feature.gmlId ? [gmlId] : [])], marker));
      }
      if (!options.skip?.laufrichtung) for (const f of ringOrientation(feature, polygon, gmlId, g.polygons.length, polygonIndex)) push(f);
    }
    if (ok) valid.add(located);
  }

  // The remaining rules measure in metres: only in projected CRSs, only on valid geometries.
  const metric = (l: Located) => PROJECTED.has(epsgCode(l.srsName) ?? -1) && valid.has(l);

  // 2.2.3.1 and 2.2.1.1 stay inside one Bereich: one unit each (area-checks.ts), shared between two
  // workers when the plan is large.
  const part: AreaPart = { shapes: [], units: [] };
  const shapeIndex = new Map<Located, number>();
  const shape = (l: Located) => {
    let i = shapeIndex.get(l);
    if (i === undefined) {
      shapeIndex.set(l, (i = part.shapes.length));
      part.shapes.push({ ref: { type: l.feature.type, gmlId: l.feature.gmlId, line: l.feature.line, label: text(l.feature.node, 'name') ?? l.feature.gmlId }, geometry: l.read.geometry, ...(l.read.stroked ? { stroked: l.read.stroked } : {}) });
    }
    return i;
  };
  // per Bereich (key: its gml:id; '' for objects in none): its inside tests, its Flächenschluss
  const units = new Map<string, { inside: AreaUnit; coverage?: AreaUnit }>();
  const unitsOf = (key: string) => {
    let u = units.get(key);
    if (!u) units.set(key, (u = { inside: { inside: [] } }));
    return u;
  };
  // 2.2.3.1 as xPlanBox judges it (scope.ts): inside the Geltungsbereich of its Bereich and inside its
  // plan's, unless the Bereich may lie outside the plan or the class is exempt. An object without a
  // Bereich belongs to the document's only Bereich, else to its only plan.
  const bereiche = doc.features.filter(isBereich);
  const onlyBereich = bereiche.length === 1 ? bereiche[0] : undefined;
  const onlyPlan = structure.plans.length === 1 ? structure.plans[0]!.plan : undefined;
  // most Bereiche have their plan's Geltungsbereich, point for point: then one test says it
  const samePlanArea = new Map<Located, boolean>();
  const insideTestOf = (o: Located & { bereich?: XPlanFeature }): { area: number; plan?: number } | undefined => {
    if (exemptFromGeltungsbereich(o.feature.type, doc.version)) return undefined;
    const bereich = o.bereich ?? onlyBereich;
    const plan = bereich ? structure.planOfBereich.get(bereich.gmlId) : onlyPlan;
    const own = bereich && bereichAreas.get(bereich.gmlId);
    const ofPlan = plan && !bereichMayLieOutsidePlan(bereich, doc.version) ? planAreas.get(plan.gmlId) : undefined;
    const area = own && metric(own) ? own : undefined;
    const planArea = ofPlan && metric(ofPlan) ? ofPlan : undefined;
    if (area && planArea) {
      let same = samePlanArea.get(area);
      if (same === undefined) samePlanArea.set(area, (same = sameCoordinates(area.read.geometry, planArea.read.geometry)));
      return same ? { area: shape(area) } : { area: shape(area), plan: shape(planArea) };
    }
    const one = area ?? planArea;
    return one ? { area: shape(one) } : undefined;
  };
  // gaps are warnings up to 5.4 and errors from 6.0 on, which no longer allows them (as the reference)
  const gapsAreErrors = Number.parseFloat(doc.version) >= 6;
  // Flächenschluss findings follow the Bereiche in the order of their first Flächenschluss object, the plans'
  // own gap checks (below) after them; `key`: whose objects left out (unchecked) a gap may stem from
  const coverageOrder: Array<{ unit: AreaUnit; key: string }> = [];
  // per Flächenschluss unit: the plan whose Geltungsbereich its objects cover, whether they count there (not
  // for a Bereich with a Geltungsbereich of its own that may lie outside its plan, bedeutung 1800/2000), and
  // whether the unit is judged against the plan's Geltungsbereich (its Bereich has none of its own)
  const coverageOf = new Map<AreaUnit, { plan?: XPlanFeature; counts: boolean; againstPlan: boolean }>();
  objects.forEach((o, order) => {
    const key = keyOf(o.bereich);
    const areal = closesArea(o.feature) && o.read.geometry.getDimension() === 2;
    if (!metric(o)) {
      if (areal) leaveOut(key, { feature: o.feature, box: o.read.geometry.getEnvelopeInternal() });
      return;
    }
    const inside = insideTestOf(o);
    if (inside) unitsOf(key).inside.inside.push({ order, object: shape(o), ...inside });
    if (!areal || options.skip?.flaechenschluss) return;
    const u = unitsOf(key);
    if (!u.coverage) {
      u.coverage = { inside: [], coverage: { members: [], ...(gapsAreErrors ? { gapsAreErrors } : {}) } };
      coverageOrder.push({ unit: u.coverage, key });
      const bereich = key ? doc.byId.get(key) : undefined;
      // objects without a Bereich belong to the only plan where there is at most one Bereich (the reference
      // gives up on them where there are more)
      const plan = bereich ? structure.planOfBereich.get(key) : allBereiche.length <= 1 ? onlyPlan : undefined;
      const own = bereich && bereichAreas.get(key);
      const covered = own || (plan && planAreas.get(plan.gmlId));
      const usable = !!covered && metric(covered);
      if (usable) u.coverage.coverage!.area = shape(covered);
      coverageOf.set(u.coverage, { plan, counts: !own || !bereichMayLieOutsidePlan(bereich, doc.version), againstPlan: usable && !own });
    }
    u.coverage.coverage!.members.push(shape(o));
  });
  // As the reference (Konformitätsregeln §5, steps 3 and 4): the objects of a Bereich with a Geltungsbereich
  // of its own cover that, and the plan's Geltungsbereich is covered by the objects of all its Bereiche but
  // those that may lie outside it (bedeutung 1800/2000); a gap inside a Bereich is the Bereich's and the
  // plan's. An Änderungsplan's Geltungsbereich is not judged, nor an LP_Plan's.
  const aenderungsplaene = aenderungsplaeneOf(doc, structure);
  const planChecks: Array<{ unit: AreaUnit; key: string }> = [];
  for (const { plan, bereiche: ofPlan } of structure.plans) {
    const entries = coverageOrder.filter(({ unit }) => coverageOf.get(unit)!.plan === plan);
    if (entries.length === 0) continue;
    const againstPlan = entries.filter(({ unit }) => coverageOf.get(unit)!.againstPlan);
    if (aenderungsplaene.has(plan)) {
      for (const { unit } of againstPlan) delete unit.coverage!.area;
      continue;
    }
    const counting = entries.filter(({ unit }) => coverageOf.get(unit)!.counts);
    // the gaps a plan's objects leave, reported against the plan, with whose left-out objects they may lie
    const planKey = `plan:${plan.gmlId}`;
    unchecked.set(planKey, [...ofPlan, ...(onlyPlan === plan && allBereiche.length <= 1 && !withoutBereich ? [undefined] : [])]
      .filter((b) => !(b && bereichAreas.has(b.gmlId) && bereichMayLieOutsidePlan(b, doc.version))).flatMap((b) => unchecked.get(b?.gmlId ?? '') ?? []));
    if (againstPlan.length > 0) {
      // The Bereiche without a Geltungsbereich of their own are judged against the plan's: that is the plan's
      // check. The first makes it once, the objects of the plan's other Bereiche filling its gaps; the others
      // test their overlaps only.
      const [first, ...rest] = againstPlan;
      for (const { unit } of rest) delete unit.coverage!.area;
      const fillers = counting.filter((e) => e !== first).flatMap(({ unit }) => unit.coverage!.members);
      if (fillers.length > 0) first!.unit.coverage!.fillers = fillers;
      first!.key = planKey;
      continue;
    }
    const planArea = planAreas.get(plan.gmlId);
    if (plan.type === 'LP_Plan' || !planArea || !metric(planArea)) continue;
    // (every unit with an area here has its Bereich's own Geltungsbereich)
    const own = counting.filter(({ unit }) => unit.coverage!.area !== undefined);
    if (own.length === 0) continue;
    const only = counting.length === 1 ? own[0]?.unit.coverage : undefined;
    if (only && sameArea(part.shapes[only.area!]!.geometry, planArea.read.geometry)) {
      // one Bereich with the plan's Geltungsbereich: its gaps are the plan's, found without a second union
      only.alsoPlan = shape(planArea);
      continue;
    }
    const members = counting.flatMap(({ unit }) => unit.coverage!.members);
    planChecks.push({ unit: { inside: [], coverage: { members, area: shape(planArea), gapsOnly: true, ...(gapsAreErrors ? { gapsAreErrors } : {}) } }, key: planKey });
  }
  coverageOrder.push(...planChecks);
  for (const u of units.values()) {
    if (u.inside.inside.length > 0 && !options.skip?.geltungsbereich) part.units.push(u.inside);
    if (u.coverage) part.units.push(u.coverage);
  }
  for (const { unit } of planChecks) part.units.push(unit);

  const running = startAreaUnits(part, options);
  // 4.5.2.4 (6.0 only) on the valid metric objects, while a helper may work on its share
  for (const f of checkDoppelbelegung(doc, objects.filter(metric))) push(f);
  return {
    outlines: outlinesOf(planAreas),
    async finish() {
      const results = await running.finish();
      const inside = [...results.values()].flatMap((r) => r.inside).sort((x, y) => x[0] - y[0]);
      for (const [, f] of inside) push(f);
      for (const { unit, key } of coverageOrder) {
        // a Bereich's unit may report its gaps once more as its plan's (alsoPlan): those lie beside the plan's left-out objects
        const besideOf = (f: Finding) => (unit.coverage!.alsoPlan !== undefined && isGapFinding(f) && f.gmlIds[0] !== key ? `plan:${f.gmlIds[0]}` : key);
        const r = results.get(unit)!;
        r.flaechenschluss.forEach((f, i) => push(gapBesideUnchecked(f, unchecked.get(besideOf(f)), r.gapBoxes?.[i])));
      }
      // a unit whose overlap test stopped at its cap (area-checks.ts) left overlaps uncounted
      const uncounted = coverageOrder.some(({ unit }) => results.get(unit)!.overlapsCapped);
      for (const [rule, n] of count) {
        const more = n - MAX_FINDINGS_PER_RULE;
        if (rule === '2.2.1.1' && uncounted) out.push({ rule, severity: 'warning', stage: 'geometry', message: `Regel ${rule}: ${more > 0 ? `mindestens ${germanCount(more)} weitere` : 'weitere, nicht gezählte'} Befunde ausgelassen.`, gmlIds: [], line: null });
        else if (more > 0) out.push({ rule, severity: 'warning', stage: 'geometry', message: `Regel ${rule}: ${germanCount(more)} weitere Befunde ausgelassen.`, gmlIds: [], line: null });
      }
      return out;
    },
  };
}

/** The plans that change another (aendertPlan, or a Bereich with aendertPlanBereich): the reference leaves their Geltungsbereich unjudged by 2.2.1.1. */
function aenderungsplaeneOf(doc: XPlanDocument, structure: DocumentStructure): Set<XPlanFeature> {
  const out = new Set<XPlanFeature>();
  for (const { plan } of structure.plans) if (childNodes(plan.node, 'aendertPlan').length > 0) out.add(plan);
  for (const [id, plan] of structure.planOfBereich) if (childNodes(doc.byId.get(id)?.node, 'aendertPlanBereich').length > 0) out.add(plan);
  return out;
}

/** The same geometry, coordinate for coordinate (a Bereich's Geltungsbereich copied from its plan's). */
function sameCoordinates(a: Geometry, b: Geometry): boolean {
  if (a.getNumGeometries() !== b.getNumGeometries() || a.getNumPoints() !== b.getNumPoints()) return false;
  const cb = b.getCoordinates();
  return a.getCoordinates().every((c, i) => c.equals2D(cb[i]!));
}

/** Of two Geltungsbereiche that are the same, how far apart their vertices may lie (JTS equalsExact's tolerance; as 2.2.1.1's). */
const SAME_AREA_TOLERANCE = 0.002;

/**
 * The same area, as JTS's equalsExact with the 2.2.1.1 tolerance (vertex for vertex within 0.002 m, once
 * normalised: rings may start elsewhere or run the other way) or equalsTopo (the same point set): a Bereich's
 * Geltungsbereich that is its plan's.
 */
function sameArea(a: Geometry, b: Geometry): boolean {
  if (sameCoordinates(a, b)) return true;
  if (a.getNumGeometries() === b.getNumGeometries() && a.getNumPoints() === b.getNumPoints()) {
    const na = a.norm(), nb = b.norm();
    const ca = na.getCoordinates(), cb = nb.getCoordinates();
    const within = ca.every((c, i) => Math.hypot(c.x - cb[i]!.x, c.y - cb[i]!.y) <= SAME_AREA_TOLERANCE);
    // the same parts with the same rings, as equalsExact compares them
    if (within && Array.from({ length: na.getNumGeometries() }, (_x, k) => k).every((k) => ringsOf(na.getGeometryN(k)).join() === ringsOf(nb.getGeometryN(k)).join())) return true;
  }
  try {
    return a.equals(b);
  } catch {
    // not known to be the same: the plan's gaps are then found with a union of their own
    return false;
  }
}

/** A polygon's ring sizes, to compare two polygons' structure. */
function ringsOf(g: Geometry): number[] {
  const p = g as Polygon;
  return g.getGeometryType() === 'Polygon' ? [p.getExteriorRing().getNumPoints(), ...Array.from({ length: p.getNumInteriorRing() }, (_x, i) => p.getInteriorRingN(i).getNumPoints())] : [g.getNumPoints()];
}

/**
 * 2.2.2.1 as xPlanBox checks it (XPlanGeometryInspector, switched off by skipLaufrichtung): GML draws an
 * exterior ring counter-clockwise and interior rings clockwise; each ring that runs the other way is an
 * error of its own, its marker the ring. Any polygon, valid or not, as there: the same JTS orientation test.
 */
function ringOrientation(feature: XPlanFeature, polygon: Polygon, gmlId: string | undefined, polygons: number, index: number): Finding[] {
  const out: Finding[] = [];
  const which = polygons > 1 ? ` (Teilfläche ${index + 1} von ${polygons})` : '';
  const gmlIds = [feature.gmlId, ...(gmlId && gmlId !== feature.gmlId ? [gmlId] : [])];
  const wrong = (ring: LinearRing, name: string, runs: string, expected: string) => {
    const coordinates = ring.getCoordinates();
    const start = coordinates[0]!;
    const marker = polygon.getFactory().createLineString(coordinates);
    out.push(finding('2.2.2.1', 'error', `${feature.type}${which}: falsche Laufrichtung – ${name} verläuft ${runs}, muss aber ${expected} verlaufen; er beginnt bei ${germanPoint(start.x, start.y)}.`, feature, gmlIds, marker));
  };
  const shell = polygon.getExteriorRing();
  if (!isCCW(shell.getCoordinates())) wrong(shell, 'der äußere Ring', 'im Uhrzeigersinn', 'gegen den Uhrzeigersinn');
  const holes = polygon.getNumInteriorRing();
  for (let i = 0; i < holes; i++) {
    const hole = polygon.getInteriorRingN(i);
    if (isCCW(hole.getCoordinates())) wrong(hole, holes > 1 ? `der ${i + 1}. innere Ring` : 'der innere Ring', 'gegen den Uhrzeigersinn', 'im Uhrzeigersinn');
  }
  return out;
}

/** A Flächenschluss object left out of the area checks, and its box when its coordinates are the plan's. */
interface Unchecked { feature: XPlanFeature; box?: Envelope }

/**
 * A gap (2.2.1.1) where a Flächenschluss object lies that could not be checked names it: the gap
 * is most likely that object, not a hole in the plan. An object without a box may lie anywhere.
 */
function gapBesideUnchecked(f: Finding, unchecked: Unchecked[] | undefined, gapBox?: [number, number, number, number]): Finding {
  if (!unchecked || !isGapFinding(f) || !f.marker) return f;
  // a possible gap (a vertex without a partner) is judged by the gap it lies on
  const e = fromWkt(f.marker).getEnvelopeInternal();
  const [minX, minY, maxX, maxY] = gapBox ?? [e.getMinX(), e.getMinY(), e.getMaxX(), e.getMaxY()];
  const there = unchecked.filter((u) => !u.box || (u.box.getMinX() <= maxX && u.box.getMaxX() >= minX && u.box.getMinY() <= maxY && u.box.getMaxY() >= minY));
  if (there.length === 0) return f;
  const named = there.length <= 3 ? there.map((u) => `${u.feature.type} „${u.feature.gmlId}“`).join(', ') : `${germanCount(there.length)} Flächenschlussobjekte`;
  const verb = there.length === 1 ? 'ging' : 'gingen';
  return { ...f, message: `${f.message} Sie kann daher rühren, dass ${named} wegen eines Geometriefehlers (siehe oben) nicht in die Prüfung ein${verb}.`, gmlIds: [...f.gmlIds, ...there.map((u) => u.feature.gmlId)] };
}

/**
 * Hands shares of the units to another worker when the plan is large and one is offered, and runs
 * the rest in `finish`: this worker takes units from the front, the helper is sent chunks from the
 * back, the first at once and the next (half of what is left) whenever it has answered, so that
 * both finish at about the same time however fast each turns out to be. What comes back empty (no
 * worker took it, or it failed) this worker runs too. Results by the unit run: a unit of inside
 * tests may be cut in two, a Flächenschluss unit stays whole.
 */
function startAreaUnits(part: AreaPart, options: GeometryOptions): { finish(): Promise<Map<AreaUnit, UnitFindings>> } {
  const points = part.shapes.map((s) => s.geometry.getNumPoints());
  // an object held to its Bereich's and its plan's Geltungsbereich is tested twice
  const insideWeight = (t: AreaUnit['inside'][number]) => points[t.object]! * (t.plan === undefined ? 1 : 2);
  const weightOf = (u: AreaUnit) => u.coverage
    ? COVERAGE_COST * (u.coverage.members.reduce((w, m) => w + points[m]!, 0) + (u.coverage.area === undefined ? 0 : points[u.coverage.area]!))
    : u.inside.reduce((w, t) => w + insideWeight(t), 0);
  const pending = part.units.map((unit) => ({ unit, weight: weightOf(unit) }));
  let left = pending.reduce((sum, p) => sum + p.weight, 0);
  const chunks: Array<{ units: AreaUnit[]; answer: Promise<UnitFindings[] | undefined>; back?: boolean; empty?: boolean }> = [];
  const shareFrom = options.shareFrom ?? SHARE_FROM_WEIGHT;
  let sharing = !!options.share && left >= shareFrom;

  /** Sends units from the back, up to `room` of weight, cutting a unit of inside tests to fill it. */
  const send = (room: number) => {
    const units: AreaUnit[] = [];
    for (let i = pending.length - 1; i >= 0 && room > 0; i--) {
      const { unit, weight } = pending[i]!;
      if (weight <= room) {
        units.unshift(unit);
        pending.splice(i, 1);
        room -= weight;
        left -= weight;
      } else if (!unit.coverage) {
        let k = unit.inside.length, taken = 0;
        while (k > 0 && taken + insideWeight(unit.inside[k - 1]!) <= room) taken += insideWeight(unit.inside[--k]!);
        if (k === unit.inside.length) continue;
        units.unshift({ inside: unit.inside.slice(k) });
        pending[i] = { unit: { inside: unit.inside.slice(0, k) }, weight: weight - taken };
        room -= taken;
        left -= taken;
      }
    }
    if (units.length === 0) return;
    const { packed, transfer } = packAreaPart(part, units);
    const chunk: (typeof chunks)[number] = { units, answer: options.share!(packed, transfer) };
    chunk.answer.then((found) => {
      chunk.back = true;
      chunk.empty = !found;
    }, () => undefined);
    chunks.push(chunk);
  };
  if (sharing) send(left * FIRST_SHARE);

  return {
    async finish() {
      const checker = new AreaChecker(part.shapes);
      const results = new Map<AreaUnit, UnitFindings>();
      while (pending.length > 0) {
        const { unit, weight } = pending.shift()!;
        results.set(unit, checker.check(unit));
        left -= weight;
        if (!sharing) continue;
        // let the helper's answer in; when it has one, send it half of what is left
        await new Promise((resolve) => setImmediate(resolve));
        const last = chunks[chunks.length - 1];
        if (!last?.back) continue;
        if (last.empty) sharing = false;
        else if (left >= MIN_CHUNK * shareFrom) send(left / 2);
      }
      for (const { units, answer } of chunks) {
        const found = await answer;
        units.forEach((u, i) => results.set(u, found?.[i] ?? checker.check(u)));
      }
      return results;
    },
  };
}

/** „a“, „a und b“, „a, b und c“. */
function germanList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} und ${items[items.length - 1]}`;
}

function germanJtsError(type: number | undefined): string {
  // TopologyValidationError codes
  switch (type) {
    case 1: return 'wiederholter Stützpunkt';
    case 2: return 'ein Loch liegt außerhalb der äußeren Begrenzung';
    case 3: return 'Löcher sind ineinander geschachtelt';
    case 4: return 'das Innere ist nicht zusammenhängend';
    case 5: return 'Selbstüberschneidung (Ringe berühren oder kreuzen sich)';
    case 6: return 'ein Ring überschneidet sich selbst';
    case 7: return 'Polygone einer Multifläche sind ineinander geschachtelt';
    case 8: return 'doppelte Ringe';
    case 9: return 'zu wenige Stützpunkte';
    case 10: return 'ungültige Koordinate';
    case 11: return 'ein Ring ist nicht geschlossen';
    default: return 'Topologiefehler';
  }
}
