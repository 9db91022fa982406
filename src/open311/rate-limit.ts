// Fixed-window rate limit for report submissions, per API key and per client address.
import { Open311Error } from './errors.ts';

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  /** Counts one request for `key`; throws 429 (Open311 error format) when the minute's budget is spent. */
  take(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= 60_000) {
      this.windows.set(key, { start: t, count: 1 });
      if (this.windows.size > 10_000) this.prune(t);
      return;
    }
    if (w.count >= this.perMinute) {
      const retry = Math.ceil((w.start + 60_000 - t) / 1000);
      throw new Open311Error(429, [{ code: 429, description: `too many reports: at most ${this.perMinute} per minute; retry in ${retry} s` }], { 'Retry-After': String(retry) });
    }
    w.count++;
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= 60_000) this.windows.delete(k);
  }
}
