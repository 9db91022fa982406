// The cost of 2.2.1.1 on plans whose objects overlap heavily, without measuring time: copies of one
// area are grouped and tested once, the overlap test stops at its cap, and the pairs come in the
// same order as from testing every pair. Speed figures: bench/xplanung.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { overlappingCopiesPlan, SHIFT_X, SHIFT_Y } from '../../bench/overlapping-copies.ts';
import { coverageFace, interiorsMayMeet } from '../../src/core/geo/coverage.ts';
import { buffer, fromWkt, geometryFactory, unionOfValidPolygons, unionWork, type Geometry } from '../../src/core/geo/jts.ts';
import { projectRoot } from '../../src/core/paths.ts';
import { AreaChecker, CandidatePairs, checkPackedAreaPart, MAX_OVERLAP_FINDINGS, MAX_POSSIBLE_GAPS, packAreaPart, type PackedAreaPart, type Shape } from '../../src/xplanung/validate/area-checks.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';

const square = (x: number, y: number, size: number) => fromWkt(`POLYGON ((${x} ${y}, ${x + size} ${y}, ${x + size} ${y + size}, ${x} ${y + size}, ${x} ${y}))`);
const shapes = (geometries: Geometry[]): Shape[] => geometries.map((geometry, i) => ({ ref: { type: 'BP_BaugebietsTeilFlaeche', gmlId: `g${i}`, label: `g${i}` }, geometry }));

