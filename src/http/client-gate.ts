// Bounds how many expensive public answers one client has in progress at once (rendering a large
// list, a SHACL report, a download held in memory). Answers replayed from memory never get here;
// what does get here costs CPU or memory for every request, so a single client must not be able to
// start arbitrarily many and starve everyone else. Keyed by the client address as express sees it
// (behind a trusted proxy: the forwarded address, see GATEWAY_TRUST_PROXY).
import type { Request, Response } from 'express';
import { tooManyRequests } from '../core/errors.ts';

export class ClientGate {
  private readonly inProgress = new Map<string, number>();

  /** `what` names the operation in the refusal ("catalogue validations"). */
  constructor(private readonly maxPerClient: number, private readonly what: string) {}

  /** Requests of `client` in progress. */
  held(client: string): number {
    return this.inProgress.get(client) ?? 0;
  }

  /**
   * Takes a place for `res`'s client until the response has finished or its connection has closed;
   * throws 429 (Retry-After) when the client holds all its places.
   */
  enter(req: Request, res: Response): void {
    const client = req.ip ?? req.socket.remoteAddress ?? '';
    const held = this.held(client);
    if (held >= this.maxPerClient) throw tooManyRequests(`at most ${this.maxPerClient} ${this.what} per client at once; retry when one has finished`, 2);
    this.inProgress.set(client, held + 1);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      const n = this.held(client) - 1;
      if (n > 0) this.inProgress.set(client, n);
      else this.inProgress.delete(client);
    };
    res.once('finish', leave);
    res.once('close', leave);
  }
}
