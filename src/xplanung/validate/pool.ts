// The validation pool: worker threads (../../core/workers) that run XSD, rules and geometry, so
// that a 20 MB plan never blocks the HTTP event loop.
import { PoolBusyError, WorkerPool, type PoolLimits } from '../../core/workers/pool.ts';
import type { ValidationJob, ValidationJobResult } from './job.ts';

export { PoolBusyError, type PoolLimits };

export class ValidationPool extends WorkerPool<ValidationJob, ValidationJobResult> {
  constructor(size: number, limits: PoolLimits = { jobTimeoutMs: 120_000, maxQueue: 200 }) {
    super(new URL('./worker.ts', import.meta.url), size, limits, 'validation');
  }

  /**
   * Starts every worker (or, with `oneWorker`, one) and compiles the given schema versions in each,
   * ahead of the first request.
   */
  async warmUp(schemaDir: string, versions: string[], options: { oneWorker?: boolean } = {}): Promise<void> {
    const probe = (v: string) => Buffer.from(`<XPlanAuszug xmlns="http://www.xplanung.de/xplangml/${v.replace('.', '/')}"/>`);
    const compile = (v: string) => this.run({ body: probe(v), contentType: 'application/xml', schemaDir }).then(() => undefined, () => undefined);
    if (options.oneWorker) {
      // one job at a time: the pool starts a second worker only for a second waiting job
      for (const v of versions) await compile(v);
      return;
    }
    this.spawnAll();
    await Promise.all(Array.from({ length: this.size }, () => versions.map(compile)).flat());
  }
}
