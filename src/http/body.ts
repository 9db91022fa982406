// Body parsers of the JSON, form and upload APIs, in one place: bounded, and strict about UTF-8 (a body
// that is not valid UTF-8 is refused, instead of being decoded with replacement characters).
import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HttpError, badRequest, payloadTooLarge } from '../core/errors.ts';
import { MAX_JSON_DEPTH, jsonDepth } from '../core/text.ts';
import { ClientGate } from './client-gate.ts';

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

/** A SharedArrayBuffer that can grow in place up to its maxByteLength (ES2024; Node 20 has it, the ES2022 lib types do not). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(byteLength: number): void;
}
const GrowableShared = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

/** Uploads grow their buffer (and their reservation) in steps of this many bytes, as the bytes arrive. */
export const UPLOAD_STEP = 1024 * 1024;
/** Defaults of the upload budget (GATEWAY_UPLOAD_BUDGET_BYTES, GATEWAY_UPLOADS_PER_CLIENT). */
export const DEFAULT_UPLOAD_BUDGET_BYTES = 512 * 1024 * 1024;
export const DEFAULT_UPLOADS_PER_CLIENT = 4;

/** Bytes one upload holds in the budget; grown as its body arrives, released once with its response. */
export interface UploadReservation {
  readonly bytes: number;
  /** Reserves `bytes` more; throws 503 (Retry-After) when the budget is spent by others. */
  grow(bytes: number): void;
  release(): void;
}

/**
 * Bounds the memory that plan uploads hold (each keeps its body in memory until its answer is sent):
 * in total, by the bytes actually received (not the announced Content-Length, which costs a client
 * nothing to claim), and per client address by uploads in progress. An upload that is refused, cut off
 * or aborted releases its bytes at once; one that arrived releases them when its answer has been sent.
 */
export class UploadBudget {
  private held = 0;
  private readonly gate: ClientGate;

  constructor(private readonly maxBytes = DEFAULT_UPLOAD_BUDGET_BYTES, maxPerClient = DEFAULT_UPLOADS_PER_CLIENT) {
    this.gate = new ClientGate(maxPerClient, 'plan uploads');
  }

  /** Bytes held by uploads in progress (and by bodies whose answer is not yet sent). */
  get inFlight(): number {
    return this.held;
  }

  /** Uploads of `client` in progress. */
  uploadsOf(client: string): number {
    return this.gate.held(client);
  }

  /**
   * Starts an upload for `req`: 429 when its client has all its uploads in progress, 503 when the
   * budget is spent (both at once, before any byte of the body is read). An upload is always allowed
   * to grow when no other one holds bytes, so the largest plan the gateway takes always fits.
   */
  open(req: Request, res: Response): UploadReservation {
    this.gate.enter(req, res); // first: a client over its bound hears so (429), whatever the others do
    if (this.held + UPLOAD_STEP > this.maxBytes && this.held > 0) throw this.busy();
    let mine = 0;
    let released = false;
    const reservation: UploadReservation = {
      get bytes() { return mine; },
      grow: (bytes: number) => {
        if (released) return;
        const others = this.held - mine;
        if (others > 0 && this.held + bytes > this.maxBytes) throw this.busy();
        this.held += bytes;
        mine += bytes;
      },
      release: () => {
        if (released) return;
        released = true;
        this.held -= mine;
        mine = 0;
      },
    };
    res.once('finish', reservation.release);
    res.once('close', reservation.release);
    return reservation;
  }

  private busy(): HttpError {
    return new HttpError(503, 'Service Unavailable', `uploads in progress hold ${Math.round(this.held / 1048576)} MB, the most the gateway receives at once; retry shortly`, { headers: { 'Retry-After': '5' } });
  }
}

/** Decoders of the Content-Encodings plan bodies may come in (as body-parser knows them). */
const DECODERS = new Map<string, () => Transform>([ // a Map: "constructor" is no encoding
  ['gzip', () => createGunzip()],
  ['x-gzip', () => createGunzip()],
  ['deflate', () => createInflate()],
  ['br', () => createBrotliDecompress()],
]);

