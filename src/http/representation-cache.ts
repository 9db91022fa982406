// Rendered responses kept for reuse, with their compressed forms and an ETag. Lists that clients
// poll (a dashboard asking for the newest reports every few seconds) are rendered once per change
// instead of once per request; a client that sends Accept-Encoding gets a tenth of the bytes, and
// one that sends If-None-Match gets a 304 without a body.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

export interface Representation {
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
  gzip?: Buffer;
  br?: Buffer;
}

/** Below this, compressing costs more than the bytes it saves. */
const MIN_COMPRESS_BYTES = 1024;

export function representation(contentType: string, body: string | Buffer): Representation {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { contentType, body: bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
}

/** Sends `rep` in the encoding the client prefers (br, gzip or none), or 304 when its ETag matches. */
export function sendRepresentation(req: Request, res: Response, rep: Representation): void {
  res.vary('Accept-Encoding');
  res.setHeader('ETag', rep.etag);
  res.type(rep.contentType);
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  const encoding = rep.body.length >= MIN_COMPRESS_BYTES ? req.acceptsEncodings('br', 'gzip', 'identity') : 'identity';
  let bytes = rep.body;
  if (encoding === 'br') bytes = rep.br ??= brotliCompressSync(rep.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: rep.body.length } });
  else if (encoding === 'gzip') bytes = rep.gzip ??= gzipSync(rep.body, { level: 6 });
  if (bytes !== rep.body) res.setHeader('Content-Encoding', encoding as string);
  res.setHeader('Content-Length', bytes.length);
  res.status(200).end(req.method === 'HEAD' ? undefined : bytes);
}

/**
 * Representations by key, valid while the `stamp` they were made under is current and for at most
 * `maxAgeMs`; bounded in bytes (oldest out first), so that many distinct queries cannot fill memory.
 */
export class RepresentationCache {
  private readonly entries = new Map<string, { stamp: string; at: number; rep: Representation }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number, private readonly maxAgeMs: number) {}

  get(key: string, stamp: string): Representation | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.stamp === stamp && Date.now() - e.at < this.maxAgeMs) return e.rep;
    this.delete(key);
    return undefined;
  }

  set(key: string, stamp: string, rep: Representation): void {
    this.delete(key);
    if (rep.body.length > this.maxBytes / 4) return; // one huge answer must not push out all others
    this.entries.set(key, { stamp, at: Date.now(), rep });
    this.bytes += rep.body.length;
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.rep.body.length;
    this.entries.delete(key);
  }
}
