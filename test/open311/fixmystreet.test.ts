// The gateway driven the way FixMyStreet's Open311 client (mysociety/fixmystreet perllib/Open311.pm)
// drives an endpoint: XML resources, `jurisdiction_id` on every call, `api_key` in the POST form (and
// in the query of servicerequestupdates), `attribute[code]` fields, a token answered by
// tokens/{token}.xml, updates polled from servicerequestupdates.xml with start_date and end_date,
// comments POSTed to servicerequestupdates.xml, and with `upload_files` a multipart/form-data body
// (HTTP::Request::Common, Content_Type 'form-data') with the photos in photo1, photo2 … (sent for
// private reports or with always_upload_photos; mysociety/fixmystreet PRs #3590, #4766, #5895)
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, xmlObject, type Mangelmelder } from '../helpers/open311.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const PERSONAL = { email: 'erika.mustermann@example.org', first_name: 'Erika', last_name: 'Mustermann', phone: '+49 37365 123456' };

type XmlRequest = Record<string, string> & { media_url?: string[] };
const requestsOf = (xml: string) => (xmlObject(xml).service_requests as { request: XmlRequest[] }).request;
const errorsOf = (xml: string) => (xmlObject(xml).errors as { error: Array<{ code: string; description: string }> }).error;
const updatesOf = (xml: string) => ((xmlObject(xml).service_request_updates as { request_update?: XmlRequest[] } | '').valueOf() as { request_update?: XmlRequest[] }).request_update ?? [];

