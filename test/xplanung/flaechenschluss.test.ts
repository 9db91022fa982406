// 2.2.1.1 (Flächenschluss) as the XPlanValidator (xPlanBox) judges it. The table is
// ../shared/fixtures/xplanung-xplanbox/expected.json: every plan whose scope is 2.2.1.1 ('fs') runs through the
// validation job, and only its 2.2.1.1 findings are compared with what xPlanBox's own test asserts (verdict,
// number of errors, number of warnings). The validation time is fixed at the day of the xPlanBox commit the
// plans come from (EXPECTED.md): Wirksamkeit is judged against it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import type { Finding } from '../../src/xplanung/report.ts';
import { fromWkt } from '../../src/core/geo/jts.ts';
import { AreaChecker, checkPackedAreaPart, isGapFinding, type PackedAreaPart, type Shape } from '../../src/xplanung/validate/area-checks.ts';
import { runValidationJob, type JobHelpers } from '../../src/xplanung/validate/job.ts';
import { warmUpPlan } from '../../src/xplanung/validate/warm-up.ts';
import { describeShared, itShared, readShared, readSharedJson } from '../helpers/shared.ts';
import { contentTypeOf, real } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
/** xPlanBox commit 913945c5 (2024-07-01), whose tests assert the table. */
const ASSERTED_ON = new Date('2024-07-01T12:00:00Z');

interface Expected { file: string; scope: string; valid: boolean | null; errors: number | null; warnings: number | null; note: string; test: string }
const TABLE = readSharedJson<Expected[]>([], 'fixtures', 'xplanung-xplanbox', 'expected.json').filter((e) => e.scope === 'fs');

/*
 * The gaps are counted as xPlanBox counts them: a gap in a Bereich with a Geltungsbereich of its own against the
 * Bereich and against the plan (Konformitätsregeln §5, steps 3 and 4: Test_Luecke and xplan51-5_1_4_2 count 2),
 * objects without a Bereich grouped with the only Bereich that has a Geltungsbereich, else with the only plan
 * (test41-54_1-missing-gehoertZuBereich counts 2), and a gap whose outline has vertices without a partner within
 * 2 mm reported as one possible gap per such vertex, a hole of the objects' union first as that hole (step 2):
 * xplan52_…_Luecke_Geltungsbereich counts 7 (see 'possible gaps' below).
 */

async function flaechenschluss(body: Buffer, contentType: string, now = ASSERTED_ON): Promise<{ errors: Finding[]; warnings: Finding[]; ran: boolean }> {
  const { report } = await runValidationJob({ body, contentType, schemaDir, now });
  const found = report.findings.filter((f) => f.rule === '2.2.1.1');
  return { errors: found.filter((f) => f.severity === 'error'), warnings: found.filter((f) => f.severity === 'warning'), ran: !report.skipped.some((s) => s.stage === 'geometry' || s.stage === 'flaechenschluss') };
}

