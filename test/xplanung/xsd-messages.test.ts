// The syntax stage in German: libxml2's messages on real plans made invalid in the ways planning
// software and hand edits break them, checked against the official XSD (no mocks); the object each
// error lies in; and libxml2's message templates that a mutation does not easily reach.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import type { Finding } from '../../src/xplanung/report.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';
import { germanParseMessage, germanXsdMessage, shortName, syntaxFinding } from '../../src/xplanung/validate/xsd-messages.ts';
import { describeShared } from '../helpers/shared.ts';
import { real } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const PLAN = real('xplan60_Aenderungsplan_valide.gml').toString('utf8');
const BP_PLAN = 'GML_9ee7445b-a079-403e-8717-cbc0dd9687ee';
const BAUGEBIET = 'GML_1dd3969f-1703-4c63-ab27-88b2bb10e090';
const PPO = 'GML_a8f3211c-d3f2-4170-bf66-b36198fb0b8d';

/** The syntax findings of the real plan with `from` replaced by `to`. */
async function syntaxOf(from: string, to: string, source = PLAN): Promise<Finding[]> {
  assert.ok(source.includes(from), `the plan contains ${from}`);
  const { report } = await runValidationJob({ body: Buffer.from(source.replace(from, to)), contentType: 'application/gml+xml', schemaDir, skipGeometry: true });
  assert.equal(report.valid, false);
  return report.findings.filter((f) => f.stage === 'syntax');
}

async function onlySyntax(from: string, to: string, source?: string): Promise<Finding> {
  const found = await syntaxOf(from, to, source);
  assert.equal(found.length, 1, JSON.stringify(found));
  return found[0]!;
}

