// The portal side of the Mängelmelder: categories, moderation, privacy and erasure, images, rate
// limits, and the link to a Meldeverfahren procedure.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { WEGWEISER, setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PERSONAL = { email: 'erika.mustermann@example.org', first_name: 'Erika', last_name: 'Mustermann', phone: '+49 37365 123456', device_id: 'device-7f3a9c' };

describe('open311/portal: categories, moderation, privacy', function () {
  this.timeout(30_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  before(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '40' });
    mm = await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  const staff = () => ({ Authorization: `Bearer ${mm.staff}` });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const submit = (fields: Record<string, string>) => request(gw.app).post('/open311/v2/requests.json').type('form').send(form({ api_key: mm.submit, ...fields }));

  it('categories: create (201), conflict (409), replace (PUT), invalid definitions (400), delete (204)', async () => {
    await request(gw.app).post('/api/v1/tenants/sayda/services').set(staff()).send(WEGWEISER).expect(409);
    const bad = await request(gw.app).post('/api/v1/tenants/sayda/services').set(staff()).send({ service_code: 'x y', service_name: '' }).expect(400);
    assert.ok(bad.body.errors.some((e: { pointer: string }) => e.pointer === '/service_code'));
    const noValues = await request(gw.app).post('/api/v1/tenants/sayda/services').set(staff())
      .send({ service_code: 'bank', service_name: 'Bank defekt', attributes: [{ code: 'art', datatype: 'singlevaluelist', description: 'Art' }] }).expect(400);
    assert.equal(noValues.body.errors[0].pointer, '/attributes/0/values');
    await request(gw.app).put('/api/v1/tenants/sayda/services/bank').set(staff()).send({ service_code: 'bank', service_name: 'Bank defekt', group: 'Parks' }).expect(201);
    await request(gw.app).put('/api/v1/tenants/sayda/services/bank').set(staff()).send({ service_code: 'bank', service_name: 'Parkbank defekt', group: 'Parks' }).expect(200);
    await request(gw.app).put('/api/v1/tenants/sayda/services/bank').set(staff()).send({ service_code: 'other', service_name: 'x' }).expect(400);
    const list = (await request(gw.app).get('/api/v1/tenants/sayda/services').set(staff()).expect(200)).body.items;
    assert.equal(list.find((s: { service_code: string }) => s.service_code === 'bank').service_name, 'Parkbank defekt');
    await request(gw.app).delete('/api/v1/tenants/sayda/services/bank').set(staff()).expect(204);
    await request(gw.app).delete('/api/v1/tenants/sayda/services/bank').set(staff()).expect(404);
  });

  it('personal data never appears publicly (JSON, XML, CSV, GeoJSON, updates, tokens, logs); staff see it; erasure removes it', async () => {
    const token = (await submit({ service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'unleserlich', description: 'Schild am Kammweg', ...PERSONAL }).expect(200)).body[0].token;
    const id = (await request(gw.app).get(`/open311/v2/tokens/${token}.json`).expect(200)).body[0].service_request_id;
    const staffView = (await request(gw.app).get('/api/v1/tenants/sayda/requests?released=false').set(staff()).expect(200)).body.items.find((r: { service_request_id: string }) => r.service_request_id === id);
    assert.equal(staffView.released, false);
    assert.equal(staffView.personal.email, PERSONAL.email);
    assert.equal(staffView.personal.device_id, PERSONAL.device_id);
    await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ released: true, status: 'in_bearbeitung', status_notes: 'Weitergeleitet an den Erzgebirgsverein', agency_responsible: 'Bauhof Sayda' }).expect(200);

    const publicBodies = await Promise.all([
      '/open311/v2/requests.json?extensions=true', '/open311/v2/requests.xml?extensions=true', `/open311/v2/requests/${id}.json?extensions=true`, `/open311/v2/requests/${id}.xml`,
      '/open311/v2/requests.csv', '/open311/v2/requests.geojson', '/open311/v2/servicerequestupdates.json?start_date=2020-01-01T00:00:00Z', `/open311/v2/tokens/${token}.xml`,
    ].map(async (path) => (await request(gw.app).get(path).expect(200)).text));
    for (const body of [...publicBodies, ...gw.logLines]) {
      for (const value of Object.values(PERSONAL)) assert.ok(!body.includes(value), `personal value ${value} leaked`);
    }
    assert.ok(publicBodies[2]!.includes('Bauhof Sayda'));

    await request(gw.app).delete(`/api/v1/tenants/sayda/requests/${id}/personal-data`).set(staff()).expect(204);
    const erased = (await request(gw.app).get('/api/v1/tenants/sayda/requests').set(staff()).expect(200)).body.items.find((r: { service_request_id: string }) => r.service_request_id === id);
    assert.equal(erased.personal, null);
    assert.equal(erased.description, 'Schild am Kammweg');
    const raw = gw.store.db.prepare('SELECT count(*) AS n FROM service_request_personal WHERE request_id = ?').get(id) as { n: number };
    assert.equal(raw.n, 0);
    await request(gw.app).delete('/api/v1/tenants/sayda/requests/unknown/personal-data').set(staff()).expect(404);
  });

  it('PATCH validates the change and 404s unknown reports', async () => {
    const id = (await submit({ service_code: 'schlagloch', lat: '50.71', long: '13.42' }).expect(200)).body[0].service_request_id;
    const bad = await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ status: 'vergessen' }).expect(400);
    assert.equal(bad.body.errors[0].pointer, '/status');
    await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({}).expect(400);
    await request(gw.app).patch('/api/v1/tenants/sayda/requests/nope').set(staff()).send({ released: true }).expect(404);
    const closed = (await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ status: 'abgelehnt', status_notes: 'Privatgrund', expected_datetime: null }).expect(200)).body;
    assert.equal(closed.status, 'abgelehnt');
    const pub = (await request(gw.app).get(`/open311/v2/requests/${id}.json?extensions=true`).expect(200)).body[0];
    assert.equal(pub.status, 'closed');
    assert.equal(pub.extended_attributes.detailed_status, 'REJECTED');
    assert.equal(pub.status_notes, 'Privatgrund');
  });

  it('an image upload: content sniffed, stored by hash, served only once the report is released', async () => {
    const res = await request(gw.app).post('/open311/v2/requests.json').field('api_key', mm.submit).field('service_code', 'wegweiser').field('lat', '50.7').field('long', '13.4')
      .field('attribute[schaden]', 'fehlt').attach('media', PNG, { filename: 'schild.png', contentType: 'image/png' }).expect(200);
    const id = (await request(gw.app).get(`/open311/v2/tokens/${res.body[0].token}.json`).expect(200)).body[0].service_request_id;
    const staffView = (await request(gw.app).get('/api/v1/tenants/sayda/requests').set(staff()).expect(200)).body.items.find((r: { service_request_id: string }) => r.service_request_id === id);
    const url = new URL(staffView.media_urls[0]);
    assert.match(url.pathname, /^\/open311\/v2\/media\/[0-9a-f]{64}$/);
    await request(gw.app).get(`${url.pathname}${url.search}`).expect(404);
    await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ released: true }).expect(200);
    const img = await request(gw.app).get(`${url.pathname}${url.search}`).expect(200);
    assert.equal(img.headers['content-type'], 'image/png');
    assert.equal(Buffer.compare(img.body as Buffer, PNG), 0);
    const pub = (await request(gw.app).get(`/open311/v2/requests/${id}.json`).expect(200)).body[0];
    assert.equal(pub.media_url, staffView.media_urls[0]);
    // text pretending to be an image is refused by its content
    const fake = await request(gw.app).post('/open311/v2/requests.json').field('api_key', mm.submit).field('service_code', 'schlagloch').field('lat', '50.7').field('long', '13.4')
      .attach('media', Buffer.from('<script>alert(1)</script>'), { filename: 'x.png', contentType: 'image/png' }).expect(400);
    assert.match(fake.body[0].description, /must be an image/);
    const big = await request(gw.app).post('/open311/v2/requests.json').field('api_key', mm.submit).field('service_code', 'schlagloch').field('lat', '50.7').field('long', '13.4')
      .attach('media', Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]), { filename: 'big.png', contentType: 'image/png' }).expect(413);
    assert.equal(big.body[0].code, 413);
  });

  it('errors[].pointer is a JSON Pointer: /limit with in: query for a query parameter, /field for the body', async () => {
    const limit = await request(gw.app).get('/api/v1/tenants/sayda/requests?limit=abc').set(staff()).expect(400);
    assert.match(String(limit.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(limit.body.errors, [{ pointer: '/limit', in: 'query', detail: 'must be an integer from 1 to 1000' }]);
    const released = await request(gw.app).get('/api/v1/tenants/sayda/requests?released=ja').set(staff()).expect(400);
    assert.deepEqual(released.body.errors, [{ pointer: '/released', in: 'query', detail: 'must be true or false' }]);
    const status = await request(gw.app).get('/api/v1/tenants/sayda/requests?status=neu,offen').set(staff()).expect(400);
    assert.deepEqual(status.body.errors, [{ pointer: '/status', in: 'query', detail: 'must be a comma list of neu, in_bearbeitung, geschlossen, erledigt, abgelehnt' }]);
    const neu = (await request(gw.app).get('/api/v1/tenants/sayda/requests?status=neu,abgelehnt').set(staff()).expect(200)).body.items as Array<{ status: string }>;
    assert.ok(neu.length > 0 && neu.every((r) => r.status === 'neu' || r.status === 'abgelehnt'));
    // a body field keeps its pointer, without in
    const body = await request(gw.app).post('/api/v1/tenants/sayda/services').set(staff()).send({ service_code: 'x y', service_name: 'Bank' }).expect(400);
    assert.deepEqual(body.body.errors.map((e: { pointer: string; in?: string }) => [e.pointer, e.in]), [['/service_code', undefined]]);
  });

  it('a Meldeverfahren procedure links its categories; other procedure kinds are refused', async () => {
    const procedure = (await request(gw.app).post('/api/v1/tenants/sayda/procedures').set(staff())
      .send({ title: 'Mängelmelder Wanderwege 2026', family: 'informell', planKind: 'meldeverfahren', phases: [{ kind: 'beteiligung', audience: 'oeffentlichkeit', start: '2026-04-01' }] }).expect(201)).body;
    const plan = (await request(gw.app).post('/api/v1/tenants/sayda/procedures').set(staff()).send({ title: 'B-Plan', family: 'bauleitplanung', planKind: 'bebauungsplan' }).expect(201)).body;
    await request(gw.app).put('/api/v1/tenants/sayda/services/wegweiser').set(staff()).send({ ...WEGWEISER, procedure_id: procedure.id }).expect(200);
    const wrong = await request(gw.app).put('/api/v1/tenants/sayda/services/wegweiser').set(staff()).send({ ...WEGWEISER, procedure_id: plan.id }).expect(422);
    assert.match(wrong.body.detail, /not a Meldeverfahren/);
    const linked = (await request(gw.app).get(`/open311/v2/services.json?procedure_id=${procedure.id}`).expect(200)).body;
    assert.deepEqual(linked.map((s: { service_code: string }) => s.service_code), ['wegweiser']);
    const reports = (await request(gw.app).get(`/open311/v2/requests.json?procedure_id=${procedure.id}`).expect(200)).body;
    assert.ok(reports.length >= 1 && reports.every((r: { service_code: string }) => r.service_code === 'wegweiser'));
  });

  it('rate limit per key: the 4th report in a minute (limit 3) is 429 with Retry-After, in the Open311 format', async () => {
    const other = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '3' });
    try {
      const m = await setUpMangelmelder(other);
      const send = () => request(other.app).post('/open311/v2/requests.xml').type('form').send(form({ api_key: m.submit, service_code: 'schlagloch', lat: '50.7', long: '13.4' }));
      for (let i = 0; i < 3; i++) await send().expect(200);
      const res = await send().expect(429);
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.match(res.text, /<errors><error><code>429<\/code>/);
    } finally {
      await other.close();
    }
  });

  it('the repository summarises released reports for the open-data catalogue', async () => {
    const s = await gw.store.serviceRequests.publicSummary('sayda');
    assert.ok(s.count >= 3);
    assert.ok(s.lastModified && !Number.isNaN(Date.parse(s.lastModified)));
    const [w, south, e, n] = s.bbox!;
    assert.ok(w >= 13.35 && e <= 13.48 && south >= 50.68 && n <= 50.76);
  });
});
