// Hostile input against every operation of the OpenAPI document: broken and oversized bodies,
// wrong media types, invalid UTF-8, injection and traversal strings in every parameter. Each gets a
// specific 4xx in its standard's error format, quickly, and the store stays as it was.
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildOpenApi, listOperations, type OperationInfo } from '../../src/core/openapi.ts';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { hostileArchives, hostileXml, NASTY_STRINGS, storeDigest } from '../helpers/hostile.ts';
import { setUpMangelmelder } from '../helpers/open311.ts';

const doc = buildOpenApi() as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>> };
const operations = listOperations(doc as never);
const withBody = operations.filter((op) => doc.paths[op.path]?.[op.method]?.requestBody);


function concrete(op: OperationInfo, value: string): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'tenant' ? 'sayda' : name === 'format' ? 'json' : encodeURIComponent(value)));
  return op.path.startsWith('/open311/') ? `${path}?jurisdiction_id=sayda` : path;
}

type Parameter = { name: string; in: string; $ref?: string };
/** The query parameters an operation documents (path-level and its own, references resolved). */
function queryParameters(op: OperationInfo): string[] {
  const full = doc as unknown as { paths: Record<string, Record<string, unknown>>; components?: { parameters?: Record<string, Parameter> } };
  const item = full.paths[op.path]!;
  const params = [...((item.parameters ?? []) as Parameter[]), ...(((item[op.method] as { parameters?: Parameter[] }).parameters) ?? [])]
    .map((p) => (p.$ref ? full.components?.parameters?.[p.$ref.split('/').pop()!] : p))
    .filter((p): p is Parameter => Boolean(p));
  return params.filter((p) => p.in === 'query').map((p) => p.name);
}

