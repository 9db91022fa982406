import assert from 'node:assert/strict';
import request from 'supertest';
import { hashApiKey } from '../../src/core/auth.ts';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('http/admin: tenants, API keys, code mappings', () => {
  let gw: TestGateway;
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  before(async () => { gw = await createTestGateway(); });
  after(() => gw.close());

  it('creates a tenant, refuses a duplicate and an invalid one with field pointers', async () => {
    const t = { id: 'schwarzenberg', name: 'Stadt Schwarzenberg/Erzgeb.', kind: 'gemeinde', ags: ['14521590'], contact: { email: 'bauamt@schwarzenberg.example' } };
    const res = await request(gw.app).post('/admin/v1/tenants').set(admin).send(t).expect(201);
    assert.equal(res.body.id, 'schwarzenberg');
    assert.ok(res.body.created);
    await request(gw.app).post('/admin/v1/tenants').set(admin).send(t).expect(409);
    const bad = await request(gw.app).post('/admin/v1/tenants').set(admin).send({ id: 'Schwarz Berg', name: '', ags: ['123'] }).expect(400);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer).sort();
    assert.deepEqual(pointers, ['/ags/0', '/id', '/name']);
    const list = await request(gw.app).get('/admin/v1/tenants').set(admin).expect(200);
    assert.deepEqual(list.body.map((x: { id: string }) => x.id), ['schwarzenberg']);
  });

  it('replaces a tenant; the id in the body must match the URL', async () => {
    await request(gw.app).put('/admin/v1/tenants/schwarzenberg').set(admin).send({ name: 'Große Kreisstadt Schwarzenberg', ags: ['14521590'] }).expect(200);
    const got = await request(gw.app).get('/admin/v1/tenants/schwarzenberg').set(admin).expect(200);
    assert.equal(got.body.name, 'Große Kreisstadt Schwarzenberg');
    await request(gw.app).put('/admin/v1/tenants/schwarzenberg').set(admin).send({ id: 'other', name: 'x' }).expect(400);
    await request(gw.app).get('/admin/v1/tenants/nirgendwo').set(admin).expect(404);
  });

  it('issues an API key once, stores only its hash, lists keys without secrets, revokes', async () => {
    const res = await request(gw.app).post('/admin/v1/tenants/schwarzenberg/keys').set(admin).send({ label: 'Planungsbüro', scopes: ['xplanung:push', 'procedures:write'] }).expect(201);
    assert.match(res.body.key, /^bgw_[A-Za-z0-9_-]{43}$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const dbText = JSON.stringify(gw.store.db.prepare('SELECT * FROM api_key').all());
    assert.ok(!dbText.includes(res.body.key), 'the secret is not in the database');
    assert.ok(dbText.includes(hashApiKey(res.body.key)));
    const list = await request(gw.app).get('/admin/v1/tenants/schwarzenberg/keys').set(admin).expect(200);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].key, undefined);
    // the key works ...
    await request(gw.app).get('/api/v1/tenants/schwarzenberg/procedures').set('Authorization', `Bearer ${res.body.key}`).expect(200);
    // ... until revoked
    await request(gw.app).delete(`/admin/v1/tenants/schwarzenberg/keys/${res.body.id}`).set(admin).expect(204);
    const r = await request(gw.app).get('/api/v1/tenants/schwarzenberg/procedures').set('Authorization', `Bearer ${res.body.key}`).expect(401);
    assert.match(r.body.detail, /not valid/);
    await request(gw.app).delete(`/admin/v1/tenants/schwarzenberg/keys/${res.body.id}`).set(admin).expect(404);
  });

  it('refuses unknown scopes and client-chosen secrets', async () => {
    const r1 = await request(gw.app).post('/admin/v1/tenants/schwarzenberg/keys').set(admin).send({ label: 'x', scopes: ['root'] }).expect(400);
    assert.equal(r1.body.errors[0].pointer, '/scopes/0');
    await request(gw.app).post('/admin/v1/tenants/schwarzenberg/keys').set(admin).send({ label: 'x', scopes: ['open311:submit'], key: 'mine' }).expect(400);
    await request(gw.app).post('/admin/v1/tenants/nirgendwo/keys').set(admin).send({ label: 'x', scopes: ['open311:submit'] }).expect(404);
  });

  it('overrides a code mapping for one tenant', async () => {
    await request(gw.app).put('/admin/v1/tenants/schwarzenberg/code-mappings').set(admin).send({ list: 'xplanung:bp-planart', code: '9999', value: 'sonstiger_plan' }).expect(200);
    const res = await request(gw.app).get('/admin/v1/tenants/schwarzenberg/code-mappings?list=xplanung:bp-planart').set(admin).expect(200);
    assert.deepEqual(res.body.find((m: { code: string }) => m.code === '9999'), { list: 'xplanung:bp-planart', code: '9999', value: 'sonstiger_plan', tenant: 'schwarzenberg' });
    assert.equal(res.body.find((m: { code: string }) => m.code === '3000').value, 'vorhabenbezogener_bplan');
  });

  it('a tenant key cannot use the admin API; a wrong token is 401', async () => {
    const key = await gw.key('schwarzenberg', ['procedures:write', 'xplanung:push', 'open311:submit', 'open311:manage']);
    const r = await request(gw.app).get('/admin/v1/tenants').set('Authorization', `Bearer ${key}`).expect(403);
    assert.match(r.body.detail, /admin token/);
    await request(gw.app).get('/admin/v1/tenants').set('Authorization', 'Bearer nope').expect(401).expect('WWW-Authenticate', /Bearer/);
    await request(gw.app).get('/admin/v1/tenants').expect(401);
  });
});
