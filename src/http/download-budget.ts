// Bounds the memory that large responses sent from memory hold at once (a stored plan's source, the
// files of its XPlanArchive, up to GATEWAY_MAX_PLAN_BYTES each): a slow client keeps its response
// buffer alive until the last byte is sent, so a few of them could otherwise exhaust the process.
import type { Response } from 'express';
import { HttpError } from '../core/errors.ts';

export class DownloadBudget {
  private held = 0;
  private readonly byResponse = new WeakMap<Response, { bytes: number }>();

  constructor(private readonly maxBytes: number) {}

  /** Bytes reserved by responses still being sent. */
  get inFlight(): number {
    return this.held;
  }

  /**
   * Reserves `bytes` for `res` until it has finished or its client has gone (a response may reserve
   * in steps: an archive, then the file read from it); throws 503 (Retry-After) when the budget is
   * spent. A response is always allowed when no other one holds bytes, whatever its size.
   */
  reserve(res: Response, bytes: number): void {
    const mine = this.byResponse.get(res);
    const others = this.held - (mine?.bytes ?? 0);
    if (others > 0 && this.held + bytes > this.maxBytes) {
      throw new HttpError(503, 'Service Unavailable', `downloads in progress hold ${Math.round(others / 1048576)} MB, the most the gateway sends at once; retry shortly`, { headers: { 'Retry-After': '5' } });
    }
    this.held += bytes;
    if (mine) {
      mine.bytes += bytes;
      return;
    }
    const reservation = { bytes };
    this.byResponse.set(res, reservation);
    const release = () => {
      this.held -= reservation.bytes;
      reservation.bytes = 0;
      this.byResponse.delete(res);
    };
    res.once('finish', release);
    res.once('close', release);
  }
}
