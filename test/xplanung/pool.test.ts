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

  it('a job over its deadline is stopped (its worker replaced), and the next job still runs', async () => {
    const pool = new ValidationPool(1, { jobTimeoutMs: 200, maxQueue: 10 });
    try {
      // the first job compiles the XPlanung 6.0 schema set: well over 200 ms
      await assert.rejects(() => pool.run({ body: real('Blankenese29.gml'), contentType: 'application/gml+xml', schemaDir }), (err: Error) => err instanceof PoolBusyError && /longer than/.test(err.message));
      const quick = await pool.run({ body: Buffer.from('<html/>'), contentType: 'application/xml', schemaDir });
      assert.equal(quick.report.valid, false);
      assert.equal(quick.report.findings[0]?.rule, 'version');
    } finally {
      await pool.close();
    }
  });

  it('warmUp starts one worker and compiles the schema sets in it, ahead of the first plan', async () => {
    const pool = new ValidationPool(2, { jobTimeoutMs: 60_000, maxQueue: 10 });
    try {
      assert.equal(pool.readyWorkers, 0, 'workers start on demand');
      await pool.warmUp(schemaDir, ['6.0', '5.4']);
      assert.equal(pool.readyWorkers, 1, 'one worker, both versions compiled in it, the warm-up plan validated there');
      const r = await pool.run({ body: real('xplan60_Aenderungsplan_valide.gml'), contentType: 'application/gml+xml', schemaDir });
      assert.equal(r.report.valid, true);
    } finally {
      await pool.close();
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
