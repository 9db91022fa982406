// 2.2.3.1 (objects inside the Geltungsbereich) as the XPlanValidator (xPlanBox) judges it. The table is
// ../shared/fixtures/xplanung-xplanbox/expected.json: every plan whose scope is 2.2.3.1 ('gb') runs through
// the validation job, and only its 2.2.3.1 findings are compared with what xPlanBox's own test asserts
// (verdict, number of errors, the object named). Then the real plans of ../shared/fixtures/xplanung-real
// that xPlanBox's Geltungsbereich tests use, and plans built from the gateway's rule fixtures for the
// cases the table leaves out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import type { Finding } from '../../src/xplanung/report.ts';
import { checkPackedAreaPart, type PackedAreaPart } from '../../src/xplanung/validate/area-checks.ts';
import { runValidationJob, type JobHelpers } from '../../src/xplanung/validate/job.ts';
import { describeShared, readSharedJson } from '../helpers/shared.ts';
import { contentTypeOf, real } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const XPLANBOX_DIR = join(projectRoot, '..', 'shared', 'fixtures', 'xplanung-xplanbox');
const RULES_DIR = join(projectRoot, 'fixtures', 'xplanung', 'rules');

interface Expected { file: string; scope: string; valid: boolean | null; errors: number | null; warnings: number | null; note: string; test: string }
const TABLE = readSharedJson<Expected[]>([], 'fixtures', 'xplanung-xplanbox', 'expected.json').filter((e) => e.scope === 'gb');

/** The 2.2.3.1 errors of a document, and whether the geometry stage ran at all. */
async function insideErrors(body: Buffer, contentType: string): Promise<{ errors: Finding[]; ran: boolean }> {
  const { report } = await runValidationJob({ body, contentType, schemaDir });
  return { errors: report.findings.filter((f) => f.rule === '2.2.3.1' && f.severity === 'error'), ran: !report.skipped.some((s) => s.stage === 'geometry') };
}

const described = (errors: Finding[]) => errors.map((f) => `${f.gmlIds.join(',')}: ${f.message}`).join('\n');

describeShared('xplanung/2.2.3.1: what xPlanBox asserts about its Geltungsbereich test plans (expected.json)', function () {
  this.timeout(60_000);

  it('the table holds the Geltungsbereich, Kompensationsbereich and outside plans', () => {
    for (const folder of ['geltungsbereich/', 'kompensationsbereich/', 'outside/']) assert.ok(TABLE.some((e) => e.file.startsWith(folder)), folder);
    assert.ok(TABLE.length >= 16, `${TABLE.length} entries`);
  });

  for (const e of TABLE) {
    it(`${e.file}: ${e.valid ? 'no 2.2.3.1 error' : `${e.errors ?? 'some'} 2.2.3.1 error(s)`}${/^(gml|feature)_/i.test(e.note) ? ` naming ${e.note}` : ''} (${e.test})`, async () => {
      const { errors, ran } = await insideErrors(readFileSync(join(XPLANBOX_DIR, e.file)), contentTypeOf(e.file));
      assert.ok(ran, 'the geometry stage ran');
      assert.equal(errors.length === 0, e.valid, described(errors));
      if (e.errors !== null) assert.equal(errors.length, e.errors, described(errors));
      // the object the asserted error must name: each error is about it
      if (/^(gml|feature)_/i.test(e.note)) for (const f of errors) assert.equal(f.gmlIds[0], e.note, described(errors));
    });
  }
});

describeShared('xplanung/2.2.3.1: the real plans of xPlanBox\'s Geltungsbereich tests (SOURCES.md)', function () {
  this.timeout(60_000);
  const REAL: Array<{ file: string; errors: number; object?: string; why: string }> = [
    { file: 'Bereich_1800_Bereich_mitGeltungsbereich_korrekt.gml', errors: 0, why: 'Kompensationsbereich, GeltungsbereichInspectorKompensationsbereichTest: valid' },
    { file: '1_Geltungsbereich-Test.gml', errors: 0, why: 'object inside plan and Bereich' },
    { file: 'BPlan_6-0_Polygon_ausserhalb.gml', errors: 1, object: 'Gml_758D6453-D193-40D3-964F-30E05A6BDB5D', why: 'polygon outside, 1 error' },
    { file: 'FP_6.0.2_valide.zip', errors: 0, why: 'validator-api: 0 geometric errors' },
  ];
  for (const r of REAL) {
    it(`${r.file}: ${r.errors} 2.2.3.1 error(s) (${r.why})`, async () => {
      const { errors, ran } = await insideErrors(real(r.file), contentTypeOf(r.file));
      assert.ok(ran);
      assert.equal(errors.length, r.errors, described(errors));
      if (r.object) for (const f of errors) assert.equal(f.gmlIds[0], r.object);
    });
  }
});

