// Renders errors as RFC 9457 problem+json. Unknown errors become a 500 without any internals;
// body-parser errors (bad JSON, too large, bad charset) get their specific status and message.
import type { NextFunction, Request, Response } from 'express';
import { HttpError, type FieldError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

/** Maps errors thrown by express/body-parser and our own to an HttpError. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string; limit?: number; code?: string };
  const status = e.status ?? e.statusCode;
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'Bad Request', `the body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'entity.too.large':
      return new HttpError(413, 'Content Too Large', `the body exceeds the limit of ${e.limit} bytes`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpError(415, 'Unsupported Media Type', e.message ?? 'unsupported encoding');
    case 'request.aborted':
      return new HttpError(400, 'Bad Request', 'the request was aborted by the client');
  }
  if (e.code === 'LIMIT_FILE_SIZE') return new HttpError(413, 'Content Too Large', 'the uploaded file is too large');
  if (status && status >= 400 && status < 500) return new HttpError(status, 'Bad Request', e.message ?? 'bad request');
  return new HttpError(500, 'Internal Server Error', 'the gateway failed to handle this request; the error was logged');
}

/**
 * An entry of `errors` as sent: every `pointer` is a JSON Pointer (RFC 6901), as the README and
 * problem.schema.json promise. Handlers name a query parameter by its bare name (FieldError); it
 * leaves as a pointer into the query's parameters, `/limit`, marked `"in": "query"` (OpenAPI's word
 * for where a parameter sits), so that it cannot be taken for a body field of the same name.
 */
export function renderedFieldError(e: FieldError): FieldError | (FieldError & { in: 'query' }) {
  if (e.pointer === '' || e.pointer.startsWith('/')) return e;
  return { pointer: `/${e.pointer.replace(/~/g, '~0').replace(/\//g, '~1')}`, in: 'query', detail: e.detail };
}

export function sendProblem(req: Request, res: Response, err: HttpError): void {
  res.status(err.status);
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.type('application/problem+json').send(JSON.stringify({
    type: err.type,
    title: err.title,
    status: err.status,
    detail: err.message,
    instance: req.path,
    ...(err.errors.length ? { errors: err.errors.map(renderedFieldError) } : {}),
    ...err.extensions,
  }));
}

export function problemHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const http = toHttpError(err);
    if (http.status >= 500) logger.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) { res.destroy(); return; }
    sendProblem(req, res, http);
  };
}
