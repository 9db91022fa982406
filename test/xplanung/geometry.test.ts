// The geometry stage's Flächenschluss rule (2.2.1.1) on small coverages built for one case each:
// checkGeometry as a plain function, on a document parsed by libxml2 (no XSD: these documents carry
// only what the rule reads).
import assert from 'node:assert/strict';
import { XmlDocument } from 'libxml2-wasm';
import { create } from 'xmlbuilder2';
import { DOCUMENT_OPTIONS, documentOf, treeOf } from '../../src/xplanung/parse.ts';
import { checkGeometry } from '../../src/xplanung/validate/geometry.ts';
import { versionById } from '../../src/xplanung/versions.ts';

type Box = [number, number, number, number]; // minX minY maxX maxY, metres in EPSG:25833
type Shape = Box | number[][]; // a box, or a closed ring of points
const X0 = 411000, Y0 = 5655000;
const ringOf = (s: Shape): number[][] => (typeof s[0] === 'number' ? (([a, b, c, d]) => [[a, b], [c, b], [c, d], [a, d], [a, b]])(s as Box) : (s as number[][]));
const posList = (s: Shape) => ringOf(s).map(([x, y]) => `${X0 + x!} ${Y0 + y!}`).join(' ');

/** A BP_Plan with one Bereich whose Geltungsbereich is `area`, and Flächenschluss objects `members`. */
function coverage(area: Shape, members: Shape[], version = '6.0'): string {
  const ns = { xplan: `http://www.xplanung.de/xplangml/${version.replace('.', '/')}`, gml: 'http://www.opengis.net/gml/3.2', xlink: 'http://www.w3.org/1999/xlink' };
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(ns.xplan, 'xplan:XPlanAuszug').att('xmlns:gml', ns.gml).att('xmlns:xlink', ns.xlink).att(ns.gml, 'gml:id', 'GML_auszug');
  root.ele(ns.gml, 'gml:boundedBy').ele(ns.gml, 'gml:Envelope').att('srsName', 'EPSG:25833')
    .ele(ns.gml, 'gml:lowerCorner').txt(`${X0 - 10} ${Y0 - 10}`).up().ele(ns.gml, 'gml:upperCorner').txt(`${X0 + 200} ${Y0 + 200}`);
  const polygon = (parent: ReturnType<typeof root.ele>, id: string, box: Shape) => parent.ele(ns.gml, 'gml:Polygon').att(ns.gml, 'gml:id', id).att('srsName', 'EPSG:25833')
    .ele(ns.gml, 'gml:exterior').ele(ns.gml, 'gml:LinearRing').ele(ns.gml, 'gml:posList').txt(posList(box));
  const plan = root.ele(ns.gml, 'gml:featureMember').ele(ns.xplan, 'xplan:BP_Plan').att(ns.gml, 'gml:id', 'GML_plan');
  plan.ele(ns.xplan, 'xplan:name').txt('Test');
  polygon(plan.ele(ns.xplan, 'xplan:raeumlicherGeltungsbereich'), 'GML_plan_area', area);
  plan.ele(ns.xplan, 'xplan:bereich').att(ns.xlink, 'xlink:href', '#GML_bereich');
  const bereich = root.ele(ns.gml, 'gml:featureMember').ele(ns.xplan, 'xplan:BP_Bereich').att(ns.gml, 'gml:id', 'GML_bereich');
  bereich.ele(ns.xplan, 'xplan:nummer').txt('0');
  polygon(bereich.ele(ns.xplan, 'xplan:geltungsbereich'), 'GML_bereich_area', area);
  members.forEach((_box, i) => bereich.ele(ns.xplan, 'xplan:planinhalt').att(ns.xlink, 'xlink:href', `#GML_m${i}`));
  bereich.ele(ns.xplan, 'xplan:gehoertZuPlan').att(ns.xlink, 'xlink:href', '#GML_plan');
  members.forEach((box, i) => {
    const m = root.ele(ns.gml, 'gml:featureMember').ele(ns.xplan, 'xplan:BP_BaugebietsTeilFlaeche').att(ns.gml, 'gml:id', `GML_m${i}`);
    m.ele(ns.xplan, 'xplan:ebene').txt('0');
    m.ele(ns.xplan, 'xplan:gehoertZuBereich').att(ns.xlink, 'xlink:href', '#GML_bereich');
    polygon(m.ele(ns.xplan, 'xplan:position'), `GML_m${i}_position`, box);
    m.ele(ns.xplan, 'xplan:flaechenschluss').txt('true');
  });
  return root.end();
}

