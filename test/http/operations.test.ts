import assert from 'node:assert/strict';
import request from 'supertest';
import { createServer, type Server } from 'node:http';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';

describe('http/operations: health, OpenAPI, docs, errors', () => {
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway(); });
  after(() => gw.close());

  it('GET /health reports database and schemas', async () => {
    const res = await request(gw.app).get('/health').expect(200);
    assert.deepEqual({ status: res.body.status, database: res.body.database, schemas: res.body.schemas }, { status: 'ok', database: 'ok', schemas: 'ok' });
  });

  it('GET /health is 503 when the database is gone', async () => {
    const other = await createTestGateway();
    await other.store.close();
    const res = await request(other.app).get('/health').expect(503);
    assert.equal(res.body.database, 'error');
    await other.close();
  });

  it('serves the OpenAPI 3.1 document with every core operation', async () => {
    const res = await request(gw.app).get('/openapi.json').expect(200).expect('Content-Type', /json/);
    assert.equal(res.body.openapi, '3.1.0');
    for (const p of ['/health', '/admin/v1/tenants', '/admin/v1/tenants/{tenant}/keys', '/api/v1/tenants/{tenant}/procedures', '/api/v1/tenants/{tenant}/procedures/{procedureId}']) {
      assert.ok(res.body.paths[p], p);
    }
    assert.ok(res.body.components.schemas.Procedure);
    // every $ref resolves inside the document
    const text = JSON.stringify(res.body);
    for (const m of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = (m[1] as string).split('/').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], res.body);
      assert.ok(target, `unresolved $ref #/${m[1]}`);
    }
  });

  it('unknown paths are 404 problem+json without internals', async () => {
    const res = await request(gw.app).get('/nowhere/../etc/passwd').expect(404).expect('Content-Type', /problem\+json/);
    assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts|node_modules|stack/i);
  });

  it('sets security headers', async () => {
    const res = await request(gw.app).get('/health');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  describe('the /docs page in a real browser (Debian chromium + playwright-core)', function () {
    this.timeout(60_000);
    let server: Server;
    before(function () {
      if (!hasChromium()) this.skip();
    });
    after(() => server?.close());

    it('renders the API reference from local assets, with no outside requests', async () => {
      server = createServer(gw.app).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const port = (server.address() as { port: number }).port;
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const outside: string[] = [];
        page.on('request', (r) => { if (!r.url().startsWith(`http://127.0.0.1:${port}/`)) outside.push(r.url()); });
        await page.goto(`http://127.0.0.1:${port}/docs`);
        await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
        const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.textContent ?? ''));
        assert.ok(paths.some((p) => p.includes('/api/v1/tenants/{tenant}/procedures')), paths.join(','));
        assert.deepEqual(outside, []);
      } finally {
        await browser.close();
      }
    });
  });
});
