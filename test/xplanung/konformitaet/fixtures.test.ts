// The fixtures of the Konformitätsregeln (fixtures/xplanung/rules/<version>/), made by
// scripts/rule-fixtures.ts from a base plan per plan type (base/<version>/) and the cases
// (cases/<version>/*.json): the files are what the generator makes now, the base plans give no finding,
// and each file gives what its name <rule>--<fehler|ohne-befund>--<change> says, in its version.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { projectRoot } from '../../../src/core/paths.ts';
import type { ValidationReport } from '../../../src/xplanung/report.ts';
import { runValidationJob } from '../../../src/xplanung/validate/job.ts';
import { applyEdits, compareWithDisk, FixtureError, generateAll, listBases, parseFixtureName, rulesDir } from '../../../scripts/rule-fixtures-lib.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const RULES = rulesDir(projectRoot);
const show = (path: string) => relative(projectRoot, path);

/** One entry of report.rules, which the lead adds to the report (every rule of the version with its result). */
interface RuleResult { rule: string; title?: string; stage?: string; result: string }

async function validate(body: string | Buffer): Promise<ValidationReport> {
  const { report } = await runValidationJob({ body: Buffer.from(body), contentType: 'application/gml+xml', schemaDir });
  return report;
}

function ruleEntry(report: ValidationReport, rule: string): RuleResult {
  const rules = (report as { rules?: RuleResult[] }).rules;
  assert.ok(Array.isArray(rules), 'the report has no array "rules" ({rule, title, stage, result} per rule of the version)');
  const entries = rules.filter((r) => r.rule === rule);
  assert.equal(entries.length, 1, `report.rules has ${entries.length} entries for ${rule}: ${JSON.stringify(entries)}`);
  return entries[0]!;
}

const findingsText = (report: ValidationReport) => JSON.stringify(report.findings.map((f) => `${f.rule}/${f.severity}/${f.stage}: ${f.message}`), null, 1);

describe('fixtures/xplanung/rules: the Konformitätsregeln fixtures (scripts/rule-fixtures.ts)', function () {
  this.timeout(120_000);

  let expected: Map<string, string>;
  let generationError: unknown;
  try {
    expected = generateAll(projectRoot);
  } catch (err) {
    generationError = err;
    expected = new Map();
  }

  it('the cases generate without error', () => {
    if (generationError) assert.fail((generationError as Error).message);
  });

  it('every generated file is on disk as the generator makes it now (node --import tsx scripts/rule-fixtures.ts)', () => {
    const drift = compareWithDisk(projectRoot, expected);
    const lines = [
      ...drift.missing.map((p) => `missing: ${show(p)}`),
      ...drift.differs.map((p) => `differs: ${show(p)}`),
      ...drift.stale.map((p) => `made by no case: ${show(p)}`),
    ];
    assert.deepEqual(lines, [], `regenerate with: node --import tsx scripts/rule-fixtures.ts\n${lines.join('\n')}`);
  });

  describe('the base plans: valid, without any finding', () => {
    const bases = listBases(projectRoot);
    it('there is a base plan for each plan type in 6.0 and 5.0 to 5.4', () => {
      for (const version of ['6.0', '5.4', '5.3', '5.2', '5.1', '5.0']) {
        for (const base of ['bp', 'fp', 'so', 'lp', 'rp']) {
          assert.ok(bases.some((b) => b.version === version && b.base === base), `base/${version}/${base}.gml`);
        }
      }
    });
    for (const { version, base, path } of bases) {
      it(`base/${version}/${base}.gml`, async () => {
        const report = await validate(readFileSync(path));
        assert.equal(report.version, version);
        assert.deepEqual(report.findings, [], findingsText(report));
        assert.equal(report.valid, true);
      });
    }
  });

  describe('each file gives what its name says', () => {
    for (const [path, content] of expected) {
      const version = basename(dirname(path));
      const name = basename(path, '.gml');
      it(`${version}/${name}`, async () => {
        const parsed = parseFixtureName(name);
        assert.ok(parsed, `the name has the form <rule>--<fehler|ohne-befund>--<change>`);
        const { rule, outcome } = parsed;
        const report = await validate(content);
        assert.equal(report.version, version, `the report's version is the folder's`);
        assert.deepEqual(report.findings.filter((f) => f.stage === 'syntax'), [], `no syntax finding: ${findingsText(report)}`);
        if (outcome === 'fehler') {
          assert.ok(report.findings.some((f) => f.rule === rule && f.severity === 'error'), `an error of ${rule}: ${findingsText(report)}`);
          assert.deepEqual(report.findings.filter((f) => f.rule !== rule), [], `only findings of ${rule}: ${findingsText(report)}`);
          assert.equal(ruleEntry(report, rule).result, 'failed', `report.rules: ${rule} failed`);
        } else {
          assert.deepEqual(report.findings, [], `no finding: ${findingsText(report)}`);
          assert.equal(report.valid, true);
          assert.equal(ruleEntry(report, rule).result, 'passed', `report.rules: ${rule} passed`);
        }
      });
    }
  });
});

