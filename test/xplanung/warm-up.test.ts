// The plan a validation worker validates at start (src/xplanung/validate/warm-up.ts) only warms the
// code if it gets through the XSD to the rules and the geometry: it must stay valid XPlanGML 6.0, and
// walk the overlap-free coverage with slivers (no finding) as well as the overlap and gap paths.
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
    assert.deepEqual(report.findings.map((f) => `${f.rule}/${f.severity}`).sort(), ['2.2.1.1/error', '2.2.1.1/warning']);
    assert.match(report.findings.find((f) => f.severity === 'error')!.message, /überlappen sich: .*\(0\.25 m²\)/);
    assert.match(report.findings.find((f) => f.severity === 'warning')!.message, /Lücke von 600 m²/);
    assert.deepEqual(report.plans.map((p) => p.type), ['BP_Plan']);
  });
});
