// Bounds the memory that large responses sent from memory hold at once (a stored plan's source, the
// files of its XPlanArchive, up to GATEWAY_MAX_PLAN_BYTES each): a slow client keeps its response
// buffer alive until the last byte is sent, so a few of them could otherwise exhaust the process.
// One client address gets a share of the budget (429 beyond it), and a client that stops reading
// is cut off after a stall timeout, so no one can hold the budget for everyone else.
import type { Request, Response } from 'express';
import { HttpError, tooManyRequests } from '../core/errors.ts';

export interface DownloadBudgetOptions {
  /** Bytes one client address may hold; its first download is always judged by the total alone. Default: a quarter of the budget. */
  perClientBytes?: number;
  /** Downloads in progress per client address. Default 4. */
  perClientDownloads?: number;
  /** A response whose client has drained no bytes for this long is ended, its bytes released. Default 30 s. */
  stallMs?: number;
}

/** Defaults (GATEWAY_DOWNLOADS_PER_CLIENT, GATEWAY_DOWNLOAD_STALL_MS). */
export const DEFAULT_DOWNLOADS_PER_CLIENT = 4;
export const DEFAULT_DOWNLOAD_STALL_MS = 30_000;

/** Responses are written in slices of this size, so a client's progress (or none) can be seen. */
const SLICE = 64 * 1024;

interface Reservation { bytes: number; client: string }

function clientOf(res: Response): string {
  const req = res.req as Request | undefined;
  return req?.ip ?? req?.socket?.remoteAddress ?? '';
}

export class DownloadBudget {
  private held = 0;
  private readonly byResponse = new WeakMap<Response, Reservation>();
  private readonly byClient = new Map<string, { bytes: number; downloads: number }>();
  private readonly perClientBytes: number;
  private readonly perClientDownloads: number;
  /** Read when a response starts sending (a test may change it between downloads). */
  stallMs: number;

  constructor(private readonly maxBytes: number, options: DownloadBudgetOptions = {}) {
    this.perClientBytes = options.perClientBytes ?? Math.floor(maxBytes / 4);
    this.perClientDownloads = options.perClientDownloads ?? DEFAULT_DOWNLOADS_PER_CLIENT;
    this.stallMs = options.stallMs ?? DEFAULT_DOWNLOAD_STALL_MS;
  }

  /** Bytes reserved by responses still being sent. */
  get inFlight(): number {
    return this.held;
  }

  /** Bytes and downloads in progress of one client address. */
  heldBy(client: string): { bytes: number; downloads: number } {
    const c = this.byClient.get(client);
    return { bytes: c?.bytes ?? 0, downloads: c?.downloads ?? 0 };
  }

  /**
   * Reserves `bytes` for `res` until it has finished or its client has gone (a response may reserve
   * in steps: an archive, then the file read from it). Throws 429 (Retry-After) when the client has
   * all its downloads in progress or would exceed its share with another one, 503 (Retry-After) when
   * the budget is spent. A response is always allowed when no other one holds bytes, whatever its size.
   */
  reserve(res: Response, bytes: number): void {
    const mine = this.byResponse.get(res);
    const client = mine?.client ?? clientOf(res);
    const c = this.heldBy(client);
    if (!mine && c.downloads >= this.perClientDownloads) {
      throw tooManyRequests(`at most ${this.perClientDownloads} downloads per client at once; retry when one has finished`, 5);
    }
    const clientOthers = c.bytes - (mine?.bytes ?? 0);
    if (clientOthers > 0 && c.bytes + bytes > this.perClientBytes) {
      throw tooManyRequests(`your downloads in progress hold ${Math.round(clientOthers / 1048576)} MB, a client's share of what the gateway sends at once; retry when one has finished`, 5);
    }
    const others = this.held - (mine?.bytes ?? 0);
    if (others > 0 && this.held + bytes > this.maxBytes) {
      throw new HttpError(503, 'Service Unavailable', `downloads in progress hold ${Math.round(others / 1048576)} MB, the most the gateway sends at once; retry shortly`, { headers: { 'Retry-After': '5' } });
    }
    this.held += bytes;
    this.byClient.set(client, { bytes: c.bytes + bytes, downloads: c.downloads + (mine ? 0 : 1) });
    if (mine) {
      mine.bytes += bytes;
      return;
    }
    const reservation: Reservation = { bytes, client };
    this.byResponse.set(res, reservation);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.held -= reservation.bytes;
      const now = this.heldBy(client);
      if (now.downloads > 1) this.byClient.set(client, { bytes: now.bytes - reservation.bytes, downloads: now.downloads - 1 });
      else this.byClient.delete(client);
      reservation.bytes = 0;
      this.byResponse.delete(res);
    };
    res.once('finish', release);
    res.once('close', release);
  }

  /**
   * Sends `bytes` as the body of `res` (headers set by the caller; 304 when the client's copy is
   * fresh, no body for HEAD), in slices: a client that drains nothing for `stallMs` has its response
   * ended (the connection closed), which releases its reservation. res.send would hand the whole
   * buffer to the socket at once, where no progress of a client can be seen.
   */
  send(req: Request, res: Response, bytes: Buffer): void {
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Length', bytes.length);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stalled = setTimeout(() => res.destroy(), this.stallMs);
    const done = () => clearTimeout(stalled);
    res.once('finish', done).once('close', done);
    let offset = 0;
    const pump = () => {
      stalled.refresh(); // the client took what was written so far
      while (offset < bytes.length) {
        const end = Math.min(offset + SLICE, bytes.length);
        const more = res.write(bytes.subarray(offset, end));
        offset = end;
        if (!more) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  }
}
