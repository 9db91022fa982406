// The classes of attack the security review found, each tried on every operation of the OpenAPI
// document it can reach (a newly documented operation is attacked without editing this file):
// - one parameter at a time (every path parameter, every documented query parameter and one the
//   gateway does not know) set to control characters, non-characters, numbers that overflow SQLite's
//   integers, and IRI/Turtle/JSON breakers: never a 5xx; every answer, error or not, well-formed in
//   its own media type (libxml2 for XML, n3 for Turtle, the RDF/XML and JSON-LD parsers); no
//   successful answer carries what the URL smuggled in (links are built from known parameters);
// - another tenant's key on every write, with the victim's real ids and a valid body, and for
//   Open311 without jurisdiction_id: refused, and not one stored row changes (the same request with
//   the victim's own key succeeds, so the bodies are real).
import assert from 'node:assert/strict';
import { XmlDocument } from 'libxml2-wasm';
import request from 'supertest';
import { buildOpenApi, listOperations, type OperationInfo } from '../../src/core/openapi.ts';
import { ADMIN_TOKEN, ALL_SCOPES, createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { storeDigest } from '../helpers/hostile.ts';
import { setUpMangelmelder } from '../helpers/open311.ts';
import { parseJsonLd, parseRdfXml, parseTurtle } from '../helpers/rdf.ts';
import { zip } from '../helpers/xplanung.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';

type Json = Record<string, unknown>;
type Parameter = { name: string; in: string; $ref?: string; schema?: { enum?: string[] } };
const doc = buildOpenApi() as unknown as { paths: Record<string, Record<string, unknown>>; components?: { parameters?: Record<string, Parameter> } };
const operations = listOperations(doc as never);

/** The parameters an operation documents (path-level and its own, references resolved). */
function parametersOf(op: OperationInfo): Parameter[] {
  const item = doc.paths[op.path]!;
  return [...((item.parameters ?? []) as Parameter[]), ...((((item[op.method] as Json).parameters ?? []) as Parameter[]))]
    .map((p) => (p.$ref ? doc.components?.parameters?.[p.$ref.split('/').pop()!] : p))
    .filter((p): p is Parameter => Boolean(p));
}

const EVIL = 'evil.example';
/** One hostile value per class: C0 controls, non-characters, SQLite integer overflow, IRI/Turtle/JSON breakers. */
const VALUES = ['a\u0001b', '\u0000', 'x\uFFFEy', '1e17', '1e20', '99999999999999999999', '0x10', `><http://${EVIL}/p> <http://${EVIL}/q> "x" .`, '"{}<x>&\'', `http://${EVIL}/#"`];

/** Checks that `text` is well-formed in the media type it is sent as. */
async function assertWellFormed(type: string, text: string, what: string): Promise<void> {
  const t = type.split(';')[0]!.trim();
  try {
    if (t === 'text/turtle') parseTurtle(text);
    else if (t === 'application/rdf+xml') await parseRdfXml(text);
    else if (t === 'application/ld+json') await parseJsonLd(text);
    else if (/json$/.test(t)) JSON.parse(text);
    else if (/xml$/.test(t)) XmlDocument.fromString(text).dispose();
  } catch (err) {
    assert.fail(`${what}: not well-formed ${t}: ${(err as Error).message.slice(0, 160)} in ${JSON.stringify(text.slice(0, 200))}`);
  }
}

describe('hardening/hostile classes: every parameter of every GET, one at a time', function () {
  this.timeout(600_000);
  let gw: TestGateway;
  const real: Record<string, string | undefined> = {};
  const tenantFor = (op: OperationInfo) => (op.path.startsWith('/xplanung/') ? 'plaene' : 'sayda');

  before(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '100000' });
    const mm = await setUpMangelmelder(gw);
    real.procedureId = (await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${mm.staff}`)
      .send({ title: 'Radweg', family: 'informell', planKind: 'dialog', area: { type: 'Polygon', coordinates: [[[13.4, 50.7], [13.41, 50.7], [13.41, 50.71], [13.4, 50.7]]] } }).expect(201)).body.id;
    real.id = real.procedureId;
    const report = await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=sayda').type('form').send({ api_key: mm.submit, service_code: 'schlagloch', lat: '50.70', long: '13.40', description: 'Loch' }).expect(200);
    real.service_request_id = report.body[0].service_request_id;
    const moderated = await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=sayda').type('form').send({ api_key: mm.submit, service_code: 'wegweiser', 'attribute[schaden]': 'fehlt', lat: '50.70', long: '13.40' }).expect(200);
    real.token = moderated.body[0].token;
    real.service_code = 'schlagloch';
    // a plan pushed as an XPlanArchive, so that source, files and export answer with content
    const pushKey = await gw.tenant('plaene', ['xplanung:push', 'procedures:write'], { ags: ['14522530'] });
    const plan = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'demo-bebauungsplan-7.gml'));
    const pushed = await request(gw.app).post('/xplanung/v1/tenants/plaene/plans').set('Authorization', `Bearer ${pushKey}`).set('Content-Type', 'application/zip')
      .send(await zip([['xplan.gml', plan], ['Begruendung.txt', 'Begründung']]));
    assert.ok(pushed.status === 201, `push: ${pushed.status} ${pushed.text.slice(0, 300)}`);
    real.planId = pushed.body.plans[0].planId;
    real.xplanProcedureId = pushed.body.plans[0].procedureId;
    real.name = 'Begruendung.txt';
  });
  after(async () => { await gw.close(); });

  function pathWith(op: OperationInfo, format: string | undefined, override?: [string, string]): string {
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      if (override && override[0] === name) return encodeURIComponent(override[1]);
      if (name === 'format') return format ?? 'json';
      if (name === 'tenant') return tenantFor(op);
      if (name === 'procedureId' && op.path.startsWith('/xplanung/')) return real.xplanProcedureId!;
      // the feed's publisher, service and distribution IRIs (303 to their documents)
      if (name === 'id' && op.path.startsWith('/dcat/publishers/')) return 'sayda';
      if (name === 'id' && op.path.startsWith('/dcat/services/')) return 'open311';
      if (name === 'name' && op.path.startsWith('/dcat/datasets/')) return 'area';
      return encodeURIComponent(real[name] ?? 'unbekannt');
    });
    return path;
  }

  const gets = operations.filter((o) => o.method === 'get');
  it('finds the GET operations and their parameters in the OpenAPI document', () => {
    assert.ok(gets.length >= 25, `${gets.length}`);
    assert.ok(parametersOf(gets.find((o) => o.operationId === 'open311Requests')!).some((p) => p.name === 'page'));
  });

  for (const op of gets) {
    it(`${op.path}: each parameter with each hostile value → < 500, well-formed, nothing smuggled into links`, async () => {
      const params = parametersOf(op);
      const formats = params.find((p) => p.name === 'format')?.schema?.enum ?? [undefined];
      const query = params.filter((p) => p.in === 'query').map((p) => p.name);
      const base: Record<string, string> = op.path.startsWith('/open311/') ? { jurisdiction_id: 'sayda' } : {};
      if (op.operationId === 'dcatDeletions' || op.operationId === 'listDeletedProcedures') base.since = '2020-01-01T00:00:00Z';
      const targets: Array<['path' | 'query', string]> = [
        ...params.filter((p) => p.in === 'path' && p.name !== 'format').map((p): ['path', string] => ['path', p.name]),
        ...[...new Set([...query, 'x'])].map((n): ['query', string] => ['query', n]),
      ];
      let answered = 0;
      for (const format of formats) {
        for (const [where, name] of targets) {
          for (const value of VALUES) {
            const q = new URLSearchParams({ ...base, ...(where === 'query' ? { [name]: value } : {}) }).toString();
            const url = `${pathWith(op, format, where === 'path' ? [name, value] : undefined)}${q ? `?${q}` : ''}`;
            const res = await request(gw.app).get(url).set('Authorization', `Bearer ${ADMIN_TOKEN}`).buffer(true).parse((r, cb) => {
              const chunks: Buffer[] = [];
              r.on('data', (c: Buffer) => chunks.push(c));
              r.on('end', () => cb(null, Buffer.concat(chunks)));
            });
            const what = `${url} → ${res.status}`;
            assert.ok(res.status < 500, `${what}: ${String(res.body).slice(0, 200)}`);
            const type = String(res.headers['content-type'] ?? '');
            const text = (res.body as Buffer).toString('utf8');
            if (!/^(image|application\/(zip|pdf|octet-stream))/.test(type) && !(/^text\/plain/.test(type) && res.status < 300)) await assertWellFormed(type, text, what);
            if (res.status < 400) {
              // a 303 See Other (an IRI of the feed, an endpoint URL) is an answer too: its Location is checked
              answered++;
              assert.ok(!String(res.headers.location ?? '').includes(EVIL), `${what}: the Location header carries what the URL smuggled in`);
              assert.ok(!text.includes(EVIL), `${what}: the answer carries what the URL smuggled in`);
              assert.ok(!String(res.headers.link ?? '').includes(EVIL), `${what}: the Link header carries what the URL smuggled in`);
            }
          }
        }
      }
      // the unknown parameter alone leaves most operations answering with content: the checks above ran on real answers
      if (!['open311Media', 'getXPlanArchiveFile'].includes(op.operationId)) assert.ok(answered > 0, `${op.path}: no successful answer was checked`);
    });
  }
});

/** A gateway with a victim tenant (Open311, plans for Demostadt's AGS) and valid requests for every write on it. */
async function victimGateway() {
  const gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '100000' });
  await setUpMangelmelder(gw, 'alpha');
  const alpha = (await gw.store.tenants.get('alpha'))!;
  await gw.store.tenants.update({ ...alpha, ags: ['14522530'] });
  const victimKey = await gw.key('alpha', ALL_SCOPES);
  const plan = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'demo-bebauungsplan-7.gml'));
  const unique = () => Math.random().toString(36).slice(2, 8);

  /** A valid request for `op` on tenant alpha's own resources, made fresh for each call. */
  async function valid(op: OperationInfo): Promise<WriteRequest> {
    const procedure = async () => (await request(gw.app).post('/api/v1/tenants/alpha/procedures').set('Authorization', `Bearer ${victimKey}`).send({ title: 'Opfer', family: 'informell', planKind: 'dialog' }).expect(201)).body.id as string;
    const report = async () => (await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=alpha').type('form').send({ api_key: victimKey, service_code: 'schlagloch', lat: '50.70', long: '13.40', email: 'opfer@example.org' }).expect(200)).body[0].service_request_id as string;
    switch (op.operationId) {
      case 'createProcedure': return { path: '/api/v1/tenants/alpha/procedures', body: { title: 'Fremd', description: 'Text', number: '7', family: 'informell', planKind: 'dialog', documents: [{ title: 'Plan', url: 'https://example.org/p.pdf' }] } };
      case 'replaceProcedure': return { path: `/api/v1/tenants/alpha/procedures/${await procedure()}`, body: { title: 'Fremd', description: 'Text', family: 'informell', planKind: 'dialog' }, headers: { 'If-Match': '*' } };
      case 'patchProcedure': return { path: `/api/v1/tenants/alpha/procedures/${await procedure()}`, type: 'application/merge-patch+json', body: { title: 'Fremd', description: 'Text' }, headers: { 'If-Match': '*' } };
      case 'deleteProcedure': return { path: `/api/v1/tenants/alpha/procedures/${await procedure()}`, headers: { 'If-Match': '*' } };
      case 'patchServiceRequest': return { path: `/api/v1/tenants/alpha/requests/${await report()}`, body: { released: false, status_notes: 'Notiz', agency_responsible: 'Bauhof', service_notice: 'Hinweis' } };
      case 'erasePersonalData': return { path: `/api/v1/tenants/alpha/requests/${await report()}/personal-data` };
      case 'createOpen311Service': return { path: '/api/v1/tenants/alpha/services', body: { service_code: `neu${unique()}`, service_name: 'Neu', description: 'Beschreibung', group: 'Gruppe', keywords: ['wort'] } };
      case 'putOpen311Service': return { path: '/api/v1/tenants/alpha/services/schlagloch', body: { service_code: 'schlagloch', service_name: 'Fremd', description: 'Beschreibung' } };
      case 'deleteOpen311Service': {
        const code = `weg${unique()}`;
        await request(gw.app).post('/api/v1/tenants/alpha/services').set('Authorization', `Bearer ${victimKey}`).send({ service_code: code, service_name: 'Weg' }).expect(201);
        return { path: `/api/v1/tenants/alpha/services/${code}` };
      }
      // no jurisdiction_id: the key's own tenant is meant (alpha is the only one serving Open311)
      case 'open311CreateRequest': return { path: '/open311/v2/requests.json', type: 'application/x-www-form-urlencoded', body: { service_code: 'schlagloch', lat: '50.70', long: '13.40', description: 'Loch', address_string: 'Markt 1', address_id: 'A1', zipcode: '09619', email: 'opfer@example.org', first_name: 'Erika', last_name: 'Muster', phone: '0123', device_id: 'geraet', account_id: 'konto', media_url: 'https://example.org/bild.jpg' } };
      case 'pushXPlan': return { path: '/xplanung/v1/tenants/alpha/plans', type: 'application/gml+xml', body: plan };
      case 'createTenant': return { path: '/admin/v1/tenants', body: { id: `t${unique()}`, name: 'Neu', contact: { email: 'info@neu.example', name: 'Amt' } } };
      case 'replaceTenant': return { path: '/admin/v1/tenants/alpha', body: { id: 'alpha', name: 'Alpha', ags: ['14522530'], contact: { email: 'info@alpha.example' } } };
      case 'setCodeMapping': return { path: '/admin/v1/tenants/alpha/code-mappings', body: { list: 'xplanung:bp-rechtsstand', code: '3000', value: 'veroeffentlichung' } };
      case 'createApiKey': return { path: '/admin/v1/tenants/alpha/keys', body: { label: 'Büro', scopes: ['procedures:write'] } };
      case 'revokeApiKey': return { path: `/admin/v1/tenants/alpha/keys/${(await gw.store.apiKeys.create('alpha', 'weg', ['procedures:write'], unique())).id}` };
      default: throw new Error(`no valid request known for ${op.operationId}: add one here`);
    }
  }

  function send(op: OperationInfo, r: WriteRequest, secret: string) {
    const call = request(gw.app)[op.method](r.path).set('Authorization', `Bearer ${secret}`);
    for (const [k, v] of Object.entries(r.headers ?? {})) call.set(k, v);
    if (r.type) call.set('Content-Type', r.type);
    if (r.body === undefined) return call;
    if (r.type === 'application/x-www-form-urlencoded') return call.send(new URLSearchParams(r.body as Record<string, string>).toString());
    return call.send((Buffer.isBuffer(r.body) || typeof r.body === 'string' ? r.body : JSON.stringify(r.body)) as never);
  }
  return { gw, victimKey, valid, send };
}

interface WriteRequest { path: string; type?: string; body?: string | Buffer | Json; headers?: Record<string, string> }

describe('hardening/hostile classes: another tenant\'s key on every write acts on nothing but its own tenant', function () {
  this.timeout(120_000);
  let v: Awaited<ReturnType<typeof victimGateway>>;
  let intruderKey: string;
  const writes = operations.filter((o) => o.method !== 'get' && (o.auth === 'tenant' || o.auth === 'open311-key'));

  before(async () => {
    v = await victimGateway();
    intruderKey = await v.gw.tenant('beta', ALL_SCOPES); // serves no Open311 category
  });
  after(async () => { await v.gw.close(); });

  it('finds the writes of tenants and Open311 clients', () => assert.ok(writes.length >= 10, `${writes.length}`));

  for (const op of writes) {
    it(`${op.method.toUpperCase()} ${op.path}: the intruder is refused and nothing changes; the victim's own key succeeds`, async () => {
      const r = await v.valid(op);
      const before = storeDigest(v.gw.store.db);
      const res = await v.send(op, { ...r, type: r.type ?? (r.body === undefined ? undefined : 'application/json') }, intruderKey);
      assert.ok(res.status >= 400 && res.status < 500, `intruder: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(storeDigest(v.gw.store.db), before, `intruder's ${res.status} changed stored data`);
      const own = await v.send(op, { ...(op.operationId === 'open311CreateRequest' ? { ...r, path: `${r.path}?jurisdiction_id=alpha` } : r), type: r.type ?? (r.body === undefined ? undefined : 'application/json') }, v.victimKey);
      assert.ok(own.status >= 200 && own.status < 300, `victim: ${own.status} ${own.text.slice(0, 300)}`);
    });
  }
});

