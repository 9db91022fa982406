// GATEWAY_TRUST_PROXY decides whose X-Forwarded-* headers are believed. Off (the default), they are
// ignored: links use GATEWAY_PUBLIC_BASE_URL and the Open311 per-address rate limit counts the socket
// address, however a client varies X-Forwarded-For. On (one reverse proxy in front), the forwarded
// host and protocol make the links (a host that is not a plain host name is ignored) and the address
// the proxy appended to X-Forwarded-For is the client's.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';

const CONFIGURED = 'http://gateway.test'; // GATEWAY_PUBLIC_BASE_URL of the test gateway

/** The endpoint URL Open311 discovery announces, with the given request headers. */
async function discoveryUrl(gw: TestGateway, headers: Record<string, string>): Promise<string> {
  const res = await request(gw.app).get('/open311/v2/discovery.json').set(headers).expect(200);
  return (res.body as { endpoints: { url: string }[] }).endpoints[0]!.url;
}

/** The Location header of a newly created procedure, with the given request headers. */
async function createdLocation(gw: TestGateway, key: string, headers: Record<string, string>): Promise<string> {
  const res = await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${key}`).set(headers)
    .send({ title: 'Radweg', family: 'informell', planKind: 'dialog' }).expect(201);
  return String(res.headers.location);
}

/**
 * Submits one Open311 report with a fresh API key (the per-key limit never interferes), sending
 * `forwardedFor` as X-Forwarded-For; returns the status.
 */
async function submitFrom(gw: TestGateway, forwardedFor: string): Promise<number> {
  const key = await gw.key('sayda', ['open311:submit']);
  const res = await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=sayda').set('X-Forwarded-For', forwardedFor).type('form')
    .send({ api_key: key, service_code: 'schlagloch', lat: '50.72', long: '13.42', description: 'Loch' });
  if (res.status === 429) assert.match(res.text, /too many reports/);
  return res.status;
}

describe('http/trust-proxy: GATEWAY_TRUST_PROXY off (default) ignores X-Forwarded-*', function () {
  this.timeout(30_000);
  let gw: TestGateway;
  let keys: Mangelmelder;
  const forged = { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' };

  before(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '2' });
    keys = await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  it('links in answers use the configured public base (Open311 discovery, Location)', async () => {
    assert.equal(gw.config.trustProxy, false);
    assert.equal(await discoveryUrl(gw, forged), `${CONFIGURED}/open311/v2`);
    assert.match(await createdLocation(gw, keys.staff, forged), new RegExp(`^${CONFIGURED}/api/v1/tenants/sayda/procedures/[0-9a-f-]{36}$`));
  });

  it('the Open311 per-address rate limit counts the socket address: varying X-Forwarded-For does not escape it', async () => {
    assert.deepEqual([await submitFrom(gw, '198.51.100.1'), await submitFrom(gw, '198.51.100.2'), await submitFrom(gw, '198.51.100.3')], [200, 200, 429]);
  });
});

describe('http/trust-proxy: GATEWAY_TRUST_PROXY on believes the proxy in front', function () {
  this.timeout(30_000);
  let gw: TestGateway;
  let keys: Mangelmelder;

  before(async () => {
    gw = await createTestGateway({ GATEWAY_TRUST_PROXY: 'true', GATEWAY_OPEN311_RATE_PER_MINUTE: '2' });
    keys = await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  it('links use the forwarded host and protocol', async () => {
    const forwarded = { 'X-Forwarded-Host': 'beteiligung.sachsen.example', 'X-Forwarded-Proto': 'https' };
    assert.equal(await discoveryUrl(gw, forwarded), 'https://beteiligung.sachsen.example/open311/v2');
    assert.match(await createdLocation(gw, keys.staff, forwarded), /^https:\/\/beteiligung\.sachsen\.example\/api\/v1\/tenants\/sayda\/procedures\/[0-9a-f-]{36}$/);
    assert.equal(await discoveryUrl(gw, { 'X-Forwarded-Host': 'portal.example:8443', 'X-Forwarded-Proto': 'https' }), 'https://portal.example:8443/open311/v2');
  });

  it('a forwarded host that is not a plain host name (or a protocol other than http/https) is ignored', async () => {
    for (const host of ['evil.example/phish', 'user@evil.example', 'evil.example:notaport', 'evil.example:80:81', 'a b.example', 'one.example, two.example', '-dash.example', '[']) {
      assert.equal(await discoveryUrl(gw, { 'X-Forwarded-Host': host, 'X-Forwarded-Proto': 'https' }), `${CONFIGURED}/open311/v2`, host);
    }
    assert.equal(await discoveryUrl(gw, { 'X-Forwarded-Host': 'portal.example', 'X-Forwarded-Proto': 'javascript' }), `${CONFIGURED}/open311/v2`);
  });

  it('X-Forwarded-For decides the client address of the Open311 rate limit', async () => {
    assert.deepEqual([await submitFrom(gw, '198.51.100.10'), await submitFrom(gw, '198.51.100.10'), await submitFrom(gw, '198.51.100.10')], [200, 200, 429]);
    assert.equal(await submitFrom(gw, '198.51.100.11'), 200, 'another client behind the proxy has its own budget');
  });

  it('the address the proxy appended decides, not what the client wrote before it (the client cannot vary it to escape the limit)', async () => {
    // the proxy appends the address it sees to whatever X-Forwarded-For the client sent
    assert.deepEqual([
      await submitFrom(gw, '203.0.113.1, 198.51.100.20'),
      await submitFrom(gw, '203.0.113.2, 198.51.100.20'),
      await submitFrom(gw, '203.0.113.3, 198.51.100.20'),
    ], [200, 200, 429]);
  });
});
