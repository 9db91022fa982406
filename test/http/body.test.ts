// Body parsing shared by the JSON and form APIs: invalid UTF-8 is refused, not decoded with
// replacement characters (sent over a raw socket: HTTP clients re-encode what they are given).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';

describe('http/body: UTF-8 or nothing', function () {
  this.timeout(20_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  let server: Server;
  let port: number;
  before(async () => {
    gw = await createTestGateway();
    mm = await setUpMangelmelder(gw);
    server = gw.app.listen(0, '127.0.0.1');
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

  it('an Open311 form with invalid UTF-8 is a 400 in the Open311 error format', async () => {
    const res = await send('/open311/v2/requests.json', 'application/x-www-form-urlencoded', Buffer.concat([Buffer.from(`api_key=${mm.submit}&service_code=schlagloch&description=`), Buffer.from([0xff, 0xfe])]));
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text)[0], { code: 400, description: 'the request body is not valid UTF-8' });
  });
});