/** The 2.2.1.1 findings of an XPlanGML 6.0 plan (gaps are errors), or of another version. */
async function flaechenschluss(area: Shape, members: Shape[], version = '6.0'): Promise<string[]> {
  const doc = XmlDocument.fromString(coverage(area, members, version), { option: DOCUMENT_OPTIONS });
  try {
    const findings = await checkGeometry(documentOf(treeOf(doc), versionById(version)!));
    return findings.map((f) => `${f.rule}/${f.severity}: ${f.message}`);
  } finally {
    doc.dispose();
  }
}

/** A possible gap (2.2.1.1, a vertex without a partner): its object and point, else the finding. */
const possibleGapAt = (f: string) => /mögliche Lücke bei \(([^)]*)\): der Stützpunkt von \S+ „([^“]+)“/.exec(f)?.slice(1).reverse().join(' ') ?? f;

describe('xplanung/geometry: 2.2.1.1 Flächenschluss on built coverages', async () => {
  it('two halves filling the Geltungsbereich exactly: nothing to report', async () => {
    assert.deepEqual(await flaechenschluss([0, 0, 100, 100], [[0, 0, 50, 100], [50, 0, 100, 100]]), []);
  });

  it('a strip left uncovered: gap errors naming its area (6.0 allows no gaps)', async () => {
    const found = await flaechenschluss([0, 0, 100, 100], [[0, 0, 50, 100], [50, 0, 100, 99]]);
    // as the reference counts them: possible gaps at the vertices along the strip without a partner within 2 mm
    // (m1's (50 99) and (100 99), m0's (50 100)), once against the Bereich's Geltungsbereich, once against the plan's
    // (here the same square)
    assert.deepEqual(found.map(possibleGapAt), ['GML_m1 411050,000; 5655099,000', 'GML_m0 411050,000; 5655100,000', 'GML_m1 411100,000; 5655099,000', 'GML_m1 411050,000; 5655099,000', 'GML_m0 411050,000; 5655100,000', 'GML_m1 411100,000; 5655099,000'], found.join('\n'));
    assert.ok(found.slice(0, 3).every((f) => /^2\.2\.1\.1\/error: Flächenschluss: mögliche Lücke .* am Rand der Lücke von 50\u00A0m² im Geltungsbereich des Bereichs „GML_bereich“/.test(f)), found.join('\n'));
    assert.ok(found.slice(3).every((f) => /^2\.2\.1\.1\/error: Flächenschluss: mögliche Lücke .* am Rand der Lücke von 50\u00A0m² im Geltungsbereich des Plans „Test“/.test(f)), found.join('\n'));
  });

  it('the same strip in an XPlanGML 5.4 plan: a gap warning, as the reference judges gaps up to 5.4', async () => {
    const found = await flaechenschluss([0, 0, 100, 100], [[0, 0, 50, 100], [50, 0, 100, 99]], '5.4');
    // the same possible gaps as in 6.0 (at the vertices without a partner, as the reference counts them), as warnings
    assert.equal(found.length, 6, found.join('\n'));
    assert.ok(found.slice(0, 3).every((f) => /^2\.2\.1\.1\/warning: Flächenschluss: mögliche Lücke .* am Rand der Lücke von 50\u00A0m² im Geltungsbereich des Bereichs „GML_bereich“/.test(f)), found.join('\n'));
    assert.ok(found.slice(3).every((f) => /^2\.2\.1\.1\/warning: Flächenschluss: mögliche Lücke .* am Rand der Lücke von 50\u00A0m² im Geltungsbereich des Plans „Test“/.test(f)), found.join('\n'));
  });

  it('a gap hidden by a member reaching out of the Geltungsbereich (the areas still add up): the gap is found, and so is the part outside', async () => {
    // 5 000 + 51 × 99 m² ≥ 10 000 m²: only the union shows the strip along the top
    const found = await flaechenschluss([0, 0, 100, 100], [[0, 0, 50, 100], [50, 0, 101, 99]]);
    // (as possible gaps at the vertices along it without a partner, as the reference counts them)
    assert.ok(found.some((f) => /^2\.2\.1\.1\/error: Flächenschluss: mögliche Lücke .* am Rand der Lücke von 50\u00A0m²/.test(f)), found.join('\n'));
    assert.ok(found.some((f) => f.startsWith('2.2.3.1/error')), found.join('\n'));
  });

  it('a gap hidden by an overlap (the areas still add up): both are found', async () => {
    // 5 100 + 4 950 m² ≥ 10 000 m²: the 99 m² overlap hides the 49 m² strip along the top
    const found = await flaechenschluss([0, 0, 100, 100], [[0, 0, 51, 100], [50, 0, 100, 99]]);
    assert.ok(found.some((f) => /^2\.2\.1\.1\/error: Flächenschlussobjekte überlappen sich: .*\(99\u00A0m²\)/.test(f)), found.join('\n'));
    // the gap as possible gaps at the vertices along it without a partner, as the reference counts them
    assert.ok(found.some((f) => /^2\.2\.1\.1\/error: Flächenschluss: mögliche Lücke .* am Rand der Lücke von 49\u00A0m²/.test(f)), found.join('\n'));
  });

  it('a gap thinner than the tolerance (1 mm): rounding, not a finding', async () => {
    assert.deepEqual(await flaechenschluss([0, 0, 100, 100], [[0, 0, 50, 100], [50.001, 0, 100, 100]]), []);
  });

  it('slivers at a T-junction (a vertex 0.5 mm off a neighbour split in two): rounding, not a finding', async () => {
    const left = [[0, 0], [50, 0], [49.9995, 25], [50, 50], [50, 100], [0, 100], [0, 0]];
    assert.deepEqual(await flaechenschluss([0, 0, 100, 100], [left, [50, 0, 100, 50], [50, 50, 100, 100]]), []);
  });

  it('a sliver beside a wide gap: only the wide gap is reported', async () => {
    const left = [[0, 0], [50, 0], [49.9995, 25], [50, 50], [50, 100], [0, 100], [0, 0]];
    const found = await flaechenschluss([0, 0, 100, 100], [left, [50, 0, 100, 95]]);
    // the wide gap as possible gaps at its vertices without a partner (as the reference counts them), against the
    // Bereich's Geltungsbereich and the plan's (here the same square); nothing at the sliver's vertex (49.9995 25)
    assert.deepEqual(found.map(possibleGapAt), ['GML_m1 411050,000; 5655095,000', 'GML_m0 411050,000; 5655100,000', 'GML_m1 411100,000; 5655095,000', 'GML_m1 411050,000; 5655095,000', 'GML_m0 411050,000; 5655100,000', 'GML_m1 411100,000; 5655095,000'], found.join('\n'));
    assert.ok(found.slice(0, 3).every((f) => /am Rand der Lücke von 250\u00A0m² im Geltungsbereich des Bereichs „GML_bereich“/.test(f)), found.join('\n'));
    assert.ok(found.slice(3).every((f) => /am Rand der Lücke von 250\u00A0m² im Geltungsbereich des Plans „Test“/.test(f)), found.join('\n'));
  });

  it('an object alone inside a wide gap: the gap is reported without it', async () => {
    const found = await flaechenschluss([0, 0, 100, 100], [[0, 0, 100, 50], [20, 70, 30, 80]]);
    // possible gaps at the vertices of m0 along the gap without a partner (as the reference counts them), against the
    // Bereich's Geltungsbereich and the plan's (here the same square); the object inside (m1) touches no outline of it
    assert.deepEqual(found.map(possibleGapAt), ['GML_m0 411000,000; 5655050,000', 'GML_m0 411100,000; 5655050,000', 'GML_m0 411000,000; 5655050,000', 'GML_m0 411100,000; 5655050,000'], found.join('\n'));
    assert.ok(found.slice(0, 2).every((f) => /^2\.2\.1\.1\/error: .* am Rand der Lücke von 4900\u00A0m² im Geltungsbereich des Bereichs „GML_bereich“/.test(f)), found.join('\n'));
    assert.ok(found.slice(2).every((f) => /^2\.2\.1\.1\/error: .* am Rand der Lücke von 4900\u00A0m² im Geltungsbereich des Plans „Test“/.test(f)), found.join('\n'));
  });
});

describe('xplanung/geometry: 2.2.2.1 repeated points, as the reference counts them', () => {
  it('a ring with two repeated points is one error naming both; each ring with any is one (XPlanGeometryInspector: „Identische Stützpunkte“ per ring)', async () => {
    const repeatedTwice = [[0, 0], [50, 0], [50, 0], [50, 100], [50, 100], [0, 100], [0, 0]];
    const repeatedOnce = [[50, 0], [100, 0], [100, 100], [100, 100], [50, 100], [50, 0]];
    const found = (await flaechenschluss([0, 0, 100, 100], [repeatedTwice, repeatedOnce])).filter((f) => f.startsWith('2.2.2.1/'));
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0]!, /^2\.2\.2\.1\/error: BP_BaugebietsTeilFlaeche: aufeinanderfolgende doppelte Stützpunkte bei \(411050,000; 5655000,000\) und \(411050,000; 5655100,000\)\.$/);
    assert.match(found[1]!, /^2\.2\.2\.1\/error: BP_BaugebietsTeilFlaeche: aufeinanderfolgende doppelte Stützpunkte bei \(411100,000; 5655100,000\)\.$/);
  });
});