/**
 * Where a plan body lands, as it arrives: a SharedArrayBuffer grown in steps of UPLOAD_STEP with the
 * bytes received (and reserved in the budget before it grows), never larger than `capacity`. Nothing
 * is copied at the end, and handing the body to a validation worker copies nothing either: copying
 * 20 MB into fresh memory held the event loop for about 100 ms each time, which /health would notice.
 */
class GrowingBody {
  private readonly memory: GrowableSharedArrayBuffer;
  private readonly view: Uint8Array;
  received = 0;

  constructor(readonly capacity: number, private readonly reservation: UploadReservation) {
    this.memory = new GrowableShared(0, { maxByteLength: capacity });
    this.view = new Uint8Array(this.memory); // tracks the length as the buffer grows
  }

  /** Copies as much of `chunk` as fits; returns the bytes copied (fewer than given: over capacity). */
  append(chunk: Buffer): number {
    const n = Math.min(chunk.length, this.capacity - this.received);
    const need = this.received + n;
    if (need > this.memory.byteLength) {
      const size = Math.min(this.capacity, Math.ceil(need / UPLOAD_STEP) * UPLOAD_STEP);
      this.reservation.grow(size - this.memory.byteLength); // throws (503) before anything is allocated
      this.memory.grow(size);
    }
    this.view.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.received);
    this.received = need;
    return n;
  }

  get buffer(): Buffer {
    return Buffer.from(this.memory, 0, this.received);
  }
}

/**
 * A large raw body (a plan) read into a SharedArrayBuffer that grows with the bytes received (see
 * GrowingBody), within the upload budget (429/503 before the body is read). Gzip, deflate and brotli
 * bodies are inflated into it as they arrive. What needs no reading goes through express.raw, which
 * answers as before: no body at all, an announced length over the limit (413), an unknown
 * Content-Encoding (415).
 */
export function sharedRawBody(limit: number, uploads: UploadBudget = new UploadBudget()) {
  const fallback = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction): void => {
    const announced = req.headers['content-length'];
    const length = announced === undefined ? undefined : Number(announced);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    const decoder = DECODERS.get(encoding);
    const hasBody = length !== undefined || req.headers['transfer-encoding'] !== undefined;
    const identity = encoding === 'identity';
    if (!hasBody || (!identity && !decoder) || (length !== undefined && (!Number.isSafeInteger(length) || length <= 0 || (identity && length > limit)))) {
      fallback(req, res, next);
      return;
    }
    let reservation: UploadReservation;
    try {
      reservation = uploads.open(req, res);
    } catch (err) {
      res.setHeader('Connection', 'close'); // the body is not read: do not wait for it
      next(err);
      return;
    }
    const exact = identity && length !== undefined;
    // without a length known in advance one byte over the limit shows the body is too large
    const body = new GrowingBody(exact ? length : limit + 1, reservation);
    const inflate = decoder?.();
    const source: Readable = inflate ? req.pipe(inflate) : req;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      source.off('data', onData).off('end', onEnd);
      req.off('error', onError).off('close', onClose);
      inflate?.off('error', onDecodeError).on('error', () => undefined); // a late error of a stream given up on
      if (err) {
        reservation.release(); // the buffer is dropped: its bytes are free for others at once
        if (inflate) { req.unpipe(inflate); inflate.destroy(); }
        if (!req.complete) res.setHeader('Connection', 'close');
        next(err);
      } else {
        req.body = body.buffer;
        next();
      }
    };
    const onData = (chunk: Buffer) => {
      let copied: number;
      try {
        copied = body.append(chunk);
      } catch (err) {
        settle(err);
        return;
      }
      if (copied === chunk.length) return;
      // Node's HTTP parser keeps a body within its Content-Length; this guards the copy regardless
      settle(exact ? badRequest('the body is longer than its Content-Length') : payloadTooLarge(`the body exceeds the limit of ${limit} bytes`));
    };
    const onEnd = () => settle(!exact || body.received === length ? undefined : badRequest(`the body ended after ${body.received} of ${length} bytes`));
    const onError = (err: Error) => settle(badRequest(`the body could not be read: ${err.message}`));
    const onDecodeError = (err: Error) => settle(badRequest(`the ${encoding}-encoded body cannot be decoded: ${err.message}`));
    // the request closes before a decoder has given out its last bytes: only an incomplete one was aborted
    const onClose = () => { if (!req.complete) settle(badRequest('the request was aborted before its body was complete')); };
    source.on('data', onData).on('end', onEnd);
    inflate?.on('error', onDecodeError);
    req.on('error', onError).on('close', onClose);
  };
}

