// Open311 failures: the spec's HTTP codes (400 bad parameters, 403 api_key, 404 unknown resource)
// with `<errors><error><code/><description/></error></errors>` (JSON: [{code, description}]).
import { HttpError } from '../core/errors.ts';

export interface Open311ErrorItem { code: number | string; description: string }

export class Open311Error extends Error {
  constructor(readonly status: number, readonly items: Open311ErrorItem[], readonly headers: Record<string, string> = {}) {
    super(items.map((i) => i.description).join('; '));
  }
}

export const badParam = (...descriptions: string[]) => new Open311Error(400, descriptions.map((description) => ({ code: 400, description })));
export const forbiddenKey = (description: string) => new Open311Error(403, [{ code: 403, description }]);
export const unknown = (description: string) => new Open311Error(404, [{ code: 404, description }]);

/** Any error thrown inside the Open311 routes, as an Open311 error. */
export function toOpen311Error(err: unknown): Open311Error {
  if (err instanceof Open311Error) return err;
  if (err instanceof HttpError) {
    // the gateway's 401 (no/invalid key) is a 403 in Open311
    const status = err.status === 401 ? 403 : err.status;
    return new Open311Error(status, [{ code: status, description: err.message }], err.headers);
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') return new Open311Error(413, [{ code: 413, description: 'the request body is too large' }]);
  if (e.type === 'entity.parse.failed' || e.type === 'parameters.too.many') return badParam(`the request body cannot be read: ${e.message ?? ''}`.trim());
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new Open311Error(e.status, [{ code: e.status, description: e.message ?? 'bad request' }]);
  return new Open311Error(500, [{ code: 500, description: 'the server failed to handle this request; the error was logged' }]);
}
