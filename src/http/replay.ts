// Answers repeated public GETs from memory before express routes them. Civic dashboards and apps
// poll the same Open311 list again and again; walking express's router and middleware, resolving
// the jurisdiction and negotiating again for every poll cost three times what sending the bytes
// costs. A route that renders such an answer registers it here with a check that says whether it
// is still current (the data it came from did not change); until that check fails, the same
// request (the same URL by GET or HEAD, and the same values of the request headers the answer
// varies on) is answered with the same headers and bytes, in the encoding the client prefers, or
// 304 when its ETag matches. Bounded in bytes of the uncompressed answers, oldest out first.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import fresh from 'fresh';
import Negotiator from 'negotiator';
import { KEEPER, encode, type AnswerKeeper, type Encoding, type ReplayRule, type Representation } from './representation.ts';

interface Entry {
  rep: Representation;
  /** The headers the rendered answer was sent with, without the per-encoding ones. */
  headers: OutgoingHttpHeaders;
  /** Per encoding: the bytes and all headers to send them with, made on first use. */
  answers: Partial<Record<Encoding, { bytes: Buffer; headers: OutgoingHttpHeaders }>>;
  rule: ReplayRule;
  varyValues: readonly (string | undefined)[];
  expires: number;
}

const ENCODINGS = ['br', 'gzip', 'identity'];

export class ReplayCache implements AnswerKeeper {
  private readonly entries = new Map<string, Entry>();
  private readonly encodingFor = new Map<string, Encoding>();
  private bytes = 0;

  /** `onReplay` is told of every replayed answer (for the request log). */
  constructor(private readonly maxBytes: number, private readonly onReplay?: (req: IncomingMessage, status: number) => void) {}

  /**
   * Answers `req` from memory when a current entry matches, else calls `route` (the application).
   * Runs in front of express, which never sees a replayed request.
   */
  serve(req: IncomingMessage, res: ServerResponse, route: (req: IncomingMessage, res: ServerResponse) => void): void {
    const entry = req.method === 'GET' || req.method === 'HEAD' ? this.entries.get(req.url ?? '') : undefined;
    if (!entry || !this.matches(entry, req.headers)) return route(req, res);
    let current: boolean | Promise<boolean>;
    try { current = entry.rule.isCurrent(); } catch { return route(req, res); }
    if (typeof current === 'boolean') this.answer(req, res, route, entry, current);
    else current.then((ok) => this.answer(req, res, route, entry, ok), () => route(req, res));
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: (req: IncomingMessage, res: ServerResponse) => void, entry: Entry, current: boolean): void {
    if (!current) {
      this.drop(req.url ?? '');
      return route(req, res);
    }
    let status: number;
    try {
      status = this.replay(req, res, entry);
    } catch {
      // whatever went wrong (a compression failure), the application can still answer
      this.drop(req.url ?? '');
      if (!res.headersSent) route(req, res);
      return;
    }
    this.onReplay?.(req, status);
  }

  /** Express middleware: lets routes behind it register answers (see sendRepresentation). */
  keeper() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (req.method === 'GET' || req.method === 'HEAD') (res.locals as Record<symbol, AnswerKeeper>)[KEEPER] = this;
      next();
    };
  }

  /** Registers the answer `res` is about to send for `req` (called by sendRepresentation). */
  remember(req: Request, res: Response, rep: Representation, rule: ReplayRule): void {
    const key = req.originalUrl;
    this.drop(key);
    if (rep.body.length > this.maxBytes / 4) return; // one huge answer must not push out all others
    // as sent, in the spelling the routes used
    const headers: OutgoingHttpHeaders = {};
    // (on every OutgoingMessage since Node 15.13; @types/node declares it on ClientRequest only)
    for (const name of (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames()) {
      const lower = name.toLowerCase();
      if (lower !== 'content-length' && lower !== 'content-encoding') headers[name] = res.getHeader(lower);
    }
    this.entries.set(key, { rep, headers, answers: {}, rule, varyValues: (rule.varyOn ?? []).map((h) => headerValue(req.headers, h)), expires: Date.now() + rule.maxAgeMs });
    this.bytes += rep.body.length;
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k);
    }
  }

  /** The encoding a client prefers among those offered, negotiated once per distinct header. */
  preferredEncoding(acceptEncoding: string | undefined): Encoding {
    const key = acceptEncoding ?? '';
    let enc = this.encodingFor.get(key);
    if (!enc) {
      enc = (new Negotiator({ headers: { 'accept-encoding': acceptEncoding } }).encodings(ENCODINGS)[0] ?? 'identity') as Encoding;
      if (this.encodingFor.size >= 256) this.encodingFor.clear();
      this.encodingFor.set(key, enc);
    }
    return enc;
  }

  private matches(entry: Entry, headers: IncomingHttpHeaders): boolean {
    if (Date.now() >= entry.expires) return false;
    const vary = entry.rule.varyOn;
    if (vary) for (let i = 0; i < vary.length; i++) if (headerValue(headers, vary[i]!) !== entry.varyValues[i]) return false;
    return true;
  }

  /** Sends the entry; returns the status sent. */
  private replay(req: IncomingMessage, res: ServerResponse, entry: Entry): number {
    const { rep } = entry;
    if (fresh(req.headers, { etag: rep.etag })) {
      res.writeHead(304, entry.headers).end();
      return 304;
    }
    const wanted = this.preferredEncoding(req.headers['accept-encoding']);
    let answer = entry.answers[wanted];
    if (!answer) {
      const [bytes, encoding] = encode(rep, wanted);
      const headers: OutgoingHttpHeaders = { ...entry.headers, 'content-length': bytes.length };
      if (encoding !== 'identity') headers['content-encoding'] = encoding;
      answer = entry.answers[wanted] = { bytes, headers };
    }
    res.writeHead(200, answer.headers).end(req.method === 'HEAD' ? undefined : answer.bytes);
    return 200;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.rep.body.length;
    this.entries.delete(key);
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
