// Typed HTTP errors. Each carries its status, an RFC 9457 problem type and the offending fields;
// the HTTP layer renders them (problem+json, or each standard's own error format) and never
// shows a stack trace.

export interface FieldError {
  /** JSON Pointer (RFC 6901) to the offending field, or the name of a query parameter. */
  pointer: string;
  detail: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors: FieldError[];
  readonly headers: Record<string, string>;
  /** Extension members of the problem document (RFC 9457 §3.2), e.g. a validation report. */
  readonly extensions: Record<string, unknown>;

  constructor(status: number, title: string, detail: string, opts: { type?: string; errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {}) {
    super(detail);
    this.status = status;
    this.title = title;
    this.type = opts.type ?? `https://beteiligung-gateway.example/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    this.errors = opts.errors ?? [];
    this.headers = opts.headers ?? {};
    this.extensions = opts.extensions ?? {};
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new HttpError(400, 'Bad Request', detail, { errors });
export const unauthorized = (detail: string) =>
  new HttpError(401, 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="beteiligung-gateway"' } });
export const forbidden = (detail: string) => new HttpError(403, 'Forbidden', detail);
export const notFound = (detail: string) => new HttpError(404, 'Not Found', detail);
export const gone = (detail: string) => new HttpError(410, 'Gone', detail);
export const conflict = (detail: string) => new HttpError(409, 'Conflict', detail);
export const preconditionFailed = (detail: string) => new HttpError(412, 'Precondition Failed', detail);
export const preconditionRequired = (detail: string) => new HttpError(428, 'Precondition Required', detail);
export const payloadTooLarge = (detail: string) => new HttpError(413, 'Content Too Large', detail);
export const unsupportedMediaType = (detail: string) => new HttpError(415, 'Unsupported Media Type', detail);
export const unprocessable = (detail: string, errors?: FieldError[]) => new HttpError(422, 'Unprocessable Content', detail, { errors });
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new HttpError(429, 'Too Many Requests', detail, { headers: { 'Retry-After': String(retryAfterSeconds) } });
