// The location sketch's plain functions (src/xplanung/report-sketch.ts), without a server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeReport } from '../../src/xplanung/report.ts';
import { overviewCaption, pinPosition, scaleBarLength, sketchOf } from '../../src/xplanung/report-sketch.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';
import { projectRoot } from '../../src/core/paths.ts';
import { real } from '../helpers/xplanung.ts';

describe('xplanung/report-sketch: the Lageskizze of the report page', () => {
  it('a scale bar of 1, 2 or 5 × 10^k, at most the room it has, said in German units', () => {
    assert.deepEqual(scaleBarLength(160), { length: 100, label: '100 m' });
    assert.deepEqual(scaleBarLength(45), { length: 20, label: '20 m' });
    assert.deepEqual(scaleBarLength(7.3), { length: 5, label: '5 m' });
    assert.deepEqual(scaleBarLength(2600), { length: 2000, label: '2 km' });
    assert.deepEqual(scaleBarLength(0.7), { length: 0.5, label: '50 cm' });
    assert.deepEqual(scaleBarLength(0.004), { length: 0.002, label: '2 mm' });
    assert.deepEqual(scaleBarLength(1), { length: 1, label: '1 m' });
  });

  it('pins keep their spot when free; crowded ones move aside without covering another, inside the drawing', () => {
    const view = { width: 640, height: 400 };
    const taken: Array<[number, number]> = [];
    const spots: Array<[number, number]> = [[100, 100], [300, 200], ...Array.from({ length: 12 }, () => [301, 201] as [number, number]), [2, 2]];
    for (const s of spots) taken.push(pinPosition(s, taken, view));
    assert.deepEqual(taken[0], [100, 100]);
    assert.deepEqual(taken[1], [300, 200]);
    for (let i = 0; i < taken.length; i++) {
      for (let j = i + 1; j < taken.length; j++) assert.ok(Math.hypot(taken[i]![0] - taken[j]![0], taken[i]![1] - taken[j]![1]) >= 19, `${i} and ${j} apart`);
      const [x, y] = taken[i]!;
      assert.ok(x >= 9 && y >= 9 && x <= 631 && y <= 391, `pin ${i} inside`);
    }
    // the crowded ones stay close to their spot (within the first two rings)
    for (const [x, y] of taken.slice(2, 14)) assert.ok(Math.hypot(x - 301, y - 201) <= 2 * 22 + 1);
  });

  it('nothing to draw without markers and outlines; markers numbered as the table, outlines read, lon/lat from the plan CRS', () => {
    const bare = makeReport({ version: '6.0', plans: [{ gmlId: 'p', type: 'BP_Plan', srsName: 'EPSG:25833' }], findings: [{ rule: 'xsd', severity: 'error', stage: 'syntax', message: 'x', gmlIds: [], line: 3 }], skipped: [] });
    assert.equal(sketchOf(bare), undefined);
    const report = makeReport({
      version: '6.0',
      plans: [{ gmlId: 'p', type: 'BP_Plan', srsName: 'EPSG:25833', outline: 'POLYGON ((411000 5656000, 412000 5656000, 412000 5657000, 411000 5657000, 411000 5656000))' }],
      findings: [
        { rule: '3.2.5.1', severity: 'error', stage: 'semantic', message: 'ohne Ort', gmlIds: [], line: null },
        { rule: '2.2.1.1', severity: 'warning', stage: 'geometry', message: 'Lücke', gmlIds: [], line: null, marker: 'POLYGON ((411500 5656500, 411502 5656500, 411502 5656502, 411500 5656502, 411500 5656500))' },
        { rule: '2.2.2.1', severity: 'error', stage: 'geometry', message: 'Punkt', gmlIds: [], line: null, marker: 'POINT (411900 5656100)' },
        { rule: '2.2.2.1', severity: 'error', stage: 'geometry', message: 'kaputt', gmlIds: [], line: null, marker: 'POLYGON ((' },
      ],
      skipped: [],
    });
    const sketch = sketchOf(report)!;
    assert.equal(sketch.outlines.length, 1);
    assert.equal(sketch.metric, true);
    assert.deepEqual(sketch.placed.map((p) => [p.number, p.at]), [[2, [411501, 5656501]], [3, [411900, 5656100]]], 'the unreadable marker is left out, the numbers stay those of the table');
    // Dresden, in ETRS89 / UTM 33
    const [lon, lat] = sketch.toLonLat!(sketch.placed[0]!.at);
    assert.ok(lon > 13.73 && lon < 13.75 && lat > 51.04 && lat < 51.06, `${lon} ${lat}`);
  });

  it('the caption explains only the markers drawn: red and orange where there are both, none when no finding has a location', () => {
    const outline = 'POLYGON ((411000 5656000, 412000 5656000, 412000 5657000, 411000 5657000, 411000 5656000))';
    const gap = 'POLYGON ((411500 5656500, 411502 5656500, 411502 5656502, 411500 5656502, 411500 5656500))';
    const caption = (findings: Array<{ severity: 'error' | 'warning'; marker?: string }>, outlines = [outline]) => overviewCaption(sketchOf(makeReport({
      version: '6.0',
      plans: outlines.map((o, i) => ({ gmlId: `p${i}`, type: 'BP_Plan', srsName: 'EPSG:25833', outline: o })),
      findings: findings.map((f) => ({ rule: '2.2.1.1', stage: 'geometry', message: 'm', gmlIds: [], line: null, ...f })),
      skipped: [],
    }))!);
    const both = caption([{ severity: 'error', marker: gap }, { severity: 'warning', marker: gap }]);
    assert.match(both, /^Lageskizze: der Geltungsbereich \(blau\) und die Befunde mit Ortsangabe \(rot Fehler, orange Warnungen\)/);
    const warnings = caption([{ severity: 'warning', marker: gap }, { severity: 'error' }]);
    assert.match(warnings, /\(orange Warnungen\)/);
    assert.doesNotMatch(warnings, /rot/, 'the error without a location is not drawn');
    assert.match(warnings, /Ein Befund hat keine Ortsangabe und steht nur in der Tabelle\.$/);
    const unlocated = caption([{ severity: 'error' }, { severity: 'warning' }]);
    assert.equal(unlocated, 'Lageskizze: der Geltungsbereich (blau). Keiner der Befunde hat eine Ortsangabe; sie stehen nur in der Tabelle.');
    assert.equal(caption([]), 'Lageskizze: der Geltungsbereich (blau). Der Plan hat keine Befunde.');
    assert.match(caption([], [outline, outline]), /^Lageskizze: die Geltungsbereiche \(blau\)\./);
  });

  it('a real plan whose findings have no location: its sketch is an image of the Geltungsbereich, and says so', async () => {
    const schemaDir = join(projectRoot, 'schemas', 'vendor');
    const { page } = await runValidationJob({ body: real('FP_6.0.2_invalide.zip'), contentType: 'application/zip', schemaDir, page: true });
    assert.match(page!, /<svg[^>]+id="lageskizze-karte"[^>]+role="img" aria-label="Lageskizze des Geltungsbereichs"/);
    assert.doesNotMatch(page!, /class="pin /);
    const figcaption = /<figcaption>([^<]*)<\/figcaption>/.exec(page!)![1]!;
    assert.equal(figcaption, 'Lageskizze: der Geltungsbereich (blau). Keiner der Befunde hat eine Ortsangabe; sie stehen nur in der Tabelle.');
    // only gaps (warnings): only orange is explained
    const gaps = (await runValidationJob({ body: real('xplan54_Flaechenschlussfehler_Luecken.gml'), contentType: 'application/gml+xml', schemaDir, page: true })).page!;
    assert.match(gaps, /<figcaption>Lageskizze: der Geltungsbereich \(blau\) und die Befunde mit Ortsangabe \(orange Warnungen\), nummeriert/);
  });

  it('a job asked for the page renders it where it runs (a worker in the gateway), with the sketch', async () => {
    const schemaDir = join(projectRoot, 'schemas', 'vendor');
    const out = await runValidationJob({ body: real('Blankenese29.gml'), contentType: 'application/gml+xml', schemaDir, page: true });
    assert.match(out.page!, /<svg[^>]+id="lageskizze-karte"/);
    assert.equal((await runValidationJob({ body: real('Blankenese29.gml'), contentType: 'application/gml+xml', schemaDir })).page, undefined);
  });
});
