// The feed's own SHACL report (/dcat/validation). One page's report costs the SHACL engine hundreds
// of milliseconds of CPU; run on the event loop, a few concurrent requests held every other answer
// for seconds. So the run goes to the feed's worker threads (pages.ts), its result is kept until the
// store changes (per base, profile and page), and concurrent identical requests share one run. The
// HTTP layer bounds the runs one client may have in progress (ClientGate, see routes.ts).
import type { GatewayContext } from '../core/context.ts';
import { PoolBusyError } from '../core/workers/pool.ts';
import type { PortalContact, Profile } from './build.ts';
import { Feed, catalogResourceUrl, type PageRequest } from './feed.ts';
import type { FeedPages } from './pages.ts';
import { FeedValidator, type ShaclResult } from './shacl.ts';

/** Everything a worker needs to validate one page. */
export interface ValidationJob {
  dbFile: string;
  schemaDir: string;
  base: string;
  /** The operator's contact (config), which the worker's feed falls back to. */
  portalContact?: PortalContact;
  request: PageRequest;
}

/** `found: false`: the page is past the last page (nothing was validated). */
export type ValidationOutcome = { found: true; result: ShaclResult } | { found: false };

/** Validates page `request` of `feed` (in a worker, or in this thread without workers). */
export async function validatePage(feed: Feed, validator: FeedValidator, request: PageRequest): Promise<ValidationOutcome> {
  const { graph, found } = await feed.page(request);
  if (!found) return { found: false };
  return { found: true, result: await validator.validate(graph.quads, request.profile) };
}

/** Reports kept: a few pages in each profile is what anyone asks for; the oldest goes first. */
const MAX_KEPT = 64;

interface Kept { stamp: string; outcome: ValidationOutcome }
interface Running { stamp: string; outcome: Promise<ValidationOutcome> }

export class FeedValidations {
  private readonly kept = new Map<string, Kept>();
  private readonly running = new Map<string, Running>();
  private inThread?: FeedValidator;
  /** SHACL runs started, requests answered from a kept report, requests that joined a run in progress (tests check them). */
  readonly stats = { runs: 0, kept: 0, joined: 0, inThread: 0 };

  constructor(private readonly ctx: Pick<GatewayContext, 'store' | 'config' | 'logger'>, private readonly pages: FeedPages) {}

  /**
   * The report of page `page` in `profile`, as the feed is now. `admit` is called before a report
   * has to be computed (a new run, or joining one in progress), not for a kept one: it may throw to
   * refuse the request (the per-client bound).
   */
  async report(base: string, profile: Profile, page: number, admit: () => void): Promise<ValidationOutcome> {
    const key = `${base} ${profile} ${page}`;
    const stamp = await this.pages.stamp();
    const kept = this.kept.get(key);
    if (kept && kept.stamp === stamp) {
      this.stats.kept++;
      return kept.outcome;
    }
    admit();
    const running = this.running.get(key);
    if (running && running.stamp === stamp) {
      this.stats.joined++;
      return running.outcome;
    }
    const run: Running = { stamp, outcome: this.run({ dbFile: this.ctx.config.dbFile, schemaDir: this.ctx.config.schemaDir, base, portalContact: this.ctx.config.portalContact, request: { page, profile, resourceUrl: catalogResourceUrl(base) } }) };
    this.stats.runs++;
    this.running.set(key, run);
    try {
      const outcome = await run.outcome;
      // kept only if nothing changed during the run (it may have read the data before or after a write)
      if ((await this.pages.stamp()) === stamp) this.keep(key, { stamp, outcome });
      return outcome;
    } finally {
      if (this.running.get(key) === run) this.running.delete(key);
    }
  }

  private keep(key: string, entry: Kept): void {
    for (const [k, v] of this.kept) if (v.stamp !== entry.stamp) this.kept.delete(k);
    this.kept.delete(key);
    this.kept.set(key, entry);
    if (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
  }

  private async run(job: ValidationJob): Promise<ValidationOutcome> {
    const inWorker = this.pages.validateInWorker(job);
    if (inWorker) {
      try {
        return await inWorker;
      } catch (err) {
        // a full queue or a run past its deadline is the client's answer (503); a broken worker is not
        if (err instanceof PoolBusyError) throw err;
        this.ctx.logger.warn({ err }, 'dcat: validation worker failed; validating in the request thread');
      }
    }
    // no workers (GATEWAY_FEED_WORKERS=0, a database in memory): in this thread, as pages are
    this.stats.inThread++;
    this.inThread ??= new FeedValidator(this.ctx.config.schemaDir);
    return validatePage(new Feed(this.ctx, job.base, job.portalContact), this.inThread, job.request);
  }
}