describe('xplanung/2.2.3.1: the cases between plan and Bereich, on the gateway\'s test plan', function () {
  this.timeout(60_000);
  const rules = (name: string) => readFileSync(join(RULES_DIR, name), 'utf8');
  const run = (xml: string) => insideErrors(Buffer.from(xml), 'application/gml+xml');
  const TEILBEREICH = '2.2.3.1--fehler--teilbereich-reicht-ueber-den-plan-hinaus.gml';

  it('an object inside its Bereich but outside the plan: an error naming the plan', async () => {
    const { errors } = await run(rules(TEILBEREICH));
    assert.deepEqual(errors.map((f) => f.gmlIds), [['GML_testplan_west', 'GML_testplan'], ['GML_testplan_ost', 'GML_testplan']]);
    for (const f of errors) assert.match(f.message, /außerhalb des Geltungsbereichs von BP_Plan „Bebauungsplan Nr\. 1 „Am Testfeld““/);
  });

  it('a Bereich without bedeutung, reaching beyond the plan: the same', async () => {
    const { errors } = await run(rules(TEILBEREICH).replace('<xplan:bedeutung>1600</xplan:bedeutung>', ''));
    assert.equal(errors.length, 2, described(errors));
  });

  it('the same Bereich as a Kompensationsbereich (1800) or one for information outside (2000): nothing', async () => {
    for (const code of ['1800', '2000']) {
      const { errors } = await run(rules(TEILBEREICH).replace('<xplan:bedeutung>1600</xplan:bedeutung>', `<xplan:bedeutung>${code}</xplan:bedeutung>`));
      assert.deepEqual(errors, [], code);
    }
  });

  it('a Kompensationsbereich is still held to its own Geltungsbereich', async () => {
    // the Ausgleichsfläche 10 m wider than its Bereich
    const xml = rules('2.2.3.1--ohne-befund--kompensationsbereich-ausserhalb-des-plans.gml')
      .replace('411200 5656200 411250 5656200 411250 5656250 411200 5656250 411200 5656200</gml:posList>\n            </gml:LinearRing>\n          </gml:exterior>\n        </gml:Polygon>\n      </xplan:position>', '411200 5656200 411260 5656200 411260 5656250 411200 5656250 411200 5656200</gml:posList>\n            </gml:LinearRing>\n          </gml:exterior>\n        </gml:Polygon>\n      </xplan:position>');
    const { errors } = await run(xml);
    assert.deepEqual(errors.map((f) => f.gmlIds), [['GML_testplan_ausgleich', 'GML_testplan_kompensation']]);
  });

  it('an object partly outside both, plan and Bereich being different areas: one error each (as xPlanBox counts)', async () => {
    // the eastern part 10 m beyond the Bereich too
    const { errors } = await run(rules(TEILBEREICH).replace('411050 5656200 411100 5656200 411100 5656310 411050 5656310 411050 5656200', '411050 5656200 411100 5656200 411100 5656320 411050 5656320 411050 5656200'));
    assert.deepEqual(errors.map((f) => f.gmlIds), [['GML_testplan_west', 'GML_testplan'], ['GML_testplan_ost', 'GML_testplan_bereich'], ['GML_testplan_ost', 'GML_testplan']]);
  });

  it('an object wholly outside both: one error naming both', async () => {
    const { errors } = await run(rules(TEILBEREICH).replace('411050 5656200 411100 5656200 411100 5656310 411050 5656310 411050 5656200', '411150 5656200 411200 5656200 411200 5656310 411150 5656310 411150 5656200'));
    const ost = errors.filter((f) => f.gmlIds[0] === 'GML_testplan_ost');
    assert.equal(ost.length, 1, described(errors));
    assert.deepEqual(ost[0]!.gmlIds, ['GML_testplan_ost', 'GML_testplan_bereich', 'GML_testplan']);
    assert.match(ost[0]!.message, /ganz außerhalb der Geltungsbereiche von BP_Bereich .* und BP_Plan/);
  });

  it('the tests against both areas give the same findings when another worker runs them', async () => {
    const body = Buffer.from(rules(TEILBEREICH).replace('411050 5656200 411100 5656200 411100 5656310 411050 5656310 411050 5656200', '411050 5656200 411100 5656200 411100 5656320 411050 5656320 411050 5656200'));
    const elsewhere: JobHelpers = { ask: async (part, transfer) => checkPackedAreaPart(structuredClone(part, { transfer }) as PackedAreaPart) };
    const alone = await runValidationJob({ body, contentType: 'application/gml+xml', schemaDir });
    const shared = await runValidationJob({ body, contentType: 'application/gml+xml', schemaDir, shareFrom: 0 }, elsewhere);
    assert.ok((shared.sharedUnits ?? 0) > 0, 'a share was handed over');
    assert.deepEqual(shared.report.findings, alone.report.findings);
    assert.equal(alone.report.findings.filter((f) => f.rule === '2.2.3.1').length, 3);
  });

  it('a presentation object outside is left alone; other objects at the same place are not', async () => {
    const xml = rules('2.2.3.1--ohne-befund--praesentationsobjekt-ausserhalb.gml');
    assert.deepEqual((await run(xml)).errors, []);
    // BP_EinfahrtPunkt: a Fachobjekt with a point, where the label stood
    const einfahrt = xml.replace(/<xplan:XP_PTO gml:id="GML_testplan_beschriftung">[\s\S]*?<\/xplan:XP_PTO>/, `<xplan:BP_EinfahrtPunkt gml:id="GML_testplan_beschriftung">
      <xplan:gehoertZuBereich xlink:href="#GML_testplan_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Point srsName="EPSG:25833" gml:id="GML_testplan_beschriftung_punkt">
          <gml:pos>411150 5656250</gml:pos>
        </gml:Point>
      </xplan:position>
    </xplan:BP_EinfahrtPunkt>`).replace('<xplan:praesentationsobjekt xlink:href="#GML_testplan_beschriftung"/>', '<xplan:planinhalt xlink:href="#GML_testplan_beschriftung"/>');
    const { errors } = await run(einfahrt);
    assert.deepEqual(errors.map((f) => f.gmlIds[0]), ['GML_testplan_beschriftung']);
  });
});