/** Why a form upload was refused, for a client that shows the reason in its own words (a German form page). */
export type UploadRefusal = 'too-large' | 'no-file' | 'unexpected-part' | 'unreadable' | 'busy';

const TITLES: Record<number, string> = { 413: 'Content Too Large', 429: 'Too Many Requests', 503: 'Service Unavailable' };

export class UploadError extends HttpError {
  constructor(status: number, detail: string, readonly reason: UploadRefusal, headers?: Record<string, string>) {
    super(status, TITLES[status] ?? 'Bad Request', detail, { headers });
  }
}

/** The budget's refusal (429 or 503, with Retry-After) as an upload refusal the form page can explain. */
const busyUpload = (err: HttpError) => new UploadError(err.status, err.message, 'busy', err.headers);

/** The reservation of a form upload in progress, for its storage engine (multer passes only the request). */
const formReservations = new WeakMap<Request, UploadReservation>();

/**
 * Keeps an uploaded file in a SharedArrayBuffer that grows with the bytes received (GrowingBody,
 * within the upload budget): as with sharedRawBody, a validation worker then reads it without a copy
 * on the event loop. The file is part of the body: never longer than its Content-Length.
 */
class SharedMemoryStorage implements multer.StorageEngine {
  constructor(private readonly limit: number) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const reservation = formReservations.get(req);
    if (!reservation) { cb(new Error('the upload has no reservation')); return; }
    const announced = Number(req.headers['content-length']);
    const capacity = Number.isSafeInteger(announced) && announced > 0 ? Math.min(announced, this.limit + 1) : this.limit + 1;
    const target = new GrowingBody(capacity, reservation);
    let failed = false;
    file.stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        target.append(chunk);
      } catch (err) {
        failed = true;
        reservation.release();
        file.stream.resume();
        cb(err instanceof HttpError ? busyUpload(err) : err);
      }
    });
    file.stream.on('error', (err) => { if (!failed) { failed = true; cb(err); } });
    file.stream.on('end', () => {
      if (failed) return;
      const buffer = target.buffer;
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
 * File names are read as UTF-8, as browsers send them. The upload counts against `uploads`.
 */
export function sharedFileUpload(field: string, limit: number, uploads: UploadBudget = new UploadBudget()) {
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
    let reservation: UploadReservation;
    try {
      reservation = uploads.open(req, res);
    } catch (err) {
      res.setHeader('Connection', 'close'); // the body is not read: do not wait for it
      next(err instanceof HttpError ? busyUpload(err) : err);
      return;
    }
    formReservations.set(req, reservation);
    upload(req, res, (err?: unknown) => {
      if (!err) {
        next(req.file ? undefined : new UploadError(400, `no file: send it in the form field ${field}`, 'no-file'));
        return;
      }
      reservation.release(); // whatever was read is dropped
      if (!req.complete) res.setHeader('Connection', 'close');
      const code = (err as { code?: string }).code;
      if (err instanceof UploadError) next(err);
      else if (code === 'LIMIT_FILE_SIZE') next(new UploadError(413, `the file exceeds the limit of ${limit} bytes`, 'too-large'));
      else if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') next(new UploadError(400, `send exactly one file, in the form field ${field}`, 'unexpected-part'));
      else next(new UploadError(400, `the form cannot be read: ${(err as Error).message}`, 'unreadable'));
    });
  };
}
