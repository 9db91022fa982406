// Hostile input against every operation of the OpenAPI document: broken and oversized bodies,
// wrong media types, invalid UTF-8, injection and traversal strings in every parameter. Each gets a
// specific 4xx in its standard's error format, quickly, and the store stays as it was.
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildOpenApi, listOperations, type OperationInfo } from '../../src/core/openapi.ts';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder } from '../helpers/open311.ts';

const doc = buildOpenApi() as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>> };
const operations = listOperations(doc as never);
const withBody = operations.filter((op) => doc.paths[op.path]?.[op.method]?.requestBody);

const NASTY = ["' OR 1=1 --", '"; DROP TABLE procedure; --', '../../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%00', '<script>alert(1)</script>', '${jndi:ldap://x}', 'ä'.repeat(300)];

function concrete(op: OperationInfo, value: string): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'tenant' ? 'sayda' : name === 'format' ? 'json' : encodeURIComponent(value)));
  return op.path.startsWith('/open311/') ? `${path}?jurisdiction_id=sayda` : path;
}

/** Every table's row count: the store must be exactly as before a refused request. */
function snapshot(gw: TestGateway): Record<string, number> {
  const tables = (gw.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  return Object.fromEntries(tables.map((t) => [t, (gw.store.db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
}

function errorFormatOk(op: OperationInfo, res: request.Response): void {
  const type = String(res.headers['content-type'] ?? '');
  if (op.operationId === 'pushXPlan' && res.status === 422) {
    // the pinned answer of an invalid plan: the validation report itself
    assert.equal(res.body.valid, false);
    assert.ok(res.body.findings.length > 0);
  } else if (op.path.startsWith('/open311/v2/') && !op.path.includes('/media/')) {
    assert.ok(Array.isArray(res.body) && res.body[0]?.code !== undefined && typeof res.body[0]?.description === 'string', `Open311 error list expected, got ${res.text.slice(0, 120)}`);
  } else {
    assert.match(type, /application\/problem\+json/, `${op.method} ${op.path}: ${type} ${res.text.slice(0, 120)}`);
    assert.equal(res.body.status, res.status);
  }
  assert.doesNotMatch(res.text, /\bat .+\.(ts|js):\d+/, 'no stack trace');
}

describe('hardening/hostile: every body-taking operation refuses bad bodies specifically and changes nothing', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  before(async () => {
    gw = await createTestGateway({ GATEWAY_MAX_JSON_BYTES: '65536', GATEWAY_MAX_PLAN_BYTES: '1048576' });
    await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  it(`covers the ${withBody.length} operations with a request body`, () => assert.ok(withBody.length >= 10));

  for (const op of withBody) {
    describe(`${op.method.toUpperCase()} ${op.path}`, () => {
      const send = (contentType: string, body: Buffer | string) => request(gw.app)[op.method](concrete(op, 'x')).set('Authorization', `Bearer ${ADMIN_TOKEN}`).set('Content-Type', contentType).send(body);
      const cases: Array<[string, string, () => Buffer | string]> = [
        ['malformed JSON', 'application/json', () => '{"title": "unterminated'],
        ['JSON nested 10 000 deep', 'application/json', () => '['.repeat(10_000) + ']'.repeat(10_000)],
        ['invalid UTF-8', 'application/json', () => Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d])],
        ['a body over the limit', 'application/json', () => `{"title":"${'x'.repeat(2 * 1024 * 1024)}"}`],
        ['an unexpected media type', 'application/x-msdownload', () => 'MZ\u0090\u0000'],
        ['an XML bomb where XML is accepted', 'application/xml', () => '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'],
      ];
      for (const [label, type, body] of cases) {
        it(`${label} → 4xx, specific, store unchanged`, async () => {
          const before = snapshot(gw);
          const started = Date.now();
          const res = await send(type, body());
          assert.ok(res.status >= 400 && res.status < 500 || (res.status === 200 && op.operationId === 'validateXPlan'), `${res.status}: ${res.text.slice(0, 200)}`);
          if (res.status >= 400) errorFormatOk(op, res);
          else assert.equal(res.body.valid, false); // validate answers 200 with an invalid report
          assert.ok(Date.now() - started < 5000, 'answered quickly');
          assert.deepEqual(snapshot(gw), before);
        });
      }
    });
  }
});

describe('hardening/hostile: injection and traversal strings in every path and query parameter', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  before(async () => {
    gw = await createTestGateway();
    await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  for (const op of operations.filter((o) => o.method === 'get' || o.method === 'delete')) {
    it(`${op.method.toUpperCase()} ${op.path}: never 500, nothing changes, no file content leaks`, async () => {
      for (const value of NASTY) {
        const before = snapshot(gw);
        const path = concrete(op, value);
        const sep = path.includes('?') ? '&' : '?';
        const query = ['page', 'status', 'since', 'modified_since', 'service_code', 'start_date', 'profile', 'cursor', 'kind', 'version'].map((n) => `${n}=${encodeURIComponent(value)}`).join('&');
        const res = await request(gw.app)[op.method](`${path}${sep}${query}`).set('Authorization', `Bearer ${ADMIN_TOKEN}`);
        assert.ok(res.status < 500, `${res.status} for ${value}: ${res.text.slice(0, 200)}`);
        assert.doesNotMatch(res.text ?? '', /root:x:0:0/);
        if (op.method === 'get') assert.deepEqual(snapshot(gw), before);
      }
    });
  }
});

describe('hardening/hostile: XML shapes that exhaust parsers', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway(); });
  after(async () => { await gw.close(); });

  it('deeply nested elements and a huge attribute are reported, not crashed on', async () => {
    const ns = 'xmlns:xplan="http://www.xplanung.de/xplangml/6/0"';
    const deep = `<xplan:XPlanAuszug ${ns}>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</xplan:XPlanAuszug>`;
    const res = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/xml').send(deep).expect(200);
    assert.equal(res.body.valid, false);
    const huge = `<xplan:XPlanAuszug ${ns} x="${'y'.repeat(5 * 1024 * 1024)}"/>`;
    const r2 = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/xml').send(huge).expect(200);
    assert.equal(r2.body.valid, false);
    await request(gw.app).get('/health').expect(200);
  });
});
