// Every answer of every operation — success, the standards' own error formats, refusals before
// routing (413, 415, 404) — carries the security headers and no server fingerprint.
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildOpenApi, listOperations } from '../../src/core/openapi.ts';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';

const REQUIRED = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };

function headersOk(label: string, res: request.Response): void {
  for (const [name, value] of Object.entries(REQUIRED)) assert.equal(res.headers[name], value, `${label}: ${name}`);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, `${label}: CSP`);
  assert.equal(res.headers['x-powered-by'], undefined, `${label}: x-powered-by`);
}

describe('hardening/headers: security headers on every answer', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => {
    gw = await createTestGateway({ GATEWAY_MAX_JSON_BYTES: '2048' });
    await gw.tenant('sayda');
  });
  after(async () => { await gw.close(); });

  it('every operation of the OpenAPI document, anonymous and as admin', async () => {
    const ops = listOperations(buildOpenApi() as never);
    let checked = 0;
    for (const op of ops) {
      const path = op.path.replace(/\{([^}]+)\}/g, (_m, n: string) => (n === 'tenant' ? 'sayda' : n === 'format' ? 'json' : 'unbekannt'));
      for (const auth of [undefined, `Bearer ${ADMIN_TOKEN}`]) {
        const req = request(gw.app)[op.method](path);
        if (auth) req.set('Authorization', auth);
        const res = await req;
        headersOk(`${op.method.toUpperCase()} ${path} → ${res.status}`, res);
        checked++;
      }
    }
    assert.ok(checked >= 2 * 40, `${checked} answers`);
  });

  it('refusals before any route: unknown path, too large, wrong media type, broken JSON', async () => {
    headersOk('404', await request(gw.app).get('/etc/passwd').expect(404));
    headersOk('413', await request(gw.app).post('/admin/v1/tenants').set('Authorization', `Bearer ${ADMIN_TOKEN}`).set('Content-Type', 'application/json').send(`{"id":"${'x'.repeat(5000)}"}`).expect(413));
    headersOk('415', await request(gw.app).post('/admin/v1/tenants').set('Authorization', `Bearer ${ADMIN_TOKEN}`).set('Content-Type', 'text/plain').send('x').expect(415));
    headersOk('400', await request(gw.app).post('/admin/v1/tenants').set('Authorization', `Bearer ${ADMIN_TOKEN}`).set('Content-Type', 'application/json').send('{').expect(400));
  });
});
