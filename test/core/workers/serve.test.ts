import assert from 'node:assert/strict';
import { WorkerPool } from '../../../src/core/workers/pool.ts';
import { NICE_STEP } from '../../../src/core/workers/priority.ts';
import { niceOf } from '../../helpers/threads.ts';

describe('core/workers/serve', () => {
  it('runs worker threads below the HTTP thread: the worker is niced, the main thread is not', async function () {
    if (process.platform !== 'linux') this.skip();
    const pool = new WorkerPool<object, { nice: number; tid: number; pid: number }>(new URL('../../helpers/thread-worker.ts', import.meta.url), 1, { jobTimeoutMs: 30_000, maxQueue: 4 });
    try {
      const seen = await pool.run({});
      assert.equal(seen.pid, process.pid);
      assert.notEqual(seen.tid, process.pid, 'the job ran on a thread of its own');
      const main = niceOf(process.pid, process.pid);
      assert.equal(seen.nice, Math.min(19, main + NICE_STEP));
      assert.equal(niceOf(process.pid, seen.tid), seen.nice, 'as the main thread sees it');
      assert.equal(niceOf(process.pid, process.pid), main, 'the main thread keeps its priority');
    } finally {
      await pool.close();
    }
  });
});
