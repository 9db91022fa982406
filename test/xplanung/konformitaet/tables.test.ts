// The rule tables against the official lists: every rule id of every version, under its exact number
// and title as xPlanBox lists them (read from ../shared/reference/xplanung-konformitaetsregeln.md,
// which has them per version), each table valid against its schema, and every class and attribute a
// condition names declared in that version's XSD.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../../src/core/paths.ts';
import { readShared } from '../../helpers/shared.ts';
import { tableProblems } from '../../../src/xplanung/konformitaet/check.ts';
import { classModel } from '../../../src/xplanung/konformitaet/klassen.ts';
import { compareIds, ruleTable } from '../../../src/xplanung/konformitaet/tables.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');

/** id → title of one version, from the reference's table for it. */
function officialList(version: string): Map<string, string> {
  const md = readShared('reference', 'xplanung-konformitaetsregeln.md').toString('utf8');
  const heading = version === '6.0' ? /^## 2 XPlanGML 6\.0/m : version === '5.4' ? /^## 3 XPlanGML 5\.4/m : new RegExp(`^### XPlanGML ${version.replace('.', '\\.')}:`, 'm');
  const start = md.search(heading);
  assert.ok(start >= 0, `the reference has a table for ${version}`);
  const rest = md.slice(md.indexOf('\n', start) + 1);
  const end = rest.search(/^##/m);
  const section = end >= 0 ? rest.slice(0, end) : rest;
  const out = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| ([0-9]+(?:\.[0-9]+)+) \| (.*?) \|/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

// the counts the reference gives per version (§1)
const COUNTS: Record<string, number> = { '4.1': 234, '5.0': 176, '5.1': 182, '5.2': 189, '5.3': 193, '5.4': 196, '6.0': 194 };

// classes or attributes the reference itself names as absent from the version's XSD (§4 "Rule ids whose class is absent")
const ABSENT: Record<string, string[]> = {
  '6.0': ['class BP_Landwirtschaft', 'class SO_SchutzgebietSonstigesRecht', 'class LP_Flaechenobjekt', 'class LP_Linienobjekt', '4.8.2.3: attribute detaillierteZweckbestimmung'],
  '5.4': ['class LP_RasterplanAenderung', 'attribute rasterAenderung', 'class LP_SchutzgebietInternatRecht'],
};

describe('xplanung/konformitaet: the rule tables', function () {
  this.timeout(60_000);

  for (const version of Object.keys(COUNTS)) {
    it(`${version}: every official rule id, exactly once, under its official title`, () => {
      const official = officialList(version);
      assert.equal(official.size, COUNTS[version], `the reference lists ${COUNTS[version]} ids for ${version}`);
      const table = ruleTable(version);
      const ids = table.rules.map((r) => r.id);
      assert.deepEqual(ids, [...official.keys()].sort(compareIds), 'the same ids, in numeric order');
      for (const r of table.rules) assert.equal(r.title, official.get(r.id), `${version} ${r.id}: the official title, verbatim`);
    });

    it(`${version}: valid against the schema, every name of a condition declared in the ${version} XSD`, () => {
      const { errors, unknownNames } = tableProblems(schemaDir, version);
      assert.deepEqual(errors, []);
      const unexplained = unknownNames.filter((u) => !(ABSENT[version] ?? []).some((a) => u === a || u.endsWith(`: ${a}`)));
      assert.deepEqual(unexplained, [], 'a name the XSD does not declare is a typo, unless the reference says the class is gone');
    });
  }

  it('6.0 and 5.4: most rules are checked; each one that is not says why', () => {
    for (const version of ['6.0', '5.4']) {
      const rules = ruleTable(version).rules;
      const notChecked = rules.filter((r) => r.kind === 'not-checked');
      assert.ok(notChecked.length <= rules.length / 10, `${version}: ${notChecked.length} of ${rules.length} not checked`);
      for (const r of notChecked) assert.ok(r.kind === 'not-checked' && r.reason.length >= 10, `${version} ${r.id}: a reason`);
    }
    // the ones the reference says cannot be recovered from the available material are not guessed
    for (const id of ['2.1.4', '3.2.1.2', '4.5.1.7', '5.3.1.6', '8.1.5.2', '8.8.1.2.3']) {
      assert.equal(ruleTable('6.0').rules.find((r) => r.id === id)?.kind, 'not-checked', `6.0 ${id}`);
    }
  });

  it('6.1.3.4–6.1.3.16 (6.0) are the SO_Objekt relations under the official numbers, not in XSD order', () => {
    const attributeOf = (id: string) => {
      const r = ruleTable('6.0').rules.find((x) => x.id === id);
      assert.ok(r && r.kind === 'condition', id);
      return JSON.stringify(r.where);
    };
    const expected: Record<string, string> = {
      '6.1.3.4': 'wirdAusgeglichenDurchBPMassnahme', '6.1.3.5': 'wirdAusgeglichenDurchBPSPEMassnahme', '6.1.3.6': 'wirdAusgeglichenDurchBPABE',
      '6.1.3.7': 'wirdAusgeglichenDurchBPSPEFlaeche', '6.1.3.8': 'wirdAusgeglichenDurchBPFlaeche', '6.1.3.9': 'wirdAusgeglichenDurchFPSPE',
      '6.1.3.10': 'wirdAusgeglichenDurchFPFlaeche', '6.1.3.11': 'zusatzkontingent', '6.1.3.12': 'richtungssektorGrenze',
      '6.1.3.13': 'zusatzkontingentFlaeche', '6.1.3.14': 'laermkontingent', '6.1.3.16': 'vonGenehmigungAusgenommen',
    };
    for (const [id, attribute] of Object.entries(expected)) assert.equal(attributeOf(id), JSON.stringify({ has: attribute }), id);
  });
});

describe('xplanung/konformitaet: the class model read from the XSD', () => {
  // Appendix A of the reference: the concrete subclasses, read there from the same XSDs
  it('6.0: Flächenschluss-, Überlagerungs- and Punktobjekte as the reference lists them', () => {
    const m = classModel(schemaDir, '6.0');
    assert.deepEqual([...m.concrete('BP_Flaechenschlussobjekt')].sort(), ['BP_BaugebietsTeilFlaeche', 'BP_FlaecheOhneFestsetzung', 'BP_GemeinbedarfsFlaeche', 'BP_GruenFlaeche', 'BP_KleintierhaltungFlaeche', 'BP_LandwirtschaftsFlaeche', 'BP_SpielSportanlagenFlaeche', 'BP_WaldFlaeche', 'BP_WohngebaeudeFlaeche']);
    assert.deepEqual([...m.concrete('FP_Flaechenschlussobjekt')].sort(), ['FP_BebauungsFlaeche', 'FP_FlaecheOhneDarstellung', 'FP_WaldFlaeche']);
    assert.deepEqual([...m.concrete('BP_Punktobjekt')].sort(), ['BP_EinfahrtPunkt', 'BP_ZusatzkontingentLaerm']);
    assert.deepEqual([...m.concrete('SO_Flaechenobjekt')].sort(), ['SO_Gebiet', 'SO_Sichtflaeche', 'SO_TextAbschnittFlaeche']);
    assert.equal(m.concrete('LP_Flaechenobjekt').size, 0, 'not in the 6.0 XSD');
    assert.equal(m.concrete('FP_Linienobjekt').size, 0, 'abstract, no concrete subclass');
    assert.ok(m.isA('BP_BaugebietsTeilFlaeche', 'XP_Objekt'));
    assert.deepEqual([...m.concrete('XP_TextAbschnitt')], ['XP_TextAbschnitt']);
  });

  it('5.4: the TextAbschnitt classes of every plan type, the Überlagerungsobjekte of the FPlan', () => {
    const m = classModel(schemaDir, '5.4');
    assert.deepEqual([...m.concrete('XP_TextAbschnitt')].sort(), ['BP_TextAbschnitt', 'FP_TextAbschnitt', 'LP_TextAbschnitt', 'RP_TextAbschnitt', 'SO_TextAbschnitt']);
    assert.deepEqual([...m.concrete('FP_Ueberlagerungsobjekt')].sort(), ['FP_NutzungsbeschraenkungsFlaeche', 'FP_TextlicheDarstellungsFlaeche', 'FP_ZentralerVersorgungsbereich']);
    assert.equal(m.concrete('BP_Ueberlagerungsobjekt').size, 21);
  });
});
