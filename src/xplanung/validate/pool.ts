// The validation pool: worker threads (../../core/workers) that run XSD, rules and geometry, so
// that a 20 MB plan never blocks the HTTP event loop.
import { PoolBusyError, WorkerPool, type PoolLimits } from '../../core/workers/pool.ts';
import type { ValidationJob, ValidationJobResult } from './job.ts';
import { warmUpPlan } from './warm-up.ts';

/** Validations of the warm-up plan at start (see warmUp); set by measuring, see docs/xplanung.md. */
const WARM_UP_RUNS = 3;

export { PoolBusyError, type PoolLimits };

export class ValidationPool extends WorkerPool<ValidationJob, ValidationJobResult> {
  constructor(size: number, limits: PoolLimits = { jobTimeoutMs: 120_000, maxQueue: 200 }) {
    super(new URL('./worker.ts', import.meta.url), size, limits, 'validation');
  }

  /**
   * Starts one worker and compiles the given schema versions in it, ahead of the first request; then
   * validates the gateway's own warm-up plan (warm-up.ts) a few times, so that the tree, rule and
   * geometry code is optimised too. One job at a time, so the pool starts no second worker (it would
   * only for a second waiting job).
   */
  async warmUp(schemaDir: string, versions: string[]): Promise<void> {
    const ignore = () => undefined;
    const probe = (v: string) => Buffer.from(`<XPlanAuszug xmlns="http://www.xplanung.de/xplangml/${v.replace('.', '/')}"/>`);
    for (const v of versions) await this.run({ body: probe(v), contentType: 'application/xml', schemaDir }).then(ignore, ignore);
    if (!versions.includes('6.0')) return;
    const body = warmUpPlan();
    for (let i = 0; i < WARM_UP_RUNS; i++) await this.run({ body, contentType: 'application/gml+xml', schemaDir }).then(ignore, ignore);
  }
}
