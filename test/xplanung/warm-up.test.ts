// The plan a validation worker validates at start (src/xplanung/validate/warm-up.ts) only warms the
// code if it gets through the XSD to the rules and the geometry: it must stay valid XPlanGML 6.0, and
// walk the overlap-free coverage with slivers (no finding) as well as the overlap and gap paths, and the
// curved Bereich (an arc met by chords) without a finding of its own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';
import { warmUpPlan } from '../../src/xplanung/validate/warm-up.ts';

describe('xplanung/warm-up: the gateway\'s own warm-up plan', () => {
  it('passes the 6.0 XSD and reaches every stage: one overlap and one open strip, the slivers and the island not reported', async () => {
    const { report } = await runValidationJob({ body: warmUpPlan(), contentType: 'application/gml+xml', schemaDir: join(projectRoot, 'schemas', 'vendor') });
    assert.equal(report.version, '6.0');
    assert.deepEqual(report.skipped, [], 'no stage skipped: the syntax stage passed');
    // the overlap; the open strip against Bereich 1 and again against the plan; and the plan's square corner that the
    // curved Bereich 2 leaves uncovered, a gap of the plan only. The gaps as the reference counts them: possible gaps at
    // the vertices along them without a partner within 2 mm (8 along the strip in Bereich 1, 10 in the plan with the
    // curved Bereich's end of it, 2 at the corner: the arc's end points, its chords being no vertices of the GML)
    assert.deepEqual(report.findings.map((f) => `${f.rule}/${f.severity}`).sort(), Array(21).fill('2.2.1.1/error'));
    assert.equal(report.findings.filter((f) => /mögliche Lücke/.test(f.message)).length, 20, JSON.stringify(report.findings.map((f) => f.message)));
    assert.equal(report.findings.filter((f) => /im Geltungsbereich des Plans/.test(f.message)).length, 12, JSON.stringify(report.findings.map((f) => f.message)));
    // the plan is 6.0, which allows no gaps: the open strip is an error too
    assert.ok(report.findings.some((f) => /überlappen sich: .*\(0,25\u00A0m²\)/.test(f.message)), JSON.stringify(report.findings));
    assert.ok(report.findings.some((f) => /Lücke von 600\u00A0m²/.test(f.message)), JSON.stringify(report.findings));
    assert.deepEqual(report.plans.map((p) => p.type), ['BP_Plan']);
    // the curved Bereich has nothing to report of its own: its object is named only where its vertices in the GML (the
    // arc's end points, the strip's corner) lie on the plan's gaps
    const curved = report.findings.filter((f) => f.gmlIds.some((id) => id.startsWith('GML_warmup_2_') || id === 'GML_warmup_bereich2'));
    assert.deepEqual(curved.map((f) => [f.gmlIds, f.marker]), [[['GML_warmup_plan', 'GML_warmup_2_rest'], 'POINT (375120 5611680)'], [['GML_warmup_plan', 'GML_warmup_2_rest'], 'POINT (375142 5611680)'], [['GML_warmup_plan', 'GML_warmup_2_rest'], 'POINT (375150 5611672)']], JSON.stringify(curved));
  });

  it('has the curved Bereich: a gml:Arc in a Ring, met by a polyline of 90 chords, with hair-thin overlaps between the two', async () => {
    const xml = warmUpPlan().toString('utf8');
    assert.equal(xml.match(/<gml:Arc /g)?.length, 2);
    assert.equal(xml.match(/<gml:Ring>/g)?.length, 2);
    // with 12 chords instead of 90 the slivers along the arcs are up to 17 mm wide: then the overlap
    // and the part outside the Geltungsbereich are reported, so the checks do reach the curved Bereich
    // (and keep quiet in the warm-up only because its slivers are thin)
    const { report } = await runValidationJob({ body: warmUpPlan(12), contentType: 'application/gml+xml', schemaDir: join(projectRoot, 'schemas', 'vendor') });
    // (besides the plan's gaps at its vertices, as with 90 chords: the possible gaps the reference counts)
    const curved = report.findings.filter((f) => f.gmlIds.includes('GML_warmup_2_rest') && !/mögliche Lücke/.test(f.message)).map((f) => `${f.rule}/${f.severity}`);
    assert.deepEqual(curved.sort(), ['2.2.1.1/error', '2.2.3.1/error'], JSON.stringify(report.findings.map((f) => f.message)));
  });
});
