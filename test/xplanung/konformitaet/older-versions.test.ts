// 5.0–5.3 carry most rules of 5.4 unchanged ("sameAs": "5.4" in their tables). Their fixtures are the 5.4
// cases (fixtures/xplanung/rules/cases/5.4/) applied to the base plans of the older version
// (fixtures/xplanung/rules/base/<version>/), in memory: the same edits, the version's own namespace and
// XSD. Each such plan must give what its name says in that version, as the generated 5.4 files do in 5.4.
// A case whose edit uses an element the older XSD does not have (5.4 added it) fails the XSD there and
// proves nothing: those are counted and named, and must stay few.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, basePath, FixtureError, loadCases, rulesDir } from '../../../scripts/rule-fixtures-lib.ts';
import { projectRoot } from '../../../src/core/paths.ts';
import { readEntries } from '../../../src/xplanung/konformitaet/tables.ts';
import { runValidationJob } from '../../../src/xplanung/validate/job.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const RULES = rulesDir(projectRoot);
const cases54 = loadCases(RULES).filter((c) => c.version === '5.4');

describe('xplanung/konformitaet: the 5.4 cases in 5.0–5.3, for the rules those versions share with 5.4', function () {
  this.timeout(300_000);

  for (const version of ['5.3', '5.2', '5.1', '5.0']) {
    it(`${version}: every case of a sameAs rule gives what its name says (or its edit is not ${version} XPlanGML)`, async () => {
      const shared = new Set(readEntries(version).filter((e) => e.sameAs === '5.4').map((e) => e.id));
      const wrong: string[] = [];
      const notThisVersion: string[] = [];
      let checked = 0;
      for (const c of cases54) {
        const [rule, outcome] = c.file.split('--') as [string, string];
        if (!shared.has(rule)) continue;
        const base = readFileSync(basePath(RULES, version, c.base), 'utf8');
        let xml: string;
        try {
          xml = applyEdits(base, c.edits, c.file);
        } catch (err) {
          // an anchor the older base has not (5.0's SO_Plan has no gemeinde): not this version's plan
          if (!(err instanceof FixtureError)) throw err;
          notThisVersion.push(c.file);
          continue;
        }
        const { report } = await runValidationJob({ body: Buffer.from(xml), contentType: 'application/gml+xml', schemaDir });
        assert.equal(report.version, version, c.file);
        if (report.findings.some((f) => f.stage === 'syntax')) { notThisVersion.push(c.file); continue; }
        checked++;
        const result = report.rules?.find((r) => r.rule === rule)?.result;
        const others = report.findings.filter((f) => f.rule !== rule);
        if (outcome === 'fehler' ? result !== 'failed' || others.length > 0 : result !== 'passed' || report.findings.length > 0) {
          wrong.push(`${c.file}: ${result}; ${report.findings.map((f) => `${f.rule}: ${f.message}`).join(' | ')}`);
        }
      }
      assert.deepEqual(wrong, [], `${version}: cases that do not give what their name says`);
      assert.ok(checked >= 250, `${version}: ${checked} cases checked`);
      assert.ok(notThisVersion.length <= 20, `${version}: ${notThisVersion.length} cases use elements the ${version} XSD lacks: ${notThisVersion.join(', ')}`);
    });
  }
});