const snapshot = (gw: TestGateway): string => storeDigest(gw.store.db);

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
      const accepted = Object.keys(doc.paths[op.path]![op.method]!.requestBody!.content ?? {});
      // [label, media type, body, the specific status when the operation accepts that media type]
      const cases: Array<[string, string, () => Buffer | string, number[]]> = [
        ['malformed JSON', 'application/json', () => '{"title": "unterminated', [400]],
        ['JSON nested 10 000 deep', 'application/json', () => '['.repeat(10_000) + ']'.repeat(10_000), [400]],
        // objects, as a JSON Merge Patch walks them: refused by depth before any code recurses into them
        ['JSON objects nested 10 000 deep', 'application/json', () => `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, [400]],
        // decoded with replacement characters; what is left must still pass the schema (or name a missing resource)
        ['invalid UTF-8', 'application/json', () => Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), [400, 404]],
        ['a body over the limit', 'application/json', () => `{"title":"${'x'.repeat(2 * 1024 * 1024)}"}`, [413]],
        ['an unexpected media type', 'application/x-msdownload', () => 'MZ\u0090\u0000', [415]],
        // validation answers 200 with an invalid report; a push refuses with the report (422)
        ['an XML bomb where XML is accepted', 'application/xml', () => '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>', op.operationId === 'validateXPlan' ? [200] : [422]],
      ];
      for (const [label, type, body, specific] of cases) {
        const expected = accepted.includes(type) ? specific : [415];
        it(`${label} → ${expected.join(' or ')}, store unchanged`, async () => {
          const before = snapshot(gw);
          const started = Date.now();
          const res = await send(type, body());
          assert.ok(expected.includes(res.status), `expected ${expected.join('/')}, got ${res.status}: ${res.text.slice(0, 200)}`);
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

  it('reads the documented query parameters from the OpenAPI document', () => {
    assert.ok(queryParameters(operations.find((o) => o.operationId === 'dcatCatalog')!).includes('modified_since'));
    assert.ok(queryParameters(operations.find((o) => o.path === '/open311/v2/requests.{format}' && o.method === 'get')!).includes('jurisdiction_id'));
  });

  for (const op of operations.filter((o) => o.method === 'get' || o.method === 'delete')) {
    it(`${op.method.toUpperCase()} ${op.path}: never 500, nothing changes, no file content leaks`, async () => {
      for (const value of NASTY_STRINGS) {
        const before = snapshot(gw);
        const path = concrete(op, value);
        const sep = path.includes('?') ? '&' : '?';
        const query = [...queryParameters(op), 'page', 'status', 'since', 'cursor'].map((n) => `${n}=${encodeURIComponent(value)}`).join('&');
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

describe('hardening/hostile: XML and archive attacks on every operation that accepts XML or ZIP', function () {
  this.timeout(180_000);
  let gw: TestGateway;
  let attacks: Array<[string, string, Buffer]> = [];
  const xmlOps = withBody.map((op) => ({ op, types: Object.keys(doc.paths[op.path]![op.method]!.requestBody!.content ?? {}) }))
    .filter(({ types }) => types.some((t) => /xml|zip/.test(t)));
  before(async () => {
    gw = await createTestGateway();
    await gw.tenant('sayda');
    attacks = [...hostileXml().map(([l, b]) => [l, 'application/xml', b] as [string, string, Buffer]), ...(await hostileArchives()).map(([l, b]) => [l, 'application/zip', b] as [string, string, Buffer])];
  });
  after(async () => { await gw.close(); });

  it('finds the XML-taking operations (XPlanung validate and push at least)', () => {
    const ids = xmlOps.map(({ op }) => op.operationId);
    assert.ok(ids.includes('validateXPlan') && ids.includes('pushXPlan'), ids.join(', '));
  });

  for (const { op, types } of xmlOps) {
    it(`${op.method.toUpperCase()} ${op.path}: every attack is refused specifically, quickly, with bounded memory, store unchanged`, async () => {
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      for (const [label, type, body] of attacks) {
        if (!types.includes(type) && !(type === 'application/xml' && types.some((t) => t.endsWith('+xml')))) continue;
        const before = snapshot(gw);
        const started = Date.now();
        const res = await request(gw.app)[op.method](concrete(op, 'x')).set('Authorization', `Bearer ${ADMIN_TOKEN}`).set('Content-Type', type).send(body);
        const ms = Date.now() - started;
        if (op.operationId === 'validateXPlan' && res.status === 200) {
          // validation answers with a report; the attack must be an error finding in it
          assert.equal(res.body.valid, false, label);
          assert.ok(res.body.findings.some((f: { severity: string }) => f.severity === 'error'), label);
        } else {
          assert.ok(res.status >= 400 && res.status < 500, `${label}: ${res.status} ${res.text.slice(0, 200)}`);
          errorFormatOk(op, res);
        }
        assert.doesNotMatch(res.text, /root:x:0:0/, `${label}: file content in the answer`);
        assert.ok(ms < 10_000, `${label}: ${ms} ms`);
        assert.equal(snapshot(gw), before, `${label}: store changed`);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
      // nothing inflated the bomb or expanded the entities in memory
      assert.ok(rssPeak - rssBefore < 300 * 1024 * 1024, `RSS grew by ${((rssPeak - rssBefore) / 1048576).toFixed(0)} MiB`);
      await request(gw.app).get('/health').expect(200);
    });
  }
});

describe('hardening/hostile: injection strings inside otherwise valid bodies are data, never code', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let keys: { submit: string; staff: string };
  before(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '100000' });
    keys = await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  it('procedure titles and descriptions: stored and returned verbatim; every table survives', async () => {
    for (const value of NASTY_STRINGS.filter((v) => !v.includes('\u0000'))) {
      const res = await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${keys.staff}`)
        .send({ title: value, description: value, family: 'informell', planKind: 'dialog' });
      assert.ok(res.status === 201 || res.status === 400, `${value}: ${res.status}`);
      if (res.status === 201) {
        const back = await request(gw.app).get(`/api/v1/tenants/sayda/procedures/${res.body.id}`).set('Authorization', `Bearer ${keys.staff}`).expect(200);
        assert.equal(back.body.title, value);
      }
    }
    const tables = gw.store.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    assert.ok(tables.n >= 10);
    assert.equal((gw.store.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
  });

  it('Open311 form fields: every field with every string answers < 500, errors in the Open311 format', async () => {
    const fields = ['service_code', 'lat', 'long', 'address_string', 'address_id', 'email', 'device_id', 'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url', 'attribute[schaden]', 'jurisdiction_id'];
    const base = { api_key: keys.submit, service_code: 'schlagloch', lat: '50.70', long: '13.40', description: 'Loch' };
    for (const field of fields) {
      for (const value of NASTY_STRINGS) {
        for (const format of ['json', 'xml']) {
          const res = await request(gw.app).post(`/open311/v2/requests.${format}?jurisdiction_id=sayda`).type('form').send({ ...base, [field]: value });
          assert.ok(res.status < 500, `${field}=${JSON.stringify(value)} (${format}): ${res.status} ${res.text.slice(0, 200)}`);
          if (res.status >= 400 && format === 'json') assert.ok(Array.isArray(res.body) && typeof res.body[0]?.description === 'string', res.text.slice(0, 200));
          if (res.status >= 400 && format === 'xml') assert.match(res.text, /<errors>/);
        }
      }
    }
  });
});
