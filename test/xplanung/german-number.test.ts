// Numbers in the German text of findings and of the report page (src/xplanung/german-number.ts): a
// decimal comma, digits grouped by a narrow no-break space, and the findings of real plans written so.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { germanArea, germanCount, germanLiteral, germanNumber, germanPoint } from '../../src/xplanung/german-number.ts';
import { makeReport, reportToHtml, type Finding } from '../../src/xplanung/report.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';
import { germanSize } from '../../src/xplanung/upload-page.ts';
import { germanXsdMessage, omittedSyntaxFinding } from '../../src/xplanung/validate/xsd-messages.ts';
import { listShared } from '../helpers/shared.ts';
import { contentTypeOf, real } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const RULE_FIXTURES = join(projectRoot, 'fixtures', 'xplanung', 'rules');
/** A German number with its unit: digits grouped by U+202F, a decimal comma, a no-break space before the unit. */
const AREA = /^\d{1,3}(?:\u202F\d{3})*(?:,\d+)?\u00A0m²$|^\d{1,4}(?:,\d+)?\u00A0m²$/;
const POINT = /bei \(\d+,\d{3}; \d+,\d{3}\)/g;

describe('xplanung/german-number: numbers in German text', function () {
  this.timeout(120_000);

  it('areas as precise as they are worth reading, with a decimal comma: 40.607 m² is „40,6 m²“, not forty thousand', () => {
    assert.equal(germanArea(40.607), '40,6\u00A0m²');
    assert.equal(germanArea(0.0080512), '0,00805\u00A0m²');
    assert.equal(germanArea(5.255), '5,26\u00A0m²');
    assert.equal(germanArea(123.45), '123\u00A0m²');
    assert.equal(germanArea(4900.4), '4900\u00A0m²', 'four digits are not grouped');
    assert.equal(germanArea(15090.3), '15\u202F090\u00A0m²');
    assert.equal(germanArea(3.14e-6), '0,000003\u00A0m²', 'never finer than a mm²');
    assert.equal(germanArea(0), '0\u00A0m²');
    for (const a of [40.607, 0.0080512, 15090.3, 1234567.8]) assert.match(germanArea(a), AREA);
  });

  it('lengths, counts and points: a comma for the decimals, a semicolon between the coordinates', () => {
    assert.equal(germanNumber(0.002), '0,002');
    assert.equal(germanNumber(-0.0001), '0');
    assert.equal(germanNumber(-123456.5), '-123\u202F456,5');
    assert.equal(germanCount(1234), '1234');
    assert.equal(germanCount(12345), '12\u202F345');
    assert.equal(germanPoint(553012.8784, 5934985.9876), '(553012,878; 5934985,988)');
    assert.equal(germanPoint(567467.81, 5937970.77), '(567467,810; 5937970,770)', 'always to the millimetre, as a column of them lines up');
    // a literal of a document or schema, digit for digit
    assert.equal(germanLiteral('0.5'), '0,5');
    assert.equal(germanLiteral('-12345.50'), '-12\u202F345,50');
    assert.equal(germanLiteral('INF'), 'INF');
  });

  it('the geometry findings of every real plan and rule fixture write their areas and points in German', async () => {
    const documents = [
      ...listShared('fixtures', 'xplanung-real').filter((n) => /\.(gml|zip)$/.test(n)).map((n) => [n, real(n), contentTypeOf(n)] as const),
      ...readdirSync(RULE_FIXTURES).filter((n) => n.startsWith('2.2.')).map((n) => [n, readFileSync(join(RULE_FIXTURES, n)), 'application/gml+xml'] as const),
    ];
    const seen = { areas: 0, points: 0, grouped: 0, invalid: 0 };
    for (const [name, body, contentType] of documents) {
      const { report } = await runValidationJob({ body, contentType, schemaDir });
      for (const f of report.findings.filter((x) => x.stage === 'geometry')) {
        // what the document itself says („…“: names, gml:ids) is quoted as it stands
        const text = f.message.replace(/„[^“]*“/g, '„…“');
        assert.doesNotMatch(text, /\d\.\d/, `${name}: ${f.message}`);
        for (const m of text.matchAll(/(?:Lücke von|Überlagerung von|\() *([\d\u202F,]+\u00A0m²)/g)) {
          assert.match(m[1]!, AREA, `${name}: ${f.message}`);
          seen.areas++;
          if (m[1]!.includes('\u202F')) seen.grouped++;
        }
        if (text.includes('bei (')) {
          assert.equal(text.match(POINT)?.length, text.split('bei (').length - 1, `${name}: ${f.message}`);
          seen.points++;
          if (f.rule === '2.2.2.1') seen.invalid++;
        }
      }
    }
    // the gaps of BP_Alles_Parmis (one of 15 090 m²) and xplan54 (40,6 m²), the Doppelbelegungen of Blankenese29, and the fixtures
    assert.ok(seen.areas >= 18 && seen.grouped >= 1 && seen.points >= 20 && seen.invalid >= 2, JSON.stringify(seen));
  });

  it('XSD bounds and the count of left-out findings in German; the value the document holds stays as written', () => {
    const x = '{http://www.xplanung.de/xplangml/6/0}';
    assert.equal(germanXsdMessage(`Element '${x}GRZ': [facet 'maxInclusive'] The value '1.5' is greater than the maximum value allowed ('0.8').`),
      '„xplan:GRZ“ hat den Wert „1.5“; der größte zulässige Wert ist 0,8.');
    assert.equal(germanXsdMessage(`Element '${x}GRZ': [facet 'minExclusive'] The value '0.0' must be greater than '0.25'.`),
      '„xplan:GRZ“ hat den Wert „0.0“; er muss größer als 0,25 sein.');
    assert.match(omittedSyntaxFinding('schema', 12345, 200).message, /^12\u202F345 weitere Syntaxfehler ausgelassen; gezeigt werden die ersten 200\./);
  });

  it('the upload page says its size limit as the report says numbers: no point between the thousands', () => {
    assert.equal(germanSize(20 * 1024 ** 3), '20\u202F480 MB');
    assert.equal(germanSize(1.5 * 1024 * 1024), '1,5 MB');
    assert.equal(germanSize(1023.5 * 1024), '1024 KB');
  });

  it('the report page counts in German', () => {
    const findings: Finding[] = Array.from({ length: 10_001 }, (_, i) => ({ rule: 'xlink', severity: i === 0 ? 'error' : 'warning', stage: 'semantic', message: 'x', gmlIds: [], line: null }));
    const html = reportToHtml(makeReport({ version: '6.0', plans: [], findings, skipped: [] }));
    assert.match(html, /<dd id="counts">1 Fehler, 10\u202F000 Warnungen<\/dd>/);
    assert.match(html, /<td>10\u202F000<\/td>/, 'and so does the summary by rule');
  });
});
