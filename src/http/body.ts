// Body parsers of the JSON and form APIs, in one place: bounded, and strict about UTF-8 (a body
// that is not valid UTF-8 is refused, instead of being decoded with replacement characters).
import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type Response } from 'express';
import { badRequest } from '../core/errors.ts';

const verifyUtf8 = (_req: unknown, _res: unknown, buf: Buffer): void => {
  if (!isUtf8(buf)) throw badRequest('the request body is not valid UTF-8');
};

export function jsonBody(limit: number, type: string[] = ['application/json']) {
  return express.json({ limit, type, strict: true, verify: verifyUtf8 });
}

export function formBody(limit: number) {
  return express.urlencoded({ extended: true, limit, parameterLimit: 200, verify: verifyUtf8 });
}

/**
 * A large raw body (a plan) written, as its chunks arrive, into one buffer of the announced size,
 * backed by a SharedArrayBuffer. Nothing is copied at the end (express.raw concatenates the chunks),
 * and handing the body to a validation worker copies nothing either: copying 20 MB into fresh memory
 * held the event loop for about 100 ms each time, which /health would notice. Bodies without a
 * Content-Length, with a Content-Encoding, or over the limit go through express.raw, which inflates
 * and refuses them as before.
 */
export function sharedRawBody(limit: number) {
  const fallback = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction): void => {
    const length = Number(req.headers['content-length']);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (!Number.isSafeInteger(length) || length <= 0 || length > limit || encoding !== 'identity') {
      fallback(req, res, next);
      return;
    }
    const body = Buffer.from(new SharedArrayBuffer(length));
    let received = 0;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (err) next(err);
      else {
        req.body = body;
        next();
      }
    };
    const onData = (chunk: Buffer) => {
      // Node's HTTP parser keeps a body within its Content-Length; this guards the copy regardless
      if (received + chunk.length > length) return settle(badRequest('the body is longer than its Content-Length'));
      chunk.copy(body, received);
      received += chunk.length;
    };
    const onEnd = () => settle(received === length ? undefined : badRequest(`the body ended after ${received} of ${length} bytes`));
    const onError = (err: Error) => settle(badRequest(`the body could not be read: ${err.message}`));
    const onClose = () => settle(badRequest('the request was aborted before its body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  };
}
