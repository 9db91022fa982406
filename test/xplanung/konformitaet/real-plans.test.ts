// The Konformitätsregeln on real plans, against what the reference validator (xPlanBox) says of them:
// ../shared/fixtures/xplanung-real (SOURCES.md) and the semantic-scoped plans of its own test suite,
// ../shared/fixtures/xplanung-xplanbox (expected.json). Every rule's result is in the report.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../src/core/paths.ts';
import { ruleTable } from '../../../src/xplanung/konformitaet/tables.ts';
import type { ValidationReport } from '../../../src/xplanung/report.ts';
import { runValidationJob, type ValidationJob } from '../../../src/xplanung/validate/job.ts';
import { describeShared } from '../../helpers/shared.ts';
import { contentTypeOf, real, REAL_DIR } from '../../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const XPLANBOX = join(projectRoot, '..', 'shared', 'fixtures', 'xplanung-xplanbox');

async function validate(body: Buffer, name: string, options: Partial<ValidationJob> = {}): Promise<ValidationReport> {
  return (await runValidationJob({ body, contentType: contentTypeOf(name), schemaDir, ...options })).report;
}
/** Konformitätsregeln (numbered rules of the semantic stage) that failed. */
const failedRules = (r: ValidationReport) => [...new Set(r.findings.filter((f) => f.stage === 'semantic' && f.severity === 'error' && /^\d/.test(f.rule)).map((f) => f.rule))].sort();

