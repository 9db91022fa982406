// Body parsing shared by the JSON and form APIs: invalid UTF-8 is refused, not decoded with
// replacement characters (sent over a raw socket: HTTP clients re-encode what they are given).
// Plan bodies: every way a client may send one gives the same report.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { ClientRequest, Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import { UploadBudget, sharedRawBody } from '../../src/http/body.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';
import { describeShared } from '../helpers/shared.ts';
import { real } from '../helpers/xplanung.ts';

describe('http/body: UTF-8 or nothing', function () {
  this.timeout(20_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  let server: Server;
  let port: number;
  before(async () => {
    gw = await createTestGateway();
    mm = await setUpMangelmelder(gw);
    server = createServer(gw.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => { server.close(); await gw.close(); });

  const send = (path: string, type: string, body: Buffer) => new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path, method: 'POST', headers: { 'content-type': type, 'content-length': body.length, authorization: `Bearer ${mm.staff}` } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const invalid = Buffer.concat([Buffer.from('{"title":"Stra'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('e","family":"informell","planKind":"dialog"}')]);

  it('a JSON body with invalid UTF-8 is a 400 problem, and nothing is stored', async () => {
    const before = (gw.store.db.prepare('SELECT count(*) AS n FROM procedure').get() as { n: number }).n;
    const res = await send('/api/v1/tenants/sayda/procedures', 'application/json', invalid);
    assert.equal(res.status, 400);
    assert.match(res.type, /problem\+json/);
    assert.match(res.text, /not valid UTF-8/);
    assert.equal((gw.store.db.prepare('SELECT count(*) AS n FROM procedure').get() as { n: number }).n, before);
    const ok = await send('/api/v1/tenants/sayda/procedures', 'application/json', Buffer.from('{"title":"Straße","family":"informell","planKind":"dialog"}'));
    assert.equal(ok.status, 201);
  });

  it('a JSON Merge Patch nested 10 000 deep is a 400 problem before any code walks it; the procedure is untouched', async () => {
    const created = await send('/api/v1/tenants/sayda/procedures', 'application/json', Buffer.from('{"title":"Tief","family":"informell","planKind":"dialog"}'));
    assert.equal(created.status, 201);
    const id = (JSON.parse(created.text) as { id: string }).id;
    const before = (gw.store.db.prepare('SELECT * FROM procedure WHERE id = ?').get(id));
    const deep = Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    const res = await new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', path: `/api/v1/tenants/sayda/procedures/${id}`, method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'content-length': deep.length, authorization: `Bearer ${mm.staff}`, 'if-match': '*' } }, (r) => {
        let text = '';
        r.on('data', (c) => { text += String(c); });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), text }));
      });
      req.on('error', reject);
      req.end(deep);
    });
    assert.equal(res.status, 400, res.text.slice(0, 200));
    assert.match(res.type, /problem\+json/);
    assert.match(res.text, /nested deeper than 64 levels/);
    assert.deepEqual(gw.store.db.prepare('SELECT * FROM procedure WHERE id = ?').get(id), before);
    // strings that look like brackets do not count
    const ok = await send('/api/v1/tenants/sayda/procedures', 'application/json', Buffer.from(`{"title":"${'[{'.repeat(100)}","family":"informell","planKind":"dialog"}`));
    assert.equal(ok.status, 201, ok.text);
  });

  it('an Open311 form with invalid UTF-8 is a 400 in the Open311 error format', async () => {
    const res = await send('/open311/v2/requests.json', 'application/x-www-form-urlencoded', Buffer.concat([Buffer.from(`api_key=${mm.submit}&service_code=schlagloch&description=`), Buffer.from([0xff, 0xfe])]));
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text)[0], { code: 400, description: 'the request body is not valid UTF-8' });
  });
});

