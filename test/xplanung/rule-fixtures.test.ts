// The gateway's own small fixtures (fixtures/xplanung/rules): a valid test plan, and that plan with exactly
// one change each. A file's name says the rule, the outcome and the change (<rule>--<fehler|warnung|
// ohne-befund>--<change>.gml); this test holds every file to its name, so the folder documents the rules
// with documents anyone can run against a validator.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { ruleList } from '../../src/xplanung/rules.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';

const DIR = join(projectRoot, 'fixtures', 'xplanung', 'rules');
const schemaDir = join(projectRoot, 'schemas', 'vendor');
const OUTCOMES: Record<string, 'error' | 'warning' | undefined> = { fehler: 'error', warnung: 'warning', 'ohne-befund': undefined };
const files = readdirSync(DIR).filter((f) => f.endsWith('.gml')).sort();
// these flat files are XPlanGML 6.0: their rule is a gateway rule or a Konformitätsregel of 6.0
const KNOWN = new Set(ruleList().filter((r) => !r.versions || r.versions.includes('6.0')).map((r) => r.rule));
const stageOf = (rule: string) => ruleList().find((r) => r.rule === rule)?.stage;

describe('fixtures/xplanung/rules: each file gives what its name says', function () {
  this.timeout(60_000);

  it('the folder holds the valid plan and a file for each kind of rule', () => {
    assert.ok(files.length >= 20, `${files.length} files`);
    assert.ok(files.includes('valide--ohne-befund--bebauungsplan-mit-flaechenschluss.gml'));
    for (const stage of ['safety', 'syntax', 'semantic', 'geometry']) {
      assert.ok(files.some((f) => stageOf(f.split('--')[0]!) === stage), `a fixture for the ${stage} stage`);
    }
  });

  for (const file of files) {
    const [rule, outcome, change] = file.replace(/\.gml$/, '').split('--');
    it(`${rule}, ${outcome}: ${change}`, async () => {
      assert.ok(rule === 'valide' || KNOWN.has(rule!), `${rule} is a rule of GET /xplanung/v1/rules (for 6.0)`);
      assert.ok(outcome! in OUTCOMES && change, `the name has the form <rule>--<fehler|warnung|ohne-befund>--<change>`);
      const { report } = await runValidationJob({ body: readFileSync(join(DIR, file)), contentType: 'application/gml+xml', schemaDir });
      const severity = OUTCOMES[outcome!];
      assert.equal(report.valid, severity !== 'error', JSON.stringify(report.findings));
      if (!severity) {
        assert.deepEqual(report.findings, []);
        return;
      }
      assert.ok(report.findings.some((f) => f.rule === rule && f.severity === severity), JSON.stringify(report.findings));
      // nothing else, but the gap where an object with a broken geometry lies, named as its consequence (an
      // error: the plans are 6.0, which allows no gaps)
      for (const f of report.findings.filter((x) => !(x.rule === rule && x.severity === severity))) {
        assert.equal(`${f.rule}/${f.severity}`, '2.2.1.1/error', f.message);
        assert.match(f.message, /Sie kann daher rühren, dass BP_BaugebietsTeilFlaeche „GML_testplan_west“ wegen eines Geometriefehlers \(siehe oben\) nicht in die Prüfung einging\.$/);
        assert.ok(f.gmlIds.includes('GML_testplan_west'));
      }
    });
  }
});