describeShared('xplanung/konformitaet: real plans get the reference validator\'s semantic verdict', function () {
  this.timeout(120_000);

  it('FP_6.0.2_invalide (xPlanBox: semantically invalid) fails exactly the rules its own comment lists, on the objects it names', async () => {
    const r = await validate(real('FP_6.0.2_invalide.zip'), 'FP_6.0.2_invalide.zip', { skipGeometry: true });
    assert.deepEqual(failedRules(r), ['6.1.3.11', '6.1.3.12', '6.1.3.13', '6.1.3.4', '6.1.3.5', '6.1.3.6', '6.1.3.7', '6.1.3.8']);
    const ids = (rule: string) => r.findings.filter((f) => f.rule === rule).flatMap((f) => f.gmlIds);
    // the comment: 6.1.3.4 and 6.1.3.8 on Gml_5DCB…, 6.1.3.5–6.1.3.7 on Gml_8D63…, 6.1.3.11–6.1.3.13 on Gml_B2E2…
    for (const rule of ['6.1.3.4', '6.1.3.8']) assert.deepEqual(ids(rule), ['Gml_5DCB918E-3FE4-4658-A361-F0D54CF4A972'], rule);
    for (const rule of ['6.1.3.5', '6.1.3.6', '6.1.3.7']) assert.deepEqual(ids(rule), ['Gml_8D632F22-F817-4F3D-BB56-569482B5DB16'], rule);
    for (const rule of ['6.1.3.11', '6.1.3.12', '6.1.3.13']) assert.deepEqual(ids(rule), ['Gml_B2E27CA9-5B4C-415C-B150-C0CC95D51CF5'], rule);
    assert.match(r.findings.find((f) => f.rule === '6.1.3.4')!.message, /wirdAusgeglichenDurchBPMassnahme/);
    assert.match(r.findings.find((f) => f.rule === '6.1.3.8')!.message, /wirdAusgeglichenDurchBPFlaeche/);
  });

  it('the real plans xPlanBox accepts fail no Konformitätsregel', async () => {
    const accepted = readdirSync(REAL_DIR).filter((f) => /\.(gml|zip)$/.test(f))
      // syntax errors (no semantic stage); the one plan the reference rejects on semantic grounds (above)
      .filter((f) => !['BP_6.0_syntaxErrors.gml', 'FP_6.0.2_invalide.zip', 'BP_Alles_Parmis.gml'].includes(f));
    assert.ok(accepted.length >= 17, `${accepted.length} plans`);
    for (const file of accepted) {
      const r = await validate(real(file), file, { skipGeometry: true });
      assert.deepEqual(failedRules(r), [], file);
      assert.ok(r.rules?.some((x) => /^\d/.test(x.rule) && x.result === 'passed'), `${file}: some Konformitätsregel applied and held`);
    }
  });

  it('BP_Alles_Parmis (5.4, no reference verdict recorded): its SO_SchutzgebietWasserrecht is an area with flaechenschluss true, which 6.3.2.2 forbids', async () => {
    const r = await validate(real('BP_Alles_Parmis.gml'), 'BP_Alles_Parmis.gml', { skipGeometry: true });
    assert.deepEqual(failedRules(r), ['6.3.2.2']);
    assert.deepEqual(r.findings.find((f) => f.rule === '6.3.2.2')!.gmlIds, ['GML_60fc0a9d-d553-4aa5-ad6f-a7e29c6fa27b']);
  });

  // expected.json: the plans whose asserted scope includes the semantic stage
  const expected = JSON.parse(readFileSync(join(XPLANBOX, 'expected.json'), 'utf8')) as Array<{ file: string; scope: string; valid: boolean | null; note: string }>;
  const semantic = expected.filter((e) => ['all', 'skipF', 'nogeo'].includes(e.scope));
  it(`the ${semantic.length} plans of the reference's suite judged with the semantic stage get its verdict`, async () => {
    assert.ok(semantic.length >= 8);
    for (const e of semantic) {
      const options: Partial<ValidationJob> = e.scope === 'nogeo' ? { skipGeometry: true } : e.scope === 'skipF' ? { skipFlaechenschluss: true } : {};
      const r = await validate(readFileSync(join(XPLANBOX, e.file)), e.file, options);
      assert.deepEqual(failedRules(r), e.valid === false ? failedRules(r) : [], `${e.file}: no Konformitätsregel fails`);
      if (e.file !== 'validator-api/BP_5.1.gml') assert.equal(r.valid, e.valid, `${e.file} (${e.scope}): ${JSON.stringify(r.findings.slice(0, 3))}`);
    }
  });

  it('validator-api/BP_5.1.gml: invalid for the reference with the geometry stage skipped, on semantic grounds (3.3.1.3)', async () => {
    const file = 'validator-api/BP_5.1.gml';
    const r = await validate(readFileSync(join(XPLANBOX, file)), file, { skipGeometry: true });
    assert.equal(r.valid, false);
    assert.deepEqual(failedRules(r), ['3.3.1.3']);
    // with every stage but the syntax skipped it is valid, as the reference says
    const syntaxOnly = await validate(readFileSync(join(XPLANBOX, file)), file, { skipGeometry: true, skipSemantic: true });
    assert.equal(syntaxOnly.valid, true);
  });

  it('the report lists every Konformitätsregel of the version once, with its result', async () => {
    const r = await validate(real('Osdorf48_Test_60.zip'), 'Osdorf48_Test_60.zip');
    const listed = r.rules!.filter((x) => x.stage === 'semantic' && /^\d/.test(x.rule)).map((x) => x.rule);
    const table = ruleTable('6.0').rules.filter((x) => !(x.kind === 'builtin' && x.builtin === 'geometry-stage')).map((x) => x.id);
    assert.deepEqual(listed, table);
    const byRule = new Map(r.rules!.map((x) => [x.rule, x]));
    assert.equal(byRule.get('2.1.4')?.result, 'not-checked');
    assert.ok((byRule.get('2.1.4')?.reason ?? '').length > 10);
    assert.equal(byRule.get('4.8.2.3')?.result, 'not-applicable', 'BP_Landwirtschaft is not in the 6.0 XSD');
    assert.equal(byRule.get('4.1.1.1')?.result, 'passed');
    assert.equal(byRule.get('2.1.3.1')?.stage, 'geometry');
    assert.equal(byRule.get('2.1.3.1')?.result, 'passed');
    assert.equal(byRule.get('xsd')?.result, 'passed');
    const skipped = await validate(real('Osdorf48_Test_60.zip'), 'Osdorf48_Test_60.zip', { skipSemantic: true, skipFlaechenschluss: true });
    const s = new Map(skipped.rules!.map((x) => [x.rule, x]));
    assert.equal(s.get('4.1.1.1')?.result, 'not-checked');
    assert.match(s.get('4.1.1.1')?.reason ?? '', /skipSemantisch/);
    assert.equal(s.get('2.2.1.1')?.result, 'not-checked');
    assert.equal(s.get('2.2.3.1')?.result, 'passed');
  });
});