const described = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.gmlIds.join(',')}: ${f.message}`).join('\n');
const xplanbox = (file: string) => readShared('fixtures', 'xplanung-xplanbox', file);

describeShared('xplanung/2.2.1.1: what xPlanBox asserts about its Flächenschluss test plans (expected.json)', function () {
  this.timeout(60_000);

  it('the table holds the Flächenschluss plans, among them Wirksamkeit and a Kompensationsbereich', () => {
    assert.ok(TABLE.length >= 10, `${TABLE.length} entries`);
    for (const name of ['Wirksamkeit', 'wirksamkeit', 'Kompensationsbereich']) assert.ok(TABLE.some((e) => e.file.includes(name)), name);
  });

  for (const e of TABLE) {
    const counts = [e.errors === null ? '' : `${e.errors} error(s)`, e.warnings === null ? '' : `${e.warnings} warning(s)`].filter(Boolean).join(', ');
    it(`${e.file}: ${e.valid ? 'valid' : 'invalid'} as to 2.2.1.1${counts ? `, ${counts}` : ''} (${e.test})`, async () => {
      const { errors, warnings, ran } = await flaechenschluss(xplanbox(e.file), contentTypeOf(e.file));
      assert.ok(ran, 'the Flächenschluss check ran');
      assert.equal(errors.length === 0, e.valid, described(errors));
      if (e.errors !== null) assert.equal(errors.length, e.errors, described(errors));
      if (e.warnings === null) return;
      assert.equal(warnings.length, e.warnings, described(warnings));
    });
  }
});

describeShared('xplanung/2.2.1.1: Wirksamkeit against the validation time', function () {
  this.timeout(60_000);
  const V41 = 'flaechenschluss/V4_1_ID_103_wirksamkeit.gml';

  it('objects not in force at the same time are not held to Flächenschluss against each other (V4_1_ID_103: none of 22 overlaps)', async () => {
    const { errors } = await flaechenschluss(xplanbox(V41), 'application/gml+xml');
    assert.deepEqual(errors, []);
  });

  it('which objects take part follows the clock: in 2000 and in 2099 other Straßenverkehrsflächen are in force, and overlap', async () => {
    const in2000 = (await flaechenschluss(xplanbox(V41), 'application/gml+xml', new Date('2000-09-01T12:00:00Z'))).errors;
    const in2099 = (await flaechenschluss(xplanbox(V41), 'application/gml+xml', new Date('2099-09-01T12:00:00Z'))).errors;
    // 2000: the one that ends in 2001 (…_2) and the one from 1990 to 2001 (…_3) are in force
    assert.ok(in2000.length > 0 && in2000.every((f) => f.gmlIds.some((id) => /_[23]$/.test(id))), described(in2000));
    // 2099: only the one starting on 2099-08-27 (…_1)
    assert.ok(in2099.length > 0 && in2099.every((f) => f.gmlIds.some((id) => id.endsWith('_1'))), described(in2099));
  });

  it('BPlan_Wirksamkeit_6-0-2: the Grünflächen ending on 2023-03-16 and the Landwirtschaftsfläche starting on 2023-03-17 never meet', async () => {
    for (const day of ['2023-03-15', '2023-03-16', '2023-03-17', '2024-07-01']) {
      const { errors } = await flaechenschluss(xplanbox('flaechenschluss/BPlan_Wirksamkeit_6-0-2_valide.gml'), 'application/gml+xml', new Date(`${day}T12:00:00Z`));
      assert.deepEqual(errors, [], day);
    }
  });
});

describeShared('xplanung/2.2.1.1: arcs met by neighbours (real plans, SOURCES.md)', function () {
  this.timeout(60_000);

  it('Blankenese29.gml and BP_Alles_Parmis.gml: no overlap where an arc meets its neighbour (were 0,0045–0,023 m²)', async () => {
    for (const file of ['Blankenese29.gml', 'BP_Alles_Parmis.gml']) {
      const { errors, warnings } = await flaechenschluss(real(file), contentTypeOf(file));
      assert.deepEqual(errors, [], `${file}: ${described(errors)}`);
      // no sliver gap along an arc either: whatever gap is left is larger than a square metre
      assert.ok(warnings.every((f) => !/Lücke von 0,/.test(f.message)), `${file}: ${described(warnings)}`);
    }
  });
});

/** The gateway's own 6.0 fixture: two Teilflächen leaving a 10 m strip (1000 m²) between them, in a plan of one Bereich. */
const LUECKE = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'rules', '2.2.1.1--fehler--luecke.gml'), 'utf8');
const PLAN_ID = 'GML_testplan', BEREICH_ID = 'GML_testplan_bereich';
const ring = (x0: number, x1: number) => `${x0} 5656200 ${x1} 5656200 ${x1} 5656300 ${x0} 5656300 ${x0} 5656200`;
const polygon = (id: string, posList: string) => `<gml:Polygon srsName="EPSG:25833" gml:id="${id}"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2">${posList}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`;
/** The fixture with a Geltungsbereich of the Bereich's own (the fixture's Bereich has none: only its plan is judged). */
const withBereichArea = (posList: string) => LUECKE.replace('<xplan:nummer>0</xplan:nummer>', `<xplan:nummer>0</xplan:nummer><xplan:geltungsbereich>${polygon('GML_testplan_bereich_geltungsbereich', posList)}</xplan:geltungsbereich>`);

