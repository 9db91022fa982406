// The authorisation matrix, generated from the OpenAPI document: every operation × {no key, key
// without the scope, another tenant's key, admin token} gets the documented answer. A new operation
// is covered as soon as it is documented, and a second test fails for any route that is not.
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildOpenApi, listOperations, type OperationInfo } from '../../src/core/openapi.ts';
import type { Scope } from '../../src/core/storage/repository.ts';
import { ADMIN_TOKEN, ALL_SCOPES, createTestGateway, type TestGateway } from '../helpers/gateway.ts';

const operations = listOperations(buildOpenApi());

function concretePath(op: OperationInfo, procedureId: string): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (name === 'tenant' || name === 'jurisdiction_id') return 'alpha';
    if (name === 'procedureId') return procedureId;
    if (name === 'format') return 'json';
    return 'unknown-id';
  });
  return op.path.startsWith('/open311/') ? `${path}${path.includes('?') ? '&' : '?'}jurisdiction_id=alpha` : path;
}

function call(gw: TestGateway, op: OperationInfo, path: string, secret?: string) {
  const r = request(gw.app)[op.method](path);
  if (secret) r.set('Authorization', `Bearer ${secret}`);
  if (['post', 'put', 'patch'].includes(op.method)) r.set('Content-Type', 'application/json').send('{}');
  return r;
}

describe('http/auth-matrix: every documented operation is protected as documented', () => {
  let gw: TestGateway;
  let procedureId: string;
  let otherTenantKey: string;
  const keysWithout = new Map<string, string>();

  before(async () => {
    gw = await createTestGateway();
    await gw.tenant('alpha');
    otherTenantKey = await gw.tenant('beta', ALL_SCOPES);
    for (const scope of ALL_SCOPES) keysWithout.set(scope, await gw.key('alpha', ALL_SCOPES.filter((s) => s !== scope) as Scope[]));
    procedureId = (await gw.store.procedures.create('alpha', { title: 'Matrix', family: 'bauleitplanung', planKind: 'bebauungsplan' })).procedure.id;
  });
  after(() => gw.close());

  it('documents at least the core operations', () => {
    assert.ok(operations.length >= 15, `${operations.length} operations`);
    for (const op of operations) assert.ok(['public', 'admin', 'tenant', 'open311-key'].includes(op.auth), `${op.operationId} has x-auth ${op.auth}`);
  });

  for (const op of operations) {
    describe(`${op.method.toUpperCase()} ${op.path} (${op.auth}${op.scope ? `, ${op.scope}` : ''})`, () => {
      const denied = (status: number) => status === 401 || status === 403;
      const noKeyStatus = op.auth === 'open311-key' ? 403 : 401;

      it(op.auth === 'public' ? 'is open without a key' : `no key → ${noKeyStatus}`, async () => {
        const res = await call(gw, op, concretePath(op, procedureId));
        assert.ok(res.status < 500, `status ${res.status}: ${res.text.slice(0, 200)}`);
        if (op.auth === 'public') assert.ok(!denied(res.status), `public operation answered ${res.status}`);
        else assert.equal(res.status, noKeyStatus, res.text.slice(0, 200));
      });

      if (op.auth !== 'public') {
        it(op.auth === 'admin' ? 'a tenant key with every scope → 403' : op.scope ? `a key of the tenant without ${op.scope} → 403` : 'any key of the tenant is enough', async () => {
          const secret = op.auth === 'admin' || !op.scope ? keysWithout.get('open311:manage') : keysWithout.get(op.scope);
          const res = await call(gw, op, concretePath(op, procedureId), op.auth === 'admin' ? await gw.key('alpha', ALL_SCOPES) : secret);
          assert.ok(res.status < 500, `status ${res.status}`);
          if (op.auth === 'admin' || op.scope) assert.equal(res.status, 403, res.text.slice(0, 200));
          else assert.ok(!denied(res.status), `answered ${res.status}`);
        });

        it("another tenant's key (with every scope) → 403", async () => {
          const res = await call(gw, op, concretePath(op, procedureId), otherTenantKey);
          assert.equal(res.status, 403, res.text.slice(0, 200));
        });

        it('the admin token passes', async () => {
          const res = await call(gw, op, concretePath(op, procedureId), ADMIN_TOKEN);
          assert.ok(res.status < 500 && !denied(res.status), `status ${res.status}: ${res.text.slice(0, 200)}`);
        });
      }
    });
  }

  it('every route the application serves is documented in the OpenAPI document', () => {
    const documented = new Set(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`));
    // pages for people (the API browser, the landing page and its icon) are no API operations
    const served = routesOf(gw.app.express.router as unknown as RouterLike).filter((r) => !r.path.startsWith('/docs') && r.path !== '/' && r.path !== '/favicon.ico');
    const undocumented = served.filter((r) => !documented.has(`${r.method} ${r.path}`));
    assert.deepEqual(undocumented, []);
  });
});

interface RouterLike { stack: { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: RouterLike & object; name?: string }[] }

/** Lists method + path of every route in an express 5 router tree, in OpenAPI path syntax (`:name` and the wildcard `*name` as `{name}`). */
function routesOf(router: RouterLike): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const layer of router.stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        for (const [m, on] of Object.entries(layer.route.methods)) {
          if (on && m !== '_all') out.push({ method: m.toUpperCase(), path: path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}') });
        }
      }
    } else if (layer.handle && Array.isArray((layer.handle as RouterLike).stack)) {
      out.push(...routesOf(layer.handle as RouterLike));
    }
  }
  return out;
}
