// The rule language (schemas/xplanung-konformitaetsregel.schema.json) as the engine evaluates it:
// each condition form on the gateway's own 6.0 base plan (fixtures/xplanung/rules/base/6.0/bp.gml),
// through a table written for the test, so that what a table author writes is what runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { projectRoot } from '../../../src/core/paths.ts';
import { checkKonformitaet, MAX_FINDINGS_PER_RULE } from '../../../src/xplanung/konformitaet/engine.ts';
import { classModel } from '../../../src/xplanung/konformitaet/klassen.ts';
import { ruleTable, type RuleEntry } from '../../../src/xplanung/konformitaet/tables.ts';
import { DOCUMENT_OPTIONS, documentOf, treeOf } from '../../../src/xplanung/parse.ts';
import { structureOf } from '../../../src/xplanung/validate/structure.ts';
import { versionById } from '../../../src/xplanung/versions.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const BASE = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'rules', 'base', '6.0', 'bp.gml'), 'utf8');

let dir: string;
let n = 0;
/** Runs the entries as a 6.0 table over `xml`; gives the outcome of each rule and the findings. */
function run(entries: RuleEntry[], xml = BASE) {
  const version = `6.0`;
  const tableDir = join(dir, String(n++));
  mkdirSync(join(tableDir, version), { recursive: true });
  writeFileSync(join(tableDir, version, 'test.json'), JSON.stringify({ version, rules: entries }));
  const doc = XmlDocument.fromString(xml, { option: DOCUMENT_OPTIONS });
  try {
    const parsed = documentOf(treeOf(doc), versionById(version)!);
    const result = checkKonformitaet({ doc: parsed, structure: structureOf(parsed), table: ruleTable(version, tableDir), model: classModel(schemaDir, version), xml: Buffer.from(xml) });
    return { ...result, result: (id: string) => result.outcomes.find((o) => o.rule === id)?.result };
  } finally {
    doc.dispose();
  }
}
const rule = (id: string, extra: Partial<RuleEntry>): RuleEntry => ({ id, title: `Regel ${id}`, message: 'verletzt', ...extra });