describe('xplanung/cost: 2.2.1.1 on overlapping copies', function () {
  this.timeout(60_000);

  it('300 copies of one area: one group, and the overlap findings stop at the cap', () => {
    const members = shapes(Array.from({ length: 300 }, () => square(411000, 5656200, 100)));
    const pairs = new CandidatePairs(members.map((m) => coverageFace(m.geometry)), members.map((m) => m.geometry));
    assert.equal(pairs.groups.length, 1);
    const area = shapes([square(411000, 5656200, 100)])[0]!;
    const found = new AreaChecker([...members, area]).check({ inside: [], coverage: { members: members.map((_m, i) => i), area: members.length } });
    // every one of the 44 850 pairs overlaps; beyond the cap they would only be counted
    assert.equal(found.flaechenschluss.filter((f) => f.severity === 'error').length, MAX_OVERLAP_FINDINGS);
    assert.deepEqual(found.flaechenschluss[0]!.gmlIds, ['g0', 'g1']);
    assert.deepEqual(found.flaechenschluss[MAX_OVERLAP_FINDINGS - 1]!.gmlIds, ['g1', 'g202']);
    assert.equal(found.overlapsCapped, true);
  });

  it('copies mixed with other overlapping areas: the same pairs, in the same order, as testing every pair', () => {
    // three groups of copies and single areas, overlapping, touching and apart, interleaved
    const geometries = [
      square(0, 0, 10), square(5, 5, 10), square(0, 0, 10), square(10, 0, 10), square(5, 5, 10),
      square(30, 30, 5), square(0, 0, 10), square(12, 2, 3), square(10, 0, 10), square(40, 0, 1),
    ];
    const faces = geometries.map((g) => coverageFace(g));
    const pairs = new CandidatePairs(faces, geometries);
    assert.equal(pairs.groups.length, 6);
    const every: Array<[number, number]> = [];
    for (let i = 0; i < faces.length; i++) for (let j = i + 1; j < faces.length; j++) if (interiorsMayMeet(faces[i]!, faces[j]!)) every.push([i, j]);
    assert.deepEqual([...pairs], every);
    assert.equal(pairs.empty, false);
    assert.equal(pairs.distinct(geometries).length, 6);
  });

  it('120 shifted copies (no two alike, all overlapping): the union is joined a few at a time, and the gaps are the same', () => {
    // each pair's boundaries cross: one noding pass over all of them meets ~N² crossings
    const n = 120;
    const members = shapes(Array.from({ length: n }, (_x, i) => square(411000 + i * SHIFT_X, 5656200 + i * SHIFT_Y, 100)));
    const pairs = new CandidatePairs(members.map((m) => coverageFace(m.geometry)), members.map((m) => m.geometry));
    assert.equal(pairs.groups.length, n);
    // the box around all copies: two staircase-shaped gaps, upper left and lower right
    const w = 100 + (n - 1) * SHIFT_X, h = 100 + (n - 1) * SHIFT_Y;
    const area = shapes([fromWkt(`POLYGON ((411000 5656200, ${411000 + w} 5656200, ${411000 + w} ${5656200 + h}, 411000 ${5656200 + h}, 411000 5656200))`)])[0]!;
    Object.assign(unionWork, { passes: 0, inputs: 0, largestPass: 0 });
    const found = new AreaChecker([...members, area]).check({ inside: [], coverage: { members: members.map((_m, i) => i), area: n } });
    // the old way was one pass over all of them
    assert.ok(unionWork.largestPass <= 4, `largest union pass: ${unionWork.largestPass} polygons`);
    assert.ok(unionWork.inputs < 2 * n, `polygons given to union passes: ${unionWork.inputs}`);
    assert.equal(found.flaechenschluss.filter((f) => f.message.startsWith('Flächenschlussobjekte überlappen')).length, MAX_OVERLAP_FINDINGS);
    const gaps = found.flaechenschluss.filter((f) => f.message.includes('Lücke'));
    // as one pass over all of them finds them
    const expected = area.geometry.difference(unionOfValidPolygons(geometryFactory, members.map((m) => m.geometry)));
    const wide = Array.from({ length: expected.getNumGeometries() }, (_x, k) => expected.getGeometryN(k)).filter((g) => !buffer(g, -0.001).isEmpty());
    assert.equal(wide.length, 2);
    // as the reference counts them: possible gaps at the vertices along the gaps without a partner within 2 mm, here
    // every copy's two corners on the staircases (2 per copy, under MAX_POSSIBLE_GAPS), each on one of those gaps
    assert.equal(gaps.length, 2 * n);
    const near = (w: Geometry, marker: string) => buffer(w, 0.002).covers(fromWkt(marker));
    assert.ok(gaps.every((g) => /mögliche Lücke/.test(g.message) && wide.some((w) => near(w, g.marker!))), JSON.stringify(gaps[0]));
    assert.ok(wide.every((w) => gaps.some((g) => near(w, g.marker!))));
  });

  it('400 shifted copies in the box around them: the possible gaps stop at their cap too, every gap still reported', () => {
    // 800 corners along the two staircases, each a vertex without a partner: past MAX_POSSIBLE_GAPS the gaps are
    // reported as gaps, their vertices no longer matched, and the unit says findings were left out
    const n = 400;
    const members = shapes(Array.from({ length: n }, (_x, i) => square(411000 + i * SHIFT_X, 5656200 + i * SHIFT_Y, 100)));
    const w = 100 + (n - 1) * SHIFT_X, h = 100 + (n - 1) * SHIFT_Y;
    const area = shapes([fromWkt(`POLYGON ((411000 5656200, ${411000 + w} 5656200, ${411000 + w} ${5656200 + h}, 411000 ${5656200 + h}, 411000 5656200))`)])[0]!;
    const found = new AreaChecker([...members, area]).check({ inside: [], coverage: { members: members.map((_m, i) => i), area: n, alsoPlan: n } });
    assert.equal(found.flaechenschluss.filter((f) => /mögliche Lücke/.test(f.message)).length, MAX_POSSIBLE_GAPS);
    // the Bereich's gaps by their vertices (400 of one staircase, 100 of the other), both again as the plan's (here
    // the same area): one finding each
    assert.equal(found.flaechenschluss.filter((f) => /^Flächenschluss: Lücke von 168\u00A0m²/.test(f.message)).length, 2);
    assert.equal(found.overlapsCapped, true);
  });

  it('a plan of 300 copies through every stage: invalid, with the overlap findings capped', async () => {
    const r = await runValidationJob({ body: overlappingCopiesPlan(300), contentType: 'application/gml+xml', schemaDir: join(projectRoot, 'schemas', 'vendor') });
    assert.equal(r.report.valid, false);
    const overlaps = r.report.findings.filter((f) => f.rule === '2.2.1.1' && f.severity === 'error');
    assert.equal(overlaps.length, MAX_OVERLAP_FINDINGS);
    // the copies lie exactly on the Geltungsbereich: nothing else to find
    assert.deepEqual(r.report.findings.filter((f) => f.rule !== '2.2.1.1'), []);
  });

  it('a plan of 300 copies: the report says that more 2.2.1.1 findings were left out, uncounted', async () => {
    const r = await runValidationJob({ body: overlappingCopiesPlan(300), contentType: 'application/gml+xml', schemaDir: join(projectRoot, 'schemas', 'vendor') });
    assert.equal(r.report.valid, false);
    assert.equal(r.report.findings.filter((f) => f.rule === '2.2.1.1' && f.severity === 'error').length, MAX_OVERLAP_FINDINGS);
    const leftOut = r.report.findings.filter((f) => f.message.includes('ausgelassen'));
    assert.deepEqual(leftOut.map(({ rule, severity, message }) => ({ rule, severity, message })), [{ rule: '2.2.1.1', severity: 'warning', message: 'Regel 2.2.1.1: weitere, nicht gezählte Befunde ausgelassen.' }]);
  });

  it('a plan under the cap (30 copies, 435 overlaps): no left-out line', async () => {
    const r = await runValidationJob({ body: overlappingCopiesPlan(30), contentType: 'application/gml+xml', schemaDir: join(projectRoot, 'schemas', 'vendor') });
    assert.equal(r.report.findings.filter((f) => f.rule === '2.2.1.1' && f.severity === 'error').length, 435);
    assert.deepEqual(r.report.findings.filter((f) => f.message.includes('ausgelassen')), []);
  });

  it('300 copies checked in another worker: the stop at the cap travels back with the findings', () => {
    const members = shapes(Array.from({ length: 300 }, () => square(411000, 5656200, 100)));
    const area = shapes([square(411000, 5656200, 100)])[0]!;
    const unit = { inside: [], coverage: { members: members.map((_m, i) => i), area: members.length } };
    const { packed, transfer } = packAreaPart({ shapes: [...members, area], units: [unit] }, [unit]);
    // as postMessage moves the part there and the findings back
    const found = structuredClone(checkPackedAreaPart(structuredClone(packed, { transfer }) as PackedAreaPart));
    assert.equal(found[0]!.flaechenschluss.length, MAX_OVERLAP_FINDINGS);
    assert.equal(found[0]!.overlapsCapped, true);
    const few = { inside: [], coverage: { members: [0, 1, 2], area: members.length } };
    assert.equal(new AreaChecker([...members, area]).check(few).overlapsCapped, undefined);
  });
});
