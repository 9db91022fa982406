// 2.2.2.1 and the rest of the geometry stage as the XPlanValidator (xPlanBox) judges it. The table is
// ../shared/fixtures/xplanung-xplanbox/expected.json: every plan whose scope is the geometry stage except
// 2.2.1.1 and 2.2.3.1 ('geo') runs through the validation job, and the errors and warnings of that stage,
// without those two rules, are compared with what xPlanBox's own test asserts (blank counts: the verdict only).
// xPlanBox's XPlanGeometryInspector reports repeated points once per ring, self-intersection once per ring
// and each ring that runs the wrong way.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import type { Finding } from '../../src/xplanung/report.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';
import { describeShared, readShared, readSharedJson } from '../helpers/shared.ts';
import { contentTypeOf } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');

interface Expected { file: string; scope: string; valid: boolean | null; errors: number | null; warnings: number | null; note: string; test: string }
const TABLE = readSharedJson<Expected[]>([], 'fixtures', 'xplanung-xplanbox', 'expected.json').filter((e) => e.scope === 'geo');

/** The geometry stage's findings without 2.2.1.1 and 2.2.3.1, and whether the stage ran. */
async function geometryFindings(file: string): Promise<{ findings: Finding[]; ran: boolean }> {
  const { report } = await runValidationJob({ body: readShared('fixtures', 'xplanung-xplanbox', file), contentType: contentTypeOf(file), schemaDir });
  return {
    findings: report.findings.filter((f) => f.stage === 'geometry' && f.rule !== '2.2.1.1' && f.rule !== '2.2.3.1'),
    ran: !report.skipped.some((s) => s.stage === 'geometry'),
  };
}

const described = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.severity} ${f.gmlIds.join(',')}: ${f.message}`).join('\n');

describeShared('xplanung/geometry stage: what xPlanBox asserts about its geometry test plans (expected.json)', function () {
  this.timeout(60_000);

  it('the table holds the geometry plans, LA22 of 5.0 and 5.1 among them', () => {
    for (const file of ['testdata-xplan50/LA22.zip', 'testdata-xplan51/LA22.zip', 'testdata-xplan50/BP2135.zip', 'testdata-xplan41/Demo.zip', 'geometric/geometryOrientationValid.gml']) {
      assert.ok(TABLE.some((e) => e.file === file), file);
    }
  });

  for (const e of TABLE) {
    const counts = e.errors === null && e.warnings === null ? '' : ` (${e.errors ?? '?'} errors, ${e.warnings ?? '?'} warnings)`;
    it(`${e.file}: ${e.valid ? 'valid' : 'invalid'}${counts} in the geometry stage except 2.2.1.1 and 2.2.3.1 (${e.test})`, async () => {
      const { findings, ran } = await geometryFindings(e.file);
      assert.ok(ran, 'the geometry stage ran');
      const errors = findings.filter((f) => f.severity === 'error');
      const warnings = findings.filter((f) => f.severity === 'warning');
      if (e.valid !== null) assert.equal(errors.length === 0, e.valid, described(findings));
      if (e.errors !== null) assert.equal(errors.length, e.errors, described(findings));
      if (e.warnings !== null) assert.equal(warnings.length, e.warnings, described(findings));
    });
  }

  it('testdata-xplan50/LA22.zip: a ring with repeated points is one error naming them all', async () => {
    const { findings } = await geometryFindings('testdata-xplan50/LA22.zip');
    const repeated = findings.filter((f) => /doppelte Stützpunkte/.test(f.message));
    // one finding per ring: no object's ring is named twice
    const rings = repeated.map((f) => f.gmlIds.join(','));
    assert.equal(new Set(rings).size, rings.length, described(repeated));
    assert.ok(repeated.some((f) => / und \(/.test(f.message)), described(repeated));
  });
});
