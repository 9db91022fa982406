import assert from 'node:assert/strict';
import { PoolBusyError, WorkerPool } from '../../../src/core/workers/pool.ts';
import { NICE_STEP } from '../../../src/core/workers/priority.ts';
import type { HelpJob, HelpPart, HelpResult, PartResult } from '../../helpers/helping-worker.ts';
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

describe('core/workers: a job hands a part to an idle worker (Helpers.ask)', function () {
  this.timeout(30_000);
  const module = new URL('../../helpers/helping-worker.ts', import.meta.url);
  const limits = { jobTimeoutMs: 20_000, maxQueue: 4 };
  type Pool = WorkerPool<HelpJob, HelpResult, HelpPart, PartResult>;
  const started = async (size: number): Promise<Pool> => {
    const pool: Pool = new WorkerPool(module, size, limits);
    pool.spawnAll();
    while (pool.readyWorkers < size) await new Promise((r) => setTimeout(r, 20));
    return pool;
  };

  it('another worker runs the part; its buffer moves there, not copied', async () => {
    const pool = await started(2);
    try {
      const r = await pool.run({ bytes: 1 << 20 });
      assert.ok(r.helped, 'the part was run');
      assert.notEqual(r.helped.thread, r.thread, 'by another worker');
      assert.equal(r.helped.received, 1 << 20, 'with the whole buffer');
      assert.equal(r.leftBehind, 0, 'which the asker no longer holds');
    } finally {
      await pool.close();
    }
  });

  it('with no other worker, the asker hears at once that it must do the part itself', async () => {
    const pool = await started(1);
    try {
      const r = await pool.run({ bytes: 16 });
      assert.equal(r.helped, undefined);
    } finally {
      await pool.close();
    }
  });

  it('a part that fails comes back empty, and the pool goes on', async () => {
    const pool = await started(2);
    try {
      assert.equal((await pool.run({ bytes: 16, failPart: true })).helped, undefined);
      assert.ok((await pool.run({ bytes: 16 })).helped, 'the next part runs');
    } finally {
      await pool.close();
    }
  });

  it('jobs come before parts: while both workers have a job, no part is lent', async () => {
    const pool = await started(2);
    try {
      const both = await Promise.all([pool.run({ bytes: 16, holdMs: 200 }), pool.run({ bytes: 16, holdMs: 200 })]);
      assert.notEqual(both[0].thread, both[1].thread, 'the jobs ran side by side');
      for (const r of both) assert.equal(r.helped, undefined);
    } finally {
      await pool.close();
    }
  });

  it('a job goes to the worker that has run the most, so the other stays light', async () => {
    const pool = await started(2);
    try {
      // one worker is held by a long job while two short ones run in the other
      const long = pool.run({ bytes: 16, holdMs: 500 });
      const short = [await pool.run({ bytes: 16 }), await pool.run({ bytes: 16 })];
      assert.equal(short[0]!.thread, short[1]!.thread);
      assert.notEqual((await long).thread, short[0]!.thread);
      // both idle now: the next jobs go to the one with two jobs behind it
      for (let i = 0; i < 3; i++) assert.equal((await pool.run({ bytes: 16 })).thread, short[0]!.thread);
    } finally {
      await pool.close();
    }
  });

  it('a job over its deadline is stopped, its worker replaced, and the next job runs', async () => {
    const pool: Pool = new WorkerPool(module, 1, { jobTimeoutMs: 300, maxQueue: 4 });
    try {
      await assert.rejects(() => pool.run({ bytes: 16, holdMs: 5_000 }), (err: Error) => err instanceof PoolBusyError && /longer than/.test(err.message));
      const next = await pool.run({ bytes: 16 });
      assert.equal(next.helped, undefined);
      assert.equal(pool.readyWorkers, 1);
    } finally {
      await pool.close();
    }
  });
});
