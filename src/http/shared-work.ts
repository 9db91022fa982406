// Concurrent identical requests share one run of the work that answers them (a public list rendered
// from the database): when a polled answer's replay entry expires, every client polling it misses at
// once, and N renders of the same bytes would cost N times the CPU and, under a per-client bound, turn
// all but a few of them into 429s. Only the request that starts a run is counted against such bounds.
import type { Response } from 'express';

interface Run<T> { result: Promise<T>; waiting: Set<Response> }

export class SharedWork<T> {
  private readonly runs = new Map<string, Run<T>>();

  /** Runs in progress (for tests and metrics). */
  get size(): number {
    return this.runs.size;
  }

  /**
   * The result of the run for `key`: joined when one is in progress, else started with `start`.
   * `admit` is called only before starting (it may throw, e.g. a per-client bound's 429). The work is
   * told whether any request still waits for it (`stillWanted`), so that it can stop when every
   * client has gone.
   */
  run(key: string, res: Response, start: (stillWanted: () => boolean) => Promise<T>, admit: () => void = () => undefined): Promise<T> {
    const joined = this.runs.get(key);
    if (!joined) admit();
    const waiting = joined?.waiting ?? new Set<Response>();
    waiting.add(res);
    // 'close' also follows a finished answer; by then the run is over and the set is not asked again
    res.once('close', () => waiting.delete(res));
    if (joined) return joined.result;
    const result = start(() => waiting.size > 0).finally(() => this.runs.delete(key));
    this.runs.set(key, { result, waiting });
    return result;
  }
}
