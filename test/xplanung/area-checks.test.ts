// The Bereich checks (2.2.3.1, 2.2.1.1) give the same findings wherever their units run: all in the
// job's worker, or a share packed, moved to another worker (here: a structured clone with the
// buffers transferred, as postMessage does) and checked there. Also when no worker takes the share.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { checkPackedAreaPart, type PackedAreaPart } from '../../src/xplanung/validate/area-checks.ts';
import { runValidationJob, type JobHelpers, type ValidationJob } from '../../src/xplanung/validate/job.ts';
import { warmUpPlan } from '../../src/xplanung/validate/warm-up.ts';
import { itShared, sharedPresent } from '../helpers/shared.ts';
import { contentTypeOf, real, REAL_DIR } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const plans: Array<[string, Buffer, string]> = [
  // the real plans when ../shared is there (test/helpers/shared.ts); the warm-up plan always
  ...(sharedPresent ? readdirSync(REAL_DIR) : []).filter((f) => /\.(gml|zip)$/.test(f)).map((f): [string, Buffer, string] => [f, real(f), contentTypeOf(f)]),
  ['the warm-up plan (three Bereiche)', warmUpPlan(), 'application/gml+xml'],
];

/** Another worker, as the pool lends one: the part travels as postMessage would move it. */
const elsewhere: JobHelpers = {
  async ask(part, transfer) {
    const moved = structuredClone(part, { transfer }) as PackedAreaPart;
    assert.equal((part as PackedAreaPart).geometries.coords.byteLength, 0, 'the coordinates were moved');
    return checkPackedAreaPart(moved);
  },
};
const nobody: JobHelpers = { ask: async () => undefined };

const findingsOf = async (job: ValidationJob, helpers?: JobHelpers) => {
  const r = await runValidationJob(job, helpers);
  return { valid: r.report.valid, findings: r.report.findings.map(({ rule, severity, stage, message, gmlIds, line, marker }) => ({ rule, severity, stage, message, gmlIds, line, marker })), shared: r.sharedUnits ?? 0 };
};

describe('xplanung/area-checks: a share of the Bereich checks run by another worker', function () {
  this.timeout(60_000);
  let sharedAnywhere = 0;

  for (const [name, body, contentType] of plans) {
    it(`${name}: the same findings, in the same order`, async () => {
      const job = { body, contentType, schemaDir };
      const alone = await findingsOf(job);
      const shared = await findingsOf({ ...job, shareFrom: 0 }, elsewhere);
      const declined = await findingsOf({ ...job, shareFrom: 0 }, nobody);
      assert.deepEqual(shared.findings, alone.findings);
      assert.equal(shared.valid, alone.valid);
      assert.deepEqual(declined.findings, alone.findings);
      assert.equal(alone.shared, 0);
      assert.equal(declined.shared, 0, 'nothing counts as shared when nobody took it');
      sharedAnywhere += shared.shared;
    });
  }

  itShared('the share was really handed over: the plans with several units shared some', () => {
    assert.ok(sharedAnywhere >= 15, `${sharedAnywhere} units shared`);
  });

  it('a helper that answers early is sent the next chunk: half of what is left', async () => {
    const sizes: number[] = [];
    const counting: JobHelpers = {
      async ask(part, transfer) {
        sizes.push((part as PackedAreaPart).units.length);
        return elsewhere.ask(part, transfer);
      },
    };
    const job = { body: warmUpPlan(), contentType: 'application/gml+xml', schemaDir, shareFrom: 0 };
    const alone = await findingsOf(job);
    const shared = await findingsOf(job, counting);
    assert.ok(sizes.length >= 2, `chunks sent: ${sizes.join(', ')}`);
    assert.equal(shared.shared, sizes.reduce((a, b) => a + b, 0), 'every chunk came back with findings');
    assert.deepEqual(shared.findings, alone.findings);
  });

  it('a small plan keeps its checks unless told otherwise (below the weight worth sharing)', async () => {
    const job = { body: warmUpPlan(), contentType: 'application/gml+xml', schemaDir };
    assert.equal((await findingsOf(job, elsewhere)).shared, 0);
    assert.ok((await findingsOf({ ...job, shareFrom: 0 }, elsewhere)).shared > 0);
  });
});