describe('scripts/rule-fixtures-lib.ts: applyEdits', () => {
  const base = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- <xplan:nichtDa/> im Kommentar -->',
    '<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="A">',
    '  <gml:featureMember>',
    '    <xplan:BP_Plan gml:id="P">',
    '      <xplan:name>Plan mit &gt; und "x>y"</xplan:name>',
    '      <xplan:nummer>1</xplan:nummer>',
    '      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>05315000</xplan:ags></xplan:XP_Gemeinde></xplan:gemeinde>',
    '      <xplan:bereich xlink:href="#B"/>',
    '    </xplan:BP_Plan>',
    '  </gml:featureMember>',
    '  <gml:featureMember>',
    '    <xplan:BP_Bereich gml:id="B">',
    '      <xplan:nummer>0</xplan:nummer>',
    '      <xplan:gehoertZuPlan xlink:href="#P"/>',
    '    </xplan:BP_Bereich>',
    '  </gml:featureMember>',
    '</xplan:XPlanAuszug>',
    '',
  ].join('\n');

  it('inserts after and before a direct child, appends, replaces, removes, adds, with the rest unchanged', () => {
    const out = applyEdits(base, [
      { in: 'P', after: 'nummer', insert: '<xplan:beschreibung>b</xplan:beschreibung>' },
      { in: 'P', before: 'name', insert: '<xplan:x>1</xplan:x>' },
      { in: 'B', append: '<xplan:y>2</xplan:y>' },
      { in: 'B', replace: '<xplan:nummer>0</xplan:nummer>', by: '<xplan:nummer>7</xplan:nummer>' },
      { in: 'P', remove: 'bereich' },
      { add: '<xplan:BP_Bereich gml:id="C">\n  <xplan:nummer>1</xplan:nummer>\n</xplan:BP_Bereich>' },
    ], 'test');
    assert.equal(out, [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!-- <xplan:nichtDa/> im Kommentar -->',
      '<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="A">',
      '  <gml:featureMember>',
      '    <xplan:BP_Plan gml:id="P">',
      '      <xplan:x>1</xplan:x>',
      '      <xplan:name>Plan mit &gt; und "x>y"</xplan:name>',
      '      <xplan:nummer>1</xplan:nummer>',
      '      <xplan:beschreibung>b</xplan:beschreibung>',
      '      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>05315000</xplan:ags></xplan:XP_Gemeinde></xplan:gemeinde>',
      '    </xplan:BP_Plan>',
      '  </gml:featureMember>',
      '  <gml:featureMember>',
      '    <xplan:BP_Bereich gml:id="B">',
      '      <xplan:nummer>7</xplan:nummer>',
      '      <xplan:gehoertZuPlan xlink:href="#P"/>',
      '      <xplan:y>2</xplan:y>',
      '    </xplan:BP_Bereich>',
      '  </gml:featureMember>',
      '  <gml:featureMember>',
      '    <xplan:BP_Bereich gml:id="C">',
      '      <xplan:nummer>1</xplan:nummer>',
      '    </xplan:BP_Bereich>',
      '  </gml:featureMember>',
      '</xplan:XPlanAuszug>',
      '',
    ].join('\n'));
  });

  it('an anchor that is not there, or not unique, is an error naming the case', () => {
    const fails = (edits: Parameters<typeof applyEdits>[1], message: RegExp) =>
      assert.throws(() => applyEdits(base, edits, 'mein-fall'), (err: Error) => err instanceof FixtureError && /mein-fall/.test(err.message) && message.test(err.message));
    fails([{ in: 'X', remove: 'nummer' }], /kein Objekt mit gml:id „X“/);
    fails([{ in: 'P', after: 'nichtDa', insert: '<a/>' }], /kein direktes Kindelement „nichtDa“/);
    // only direct children count: the ags inside the Gemeinde is no anchor of the plan
    fails([{ in: 'P', remove: 'ags' }], /kein direktes Kindelement „ags“/);
    // only features (directly in a gml:featureMember) are found by their gml:id, not the root
    fails([{ in: 'A', remove: 'featureMember' }], /kein Objekt mit gml:id „A“/);
    fails([{ in: 'P', replace: 'gibt es nicht', by: 'x' }], /kommt in xplan:BP_Plan „P“ nicht vor/);
    fails([{ add: '<xplan:BP_Bereich gml:id="P"/>' }, { in: 'P', remove: 'name' }], /2 Objekte mit gml:id „P“/);
    fails([{ in: 'P', append: '<xplan:offen>' }], /wird nicht geschlossen/);
    fails([{ in: 'P', remove: 'name', insert: 'x' } as never], /unbekannte Form/);
  });

  it('the names of the fixtures have the form <rule>--<fehler|ohne-befund>--<change>', () => {
    assert.deepEqual(parseFixtureName('4.1.1.1--fehler--plan-verweist-auf-flaeche'), { rule: '4.1.1.1', outcome: 'fehler', change: 'plan-verweist-auf-flaeche' });
    assert.deepEqual(parseFixtureName('datum-konsistenz--ohne-befund--x.gml'), { rule: 'datum-konsistenz', outcome: 'ohne-befund', change: 'x' });
    for (const bad of ['4.1.1.1--warnung--x', '4.1.1.1--fehler--Gross', '4.1.1.1--fehler', '4.1.1.1--fehler--a--b', '--fehler--x']) {
      assert.equal(parseFixtureName(bad), undefined, bad);
    }
  });

  it('the rules folder is fixtures/xplanung/rules', () => {
    assert.equal(show(RULES), join('fixtures', 'xplanung', 'rules'));
  });
});
