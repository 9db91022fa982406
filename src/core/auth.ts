// API keys: random secrets shown once, stored only as a sha256 hash. A key belongs to one tenant
// and carries scopes; the admin token passes every check.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { forbidden, unauthorized } from './errors.ts';
import type { Scope, Store } from './storage/repository.ts';

export type Principal =
  | { kind: 'admin' }
  | { kind: 'key'; keyId: string; tenant: string; scopes: Scope[] };

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `bgw_${randomBytes(32).toString('base64url')}`;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Resolves a presented secret (admin token or API key) to a principal, or null when unknown. */
export async function resolvePrincipal(store: Store, adminToken: string, secret: string | undefined): Promise<Principal | null> {
  if (!secret) return null;
  if (adminToken && sameSecret(secret, adminToken)) return { kind: 'admin' };
  const key = await store.apiKeys.findByHash(hashApiKey(secret));
  return key ? { kind: 'key', keyId: key.id, tenant: key.tenant, scopes: key.scopes } : null;
}

/**
 * Checks that `principal` may act on `tenant` (with `scope` when given). Throws 401 when no valid
 * credential was presented, 403 when it belongs to another tenant or lacks the scope.
 */
export function authorize(principal: Principal | null, presented: boolean, tenant: string, scope?: Scope): Principal {
  if (!principal) throw unauthorized(presented ? 'the API key is not valid (unknown or revoked)' : 'an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>');
  if (principal.kind === 'admin') return principal;
  if (principal.tenant !== tenant) throw forbidden(`this API key belongs to another tenant and cannot access tenant ${tenant}`);
  if (scope && !principal.scopes.includes(scope)) throw forbidden(`this API key lacks the scope ${scope}`);
  return principal;
}

export function requireAdmin(principal: Principal | null, presented: boolean): void {
  if (!principal) throw unauthorized(presented ? 'the token is not valid' : 'the admin token is required: send Authorization: Bearer <token>');
  if (principal.kind !== 'admin') throw forbidden('this operation needs the admin token; tenant API keys cannot use it');
}

/** Whether `principal` holds `scope` (the admin token holds every scope); for decisions beyond the operation's own scope. */
export function hasScope(principal: Principal | null | undefined, scope: Scope): boolean {
  return principal?.kind === 'admin' || (principal?.kind === 'key' && principal.scopes.includes(scope));
}
