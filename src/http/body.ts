// Body parsers of the JSON, form and upload APIs, in one place: bounded, and strict about UTF-8 (a body
// that is not valid UTF-8 is refused, instead of being decoded with replacement characters).
import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { HttpError, badRequest } from '../core/errors.ts';
import { MAX_JSON_DEPTH, jsonDepth } from '../core/text.ts';

const verifyUtf8 = (_req: unknown, _res: unknown, buf: Buffer): void => {
  if (!isUtf8(buf)) throw badRequest('the request body is not valid UTF-8');
};

// checked before JSON.parse: code that walks the parsed value (JSON Merge Patch, schema checks)
// recurses, and a body nested thousands deep would overflow its stack
const verifyJson = (req: unknown, res: unknown, buf: Buffer): void => {
  verifyUtf8(req, res, buf);
  if (jsonDepth(buf, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw badRequest(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
};

export function jsonBody(limit: number, type: string[] = ['application/json']) {
  return express.json({ limit, type, strict: true, verify: verifyJson });
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

/** Why a form upload was refused, for a client that shows the reason in its own words (a German form page). */
export type UploadRefusal = 'too-large' | 'no-file' | 'unexpected-part' | 'unreadable';

export class UploadError extends HttpError {
  constructor(status: number, detail: string, readonly reason: UploadRefusal) {
    super(status, status === 413 ? 'Content Too Large' : 'Bad Request', detail);
  }
}

/**
 * Keeps an uploaded file in a SharedArrayBuffer sized by the request's Content-Length (the file is
 * part of the body, so never longer): as with sharedRawBody, a validation worker then reads it
 * without a copy on the event loop. Without a Content-Length the chunks are joined as usual.
 */
class SharedMemoryStorage implements multer.StorageEngine {
  constructor(private readonly limit: number) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const announced = Number(req.headers['content-length']);
    const capacity = Number.isSafeInteger(announced) && announced > 0 ? Math.min(announced, this.limit + 1) : 0;
    const target = capacity > 0 ? Buffer.from(new SharedArrayBuffer(capacity)) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      if (!target) chunks.push(chunk);
      else size += chunk.copy(target, size, 0, Math.min(chunk.length, capacity - size));
    });
    file.stream.on('error', (err) => cb(err));
    file.stream.on('end', () => {
      const buffer = target ? target.subarray(0, size) : Buffer.concat(chunks);
      cb(null, { buffer, size: buffer.length });
    });
  }

  _removeFile(_req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    (file as Partial<Express.Multer.File>).buffer = undefined;
    cb(null);
  }
}

/**
 * A multipart/form-data body (an HTML form) with exactly one file, in form field `field`, of at most
 * `limit` bytes, and a few short text fields; the file lands in `req.file`, the fields in `req.body`.
 * File names are read as UTF-8, as browsers send them.
 */
export function sharedFileUpload(field: string, limit: number) {
  const upload = multer({
    storage: new SharedMemoryStorage(limit),
    defParamCharset: 'utf8',
    limits: { fileSize: limit, files: 1, fields: 10, fieldSize: 1024, parts: 11 },
  }).single(field);
  return (req: Request, res: Response, next: NextFunction): void => {
    // refuse at once what cannot fit, instead of reading it first
    const announced = Number(req.headers['content-length']);
    if (Number.isSafeInteger(announced) && announced > limit + 64 * 1024) {
      next(new UploadError(413, `the upload exceeds the limit of ${limit} bytes`, 'too-large'));
      return;
    }
    upload(req, res, (err?: unknown) => {
      if (!err) {
        next(req.file ? undefined : new UploadError(400, `no file: send it in the form field ${field}`, 'no-file'));
        return;
      }
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') next(new UploadError(413, `the file exceeds the limit of ${limit} bytes`, 'too-large'));
      else if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') next(new UploadError(400, `send exactly one file, in the form field ${field}`, 'unexpected-part'));
      else next(new UploadError(400, `the form cannot be read: ${(err as Error).message}`, 'unreadable'));
    });
  };
}
