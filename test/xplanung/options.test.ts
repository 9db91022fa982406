// The switches xPlanBox's validator offers beside skipSemantisch/skipGeometrisch (skipFlaechenschluss,
// skipGeltungsbereich, skipLaufrichtung), and ring orientation judged as it judges it: an error per ring.
// Plans from xPlanBox's own tests (../shared/fixtures/xplanung-xplanbox, EXPECTED.md) with the verdicts it
// asserts under the same switches, through POST /xplanung/v1/validate (supertest).
import assert from 'node:assert/strict';
import request from 'supertest';
import { fromWkt, isCCW, type Envelope } from '../../src/core/geo/jts.ts';
import type { Finding, ValidationReport } from '../../src/xplanung/report.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { readShared } from '../helpers/shared.ts';
import { contentTypeOf } from '../helpers/xplanung.ts';

const xplanbox = (name: string) => readShared('fixtures', 'xplanung-xplanbox', name);

const geometryErrors = (r: ValidationReport) => r.findings.filter((f) => f.stage === 'geometry' && f.severity === 'error');
const skippedOf = (r: ValidationReport) => r.skipped.map((s) => s.stage).sort();

describe('xplanung: the reference validator\'s switches and ring orientation', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway(); });
  after(async () => { await gw.close(); });

  const validate = async (file: string, query = ''): Promise<ValidationReport> =>
    (await request(gw.app).post(`/xplanung/v1/validate${query}`).set('Content-Type', contentTypeOf(file)).send(xplanbox(file)).expect(200)).body as ValidationReport;

  it('geometric/geometryOrientationValid.gml: rings the right way round, holes included, give no finding (xPlanBox: 0 errors, 0 warnings)', async () => {
    const r = await validate('geometric/geometryOrientationValid.gml');
    // the scope xPlanBox's test compares: the geometry stage without Flächenschluss and Geltungsbereich
    const others = r.findings.filter((f) => f.stage === 'geometry' && f.rule !== '2.2.1.1' && f.rule !== '2.2.3.1');
    assert.deepEqual(others, []);
  });

  it('manager-api/BP_5.2_Laufrichtungsfehler.zip: invalid with skipFlaechenschluss and skipSemantisch, one error per wrong ring; valid with skipLaufrichtung as well', async () => {
    const r = await validate('manager-api/BP_5.2_Laufrichtungsfehler.zip', '?skipFlaechenschluss=true&skipSemantisch=true');
    assert.equal(r.valid, false);
    assert.deepEqual(skippedOf(r), ['flaechenschluss', 'semantic']);
    const errors = geometryErrors(r);
    assert.deepEqual(errors.map((f) => f.rule), ['2.2.2.1', '2.2.2.1'], JSON.stringify(errors));
    const [outer, inner] = errors as [Finding, Finding];
    assert.match(outer.message, /^BP_BaugebietsTeilFlaeche: falsche Laufrichtung – der äußere Ring verläuft im Uhrzeigersinn, muss aber gegen den Uhrzeigersinn verlaufen; er beginnt bei \(/);
    assert.match(inner.message, /^BP_BaugebietsTeilFlaeche: falsche Laufrichtung – der innere Ring verläuft gegen den Uhrzeigersinn, muss aber im Uhrzeigersinn verlaufen; er beginnt bei \(/);
    for (const f of errors) {
      assert.equal(f.gmlIds[0], 'Gml_C891FBAA-62BC-490C-B548-DC631A1E70AB');
      assert.ok(f.line && f.line > 1);
    }
    // each marker is its ring, as written: the exterior clockwise, the interior counter-clockwise
    const rings = errors.map((f) => fromWkt(f.marker!));
    assert.deepEqual(rings.map((g) => g.getGeometryType()), ['LineString', 'LineString']);
    assert.deepEqual(rings.map((g) => isCCW(g.getCoordinates())), [false, true]);
    const [o, i] = rings.map((g) => g.getEnvelopeInternal()) as [Envelope, Envelope];
    assert.ok(o.getMinX() < i.getMinX() && i.getMaxX() < o.getMaxX() && o.getMinY() < i.getMinY() && i.getMaxY() < o.getMaxY(), 'the inner ring lies in the outer one');

    const off = await validate('manager-api/BP_5.2_Laufrichtungsfehler.zip', '?skipFlaechenschluss=true&skipSemantisch=true&skipLaufrichtung=true');
    assert.equal(off.valid, true, JSON.stringify(geometryErrors(off)));
    assert.deepEqual(skippedOf(off), ['flaechenschluss', 'laufrichtung', 'semantic']);
    assert.match(off.skipped.find((s) => s.stage === 'laufrichtung')!.reason, /skipLaufrichtung=true/);
    assert.ok(off.plans[0]!.outline, 'the rest of the geometry stage ran');
  });

  it('validator-api/BP_5.1.gml with the switches of xPlanBox\'s own test: sF exactly one 2.2.3.1 error, sG geometrically valid, all switches valid', async () => {
    const file = 'validator-api/BP_5.1.gml';
    assert.equal((await validate(file)).valid, false);
    const sF = await validate(file, '?skipFlaechenschluss=true');
    const errors = geometryErrors(sF);
    assert.deepEqual(errors.map((f) => f.rule), ['2.2.3.1'], JSON.stringify(errors));
    assert.ok(errors[0]!.gmlIds.includes('FEATURE_dc61f364-f67c-4e0f-846c-fb8da12644fe'));
    assert.deepEqual(skippedOf(sF), ['flaechenschluss']);
    const sG = await validate(file, '?skipGeltungsbereich=true');
    assert.deepEqual(geometryErrors(sG), []);
    assert.deepEqual(skippedOf(sG), ['geltungsbereich']);
    assert.ok(!sG.findings.some((f) => f.rule === '2.2.3.1'));
    const all = await validate(file, '?skipSemantisch=true&skipGeometrisch=true&skipFlaechenschluss=true&skipGeltungsbereich=true&skipLaufrichtung=true');
    assert.equal(all.valid, true);
    // with the whole geometry stage off, its checks are not named one by one
    assert.deepEqual(skippedOf(all), ['geometry', 'semantic']);
  });

  it('skipFlaechenschluss leaves out 2.2.1.1 only: BPlan_Kompensationsbereich_6-0-2_Ueberlappung.gml loses its overlap error, the other geometry checks run', async () => {
    const file = 'flaechenschluss/BPlan_Kompensationsbereich_6-0-2_Ueberlappung.gml';
    const full = await validate(file);
    assert.equal(full.findings.filter((f) => f.rule === '2.2.1.1' && f.severity === 'error').length, 1, 'xPlanBox: 1 error');
    const off = await validate(file, '?skipFlaechenschluss=true');
    assert.ok(!off.findings.some((f) => f.rule === '2.2.1.1'));
    assert.deepEqual(off.findings.filter((f) => f.rule !== '2.2.1.1'), full.findings.filter((f) => f.rule !== '2.2.1.1'));
    assert.deepEqual(skippedOf(off), ['flaechenschluss']);
    assert.ok(off.plans[0]!.outline);
  });

  for (const [file, query] of [
    ['manager-api/BP_5.0.zip', '?skipFlaechenschluss=true&skipGeltungsbereich=true&skipSemantisch=true'],
    ['manager-api/BP_5.2_MultipleBereiche.zip', '?skipFlaechenschluss=true&skipSemantisch=true'],
    ['manager-api/BP_6.0.gml', '?skipFlaechenschluss=true'],
    ['manager-api/LP_6.0.zip', '?skipFlaechenschluss=true&skipGeltungsbereich=true&skipSemantisch=true'],
    ['manager-api/SO_5.3.zip', '?skipFlaechenschluss=true&skipGeltungsbereich=true&skipSemantisch=true'],
  ] as const) {
    it(`${file}${query}: valid, as xPlanBox's manager imports it`, async () => {
      const r = await validate(file, query);
      assert.equal(r.valid, true, JSON.stringify(r.findings.filter((f) => f.severity === 'error').slice(0, 3)));
    });
  }

  it('the report page names the checks switched off', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate?skipFlaechenschluss=true&skipGeltungsbereich=true&skipLaufrichtung=true')
      .set('Content-Type', 'application/zip').set('Accept', 'text/html').send(xplanbox('manager-api/BP_5.2_Laufrichtungsfehler.zip')).expect(200);
    for (const text of ['Geometrie, Flächenschluss (Regel 2.2.1.1): Auf Anfrage übersprungen (skipFlaechenschluss=true)',
      'Geometrie, Lage im Geltungsbereich (Regel 2.2.3.1): Auf Anfrage übersprungen (skipGeltungsbereich=true)',
      'Geometrie, Laufrichtung der Ringe (Regel 2.2.2.1): Auf Anfrage übersprungen (skipLaufrichtung=true)']) {
      assert.ok(res.text.includes(text), text);
    }
  });

  it('a switch that is not true or false is refused (400)', async () => {
    for (const name of ['skipFlaechenschluss', 'skipGeltungsbereich', 'skipLaufrichtung']) {
      await request(gw.app).post(`/xplanung/v1/validate?${name}=yes`).set('Content-Type', 'application/zip').send(xplanbox('manager-api/BP_5.2_Laufrichtungsfehler.zip')).expect(400);
    }
  });
});
