import assert from 'node:assert/strict';
import request from 'supertest';
import { validatorFor } from '../../src/core/json-schema.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';

const bplan = {
  title: 'Bebauungsplan Nr. 7 „Lindenhof“',
  family: 'bauleitplanung',
  planKind: 'bebauungsplan',
  phases: [
    { kind: 'fruehzeitige_beteiligung', audience: 'oeffentlichkeit', start: '2026-01-05', end: '2026-02-05' },
    { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 2, start: '2099-03-01', end: '2099-03-31' },
  ],
  area: { type: 'Polygon', coordinates: [[[12.9, 50.8], [12.91, 50.8], [12.91, 50.81], [12.9, 50.8]]] },
  documents: [{ title: 'Planzeichnung', url: 'https://alpha.example/p.pdf', mimeType: 'application/pdf' }],
};

describe('http/procedures: the portal API', () => {
  let gw: TestGateway;
  let key: string;
  let readOnlyKey: string;
  // plain boolean checks (the validators' type guards would narrow supertest's any-typed bodies)
  const isProcedure = (x: unknown): boolean => validatorFor('procedure.schema.json')(x) as boolean;
  const procedureErrors = () => validatorFor('procedure.schema.json').errors;
  const isProblem = (x: unknown): boolean => validatorFor('problem.schema.json')(x) as boolean;

  before(async () => {
    gw = await createTestGateway();
    key = await gw.tenant('alpha', ['procedures:write']);
    readOnlyKey = await gw.key('alpha', ['open311:submit']);
    await gw.tenant('beta');
  });
  after(() => gw.close());

  const api = (path = '') => `/api/v1/tenants/alpha/procedures${path}`;
  const auth = (k = key) => ({ Authorization: `Bearer ${k}` });

  async function create(body: object = bplan) {
    const res = await request(gw.app).post(api()).set(auth()).send(body).expect(201);
    return res;
  }

  it('creates a procedure: 201, Location, ETag, defaults applied, status derived, valid against the schema', async () => {
    const res = await create();
    assert.ok(isProcedure(res.body), JSON.stringify(procedureErrors()));
    assert.equal(res.headers.location, `http://gateway.test/api/v1/tenants/alpha/procedures/${res.body.id}`);
    assert.match(String(res.headers.etag), /^"[0-9a-f-]+\.1"$/);
    assert.equal(res.body.phases[0].durchgang, 1, 'durchgang defaults to 1');
    assert.equal(res.body.status, 'Ankündigung', 'the second pass lies ahead');
    assert.equal(res.body.tenant, 'alpha');
    const got = await request(gw.app).get(api(`/${res.body.id}`)).set('X-API-Key', readOnlyKey).expect(200);
    assert.deepEqual(got.body, res.body);
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const { body, headers } = await create();
    await request(gw.app).get(api(`/${body.id}`)).set(auth()).set('If-None-Match', String(headers.etag)).expect(304);
  });

  it('rejects invalid input with problem+json naming each field, and stores nothing', async () => {
    const before = (await gw.store.procedures.list({ tenant: 'alpha', limit: 500 })).total;
    const res = await request(gw.app).post(api()).set(auth())
      .send({ title: '', family: 'bauleitplanung', planKind: 'dialog', phases: [{ kind: 'veroeffentlichung', audience: 'alle', start: '2026-13-01' }], colour: 'red' })
      .expect(400).expect('Content-Type', /application\/problem\+json/);
    assert.ok(isProblem(res.body));
    assert.equal(res.body.status, 400);
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    assert.deepEqual(pointers, ['/colour']);
    const res2 = await request(gw.app).post(api()).set(auth())
      .send({ title: '', family: 'bauleitplanung', planKind: 'dialog', phases: [{ kind: 'veroeffentlichung', audience: 'alle', start: '2026-13-01' }] })
      .expect(400);
    const p2 = res2.body.errors.map((e: { pointer: string }) => e.pointer);
    for (const p of ['/title', '/planKind', '/phases/0/audience', '/phases/0/start']) assert.ok(p2.includes(p), `${p} in ${p2}`);
    assert.equal((await gw.store.procedures.list({ tenant: 'alpha', limit: 500 })).total, before);
  });

  it('refuses a phase that ends before it starts', async () => {
    const res = await request(gw.app).post(api()).set(auth())
      .send({ ...bplan, phases: [{ kind: 'veroeffentlichung', audience: 'oeffentlichkeit', start: '2026-05-01', end: '2026-04-01' }] }).expect(400);
    assert.equal(res.body.errors[0].pointer, '/phases/0/end');
  });

  it('refuses broken JSON (400), the wrong media type (415) and an oversized body (413) as problem+json', async () => {
    const r1 = await request(gw.app).post(api()).set(auth()).set('Content-Type', 'application/json').send('{"title": ').expect(400);
    assert.match(r1.body.detail, /not valid JSON/);
    const r2 = await request(gw.app).post(api()).set(auth()).set('Content-Type', 'text/plain').send('hello').expect(415);
    assert.match(r2.body.detail, /application\/json/);
    const big = { ...bplan, description: 'x'.repeat(gw.config.maxJsonBytes) };
    const r3 = await request(gw.app).post(api()).set(auth()).send(big).expect(413);
    assert.equal(r3.body.status, 413);
  });

  it('replace with If-Match: the stale ETag gets 412 and the data is untouched', async () => {
    const { body, headers } = await create();
    const r1 = await request(gw.app).put(api(`/${body.id}`)).set(auth()).set('If-Match', String(headers.etag)).send({ ...bplan, title: 'Erste Änderung' }).expect(200);
    assert.notEqual(r1.headers.etag, headers.etag);
    const r2 = await request(gw.app).put(api(`/${body.id}`)).set(auth()).set('If-Match', String(headers.etag)).send({ ...bplan, title: 'Verlorene Änderung' }).expect(412);
    assert.match(r2.body.detail, /changed by someone else/);
    const now = await request(gw.app).get(api(`/${body.id}`)).set(auth()).expect(200);
    assert.equal(now.body.title, 'Erste Änderung');
  });

  it('a PUT of what GET returned is accepted (read-only fields are ignored)', async () => {
    const { body } = await create();
    const res = await request(gw.app).put(api(`/${body.id}`)).set(auth()).send({ ...body, title: 'Zurückgeschrieben', status: 'Aktiv' }).expect(200);
    assert.equal(res.body.title, 'Zurückgeschrieben');
    assert.equal(res.body.status, 'Ankündigung');
    assert.equal(res.body.created, body.created);
  });

  it('PATCH applies a JSON merge patch and validates the result', async () => {
    const { body } = await create();
    const res = await request(gw.app).patch(api(`/${body.id}`)).set(auth()).set('Content-Type', 'application/merge-patch+json')
      .send(JSON.stringify({ title: 'Neu benannt', documents: null, number: '7a' })).expect(200);
    assert.equal(res.body.title, 'Neu benannt');
    assert.equal(res.body.number, '7a');
    assert.deepEqual(res.body.documents, []);
    assert.equal(res.body.phases.length, 2);
    const bad = await request(gw.app).patch(api(`/${body.id}`)).set(auth()).send({ family: 'informell' }).expect(400);
    assert.ok(bad.body.errors.some((e: { pointer: string }) => e.pointer === '/planKind'));
    const after = await request(gw.app).get(api(`/${body.id}`)).set(auth()).expect(200);
    assert.equal(after.body.family, 'bauleitplanung');
  });

  it('DELETE leaves a tombstone: 410 afterwards, listed under deleted-procedures', async () => {
    const since = new Date().toISOString();
    const { body } = await create();
    await request(gw.app).delete(api(`/${body.id}`)).set(auth()).expect(204);
    const r = await request(gw.app).get(api(`/${body.id}`)).set(auth()).expect(410);
    assert.match(r.body.detail, /deleted at/);
    await request(gw.app).put(api(`/${body.id}`)).set(auth()).send(bplan).expect(410);
    const t = await request(gw.app).get(`/api/v1/tenants/alpha/deleted-procedures?since=${encodeURIComponent(since)}`).set(auth()).expect(200);
    assert.deepEqual(t.body.map((x: { id: string }) => x.id), [body.id]);
    assert.equal(t.body[0].title, bplan.title);
    await request(gw.app).get('/api/v1/tenants/alpha/deleted-procedures').set(auth()).expect(400);
  });

  it('unknown ids are 404', async () => {
    await request(gw.app).get(api('/00000000-0000-4000-8000-000000000000')).set(auth()).expect(404);
    await request(gw.app).delete(api('/00000000-0000-4000-8000-000000000000')).set(auth()).expect(404);
  });

  it('lists with filters and follows next links to the end without repeats', async () => {
    await gw.tenant('gamma', ['procedures:write']);
    const gk = await gw.key('gamma', ['procedures:write']);
    for (let i = 0; i < 5; i++) {
      await request(gw.app).post('/api/v1/tenants/gamma/procedures').set('X-API-Key', gk)
        .send({ title: `FNP ${i}`, family: 'bauleitplanung', planKind: 'flaechennutzungsplan', phases: [{ kind: 'veroeffentlichung', audience: 'oeffentlichkeit', start: '2020-01-01', end: '2020-02-01' }] }).expect(201);
    }
    await request(gw.app).post('/api/v1/tenants/gamma/procedures').set('X-API-Key', gk).send({ title: 'Umfrage', family: 'informell', planKind: 'umfrage' }).expect(201);
    const titles: string[] = [];
    let url: string | null = '/api/v1/tenants/gamma/procedures?kind=flaechennutzungsplan&limit=2';
    while (url) {
      const res: request.Response = await request(gw.app).get(url.replace('http://gateway.test', '')).set('X-API-Key', gk).expect(200);
      assert.equal(res.body.total, 5);
      titles.push(...res.body.items.map((p: { title: string }) => p.title));
      url = res.body.next;
      if (url) assert.equal(res.headers.link, `<${url}>; rel="next"`);
    }
    assert.deepEqual(titles.sort(), ['FNP 0', 'FNP 1', 'FNP 2', 'FNP 3', 'FNP 4']);
    const beendet = await request(gw.app).get('/api/v1/tenants/gamma/procedures?status=Beendet').set('X-API-Key', gk).expect(200);
    assert.equal(beendet.body.total, 5);
    const later = await request(gw.app).get(`/api/v1/tenants/gamma/procedures?modifiedSince=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`).set('X-API-Key', gk).expect(200);
    assert.equal(later.body.total, 0);
  });

  it('rejects bad list parameters specifically', async () => {
    for (const [q, field] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['status=offen', 'status'], ['modifiedSince=gestern', 'modifiedSince'], ['cursor=%%%', 'cursor'], ['kind=a&kind=b', 'kind']]) {
      const res = await request(gw.app).get(`${api()}?${q}`).set(auth()).expect(400);
      // a query parameter's pointer is a JSON Pointer into the query, marked in: query
      assert.equal(res.body.errors[0].pointer, `/${field}`, q);
      assert.equal(res.body.errors[0].in, 'query', q);
    }
  });

  it('a key of another tenant gets 403, and nothing of alpha leaks', async () => {
    const betaKey = await gw.key('beta', ['procedures:write']);
    const { body } = await create();
    const r = await request(gw.app).get(api(`/${body.id}`)).set('X-API-Key', betaKey).expect(403);
    assert.doesNotMatch(JSON.stringify(r.body), /Lindenhof/);
    await request(gw.app).get(`/api/v1/tenants/beta/procedures/${body.id}`).set('X-API-Key', betaKey).expect(404);
  });

  it('a key without procedures:write can read but not write', async () => {
    await request(gw.app).get(api()).set('X-API-Key', readOnlyKey).expect(200);
    const r = await request(gw.app).post(api()).set('X-API-Key', readOnlyKey).send(bplan).expect(403);
    assert.match(r.body.detail, /procedures:write/);
  });
});
