// The validation worker pool under pressure: a job past its deadline costs its worker, not the
// gateway; a full queue refuses at once; the HTTP answer is a 503 to retry.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { PoolBusyError, ValidationPool } from '../../src/xplanung/validate/pool.ts';
import { real } from '../helpers/xplanung.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');

describe('xplanung/pool: deadlines and a bounded queue', function () {
  this.timeout(60_000);

  it('a validation over its deadline is refused as busy (503 upstream), its worker stopped', async () => {
    const pool = new ValidationPool(1, { jobTimeoutMs: 200, maxQueue: 10 });
    try {
      // the first job loads the job code and compiles the XPlanung 6.0 schema set: well over 200 ms
      await assert.rejects(() => pool.run({ body: real('Blankenese29.gml'), contentType: 'application/gml+xml', schemaDir }), (err: Error) => err instanceof PoolBusyError && /longer than/.test(err.message));
      assert.equal(pool.readyWorkers, 0, 'the worker was stopped; the next job starts a new one (test/core/workers/serve.test.ts)');
    } finally {
      await pool.close();
    }
  });

  it('warmUp starts both workers and compiles the schema sets in one, ahead of the first plan', async () => {
    const pool = new ValidationPool(2, { jobTimeoutMs: 60_000, maxQueue: 10 });
    try {
      assert.equal(pool.readyWorkers, 0, 'workers start on demand');
      await pool.warmUp(schemaDir, ['6.0', '5.4']);
      assert.equal(pool.readyWorkers, 2, 'one with both versions compiled and the warm-up plan validated, one that took shares of its geometry checks');
      const r = await pool.run({ body: real('xplan60_Aenderungsplan_valide.gml'), contentType: 'application/gml+xml', schemaDir });
      assert.equal(r.report.valid, true);
    } finally {
      await pool.close();
    }
  });

  it('a large plan shares its Bereich checks with the idle worker: the same report as from one worker alone', async () => {
    const job = { body: real('BP_Alles_Parmis.gml'), contentType: 'application/gml+xml', schemaDir, shareFrom: 0 };
    const alone = new ValidationPool(1, { jobTimeoutMs: 60_000, maxQueue: 10 });
    const two = new ValidationPool(2, { jobTimeoutMs: 60_000, maxQueue: 10 });
    try {
      const one = await alone.run(job);
      assert.equal(one.sharedUnits, undefined, 'no other worker to share with');
      await two.warmUp(schemaDir, ['6.0']);
      const shared = await two.run(job);
      assert.ok((shared.sharedUnits ?? 0) > 0, 'a share ran in the other worker');
      const strip = (r: typeof one) => r.report.findings;
      assert.deepEqual(strip(shared), strip(one));
      assert.ok(one.report.findings.some((f) => f.rule === '2.2.1.1'), 'a plan with Flächenschluss findings');
    } finally {
      await Promise.all([alone.close(), two.close()]);
    }
  });

  it('a full queue refuses at once', async () => {
    const pool = new ValidationPool(1, { jobTimeoutMs: 60_000, maxQueue: 2 });
    try {
      const job = { body: real('BPlan002_5-4.gml'), contentType: 'application/gml+xml', schemaDir };
      const first = pool.run(job);
      const second = pool.run(job);
      await assert.rejects(() => pool.run(job), /waiting; try again/);
      assert.equal((await first).report.valid, true);
      assert.equal((await second).report.valid, true);
    } finally {
      await pool.close();
    }
  });
});
