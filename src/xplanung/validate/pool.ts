// The validation pool: worker threads (../../core/workers) that run XSD, rules and geometry, so
// that a 20 MB plan never blocks the HTTP event loop.
import { PoolBusyError, WorkerPool, type PoolLimits } from '../../core/workers/pool.ts';
import type { PackedAreaPart, UnitFindings } from './area-checks.ts';
import type { ValidationJob, ValidationJobResult } from './job.ts';
import { warmUpPlan } from './warm-up.ts';

/** Validations of the warm-up plan at start (see warmUp); set by measuring, see docs/xplanung.md. */
const WARM_UP_RUNS = 3;

export { PoolBusyError, type PoolLimits };

export class ValidationPool extends WorkerPool<ValidationJob, ValidationJobResult, PackedAreaPart, UnitFindings[]> {
  constructor(size: number, limits: PoolLimits = { jobTimeoutMs: 120_000, maxQueue: 200 }) {
    super(new URL('./worker.ts', import.meta.url), size, limits, 'validation');
  }

  /**
   * Starts the workers and compiles the given schema versions in one of them, ahead of the first
   * request; then validates the gateway's own warm-up plan (warm-up.ts) a few times, so that the tree,
   * rule and geometry code is optimised too. Those runs hand a share of their geometry checks to the
   * second worker (as a large plan would), which warms its geometry code and leaves it without the
   * job code and schemas (~50 MB, see worker.ts) until a second plan arrives at the same time.
   */
  async warmUp(schemaDir: string, versions: string[]): Promise<void> {
    const ignore = () => undefined;
    this.spawnAll();
    const probe = (v: string) => Buffer.from(`<XPlanAuszug xmlns="http://www.xplanung.de/xplangml/${v.replace('.', '/')}"/>`);
    // one job at a time, so that one worker compiles the schemas and the other stays light
    for (const v of versions) await this.run({ body: probe(v), contentType: 'application/xml', schemaDir }).then(ignore, ignore);
    if (!versions.includes('6.0')) return;
    const body = warmUpPlan();
    for (let i = 0; i < WARM_UP_RUNS; i++) await this.run({ body, contentType: 'application/gml+xml', schemaDir, shareFrom: 0 }).then(ignore, ignore);
  }
}