/**
 * The fixture cut into two Bereiche with Geltungsbereiche of their own: west (x 0–50 m, the Teilfläche west and,
 * when `overlap`, a second one lying over it) and ost (x 50–100 m); `bedeutung` given to ost.
 */
function twoBereiche({ overlap = false, bedeutung }: { overlap?: boolean; bedeutung?: string } = {}): string {
  const bereich = (id: string, x0: number, x1: number, members: string[], extra = '') => `<gml:featureMember><xplan:BP_Bereich gml:id="${id}"><xplan:nummer>${id.endsWith('ost') ? 1 : 0}</xplan:nummer>${extra}`
    + `<xplan:geltungsbereich>${polygon(`${id}_geltungsbereich`, ring(411000 + x0, 411000 + x1))}</xplan:geltungsbereich>`
    + `${members.map((m) => `<xplan:planinhalt xlink:href="#${m}"/>`).join('')}<xplan:gehoertZuPlan xlink:href="#${PLAN_ID}"/></xplan:BP_Bereich></gml:featureMember>`;
  const start = LUECKE.indexOf('<gml:featureMember>', LUECKE.indexOf('</xplan:BP_Plan>'));
  const end = LUECKE.indexOf('</gml:featureMember>', start) + '</gml:featureMember>'.length;
  let xml = LUECKE.slice(0, start)
    + bereich('GML_bereich_west', 0, 50, ['GML_testplan_west', ...(overlap ? ['GML_testplan_west_2'] : [])])
    + bereich('GML_bereich_ost', 50, 100, ['GML_testplan_ost'], bedeutung ? `<xplan:bedeutung>${bedeutung}</xplan:bedeutung>` : '')
    + LUECKE.slice(end);
  xml = xml.replace(`<xplan:bereich xlink:href="#${BEREICH_ID}"/>`, '<xplan:bereich xlink:href="#GML_bereich_west"/><xplan:bereich xlink:href="#GML_bereich_ost"/>');
  xml = xml.replace(/(<xplan:BP_BaugebietsTeilFlaeche gml:id="GML_testplan_(west|ost)">[\s\S]*?<xplan:gehoertZuBereich xlink:href=")#GML_testplan_bereich/g, '$1#GML_bereich_$2');
  if (overlap) {
    const west = xml.slice(xml.lastIndexOf('<gml:featureMember>', xml.indexOf('<xplan:BP_BaugebietsTeilFlaeche gml:id="GML_testplan_west"')), xml.indexOf('</gml:featureMember>', xml.indexOf('<xplan:BP_BaugebietsTeilFlaeche gml:id="GML_testplan_west"')) + '</gml:featureMember>'.length);
    const second = west.replace(/gml:id="GML_testplan_west/g, 'gml:id="GML_testplan_west_2').replace(/<gml:posList[^>]*>[^<]*</, `<gml:posList srsDimension="2">${ring(411020, 411040)}<`);
    xml = xml.replace('</xplan:XPlanAuszug>', `${second}</xplan:XPlanAuszug>`);
  }
  return xml;
}

/** Another worker, as the pool lends one: the part travels as postMessage would move it (test/xplanung/area-checks.test.ts). */
const elsewhere: JobHelpers = { ask: async (part, transfer) => checkPackedAreaPart(structuredClone(part, { transfer }) as PackedAreaPart) };

/** A possible gap (a vertex without a partner, as xPlanBox reports gaps): its object and point. */
const lone = (f: Finding) => /mögliche Lücke bei \(([^)]*)\): der Stützpunkt von \S+ „([^“]+)“/.exec(f.message)?.slice(1).reverse().join(' ') ?? f.message;
/** The vertices along the fixture's strip (411040–411050) without a partner within 2 mm: west's two, ost's upper one. */
const STRIP_VERTICES = ['GML_testplan_west 411040,000; 5656200,000', 'GML_testplan_west 411040,000; 5656300,000', 'GML_testplan_ost 411050,000; 5656300,000'];

describe('xplanung/2.2.1.1: a gap in a Bereich is the Bereich\'s and the plan\'s (xPlanBox, steps 3 and 4)', function () {
  this.timeout(60_000);
  const check = async (xml: string) => {
    const found = await flaechenschluss(Buffer.from(xml), 'application/gml+xml');
    assert.ok(found.ran, 'the Flächenschluss check ran');
    return found;
  };

  it('the fixture 2.2.1.1--fehler--luecke.gml: its Bereich has no Geltungsbereich of its own, so only the plan\'s is judged: its gap, as the reference counts it', async () => {
    assert.doesNotMatch(LUECKE, /<xplan:geltungsbereich>/);
    const { errors, warnings } = await check(LUECKE);
    assert.deepEqual(warnings, []);
    // possible gaps at the vertices along the strip without a partner within 2 mm, one error each (as xPlanBox)
    assert.deepEqual(errors.map(lone), STRIP_VERTICES, described(errors));
    for (const f of errors) {
      assert.deepEqual(f.gmlIds.slice(0, 1), [PLAN_ID]);
      assert.match(f.message, /^Flächenschluss: mögliche Lücke bei .* am Rand der Lücke von 1000\u00A0m² im Geltungsbereich des Plans „Bebauungsplan Nr\. 1 „Am Testfeld““ bei \(411045,000; 5656250,000\)/);
    }
  });

  it('with the plan\'s Geltungsbereich given to the Bereich too (6.0): the gap against the Bereich and against the plan, at the same places', async () => {
    const { errors, warnings } = await check(withBereichArea(ring(411000, 411100)));
    assert.deepEqual(warnings, []);
    // each as possible gaps at the vertices without a partner (as xPlanBox counts them): first the Bereich's, then the plan's
    assert.deepEqual(errors.map(lone), [...STRIP_VERTICES, ...STRIP_VERTICES], described(errors));
    const ofBereich = errors.slice(0, 3), ofPlan = errors.slice(3);
    assert.ok(ofBereich.every((f) => f.gmlIds[0] === BEREICH_ID && /am Rand der Lücke von 1000\u00A0m² im Geltungsbereich des Bereichs „GML_testplan_bereich“ bei \(411045,000; 5656250,000\), die kein Flächenschlussobjekt abdeckt\.$/.test(f.message)), described(errors));
    assert.ok(ofPlan.every((f) => f.gmlIds[0] === PLAN_ID && /am Rand der Lücke von 1000\u00A0m² im Geltungsbereich des Plans „Bebauungsplan Nr\. 1 „Am Testfeld““ bei \(411045,000; 5656250,000\), die kein Flächenschlussobjekt abdeckt\.$/.test(f.message)), described(errors));
    assert.notEqual(ofBereich[0]!.message, ofPlan[0]!.message);
    assert.deepEqual(ofBereich.map((f) => f.marker), ofPlan.map((f) => f.marker));
  });

  it('the same Geltungsbereich written from another corner and the other way round, 1 mm off: still the plan\'s, the same two errors', async () => {
    const same = await check(withBereichArea(ring(411000, 411100)));
    const turned = await check(withBereichArea('411100 5656300.001 411100 5656200 411000 5656200 411000 5656300 411100 5656300.001'));
    assert.deepEqual(turned.errors.map((f) => [f.gmlIds, f.message]), same.errors.map((f) => [f.gmlIds, f.message]));
  });

  it('a gap where an object with a broken geometry lies names it as its likely cause, against the Bereich and against the plan', async () => {
    // the Teilfläche west drawn as a bow tie (a self-intersection, 2.2.2.1): left out, it leaves its ground uncovered
    const broken = withBereichArea(ring(411000, 411100)).replace(ring(411000, 411040), '411000 5656200 411040 5656300 411040 5656200 411000 5656300 411000 5656200');
    const gaps = (await check(broken)).errors.filter((f) => /Lücke/.test(f.message));
    // the ground of west is a gap with one vertex without a partner, ost's (411050 5656300): a possible gap (as xPlanBox
    // counts them), naming west by the gap it lies on
    assert.deepEqual(gaps.map((f) => f.gmlIds), [[BEREICH_ID, 'GML_testplan_ost', 'GML_testplan_west'], [PLAN_ID, 'GML_testplan_ost', 'GML_testplan_west']], described(gaps));
    for (const f of gaps) assert.match(f.message, /Lücke von 5000\u00A0m² .* Sie kann daher rühren, dass BP_BaugebietsTeilFlaeche „GML_testplan_west“ wegen eines Geometriefehlers \(siehe oben\) nicht in die Prüfung einging\.$/);
  });

  it('a Bereich smaller than its plan: the plan\'s gaps come from a union of their own, here the same strip (the Teilfläche ost reaches to the plan\'s edge)', async () => {
    const { errors } = await check(withBereichArea(ring(411000, 411090)));
    const ofBereich = errors.filter((f) => f.gmlIds[0] === BEREICH_ID), ofPlan = errors.filter((f) => f.gmlIds[0] === PLAN_ID);
    // possible gaps at the strip's vertices without a partner (as xPlanBox counts them)
    assert.deepEqual(ofBereich.map(lone), STRIP_VERTICES, described(errors));
    assert.ok(ofBereich.every((f) => /Lücke von 1000\u00A0m² im Geltungsbereich des Bereichs/.test(f.message)), described(errors));
    // the Teilfläche ost reaches out of its Bereich to the plan's edge: against the plan only the strip is a gap
    assert.deepEqual(ofPlan.map(lone), STRIP_VERTICES, described(errors));
    assert.ok(ofPlan.every((f) => /Lücke von 1000\u00A0m² im Geltungsbereich des Plans/.test(f.message)), described(errors));
  });

  it('two Bereiche: a gap in one is its Bereich\'s and the plan\'s; an overlap in it is reported once, not again for the plan', async () => {
    const { errors } = await check(twoBereiche({ overlap: true }));
    const gaps = errors.filter((f) => /Lücke/.test(f.message)), overlaps = errors.filter((f) => /überlappen/.test(f.message));
    // the Bereich west's gap as one (its vertices all with a partner), the plan's as possible gaps at the vertices without
    // one, as xPlanBox counts them: in the plan, ost's (411050 5656300) has none
    assert.deepEqual(gaps.map((f) => f.gmlIds), [['GML_bereich_west'], [PLAN_ID, 'GML_testplan_ost']], described(errors));
    assert.match(gaps[0]!.message, /Lücke von 1000\u00A0m² im Geltungsbereich des Bereichs „GML_bereich_west“/);
    assert.match(gaps[1]!.message, /Lücke von 1000\u00A0m² im Geltungsbereich des Plans „Bebauungsplan Nr\. 1 „Am Testfeld““/);
    assert.equal(overlaps.length, 1, described(errors));
    assert.deepEqual(overlaps[0]!.gmlIds, ['GML_testplan_west', 'GML_testplan_west_2']);
  });

  it('a Kompensationsbereich (bedeutung 1800) is left out of the plan\'s union: where it lies, the plan has a gap', async () => {
    const { errors } = await check(twoBereiche({ bedeutung: '1800' }));
    const ofPlan = errors.filter((f) => f.gmlIds[0] === PLAN_ID);
    // the strip of the Bereich west (1000 m²) and the Bereich ost (5000 m²) are one gap of the plan: possible gaps at
    // west's two vertices along it without a partner (as xPlanBox counts them)
    assert.deepEqual(ofPlan.map(lone), STRIP_VERTICES.slice(0, 2), described(errors));
    assert.ok(ofPlan.every((f) => /Lücke von 6000\u00A0m² im Geltungsbereich des Plans/.test(f.message)), described(errors));
    // the Bereich west's strip: the same two vertices
    assert.deepEqual(errors.filter((f) => f.gmlIds[0] !== PLAN_ID).map((f) => f.gmlIds), [['GML_bereich_west', 'GML_testplan_west'], ['GML_bereich_west', 'GML_testplan_west']], described(errors));
  });

  itShared('a polygon of the plan\'s Geltungsbereich that no Bereich covers at all is no gap, as xPlanBox relates gaps (DE-9IM TTT*****T): 1_Geltungsbereich-Test.gml', async () => {
    // its plan has two polygons: the first is its Bereich's Geltungsbereich, filled; nothing lies in the second (3752 m²)
    const { errors, warnings, ran } = await flaechenschluss(real('1_Geltungsbereich-Test.gml'), 'application/gml+xml');
    assert.ok(ran);
    assert.deepEqual([...errors, ...warnings], []);
    // one object laid into that polygon: the rest of it is a gap of the plan
    const xml = real('1_Geltungsbereich-Test.gml').toString('utf8');
    const at = xml.indexOf('<xplan:flaechenschluss>true<');
    const start = xml.lastIndexOf('<gml:featureMember>', at);
    const end = xml.indexOf('</gml:featureMember>', at) + '</gml:featureMember>'.length;
    const member = xml.slice(start, end);
    const into = member.replace(/gml:id="([^"]+)"/g, 'gml:id="$1_drin"')
      .replace(/<gml:(Polygon|MultiSurface)[\s\S]*<\/gml:\1>/, polygon('GML_drin_flaeche', '565310 5934660 565330 5934660 565330 5934680 565310 5934680 565310 5934660'))
      .replace(/srsName="EPSG:25833"/, 'srsName="EPSG:25832"');
    const laid = await flaechenschluss(Buffer.from(xml.slice(0, end) + into + xml.slice(end)), 'application/gml+xml');
    assert.ok(laid.ran);
    assert.deepEqual(laid.errors.map((f) => f.gmlIds), [['GML_b7e8fcfa-cecb-418c-904a-bb5e135d8bcd']], described(laid.errors));
    assert.match(laid.errors[0]!.message, /Lücke von 3352\u00A0m² im Geltungsbereich des Plans „1_Geltungsbereich-Test“/);
  });

  it('the same findings when the checks run in another worker (the plan\'s check there too)', async () => {
    for (const xml of [withBereichArea(ring(411000, 411100)), withBereichArea(ring(411000, 411090)), twoBereiche({ overlap: true })]) {
      const job = { body: Buffer.from(xml), contentType: 'application/gml+xml', schemaDir, now: ASSERTED_ON };
      const alone = (await runValidationJob(job)).report.findings;
      const shared = await runValidationJob({ ...job, shareFrom: 0 }, elsewhere);
      assert.ok((shared.sharedUnits ?? 0) > 0, 'units were shared');
      assert.deepEqual(shared.report.findings, alone);
    }
  });
});

describe('xplanung/2.2.1.1: possible gaps, at vertices without a partner along a gap (xPlanBox: one per vertex)', () => {
  const shape = (gmlId: string, type: string, wkt: string): Shape => ({ ref: { type, gmlId, label: gmlId }, geometry: fromWkt(wkt) });
  // a Geltungsbereich of 100 m × 100 m, covered by two objects that meet along y = 5656250
  const area = shape('GML_bereich', 'BP_Bereich', 'POLYGON ((411000 5656200, 411100 5656200, 411100 5656300, 411000 5656300, 411000 5656200))');
  const south = shape('GML_sued', 'BP_GruenFlaeche', 'POLYGON ((411000 5656200, 411100 5656200, 411100 5656250, 411060 5656250, 411040 5656250, 411000 5656250, 411000 5656200))');
  const run = (north: Shape, opts: { alsoPlan?: boolean } = {}) => {
    const shapes = [north, south, area];
    return new AreaChecker(shapes).check({ inside: [], coverage: { members: [0, 1], area: 2, ...(opts.alsoPlan ? { alsoPlan: 2 } : {}) } }).flaechenschluss;
  };

  it('a hole between the objects whose outline has a vertex of one only: a possible gap as the hole (step 2) and as the Bereich\'s gap (step 3), its point the marker', () => {
    // the northern object bends up between the southern one's vertices (411040 and 411060): a triangle of 50 m² between them
    const north = shape('GML_nord', 'BP_BaugebietsTeilFlaeche', 'POLYGON ((411000 5656250, 411040 5656250, 411050 5656255, 411060 5656250, 411100 5656250, 411100 5656300, 411000 5656300, 411000 5656250))');
    const found = run(north);
    assert.equal(found.length, 2, found.map((f) => f.message).join('\n'));
    for (const f of found) {
      assert.equal(f.severity, 'warning');
      assert.ok(isGapFinding(f));
      assert.equal(f.marker, 'POINT (411050 5656255)');
      assert.deepEqual(f.gmlIds, ['GML_bereich', 'GML_nord']);
      assert.match(f.message, /^Flächenschluss: mögliche Lücke bei \(411050,000; 5656255,000\): der Stützpunkt von BP_BaugebietsTeilFlaeche „GML_nord“ hat keinen Partner \(einen Stützpunkt im Abstand bis 0,002 m\) in einem anderen Flächenschlussobjekt oder im Geltungsbereich; /);
    }
    assert.match(found[0]!.message, /am Rand eines Lochs von 50\u00A0m² zwischen den Flächenschlussobjekten im Geltungsbereich des Bereichs „GML_bereich“/);
    assert.match(found[1]!.message, /am Rand der Lücke von 50\u00A0m² im Geltungsbereich des Bereichs „GML_bereich“ bei \(/);
    // and once more as the plan's gap (step 4), when the Bereich's Geltungsbereich is the plan's
    assert.equal(run(north, { alsoPlan: true }).length, 3);
  });

  it('a vertex of the other object 5 m off is no partner: both vertices lack one, each a possible gap, as the hole and as the gap', () => {
    const north = shape('GML_nord', 'BP_BaugebietsTeilFlaeche', 'POLYGON ((411000 5656250, 411040 5656250, 411050 5656255, 411060 5656250, 411100 5656250, 411100 5656300, 411000 5656300, 411000 5656250))');
    const southWithVertex = shape('GML_sued', 'BP_GruenFlaeche', 'POLYGON ((411000 5656200, 411100 5656200, 411100 5656250, 411060 5656250, 411050 5656250.001, 411040 5656250, 411000 5656250, 411000 5656200))');
    const found = new AreaChecker([north, southWithVertex, area]).check({ inside: [], coverage: { members: [0, 1], area: 2 } }).flaechenschluss;
    assert.deepEqual(found.map((f) => f.marker), ['POINT (411050 5656250.001)', 'POINT (411050 5656255)', 'POINT (411050 5656250.001)', 'POINT (411050 5656255)']);
    // the southern object reaching up to the vertex (1 mm off, a partner): no gap at all
    const matched = shape('GML_sued', 'BP_GruenFlaeche', 'POLYGON ((411000 5656200, 411100 5656200, 411100 5656250, 411060 5656250, 411050.001 5656255, 411040 5656250, 411000 5656250, 411000 5656200))');
    assert.deepEqual(new AreaChecker([north, matched, area]).check({ inside: [], coverage: { members: [0, 1], area: 2 } }).flaechenschluss, []);
  });

  it('only the vertices that stand in the GML take part, not the chords an arc is stroked into (the warm-up plan\'s curved Bereich), here and in another worker', async () => {
    const job = { body: warmUpPlan(), contentType: 'application/gml+xml', schemaDir };
    const alone = (await runValidationJob(job)).report.findings;
    // the plan's corner gap runs along the arc: its chords' corners would each be a vertex without a partner
    const atCurved = alone.filter((f) => /mögliche Lücke/.test(f.message) && f.gmlIds.includes('GML_warmup_2_rest'));
    assert.deepEqual(atCurved.map((f) => f.marker), ['POINT (375120 5611680)', 'POINT (375142 5611680)', 'POINT (375150 5611672)'], described(atCurved));
    // which points were stroked travels with the geometries to another worker
    const shared = await runValidationJob({ ...job, shareFrom: 0 }, elsewhere);
    assert.ok((shared.sharedUnits ?? 0) > 0, 'units were shared');
    assert.deepEqual(shared.report.findings, alone);
  });

  it('a gap along the Geltungsbereich whose vertices all have partners (the objects\' and the Geltungsbereich\'s): one gap, no hole', () => {
    // the northern object stops 1 m short of the Geltungsbereich's northern edge, along its whole width: its corners are the objects' and the Geltungsbereich's vertices are 1 m away
    const north = shape('GML_nord', 'BP_BaugebietsTeilFlaeche', 'POLYGON ((411000 5656250, 411040 5656250, 411060 5656250, 411100 5656250, 411100 5656299, 411000 5656299, 411000 5656250))');
    const found = run(north);
    // the strip's outline has the object's corners (411000 5656299, 411100 5656299), partners of no one: possible gaps
    assert.equal(found.length, 2, found.map((f) => f.message).join('\n'));
    assert.ok(found.every((f) => /mögliche Lücke/.test(f.message) && /am Rand der Lücke von 100\u00A0m²/.test(f.message)));
  });
});
