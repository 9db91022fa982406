// Paging parameters of the catalogue and of /dcat/validation (issue item 9): page and after take
// decimal integers within MAX_PAGING_INTEGER only; 1e17 and friends were taken by Number(), bound
// into SQL as REAL and answered 500. A page past the end is a 404.
import assert from 'node:assert/strict';
import request from 'supertest';
import { MAX_PAGING_INTEGER } from '../../src/core/text.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';

const SNAPSHOT = '2026-01-01T00:00:00.000Z';

describe('dcat/params: page and after are bounded decimal integers', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => {
    gw = await createTestGateway();
    const key = await gw.tenant('sayda', ['procedures:write'], { name: 'Stadt Sayda', ags: ['14521570'] });
    await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${key}`).send({ title: 'Bürgerdialog Marktplatz', family: 'informell', planKind: 'dialog' }).expect(201);
  });
  after(async () => { await gw.close(); });

  const expect400 = async (url: string, pointer: string, min: number) => {
    const res = await request(gw.app).get(url);
    assert.equal(res.status, 400, `${url}: ${res.status} ${res.text.slice(0, 200)}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
    assert.equal(res.body.status, 400);
    assert.deepEqual(res.body.errors, [{ pointer: `/${pointer}`, in: 'query', detail: `must be a decimal integer from ${min} to ${MAX_PAGING_INTEGER}` }], url);
    assert.match(res.body.detail, new RegExp(`^${pointer} must be a decimal integer from ${min} to ${MAX_PAGING_INTEGER}`), url);
    assert.ok(!/at .*\.ts:\d+/.test(res.text), 'no stack trace');
  };

  for (const path of ['/dcat/catalog', '/dcat/catalog.ttl', '/dcat/tenants/sayda/catalog', '/dcat/tenants/sayda/catalog.jsonld', '/dcat/validation']) {
    it(`${path}: page=1e17, 1e20, 99999999999999999999, 0x10 and one past the maximum are 400 naming page and its range`, async () => {
      for (const page of ['1e17', '1e20', '99999999999999999999', '0x10', String(MAX_PAGING_INTEGER + 1), '0', '-1', '2.5', '1e0']) {
        await expect400(`${path}?page=${encodeURIComponent(page)}`, 'page', 1);
      }
    });
  }

  for (const path of ['/dcat/catalog', '/dcat/tenants/sayda/catalog.ttl']) {
    it(`${path}: after=1e17, 1e20, 99999999999999999999, 0x10 are 400 naming after and its range`, async () => {
      for (const after of ['1e17', '1e20', '99999999999999999999', '0x10', String(MAX_PAGING_INTEGER + 1), '-1']) {
        await expect400(`${path}?page=2&snapshot=${SNAPSHOT}&after=${encodeURIComponent(after)}`, 'after', 0);
      }
    });
  }

  it('a page past the end is 404 (also the largest page number), on the catalogues and /dcat/validation', async () => {
    for (const path of ['/dcat/catalog.ttl', '/dcat/tenants/sayda/catalog', '/dcat/validation']) {
      for (const page of ['2', String(MAX_PAGING_INTEGER)]) {
        const res = await request(gw.app).get(`${path}?page=${page}`);
        assert.equal(res.status, 404, `${path}?page=${page}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      }
    }
    await request(gw.app).get(`/dcat/catalog.ttl?page=2&snapshot=${SNAPSHOT}&after=${MAX_PAGING_INTEGER}`).expect(404);
    // the first page always exists
    await request(gw.app).get('/dcat/catalog.ttl?page=1').expect(200);
  });

  it('a format suffix that is no format, also an inherited property name, is 404', async () => {
    for (const suffix of ['yaml', 'constructor', '__proto__', 'toString']) {
      const res = await request(gw.app).get(`/dcat/catalog.${suffix}`);
      assert.equal(res.status, 404, `.${suffix}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.match(res.body.detail, /no catalogue format/);
    }
  });
});
