import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../../scripts/gateway-process.ts';
import { NICE_STEP } from '../../../src/core/workers/priority.ts';
import { niceOf } from '../../helpers/threads.ts';

/** Nice value of every thread of a process, by thread id (Linux /proc). */
function threadNices(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), niceOf(pid, Number(tid)));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

describe('core/workers/priority', () => {
  it('a running gateway runs V8\'s helper threads and its validation workers nicer than the HTTP event loop', async function () {
    if (process.platform !== 'linux') this.skip();
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'bgw-nice-'));
    const gw = await startGateway(join(dir, 'gateway.db'), 20000 + Math.floor(Math.random() * 20000));
    try {
      // a validation starts a worker thread
      const res = await fetch(`${gw.base}/xplanung/v1/validate`, { method: 'POST', headers: { 'content-type': 'application/gml+xml' }, body: readFileSync('fixtures/xplanung/demo-bebauungsplan-7.gml') });
      assert.equal(res.status, 200);
      const nices = threadNices(gw.pid);
      const main = nices.get(gw.pid)!;
      assert.equal(main, threadNices(process.pid).get(process.pid), 'the event loop keeps the priority it was started with');
      const others = [...nices].filter(([tid]) => tid !== gw.pid);
      const niced = others.filter(([, nice]) => nice === Math.min(19, main + NICE_STEP));
      // V8's four platform threads (started before main.ts runs) and the validation worker at least
      assert.ok(niced.length >= 5, `niced threads: ${JSON.stringify(others)}`);
      // the rest are libuv's pool, started later on first use, serving the event loop's file and compression work
      for (const [tid, nice] of others) assert.ok(nice === main || nice === Math.min(19, main + NICE_STEP), `thread ${tid} at ${nice}`);
    } finally {
      gw.child.kill('SIGTERM');
      await new Promise((r) => gw.child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
