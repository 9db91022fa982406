// Response headers every answer carries, and a guard on request body media types.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { unsupportedMediaType } from '../core/errors.ts';

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  next();
}

/** Rejects bodies whose Content-Type is not one of `types` (415, with the accepted types named). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- lets the route path type its params
export function requireContentType(...types: string[]): RequestHandler<any> {
  return (req, _res, next) => {
    const hasBody = (req.headers['content-length'] && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'];
    if (hasBody && !req.is(types)) {
      next(unsupportedMediaType(`Content-Type ${req.get('content-type') ?? '(none)'} is not accepted here; use ${types.join(' or ')}`));
      return;
    }
    next();
  };
}

/** A host name or IP literal with an optional port: nothing else may become a link base. */
const PLAIN_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * Absolute base URL for links: the configured one, or, when the proxy is trusted, the forwarded host
 * and protocol (the Host header when the proxy sends no X-Forwarded-Host). A forwarded host that is
 * not a plain host name, or a protocol other than http(s), leaves the configured base.
 */
export function baseUrl(req: Request, configured: string, trustProxy: boolean): string {
  if (trustProxy) {
    const host = req.get('x-forwarded-host') ?? req.get('host');
    const proto = (req.get('x-forwarded-proto') ?? req.protocol).split(',')[0]?.trim();
    if (host && PLAIN_HOST.test(host) && (proto === 'http' || proto === 'https')) return `${proto}://${host}`;
  }
  return configured;
}