describeShared('xplanung/validate/xsd-messages: syntax findings a planner understands', function () {
  this.timeout(60_000);

  it('the real plan with a syntax error: the element as xplan:…, the name probably meant, the object, and libxml2 original', async () => {
    const { report } = await runValidationJob({ body: real('BP_6.0_syntaxErrors.gml'), contentType: 'application/gml+xml', schemaDir });
    const [f] = report.findings;
    assert.equal(report.findings.length, 1);
    assert.equal(f!.rule, 'xsd');
    assert.equal(f!.line, 46);
    assert.equal(f!.message, 'Im Objekt BP_Plan: „xplan:planArtCode“ ist an dieser Stelle nicht erlaubt. Erwartet wird eines von: xplan:gemeinde, xplan:planaufstellendeGemeinde, xplan:plangeber, xplan:planArt. Ist „xplan:planArt“ gemeint?');
    assert.deepEqual(f!.gmlIds, ['GML_bf2168c4-c292-4340-bc50-7a2aa2cab5be']);
    assert.match(f!.detail!, /^Element '\{http:\/\/www\.xplanung\.de\/xplangml\/6\/0\}planArtCode': This element is not expected\./);
  });

  it('a code that is not in the enumeration lists the allowed codes with their names from the schema', async () => {
    const f = await onlySyntax('<xplan:planArt>1000</xplan:planArt>', '<xplan:planArt>1234</xplan:planArt>');
    assert.equal(f.message, 'Im Objekt BP_Plan: „xplan:planArt“ hat den Wert „1234“, der keiner der zulässigen Codes ist. Zulässig: 1000 (BPlan), 10000 (EinfacherBPlan), ' +
      '10001 (QualifizierterBPlan), 10002 (BebauungsplanZurWohnraumversorgung), 3000 (VorhabenbezogenerBPlan), 3100 (VorhabenUndErschliessungsplan), 4000 (InnenbereichsSatzung), ' +
      '40000 (KlarstellungsSatzung), 40001 (EntwicklungsSatzung), 40002 (ErgaenzungsSatzung), 5000 (AussenbereichsSatzung), 7000 (OertlicheBauvorschrift), 9999 (Sonstiges).');
    assert.deepEqual(f.gmlIds, [BP_PLAN]);
    assert.equal(f.line, 42);
  });

  it('values of built-in types say what the type allows: boolean, date, integer, decimal comma, number list', async () => {
    assert.equal((await onlySyntax('<xplan:flaechenschluss>true</xplan:flaechenschluss>', '<xplan:flaechenschluss>ja</xplan:flaechenschluss>')).message,
      'Im Objekt BP_BaugebietsTeilFlaeche: „xplan:flaechenschluss“ hat den Wert „ja“; erlaubt ist „true“ oder „false“.');
    const date = await syntaxOf('<xplan:erstellungsMassstab>', '<xplan:technHerstellDatum>31.12.2020</xplan:technHerstellDatum><xplan:erstellungsMassstab>');
    assert.equal(date[0]!.message, 'Im Objekt BP_Plan: „xplan:technHerstellDatum“ hat den Wert „31.12.2020“; erlaubt ist ein Datum in der Form JJJJ-MM-TT, z. B. 2024-03-31.');
    assert.equal((await onlySyntax('<xplan:ebene>0</xplan:ebene>', '<xplan:ebene>null</xplan:ebene>')).message,
      'Im Objekt BP_BaugebietsTeilFlaeche: „xplan:ebene“ hat den Wert „null“; erlaubt ist eine ganze Zahl.');
    const comma = await onlySyntax('<xplan:skalierung>1.0</xplan:skalierung>', '<xplan:skalierung>1,0</xplan:skalierung>');
    assert.equal(comma.message, 'Im Objekt XP_PPO: „xplan:skalierung“ hat den Wert „1,0“; erlaubt ist eine Zahl mit Punkt als Dezimaltrennzeichen, z. B. 12.5.');
    assert.deepEqual(comma.gmlIds, [PPO]);
    const pos = await syntaxOf('<gml:pos>563306.110 5929154.854</gml:pos>', '<gml:pos>563306.110 abc</gml:pos>');
    assert.ok(pos.some((f) => f.message === 'Im Objekt XP_PPO: „gml:pos“ hat den Wert „563306.110 abc“; erlaubt ist eine Liste von Zahlen mit Punkt als Dezimaltrennzeichen, durch Leerzeichen getrennt.'));
  });

  it('a missing element, a misspelt one, one out of order', async () => {
    const missing = await onlySyntax('<xplan:name>Original60_test(1Aend)</xplan:name>', '');
    assert.equal(missing.message, 'Im Objekt BP_Plan: „xplan:beschreibung“ ist an dieser Stelle nicht erlaubt. Erwartet wird „xplan:name“: fehlt dieses Pflichtelement, oder stehen die Elemente in anderer Reihenfolge als im Schema?');
    const typo = await onlySyntax('<xplan:name>Original60_test(1Aend)</xplan:name>', '<xplan:Name>Original60_test(1Aend)</xplan:Name>');
    assert.equal(typo.message, 'Im Objekt BP_Plan: „xplan:Name“ ist an dieser Stelle nicht erlaubt. Erwartet wird „xplan:name“: ist es gemeint?');
    const unknown = await onlySyntax('<xplan:beschreibung>test</xplan:beschreibung>', '<xplan:beschreibung>test</xplan:beschreibung><xplan:foo>1</xplan:foo>');
    assert.match(unknown.message, /^Im Objekt BP_Plan: „xplan:foo“ ist an dieser Stelle nicht erlaubt\. Erwartet wird eines von: xplan:kommentar, xplan:technHerstellDatum, .*, xplan:bezugshoehe, …\. Die Elemente eines Objekts stehen in der Reihenfolge des Schemas\.$/,
      'libxml2 names ten expected elements at most: the list says it goes on');
  });

  it('a missing first element of an object names it, not only the GML properties any object may start with', async () => {
    const file = join(projectRoot, 'fixtures', 'xplanung', 'rules', 'xsd--fehler--pflichtelement-fehlt.gml');
    const { report } = await runValidationJob({ body: readFileSync(file), contentType: 'application/gml+xml', schemaDir });
    assert.equal(report.findings[0]!.message, 'Im Objekt BP_Bereich: „xplan:planinhalt“ ist an dieser Stelle nicht erlaubt. Erwartet wird „xplan:nummer“ ' +
      '(oder davor eines der GML-Elemente gml:description, gml:descriptionReference, gml:identifier, gml:name, gml:boundedBy): fehlt dieses Pflichtelement, oder stehen die Elemente in anderer Reihenfolge als im Schema?');
    assert.deepEqual(report.findings[0]!.gmlIds, ['GML_testplan_bereich']);
  });

  it('attributes: not allowed, required but missing', async () => {
    assert.equal((await onlySyntax('<xplan:ebene>0</xplan:ebene>', '<xplan:ebene foo="1">0</xplan:ebene>')).message,
      'Im Objekt BP_BaugebietsTeilFlaeche: Das Attribut „foo“ ist an „xplan:ebene“ nicht erlaubt.');
    assert.equal((await onlySyntax('<xplan:drehwinkel uom="grad">', '<xplan:drehwinkel>')).message,
      'Im Objekt XP_PPO: An „xplan:drehwinkel“ fehlt das Pflichtattribut „uom“.');
  });

  it('a gml:id used twice is told apart from one of the wrong form', async () => {
    const twice = await onlySyntax('gml:id="GML_5537fecb-034e-46ea-970b-4b73f2eb8031"', 'gml:id="GML_a4069ab8-6ccc-4cff-bfdd-31b424bda705"');
    assert.equal(twice.message, 'Im Objekt XP_PPO: Die gml:id „GML_a4069ab8-6ccc-4cff-bfdd-31b424bda705“ von „gml:Point“ ist im Dokument mehrfach vergeben; jede gml:id muss eindeutig sein.');
    const form = await onlySyntax('gml:id="GML_5537fecb-034e-46ea-970b-4b73f2eb8031"', 'gml:id="5537fecb"');
    assert.match(form.message, /Die gml:id „5537fecb“ von „gml:Point“ ist keine gültige Kennung: sie muss mit einem Buchstaben oder „_“ beginnen/);
  });

  it('text where only child elements may stand', async () => {
    assert.equal((await onlySyntax('<xplan:startBedingung />', '<xplan:startBedingung>abc</xplan:startBedingung>')).message,
      'Im Objekt BP_BaugebietsTeilFlaeche: „xplan:startBedingung“ darf keinen Text enthalten, nur Unterelemente.');
  });

  it('an error on an object\'s own start tag names no object twice', async () => {
    const f = await onlySyntax('<xplan:XP_PPO gml:id', '<xplan:XP_Foo gml:id', PLAN.replace('</xplan:XP_PPO>', '</xplan:XP_Foo>'));
    assert.match(f.message, /^„xplan:XP_Foo“ ist an dieser Stelle nicht erlaubt\. Erwartet wird eines von: gml:AbstractFeature, /);
    assert.deepEqual(f.gmlIds, [PPO]);
  });

  it('gml:featureMembers, which XPlanung\'s GML profile does not allow, is told so', async () => {
    const members = PLAN.replace(/<\/gml:featureMember>\s*<gml:featureMember>/g, '').replace('<gml:featureMember>', '<gml:featureMembers>').replace('</gml:featureMember>', '</gml:featureMembers>');
    const f = await onlySyntax('<xplan:ebene>0</xplan:ebene>', '<xplan:ebene>null</xplan:ebene>', members);
    assert.equal(f.message, '„gml:featureMembers“ ist an dieser Stelle nicht erlaubt. Erwartet wird „gml:featureMember“: ist es gemeint?');
    assert.deepEqual(f.gmlIds, [], 'outside every object');
  });

  it('an error in an object found among many: the object it lies in, by line', async () => {
    const f = await onlySyntax('<xplan:ebene>0</xplan:ebene>', '<xplan:ebene>null</xplan:ebene>');
    assert.deepEqual(f.gmlIds, [BAUGEBIET]);
    const g = await onlySyntax('<xplan:art>besondereArtDerBaulNutzung</xplan:art>', '<xplan:art>besondereArtDerBaulNutzung</xplan:art><xplan:art2/>');
    assert.deepEqual(g.gmlIds, [PPO]);
  });

  it('well-formedness errors in German, with the original as detail', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['</xplan:beschreibung>', '</xplan:beschreibungX>', /^Das Element „beschreibung“ aus Zeile 19 wird mit „beschreibungX“ geschlossen: Start- und End-Tag passen nicht zusammen\.$/],
      ['<xplan:beschreibung>test', '<xplan:beschreibung>Wohnen & Arbeiten', /^Ein „&“ im Text muss als „&amp;“ geschrieben werden\.$/],
      ['<xplan:beschreibung>test', '<xplan:beschreibung>a < b', /^Ein „<“ im Text muss als „&lt;“ geschrieben werden/],
      ['<xplan:ebene>0</xplan:ebene>', '<foo:ebene>0</foo:ebene>', /^Das Präfix „foo“ von „ebene“ ist keinem Namensraum zugeordnet \(xmlns:foo fehlt\)\.$/],
      ['<xplan:drehwinkel uom="grad">', '<xplan:drehwinkel uom="grad" uom="x">', /^Das Attribut „uom“ steht zweimal an einem Element\.$/],
    ];
    for (const [from, to, expected] of cases) {
      const [f] = await syntaxOf(from, to);
      assert.equal(f!.rule, 'xml');
      assert.match(f!.message, expected);
      assert.ok(f!.detail && !/[„“]/.test(f!.detail), 'libxml2 original message is kept');
    }
    // one missing pair of quotes: libxml2 reads on and reports what follows from it, said as such
    const quotes = await syntaxOf('<xplan:drehwinkel uom="grad">', '<xplan:drehwinkel uom=grad>');
    assert.equal(quotes[0]!.message, 'Der Wert eines Attributs steht nicht in Anführungszeichen.');
    assert.ok(quotes.length > 1 && quotes.slice(1).every((f) => f.message.endsWith(' (Möglicherweise eine Folge des ersten Fehlers.)')));
    const truncated = await syntaxOf(PLAN, PLAN.slice(0, 3000));
    assert.match(truncated[0]!.message, /^Die Datei endet, bevor das Element „Envelope“ aus Zeile 54 geschlossen ist\./);
    const latin1 = Buffer.from(PLAN.replace(/^\uFEFF/, '').replace('<xplan:beschreibung>test', '<xplan:beschreibung>Grün'), 'latin1');
    const { report } = await runValidationJob({ body: latin1, contentType: 'application/gml+xml', schemaDir });
    assert.match(report.findings[0]!.message, /^Das Dokument enthält Bytes, die in seiner Kodierung ungültig sind\./);
  });

  it('300 broken objects: the first 200 findings, each naming its own object, and a warning that 100 more were left out', async () => {
    const base = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'rules', 'valide--ohne-befund--bebauungsplan-mit-flaechenschluss.gml'), 'utf8');
    const start = base.indexOf('  <gml:featureMember>\n    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_testplan_west">');
    const end = base.indexOf('</gml:featureMember>', start) + '</gml:featureMember>\n'.length;
    const broken = base.slice(start, end).replace('<xplan:ebene>0</xplan:ebene>', '<xplan:ebene>null</xplan:ebene>');
    const doc = base.slice(0, end) + Array.from({ length: 300 }, (_, i) => broken.replaceAll('GML_testplan_west', `GML_kopie_${i}`)).join('') + base.slice(end);
    const { report } = await runValidationJob({ body: Buffer.from(doc), contentType: 'application/gml+xml', schemaDir });
    assert.equal(report.findings.length, 201);
    report.findings.slice(0, 200).forEach((f, i) => {
      assert.equal(f.rule, 'xsd');
      assert.deepEqual(f.gmlIds, [`GML_kopie_${i}`]);
    });
    const last = report.findings[200]!;
    assert.equal(`${last.rule}/${last.severity}`, 'xsd/warning');
    assert.match(last.message, /^100 weitere Syntaxfehler ausgelassen; gezeigt werden die ersten 200\./);
  });

  it('names in the namespaces of XPlanGML get their usual prefixes; others stay whole', () => {
    assert.equal(shortName('{http://www.xplanung.de/xplangml/5/4}BP_Plan'), 'xplan:BP_Plan');
    assert.equal(shortName('{http://www.opengis.net/gml/3.2}posList'), 'gml:posList');
    assert.equal(shortName('{http://www.w3.org/1999/xlink}href'), 'xlink:href');
    assert.equal(shortName('{urn:example}x'), '{urn:example}x');
    assert.equal(shortName('plain'), 'plain');
  });

  // libxml2's templates (xmlschemas.c) that the XPlanung schemas rarely reach with a one-line change
  it('the other templates of libxml2', () => {
    const x = '{http://www.xplanung.de/xplangml/6/0}';
    assert.equal(germanXsdMessage(`Element '${x}BP_Bereich': Missing child element(s). Expected is ( ${x}nummer ).`), 'In „xplan:BP_Bereich“ fehlt das Pflichtelement „xplan:nummer“.');
    assert.equal(germanXsdMessage(`Element '${x}XP_Gemeinde': Missing child element(s). Expected is one of ( ${x}ags, ${x}rs ).`), 'In „xplan:XP_Gemeinde“ fehlt ein Pflichtelement, eines von: xplan:ags, xplan:rs.');
    assert.equal(germanXsdMessage(`Element '${x}ags': [facet 'pattern'] The value '1234' is not accepted by the pattern '[0-9]{8}'.`), '„xplan:ags“ hat den Wert „1234“, der nicht dem vorgeschriebenen Muster „[0-9]{8}“ entspricht.');
    assert.equal(germanXsdMessage(`Element '${x}GRZ': [facet 'minInclusive'] The value '-1' is less than the minimum value allowed ('0').`), '„xplan:GRZ“ hat den Wert „-1“; der kleinste zulässige Wert ist 0.');
    assert.equal(germanXsdMessage(`Element '${x}GRZ': [facet 'maxExclusive'] The value '2' must be less than '1'.`), '„xplan:GRZ“ hat den Wert „2“; er muss kleiner als 1 sein.');
    assert.equal(germanXsdMessage(`Element '${x}nummer': [facet 'maxLength'] The value has a length of '300'; this exceeds the allowed maximum length of '256'.`), '„xplan:nummer“ hat die Länge 300; erlaubt ist höchstens 256.');
    assert.equal(germanXsdMessage(`Element '${x}BP_Plan', attribute 'x': [facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum length of '1'.`), 'Das Attribut „x“ von „xplan:BP_Plan“ hat die Länge 0; erlaubt ist mindestens 1.');
    assert.equal(germanXsdMessage(`Element '${x}Foo': No matching global declaration available for the validation root.`), 'Das Wurzelelement „xplan:Foo“ ist im XML-Schema nicht deklariert.');
    assert.equal(germanXsdMessage(`Element '${x}refScan': Character content is not allowed, because the content type is empty.`), '„xplan:refScan“ muss leer sein.');
    assert.equal(germanXsdMessage('Element \'x\': Something libxml2 may say one day.'), undefined);
    assert.equal(germanParseMessage('Something else'), undefined);
  });

  it('a message of unknown form keeps libxml2 text, names shortened, and needs no detail', () => {
    const f = syntaxFinding({ kind: 'schema', message: "Element '{http://www.xplanung.de/xplangml/6/0}x': Something new.", line: 7 }, '6.0');
    assert.equal(f.message, "Verstoß gegen das XML-Schema XPlanGML 6.0: Element 'xplan:x': Something new.");
    assert.equal(f.detail, undefined);
    assert.deepEqual(f.gmlIds, []);
  });
});