/** Every string in a JSON value, as [JSON Pointer, setter of a changed copy]. */
function stringsOf(value: unknown, pointer = ''): Array<[string, (v: string) => unknown]> {
  if (typeof value === 'string') return [[pointer || '/', (v) => v]];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringsOf(item, `${pointer}/${i}`).map(([p, set]): [string, (v: string) => unknown] => [p, (v) => value.map((x, j) => (j === i ? set(v) : x))]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, item]) => stringsOf(item, `${pointer}/${k}`).map(([p, set]): [string, (v: string) => unknown] => [p, (v) => ({ ...(value as Json), [k]: set(v) })]));
  }
  return [];
}

describe('hardening/hostile classes: every text field of every body, with a control character and far over any limit', function () {
  this.timeout(300_000);
  let v: Awaited<ReturnType<typeof victimGateway>>;
  // the bodies that carry text fields (JSON and Open311 forms); XPlanGML is XML, which cannot carry them at all
  const withText = operations.filter((o) => ['post', 'put', 'patch'].includes(o.method) && o.operationId !== 'pushXPlan' && o.operationId !== 'validateXPlan');

  before(async () => { v = await victimGateway(); });
  after(async () => { await v.gw.close(); });

  it('finds the operations with text bodies', () => assert.ok(withText.length >= 10, withText.map((o) => o.operationId).join(', ')));

  for (const op of withText) {
    it(`${op.method.toUpperCase()} ${op.path}: each string → 400 in the standard's error format naming it, nothing stored; the unchanged body succeeds`, async () => {
      const admin = op.auth === 'admin' ? ADMIN_TOKEN : v.victimKey;
      const template = await v.valid(op);
      const fields = stringsOf(template.body);
      assert.ok(fields.length > 0, 'the valid body has text fields');
      for (const [pointer] of fields) {
        const field = pointer.split('/').filter((x) => x && !/^\d+$/.test(x)).pop()!;
        for (const [label, value] of [['a control character', 'Gr\u0001ube'], ['U+FFFE', 'x\uFFFEy'], ['100 000 characters', 'x'.repeat(100_000)]] as const) {
          const r = await v.valid(op); // fresh ids (a created service, procedure …) for every try
          const changed = stringsOf(r.body).find(([p]) => p === pointer)![1](value);
          const before = storeDigest(v.gw.store.db);
          const res = await v.send(op, { ...r, type: r.type ?? 'application/json', body: changed as Json }, admin);
          const what = `${pointer} with ${label}: ${res.status} ${res.text.slice(0, 200)}`;
          assert.equal(res.status, 400, what);
          assert.ok(res.text.includes(field), `${what}: the answer does not name ${field}`);
          if (op.path.startsWith('/open311/')) assert.ok(Array.isArray(res.body) && typeof res.body[0]?.description === 'string', what);
          else assert.match(String(res.headers['content-type']), /problem\+json/, what);
          assert.equal(storeDigest(v.gw.store.db), before, `${what}: stored data changed`);
        }
      }
      const ok = await v.send(op, { ...template, type: template.type ?? 'application/json' }, admin);
      assert.ok(ok.status >= 200 && ok.status < 300, `the unchanged body: ${ok.status} ${ok.text.slice(0, 300)}`);
    });
  }
});