describeShared('http/body: plan bodies (read into one shared buffer, or through express.raw)', function () {
  this.timeout(30_000);
  let gw: TestGateway;
  let server: Server;
  let port: number;
  before(async () => {
    gw = await createTestGateway();
    server = createServer(gw.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => { server.close(); await gw.close(); });

  const plan = real('BPlan_6-0_Polygon_ausserhalb.gml');
  const validate = (headers: Record<string, string | number>, write: (req: ClientRequest) => void) => new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/xplanung/v1/validate', method: 'POST', headers: { 'content-type': 'application/gml+xml', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    write(req);
  });

  it('the same report whether the plan comes with a length (in chunks), chunked, or gzip-encoded', async () => {
    const withLength = await validate({ 'content-length': plan.length }, (req) => {
      for (let i = 0; i < plan.length; i += 7000) req.write(plan.subarray(i, i + 7000));
      req.end();
    });
    const chunked = await validate({ 'transfer-encoding': 'chunked' }, (req) => req.end(plan));
    const packed = gzipSync(plan);
    const gzipped = await validate({ 'content-encoding': 'gzip', 'content-length': packed.length }, (req) => req.end(packed));
    assert.equal(withLength.status, 200);
    const findings = (r: { body: Record<string, unknown> }) => JSON.stringify(r.body.findings);
    assert.ok((withLength.body.findings as unknown[]).length > 0, 'this plan has findings to compare');
    assert.equal(findings(chunked), findings(withLength));
    assert.equal(findings(gzipped), findings(withLength));
  });

  it('an upload cut off mid-body leaves the gateway serving', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest({ port, host: '127.0.0.1', path: '/xplanung/v1/validate', method: 'POST', headers: { 'content-type': 'application/gml+xml', 'content-length': plan.length } });
      req.on('error', () => resolve());
      req.write(plan.subarray(0, 1000), () => { req.destroy(); setTimeout(resolve, 100); });
    });
    const after = await validate({ 'content-length': plan.length }, (req) => req.end(plan));
    assert.equal(after.status, 200);
  });
});

describe('http/body: a plan body is one SharedArrayBuffer that grows with what arrives', function () {
  this.timeout(30_000);
  let server: Server;
  let port: number;
  const uploads = new UploadBudget(64 * 1024 * 1024, 4);
  before(async () => {
    // the middleware alone, behind a handler that says what it was given (the worker gets exactly that)
    const app = express();
    app.post('/body', sharedRawBody(8 * 1024 * 1024, uploads), (req, res) => {
      const body = req.body as Buffer;
      res.json({ shared: body.buffer instanceof SharedArrayBuffer, length: body.length, held: uploads.inFlight, sha: createHash('sha256').update(body).digest('hex') });
    });
    app.use((err: { status?: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => { res.status(err.status ?? 500).json({ error: err.message }); });
    server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => { server.close(); });

  const post = (headers: Record<string, string | number>, body: Buffer) => new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/body', method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 100_000) req.write(body.subarray(i, i + 100_000));
    req.end();
  });

  it('with a length, chunked, or gzip-encoded: the same bytes, backed by a SharedArrayBuffer, reserved by what arrived (not what was announced)', async () => {
    const bytes = randomBytes(2_500_000);
    const sha = createHash('sha256').update(bytes).digest('hex');
    // the buffer grows in 1 MB steps, never beyond an announced length
    const expected = (held: number) => ({ shared: true, length: bytes.length, held, sha });
    assert.deepEqual((await post({ 'content-length': bytes.length }, bytes)).json, expected(bytes.length));
    assert.deepEqual((await post({ 'transfer-encoding': 'chunked' }, bytes)).json, expected(3 * 1024 * 1024));
    const packed = gzipSync(bytes);
    assert.deepEqual((await post({ 'content-encoding': 'gzip', 'content-length': packed.length }, packed)).json, expected(3 * 1024 * 1024));
    assert.equal(uploads.inFlight, 0);
  });

  it('a chunked or inflated body over the limit is a 413, and releases what it held', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
    assert.equal((await post({ 'transfer-encoding': 'chunked' }, big)).status, 413);
    assert.equal((await post({ 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' }, gzipSync(big))).status, 413);
    assert.equal((await post({ 'content-encoding': 'gzip', 'content-length': 10 }, Buffer.from('not gzip!!'))).status, 400);
    await new Promise((r) => setImmediate(r));
    assert.equal(uploads.inFlight, 0);
  });
});
