// Concurrent identical requests share one run: the work starts once, only its starter is admitted
// (and may be refused), and the work learns when no request waits for it any more.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { SharedWork } from '../../src/http/shared-work.ts';

/** What SharedWork uses of a response: its 'close' event. */
const response = () => new EventEmitter() as unknown as Response;

describe('http/shared-work', () => {
  it('joins a run in progress: started and admitted once, the same result for all', async () => {
    const work = new SharedWork<string>();
    let starts = 0;
    let admits = 0;
    let finish!: (v: string) => void;
    const start = () => { starts++; return new Promise<string>((r) => { finish = r; }); };
    const a = work.run('k', response(), start, () => { admits++; });
    const b = work.run('k', response(), start, () => { admits++; });
    const other = work.run('other', response(), async () => 'anders');
    assert.equal(work.size, 2);
    finish('eins');
    assert.deepEqual(await Promise.all([a, b, other]), ['eins', 'eins', 'anders']);
    assert.deepEqual([starts, admits], [1, 1]);
    assert.equal(work.size, 0);
  });

  it('a refused start starts nothing; the next request tries again', async () => {
    const work = new SharedWork<string>();
    assert.throws(() => work.run('k', response(), async () => 'nie', () => { throw new Error('429'); }), /429/);
    assert.equal(work.size, 0);
    assert.equal(await work.run('k', response(), async () => 'jetzt'), 'jetzt');
  });

  it('the work is still wanted while any request waits, and not once all have gone', async () => {
    const work = new SharedWork<boolean[]>();
    const [r1, r2] = [response(), response()];
    let wanted!: () => boolean;
    let finish!: () => void;
    const seen: boolean[] = [];
    const result = work.run('k', r1, (stillWanted) => { wanted = stillWanted; return new Promise((r) => { finish = () => r(seen); }); });
    void work.run('k', r2, async () => []);
    seen.push(wanted());
    (r1 as unknown as EventEmitter).emit('close');
    seen.push(wanted());
    (r2 as unknown as EventEmitter).emit('close');
    seen.push(wanted());
    finish();
    assert.deepEqual(await result, [true, true, false]);
  });
});