describe('open311/fixmystreet: FixMyStreet\'s Open311 client, unchanged', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  before(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '1000' });
    mm = await setUpMangelmelder(gw);
  });
  after(async () => { await gw.close(); });

  const staff = () => ({ Authorization: `Bearer ${mm.staff}` });
  /** Open311.pm `_post`: form-urlencoded, jurisdiction_id and api_key added to the fields. */
  const fmsPost = (path: string, fields: Record<string, string>) =>
    request(gw.app).post(`/open311/v2/${path}`).type('form').send(new URLSearchParams({ jurisdiction_id: 'sayda', api_key: mm.submit, ...fields }).toString());
  /** Open311.pm `_get`: jurisdiction_id added to the query. */
  const fmsGet = (path: string, query: Record<string, string> = {}) => request(gw.app).get(`/open311/v2/${path}?${new URLSearchParams({ ...query, jurisdiction_id: 'sayda' }).toString()}`);
  /** send_service_request for a moderated category: the token, then the id from tokens/{token}.xml. */
  const submitModerated = async (fields: Record<string, string>) => {
    const res = await fmsPost('requests.xml', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'umgefallen', ...fields }).expect(200);
    const token = requestsOf(res.text)[0]!.token!;
    return requestsOf((await fmsGet(`tokens/${token}.xml`).expect(200)).text)[0]!.service_request_id!;
  };
  const staffView = async (id: string) => (await request(gw.app).get('/api/v1/tenants/sayda/requests?limit=1000').set(staff()).expect(200)).body.items
    .find((r: { service_request_id: string }) => r.service_request_id === id) as { attributes: Record<string, string>; media_urls: string[]; released: boolean };
  /** Open311.pm get_service_request_updates: api_key in the query, both dates or neither. */
  const pollUpdates = async () => updatesOf((await fmsGet('servicerequestupdates.xml', {
    api_key: mm.submit, start_date: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'), end_date: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
  }).expect(200)).text);

  describe('datetime attributes as a browser\'s datetime-local sends them', () => {
    it('a zone-less local time is Europe/Berlin time, stored with its offset (winter +01:00, summer +02:00)', async () => {
      const winter = await submitModerated({ 'attribute[bemerkt]': '2026-12-06T08:30' });
      assert.equal((await staffView(winter)).attributes.bemerkt, '2026-12-06T08:30:00+01:00');
      const summer = await submitModerated({ 'attribute[bemerkt]': '2026-07-06T08:30:15' });
      assert.equal((await staffView(summer)).attributes.bemerkt, '2026-07-06T08:30:15+02:00');
      // the hour the clocks skip (29 March 2026, 02:00–03:00) is moved forward by that hour
      const gap = await submitModerated({ 'attribute[bemerkt]': '2026-03-29T02:30' });
      assert.equal((await staffView(gap)).attributes.bemerkt, '2026-03-29T03:30:00+02:00');
      // the hour that occurs twice (25 October 2026, 02:00–03:00) is the earlier one, still summer time
      const fold = await submitModerated({ 'attribute[bemerkt]': '2026-10-25T02:30' });
      assert.equal((await staffView(fold)).attributes.bemerkt, '2026-10-25T02:30:00+02:00');
      // a time with zone is kept as sent
      const zoned = await submitModerated({ 'attribute[bemerkt]': '2026-12-06T08:30:00Z' });
      assert.equal((await staffView(zoned)).attributes.bemerkt, '2026-12-06T08:30:00Z');
    });

    it('what is no date-time stays refused with 400 in the <errors> format, naming both accepted forms', async () => {
      for (const bad of ['2026-02-30T08:30', '2026-12-06T24:00', '06.12.2026 08:30', 'gestern']) {
        const res = await fmsPost('requests.xml', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'fehlt', 'attribute[bemerkt]': bad }).expect(400);
        const [e] = errorsOf(res.text);
        assert.equal(e!.code, '400', bad);
        assert.match(e!.description, /attribute\[bemerkt\] must be a W3C date-time with zone .* or a local time in Europe\/Berlin without zone \(2026-05-01T10:00/, bad);
      }
    });
  });

  describe('number attributes with a German decimal comma', () => {
    it('12,5 is accepted and stored as 12.5; a point stays the decimal point', async () => {
      const comma = await submitModerated({ 'attribute[anzahl]': '12,5' });
      assert.equal((await staffView(comma)).attributes.anzahl, '12.5');
      const point = await submitModerated({ 'attribute[anzahl]': '-0.75' });
      assert.equal((await staffView(point)).attributes.anzahl, '-0.75');
    });

    it('thousands separators, both marks and garbage are refused (1.234,5 could be 1234.5 or nonsense)', async () => {
      for (const bad of ['1.234,5', '1,234.5', '1,2,3', '1.2.3', '12,5 m', '1 234', 'zwölf', '0x10']) {
        const res = await fmsPost('requests.xml', { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'fehlt', 'attribute[anzahl]': bad }).expect(400);
        assert.match(errorsOf(res.text)[0]!.description, /attribute\[anzahl\] must be a number with a decimal point or a decimal comma \(12\.5 or 12,5\), without thousands separators/, bad);
      }
    });
  });

  describe('photos uploaded as FixMyStreet does with upload_files (multipart photo1, photo2 …)', () => {
    const multipart = (fields: Record<string, string>) => {
      const r = request(gw.app).post('/open311/v2/requests.xml');
      for (const [k, v] of Object.entries({ jurisdiction_id: 'sayda', api_key: mm.submit, service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'umgefallen', description: 'Schild umgefallen', ...fields })) r.field(k, v);
      return r;
    };

    it('photo1 and photo2 are stored in order, served once the report is released', async () => {
      // file names as FixMyStreet names them since its PR #5895: {id}.{index}.full.{ext}
      const res = await multipart({}).attach('photo1', PNG, { filename: '4711.0.full.png', contentType: 'image/png' }).attach('photo2', GIF, { filename: '4711.1.full.gif', contentType: 'image/gif' }).expect(200);
      const token = requestsOf(res.text)[0]!.token!;
      const id = requestsOf((await fmsGet(`tokens/${token}.xml`).expect(200)).text)[0]!.service_request_id!;
      const urls = (await staffView(id)).media_urls.map((u) => new URL(u));
      assert.equal(urls.length, 2);
      await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ released: true }).expect(200);
      assert.match((await request(gw.app).get(`${urls[0]!.pathname}${urls[0]!.search}`).expect(200)).headers['content-type']!, /^image\/png/);
      assert.match((await request(gw.app).get(`${urls[1]!.pathname}${urls[1]!.search}`).expect(200)).headers['content-type']!, /^image\/gif/);
      const pub = requestsOf((await fmsGet(`requests/${id}.xml`).expect(200)).text)[0]!;
      assert.deepEqual(pub.media_url, [urls[0]!.href]);
    });

    it('the limits of media hold for photoN: images only, 10 MB each, at most 5; other file fields are refused by name', async () => {
      const notImage = await multipart({}).attach('photo1', Buffer.from('<script>alert(1)</script>'), { filename: 'x.jpg', contentType: 'image/jpeg' }).expect(400);
      assert.match(errorsOf(notImage.text)[0]!.description, /^photo1 must be an image/);
      const big = await multipart({}).attach('photo2', Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]), { filename: 'big.png', contentType: 'image/png' }).expect(413);
      assert.match(errorsOf(big.text)[0]!.description, /photo2 .*larger than 10 MB/);
      let six = multipart({});
      for (let i = 1; i <= 6; i++) six = six.attach(`photo${i}`, PNG, { filename: `p${i}.png`, contentType: 'image/png' });
      assert.match(errorsOf((await six.expect(400)).text)[0]!.description, /at most 5 images/);
      const other = await multipart({}).attach('file_1', PNG, { filename: 'a.png', contentType: 'image/png' }).expect(400);
      assert.match(errorsOf(other.text)[0]!.description, /file_1 is no image field: send images as media or photo1, photo2/);
      const twice = await multipart({}).attach('photo1', PNG, { filename: 'a.png', contentType: 'image/png' }).attach('photo1', GIF, { filename: 'b.gif', contentType: 'image/gif' }).expect(400);
      assert.match(errorsOf(twice.text)[0]!.description, /photo1 must be given once/);
    });
  });

  describe('reports in moderation and reports closed without release', () => {
    it('requests/{id}.xml right after the token lookup: the report, status open, without anything the citizen wrote', async () => {
      const id = await submitModerated({ description: 'Schild am Kammweg, Hausnummer 12', 'attribute[wegnummer]': 'K-7', ...PERSONAL });
      const res = await fmsGet(`requests/${id}.xml`).expect(200);
      const [r] = requestsOf(res.text);
      assert.equal(r!.service_request_id, id);
      assert.equal(r!.status, 'open');
      assert.equal(r!.service_code, 'wegweiser');
      assert.equal(r!.service_notice, 'Die Meldung wird geprüft und erst danach veröffentlicht.');
      for (const hidden of ['description', 'lat', 'long', 'address']) assert.equal(r![hidden], '', `${hidden} is withheld`);
      assert.deepEqual(r!.media_url, ['']);
      // get_service_requests asks the list with service_request_id=…
      const listed = requestsOf((await fmsGet('requests.xml', { service_request_id: id }).expect(200)).text);
      assert.deepEqual(listed.map((x) => x.service_request_id), [id]);
      const json = await request(gw.app).get(`/open311/v2/requests/${id}.json?extensions=true`).expect(200);
      const j = json.body[0];
      assert.deepEqual([j.status, j.description, j.lat, j.long, j.address, j.media_url, j.status_notes], ['open', null, null, null, null, null, null]);
      assert.deepEqual(j.extended_attributes, { detailed_status: 'RECEIVED', detailed_status_datetime: j.updated_datetime, media_urls: [], attributes: [], notes: [] });
      for (const body of [res.text, json.text]) {
        for (const leak of ['Kammweg', 'K-7', '50.7', ...Object.values(PERSONAL)]) assert.ok(!body.includes(leak), `${leak} leaked`);
      }
      // the public list without ids still holds released reports only
      assert.ok(!requestsOf((await fmsGet('requests.xml').expect(200)).text).some((x) => x.service_request_id === id));
    });

    it('rejected without release: servicerequestupdates closes it (no_further_action), without the staff note or the report', async () => {
      const id = await submitModerated({ description: 'Schild am Kammweg', ...PERSONAL });
      // while in moderation, nothing of it is an update
      await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ status: 'in_bearbeitung', status_notes: 'wird geprüft' }).expect(200);
      assert.deepEqual((await pollUpdates()).filter((u) => u.service_request_id === id), []);
      await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set(staff()).send({ status: 'abgelehnt', status_notes: 'Enthält den Namen Erika Mustermann' }).expect(200);
      const res = await fmsGet('servicerequestupdates.xml', { api_key: mm.submit, start_date: new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'), end_date: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z') }).expect(200);
      const mine = updatesOf(res.text).filter((u) => u.service_request_id === id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.status, 'no_further_action');
      assert.equal(mine[0]!.description, 'Die Meldung wurde geprüft und nicht veröffentlicht; sie ist abgeschlossen.');
      assert.ok(mine[0]!.update_id);
      for (const leak of ['Kammweg', 'wird geprüft', ...Object.values(PERSONAL)]) assert.ok(!res.text.includes(leak), `${leak} leaked`);
      // and requests/{id} says closed
      assert.equal(requestsOf((await fmsGet(`requests/${id}.xml`).expect(200)).text)[0]!.status, 'closed');
    });
  });

  describe('methods', () => {
    it('POST servicerequestupdates.xml (send-comments) is 405 with Allow, in the <errors> format', async () => {
      const res = await fmsPost('servicerequestupdates.xml', {
        service_request_id: 'abc', update_id: '7', status: 'OPEN', updated_datetime: '2026-12-06T08:30:00+01:00', description: 'Danke', first_name: 'Erika', last_name: 'Mustermann', email: PERSONAL.email,
      }).expect(405);
      assert.equal(res.headers.allow, 'GET, HEAD');
      assert.match(String(res.headers['content-type']), /^text\/xml/);
      const [e] = errorsOf(res.text);
      assert.equal(e!.code, '405');
      assert.match(e!.description, /POST is not offered at '?\/open311\/v2\/servicerequestupdates\.xml'?; it answers GET, HEAD/);
      const json = await request(gw.app).delete('/open311/v2/requests.json').expect(405);
      assert.equal(json.headers.allow, 'GET, HEAD, POST');
      assert.equal(json.body[0].code, 405);
      await request(gw.app).put(`/open311/v2/requests/x.xml`).expect(405);
      await request(gw.app).post('/open311/v2/nowhere.xml').expect(404);
    });
  });

  describe('the staff\'s moderation queue', () => {
    it('released=false filters before limit/offset: 3 waiting reports behind 150 newer released ones are found', async () => {
      const waiting = [];
      for (let i = 0; i < 3; i++) waiting.push(await submitModerated({ description: `wartet ${i}` }));
      const repo = gw.store.serviceRequests;
      await Promise.all(Array.from({ length: 150 }, (_, i) => repo.create({ tenant: 'sayda', service_code: 'schlagloch', released: true, description: `frei ${i}`, lat: 50.7, long: 13.4, address: null, address_id: null, zipcode: null, attributes: {}, media_urls: [], token: null, personal: null })));
      const queue = async (query: string) => (await request(gw.app).get(`/api/v1/tenants/sayda/requests?${query}`).set(staff()).expect(200)).body.items as Array<{ service_request_id: string; released: boolean }>;
      const all = await queue('released=false');
      for (const id of waiting) assert.ok(all.some((r) => r.service_request_id === id), 'a waiting report is in the queue');
      assert.ok(all.every((r) => !r.released));
      const first = await queue('released=false&limit=2');
      assert.equal(first.length, 2);
      const rest = await queue(`released=false&limit=1000&offset=2`);
      assert.equal(rest.length, all.length - 2);
      assert.deepEqual([...first, ...rest].map((r) => r.service_request_id), all.map((r) => r.service_request_id));
      const released = await queue('released=true&limit=100');
      assert.equal(released.length, 100);
      assert.ok(released.every((r) => r.released));
      const bad = await request(gw.app).get('/api/v1/tenants/sayda/requests?released=vielleicht').set(staff()).expect(400);
      assert.match(bad.body.detail, /released must be true or false/);
    });
  });
});