describe('xplanung/konformitaet: the rule engine', () => {
  before(() => { dir = mkdtempSync(join(tmpdir(), 'regeln-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('abstract classes stand for their concrete subclasses; a rule with no instance in the plan is not applicable', () => {
    const r = run([
      rule('1.1', { for: ['BP_Flaechenschlussobjekt'], assert: { value: 'flaechenschluss', in: ['true'] } }),
      rule('1.2', { for: ['BP_Ueberlagerungsobjekt'], assert: { value: 'flaechenschluss', in: ['true'] } }),
      rule('1.3', { for: ['BP_WohngebaeudeFlaeche'], assert: { has: 'ebene' } }),
      rule('1.4', { for: ['BP_Landwirtschaft'], assert: { has: 'ebene' } }),
    ]);
    assert.equal(r.result('1.1'), 'passed');
    assert.equal(r.result('1.2'), 'failed');
    assert.deepEqual(r.findings.map((f) => [f.rule, f.gmlIds]), [['1.2', ['GML_bp_ueberbaubar']]]);
    assert.match(r.findings[0]!.message, /^BP_UeberbaubareGrundstuecksFlaeche „GML_bp_ueberbaubar“: verletzt$/);
    assert.ok((r.findings[0]!.line ?? 0) > 1);
    assert.equal(r.result('1.3'), 'not-applicable');
    assert.equal(r.outcomes.find((o) => o.rule === '1.4')?.reason, 'Keine der Klassen BP_Landwirtschaft gibt es in XPlanGML 6.0.');
  });

  it('where selects the instances; value compares codes and booleans (1/0 as true/false)', () => {
    const xml = BASE.replace('<xplan:flaechenschluss>false</xplan:flaechenschluss>', '<xplan:flaechenschluss>0</xplan:flaechenschluss>');
    const r = run([
      rule('2.1', { for: ['BP_Objekt'], where: { geometry: ['area'] }, assert: { has: 'flaechenschluss' } }),
      rule('2.2', { for: ['BP_Ueberlagerungsobjekt'], assert: { value: 'flaechenschluss', in: ['false'] } }),
      rule('2.3', { for: ['BP_Objekt'], where: { geometry: ['line'] }, assert: { geometry: ['point'] } }),
      rule('2.4', { for: ['BP_Objekt'], where: { geometry: ['point'] }, assert: { geometry: ['point'] } }),
    ], xml);
    assert.equal(r.outcomes.find((o) => o.rule === '2.1')?.checked, 3, 'the three areas');
    assert.equal(r.result('2.1'), 'passed');
    assert.equal(r.result('2.2'), 'passed', '0 is false');
    assert.deepEqual(r.findings.map((f) => f.gmlIds[0]), ['GML_bp_baugrenze']);
    assert.equal(r.result('2.4'), 'passed');
  });

  it('forms, exactlyOne, atMostOne, count and nonEmpty', () => {
    const add = (xml: string) => BASE.replace('<xplan:flaechenschluss>true</xplan:flaechenschluss>', `<xplan:flaechenschluss>true</xplan:flaechenschluss>${xml}`);
    const gfz = (xml: string) => run([
      rule('3.1', { for: ['BP_BaugebietsTeilFlaeche'], where: { any: [{ has: 'GFZ' }, { has: 'GFZmin' }, { has: 'GFZmax' }] }, assert: { forms: { among: ['GFZ', 'GFZmin', 'GFZmax'], allowed: [['GFZmin', 'GFZmax'], ['GFZ']] } } }),
      rule('3.2', { for: ['BP_BaugebietsTeilFlaeche'], assert: { atMostOne: ['GFZ', 'GRZ'] } }),
      rule('3.3', { for: ['BP_BaugebietsTeilFlaeche'], where: { has: 'GFZ' }, assert: { exactlyOne: ['GFZ', 'GRZ'] } }),
      rule('3.4', { for: ['BP_BaugebietsTeilFlaeche'], assert: { count: 'GFZmin', op: '<=', than: 'GFZmax' } }),
    ], add(xml));
    // the elements need not be in XSD order for the engine; the fixtures take care of that
    let r = gfz('<xplan:GFZmin>0.4</xplan:GFZmin><xplan:GFZmax>0.8</xplan:GFZmax>');
    assert.deepEqual([r.result('3.1'), r.result('3.2'), r.result('3.3'), r.result('3.4')], ['passed', 'passed', 'not-applicable', 'passed']);
    r = gfz('<xplan:GFZmin>0.4</xplan:GFZmin>');
    assert.deepEqual([r.result('3.1'), r.result('3.4')], ['failed', 'failed']);
    r = gfz('<xplan:GFZ>0.4</xplan:GFZ><xplan:GRZ>0.4</xplan:GRZ>');
    assert.deepEqual([r.result('3.1'), r.result('3.2'), r.result('3.3')], ['passed', 'failed', 'failed']);
    r = run([rule('3.5', { for: ['BP_Plan'], assert: { nonEmpty: 'name' } })], BASE.replace(/<xplan:name>[^<]*<\/xplan:name>/, '<xplan:name>  </xplan:name>'));
    assert.equal(r.result('3.5'), 'failed');
  });

  it('targets, is and refersBack follow xlink:href inside the document and name the target', () => {
    const r = run([
      rule('4.1', { for: ['BP_Plan'], assert: { targets: { relation: 'bereich', all: { is: ['BP_Bereich'] } } } }),
      rule('4.2', { for: ['BP_Bereich'], assert: { targets: { relation: 'gehoertZuPlan', all: { refersBack: 'bereich' } } } }),
      rule('4.3', { for: ['BP_Bereich'], assert: { targets: { relation: 'planinhalt', all: { is: ['BP_Linienobjekt'] } } } }),
    ]);
    assert.equal(r.result('4.1'), 'passed');
    assert.equal(r.result('4.2'), 'passed');
    assert.equal(r.result('4.3'), 'failed');
    const f = r.findings.find((x) => x.rule === '4.3')!;
    assert.equal(f.gmlIds[0], 'GML_bp_bereich');
    assert.ok(f.gmlIds.includes('GML_bp_flaeche_west') && !f.gmlIds.includes('GML_bp_baugrenze'), 'the targets that fail, not those that hold');
    assert.match(f.message, /„planinhalt“ verweist auf BP_BaugebietsTeilFlaeche „GML_bp_flaeche_west“/);
    const broken = run([rule('4.2', { for: ['BP_Bereich'], assert: { targets: { relation: 'gehoertZuPlan', all: { refersBack: 'bereich' } } } })],
      BASE.replace('<xplan:bereich xlink:href="#GML_bp_bereich"/>', '<xplan:bereich xlink:href="#GML_bp_flaeche_west"/>'));
    assert.equal(broken.result('4.2'), 'failed');
  });

  it('nested data types are subjects too, with their owner; inPlan and exists look at the plan', () => {
    const r = run([
      rule('5.1', { for: ['XP_Gemeinde'], assert: { any: [{ has: 'ags' }, { has: 'rs' }] } }),
      rule('5.2', { for: ['XP_Gemeinde'], assert: { ownerIs: ['FP_Plan'] } }),
      rule('5.3', { for: ['BP_BauGrenze'], assert: { inPlan: ['FP'] } }),
      rule('5.4', { for: ['BP_BauGrenze'], assert: { exists: { for: ['BP_Plan'], where: { has: 'gemeinde' } } } }),
      rule('5.5', { for: ['BP_BauGrenze'], assert: { exists: { for: ['FP_Plan'] } } }),
    ]);
    assert.deepEqual([r.result('5.1'), r.result('5.2'), r.result('5.3'), r.result('5.4'), r.result('5.5')], ['passed', 'failed', 'failed', 'passed', 'failed']);
    assert.match(r.findings.find((f) => f.rule === '5.2')!.message, /^BP_Plan „GML_bp_plan“, XP_Gemeinde: verletzt$/);
  });

  it('not, if/then and any explain only the branch that failed', () => {
    const r = run([
      rule('6.1', { for: ['BP_BaugebietsTeilFlaeche'], assert: { if: { value: 'ebene', in: ['0'] }, then: { value: 'flaechenschluss', in: ['true'] } } }),
      rule('6.2', { for: ['BP_BaugebietsTeilFlaeche'], assert: { not: { has: 'ebene' } } }),
      rule('6.3', { for: ['BP_Plan'], assert: { any: [{ targets: { relation: 'bereich', all: { is: ['FP_Bereich'] } } }, { has: 'name' }] } }),
    ]);
    assert.deepEqual([r.result('6.1'), r.result('6.2'), r.result('6.3')], ['passed', 'failed', 'passed']);
  });

  it('patterns and their parameters; builtins uom and no-xsi-type', () => {
    const xml = BASE.replace('<xplan:flaechenschluss>false</xplan:flaechenschluss>', '<xplan:flaechenschluss>false</xplan:flaechenschluss><!-- --><xplan:GRZ uom="qm">0.4</xplan:GRZ>')
      .replace('<xplan:XPlanAuszug ', '<xplan:XPlanAuszug xmlns:xi="http://www.w3.org/2001/XMLSchema-instance" ');
    const r = run([
      rule('7.1', { for: ['BP_Ueberlagerungsobjekt'], use: 'P-DET', with: { detail: 'GRZ', main: 'GFZ' }, message: undefined }),
      { id: '7.2', title: 'uom', builtin: 'uom', values: ['m', 'm2'] },
      { id: '7.3', title: 'xsi', builtin: 'no-xsi-type' },
      { id: '7.4', title: 'offen', notChecked: 'Bedingung nicht bekannt' },
    ], xml);
    assert.equal(r.result('7.1'), 'failed');
    assert.match(r.findings.find((f) => f.rule === '7.1')!.message, /„GRZ“ ist belegt, „GFZ“ aber nicht\.$/);
    assert.equal(r.result('7.2'), 'failed');
    assert.match(r.findings.find((f) => f.rule === '7.2')!.message, /uom="qm"/);
    assert.equal(r.result('7.3'), 'passed');
    assert.equal(r.result('7.4'), 'not-checked');
    const typed = run([{ id: '7.3', title: 'xsi', builtin: 'no-xsi-type' }], xml.replace('<xplan:BP_BauGrenze ', '<xplan:BP_BauGrenze xi:type="xplan:BP_BauGrenzeType" '));
    assert.equal(typed.result('7.3'), 'failed');
    assert.ok((typed.findings[0]!.line ?? 0) > 100);
  });

  it('a table entry that is not valid is refused with the rule named, never run half-checked', () => {
    assert.throws(() => run([rule('8.1', { for: ['BP_Plan'], assert: { hass: 'name' } as never })]), /6\.0 8\.1/);
    assert.throws(() => run([rule('8.2', { for: ['BP_Plan'], use: 'P-DET', with: { detail: 'x' } })]), /needs the parameter \$main/);
    assert.throws(() => run([rule('8.3', { for: ['BP_Plan'], assert: { has: 'name' } }), rule('8.3', { for: ['BP_Plan'], assert: { has: 'name' } })]), /8\.3 twice/);
  });

  it(`at most ${MAX_FINDINGS_PER_RULE} findings per rule, then one that counts the rest`, () => {
    const many = Array.from({ length: MAX_FINDINGS_PER_RULE + 5 }, (_, i) =>
      `<gml:featureMember><xplan:BP_BauGrenze gml:id="GML_x${i}"><xplan:rechtscharakter>1000</xplan:rechtscharakter></xplan:BP_BauGrenze></gml:featureMember>`).join('');
    const r = run([rule('9.1', { for: ['BP_BauGrenze'], assert: { has: 'position' } })], BASE.replace('</xplan:XPlanAuszug>', `${many}</xplan:XPlanAuszug>`));
    assert.equal(r.findings.length, MAX_FINDINGS_PER_RULE + 1);
    assert.match(r.findings.at(-1)!.message, /5 weitere Verstöße, hier nicht einzeln aufgeführt \(insgesamt 205\)/);
  });
});
