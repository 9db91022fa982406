// Reads the credential a request presents and resolves it once per request.
import type { NextFunction, Request, Response } from 'express';
import { resolvePrincipal, type Principal } from '../core/auth.ts';
import type { GatewayContext } from '../core/context.ts';

export interface AuthState { principal: Principal | null; presented: boolean }

/** `Authorization: Bearer <secret>` or `X-API-Key: <secret>`. */
export function presentedSecret(req: Request): string | undefined {
  const auth = req.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] ?? '';
  }
  return req.get('x-api-key') ?? undefined;
}

export function credentials(ctx: GatewayContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const secret = presentedSecret(req);
    const principal = await resolvePrincipal(ctx.store, ctx.config.adminToken, secret);
    res.locals.auth = { principal, presented: secret !== undefined } satisfies AuthState;
    next();
  };
}

export function authState(res: Response): AuthState {
  return (res.locals.auth as AuthState | undefined) ?? { principal: null, presented: false };
}
