// Privacy scan across the whole public surface: reporters' personal data (e-mail, name, phone,
// device and account id) never appears in any public response of any operation the OpenAPI document
// marks `x-auth: public`, in any format, nor in a log line; API key secrets are stored only hashed;
// erasure removes the personal data from every table and from the database files on disk.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import request from 'supertest';
import { hashApiKey } from '../../src/core/auth.ts';
import { buildOpenApi, listOperations } from '../../src/core/openapi.ts';
import { start } from '../../src/main.ts';
import { ADMIN_TOKEN, createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { setUpMangelmelder, type Mangelmelder } from '../helpers/open311.ts';

/** Values that occur nowhere else, so any occurrence is a leak. */
const PERSONAL = {
  email: 'melderin.unikat7@example.org',
  first_name: 'Unikatvorname',
  last_name: 'Unikatnachname',
  phone: '+49 3735 998877',
  device_id: 'geraet-unikat-4711',
  account_id: 'konto-unikat-0815',
};
const FORMATS = ['json', 'xml', 'csv', 'geojson', 'rdf', 'ttl', 'jsonld'];

/** Every text value in every table, one string: what an attacker with a copy of the database would see. */
function dumpTables(gw: TestGateway): string {
  const tables = (gw.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  return tables.map((t) => JSON.stringify(gw.store.db.prepare(`SELECT * FROM "${t}"`).all())).join('\n');
}

function leaks(text: string): string[] {
  return Object.values(PERSONAL).filter((v) => text.includes(v));
}

/** Personal values (as UTF-8) found in the raw bytes of the SQLite file, its WAL and its shared-memory index. */
function onDisk(dbFile: string, personal: Record<string, string>): string[] {
  const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
  return Object.values(personal).filter((v) => files.some((bytes) => bytes.includes(Buffer.from(v, 'utf8'))));
}

/** Personal values that occur in no other test, so that every byte found on disk belongs to this one. */
function uniquePersonal(tag: string): Record<string, string> {
  return { email: `loeschtest.${tag}@example.org`, first_name: `Loeschvorname${tag}`, last_name: `Loeschnachname${tag}`, phone: `+49 3735 ${tag}`, device_id: `geraet-loesch-${tag}`, account_id: `konto-loesch-${tag}` };
}

describe('hardening/privacy: personal data never public, keys only hashed, erasure complete', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let keys: Mangelmelder;
  const reportIds: string[] = [];
  const tokens: string[] = [];
  let procedureId = '';

  before(async () => {
    gw = await createTestGateway();
    keys = await setUpMangelmelder(gw);
    procedureId = (await request(gw.app).post('/api/v1/tenants/sayda/procedures').set('Authorization', `Bearer ${keys.staff}`)
      .send({ title: 'Radweg am Kammweg', family: 'informell', planKind: 'dialog' }).expect(201)).body.id;
    // moderated (token, released below) and unmoderated reports, through the JSON and the XML endpoint
    for (const [format, form] of [
      ['json', { service_code: 'wegweiser', 'attribute[schaden]': 'fehlt', lat: '50.70', long: '13.40', description: 'Schild fehlt' }],
      ['xml', { service_code: 'wegweiser', 'attribute[schaden]': 'umgefallen', lat: '50.71', long: '13.41', description: 'Schild umgefallen' }],
      ['json', { service_code: 'schlagloch', lat: '50.72', long: '13.42', description: 'Tiefes Loch' }],
      ['xml', { service_code: 'schlagloch', lat: '50.73', long: '13.43', description: 'Noch ein Loch' }],
    ] as const) {
      const res = await request(gw.app).post(`/open311/v2/requests.${format}?jurisdiction_id=sayda`).type('form').send({ api_key: keys.submit, ...form, ...PERSONAL }).expect(200);
      const id = format === 'json' ? (res.body[0].service_request_id ?? undefined) : /<service_request_id>([^<]+)</.exec(res.text)?.[1];
      const token = format === 'json' ? res.body[0].token : /<token>([^<]+)</.exec(res.text)?.[1];
      if (token) tokens.push(token);
      if (id) reportIds.push(id);
    }
    for (const token of tokens) {
      const id = (await request(gw.app).get(`/open311/v2/tokens/${token}.json`).expect(200)).body[0].service_request_id;
      if (!reportIds.includes(id)) reportIds.push(id);
    }
    for (const id of reportIds) {
      await request(gw.app).patch(`/api/v1/tenants/sayda/requests/${id}`).set('Authorization', `Bearer ${keys.staff}`).send({ released: true, status: 'in_bearbeitung', status_notes: 'In Arbeit' }).expect(200);
    }
    // refused submissions carry personal data too: their error answers and log lines must not echo it
    await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=sayda').type('form').send({ api_key: keys.submit, service_code: 'gibtesnicht', lat: '50.7', long: '13.4', ...PERSONAL }).expect((r) => assert.ok(r.status >= 400 && r.status < 500));
    await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=sayda').type('form').send({ api_key: 'falsch', service_code: 'schlagloch', lat: '50.7', long: '13.4', ...PERSONAL }).expect((r) => assert.ok(r.status >= 400 && r.status < 500));
  });
  after(async () => { await gw.close(); });

  it('four reports with personal data were stored (the scan has something to find)', () => {
    assert.equal(reportIds.length, 4);
    assert.deepEqual(leaks(dumpTables(gw)).sort(), Object.values(PERSONAL).sort());
  });

  it('no public operation of the OpenAPI document answers with personal data, in any format', async () => {
    const doc = buildOpenApi() as never;
    const publicGets = listOperations(doc).filter((op) => op.method === 'get' && op.auth === 'public');
    assert.ok(publicGets.length >= 10, `${publicGets.length} public GET operations`);
    const values: Record<string, string[]> = {
      tenant: ['sayda'], service_code: ['wegweiser', 'schlagloch'], service_request_id: reportIds, token: tokens,
      id: [procedureId, 'open311-sayda'], procedureId: [procedureId], planId: ['none'], hash: ['0'.repeat(64)], keyId: ['none'],
    };
    let answered = 0;
    const scanned: string[] = [];
    for (const op of publicGets) {
      // every combination of path parameter values; formats by trial (unknown ones answer 4xx)
      let paths = [op.path];
      for (const name of [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)) {
        const choices = name === 'format' ? FORMATS : values[name] ?? ['x'];
        paths = paths.flatMap((p) => choices.map((c) => p.replace(`{${name}}`, encodeURIComponent(c))));
      }
      for (const path of paths) {
        const query = path.startsWith('/open311/') ? '?jurisdiction_id=sayda&extensions=true&start_date=2000-01-01T00:00:00Z' : '';
        const res = await request(gw.app).get(path + query).buffer(true).parse((r, cb) => { let t = ''; r.setEncoding('utf8'); r.on('data', (d: string) => { t += d; }); r.on('end', () => cb(null, t)); });
        assert.ok(res.status < 500, `${path}: ${res.status}`);
        const text = String(res.body ?? '');
        assert.deepEqual(leaks(text), [], `${op.operationId} ${path} leaks personal data`);
        if (res.status === 200) { answered++; scanned.push(path); }
      }
    }
    // the scan reached the report data itself, in several formats
    assert.ok(answered >= 20, `only ${answered} public answers: ${scanned.join(', ')}`);
    assert.ok(scanned.some((p) => p.startsWith('/open311/v2/requests/')) && scanned.some((p) => p.startsWith('/dcat/datasets/open311-sayda')), scanned.join(', '));
  });

  it('no log line carries personal data or an API key secret', () => {
    assert.ok(gw.logLines.length > 10);
    for (const line of gw.logLines) {
      assert.deepEqual(leaks(line), [], line);
      assert.ok(!line.includes(keys.submit) && !line.includes(keys.staff) && !line.includes(ADMIN_TOKEN), `secret in log: ${line}`);
    }
  });

  it('API keys are stored only as their SHA-256 hash', () => {
    const dump = dumpTables(gw);
    for (const secret of [keys.submit, keys.staff]) {
      assert.ok(!dump.includes(secret), 'secret stored in clear');
      const row = gw.store.db.prepare('SELECT tenant_id FROM api_key WHERE key_hash = ?').get(hashApiKey(secret)) as { tenant_id: string } | undefined;
      assert.equal(row?.tenant_id, 'sayda');
    }
  });

  it('erasure removes every personal value from every table, and the report itself stays', async () => {
    for (const id of reportIds) {
      await request(gw.app).delete(`/api/v1/tenants/sayda/requests/${id}/personal-data`).set('Authorization', `Bearer ${keys.staff}`).expect(204);
    }
    assert.deepEqual(leaks(dumpTables(gw)), []);
    const items = (await request(gw.app).get('/api/v1/tenants/sayda/requests').set('Authorization', `Bearer ${keys.staff}`).expect(200)).body.items as Array<{ service_request_id: string; personal: unknown }>;
    for (const id of reportIds) assert.equal(items.find((r) => r.service_request_id === id)?.personal, null);
    // another authority cannot erase (or even find) sayda's reports
    const other = await gw.tenant('olbernhau', ['open311:manage']);
    await request(gw.app).delete(`/api/v1/tenants/sayda/requests/${reportIds[0]}/personal-data`).set('Authorization', `Bearer ${other}`).expect(403);
    await request(gw.app).delete(`/api/v1/tenants/olbernhau/requests/${reportIds[0]}/personal-data`).set('Authorization', `Bearer ${other}`).expect(404);
  });
});

describe('hardening/privacy: erasure leaves no copy in the database files', function () {
  this.timeout(60_000);

  it('after DELETE …/personal-data (204) no personal value is in gateway.db, gateway.db-wal or gateway.db-shm', async () => {
    const gw = await createTestGateway();
    try {
      const keys = await setUpMangelmelder(gw);
      const personal = uniquePersonal('981273');
      const dbFile = join(gw.dir, 'gateway.db');
      const id = (await request(gw.app).post('/open311/v2/requests.json?jurisdiction_id=sayda').type('form')
        .send({ api_key: keys.submit, service_code: 'schlagloch', lat: '50.72', long: '13.42', description: 'Loch', ...personal }).expect(200)).body[0].service_request_id as string;
      // the values are on disk before (so this test can fail), in whichever file SQLite has put them
      assert.deepEqual(onDisk(dbFile, personal).sort(), Object.values(personal).sort());
      await request(gw.app).delete(`/api/v1/tenants/sayda/requests/${id}/personal-data`).set('Authorization', `Bearer ${keys.staff}`).expect(204);
      assert.deepEqual(onDisk(dbFile, personal), []);
      // the report itself stays
      const report = (await request(gw.app).get('/api/v1/tenants/sayda/requests').set('Authorization', `Bearer ${keys.staff}`).expect(200)).body.items[0] as { service_request_id: string; description: string; personal: unknown };
      assert.deepEqual([report.service_request_id, report.description, report.personal], [id, 'Loch', null]);
    } finally {
      await gw.close();
    }
  });

  it('while a reader holds an older snapshot, the erasure answers 204 and its checkpoint is retried until the files are clean (logged)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgw-erase-'));
    const dbFile = join(dir, 'gateway.db');
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
    let server: Server | undefined;
    let stop = async () => {};
    const reader = { db: undefined as Database.Database | undefined };
    try {
      ({ server, stop } = await start({ GATEWAY_DB: dbFile, GATEWAY_PORT: '0', GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN, GATEWAY_LOG_LEVEL: 'info', GATEWAY_FEED_WORKERS: '0' }, { logDestination: sink }));
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const call = async (method: string, path: string, token: string, body?: unknown) => {
        const res = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, body: res.status === 204 ? null : await res.json() as Record<string, unknown> };
      };
      assert.equal((await call('POST', '/admin/v1/tenants', ADMIN_TOKEN, { id: 'sayda', name: 'Stadt Sayda', contact: { email: 'info@sayda.example' } })).status, 201);
      const staff = String((await call('POST', '/admin/v1/tenants/sayda/keys', ADMIN_TOKEN, { label: 'staff', scopes: ['open311:manage', 'open311:submit'] })).body?.key);
      assert.equal((await call('POST', '/api/v1/tenants/sayda/services', staff, { service_code: 'schlagloch', service_name: 'Schlagloch', moderated: false })).status, 201);
      const personal = uniquePersonal('554433');
      const submitted = await fetch(`${base}/open311/v2/requests.json?jurisdiction_id=sayda`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ api_key: staff, service_code: 'schlagloch', address_string: 'Markt 1', ...personal }) });
      assert.equal(submitted.status, 200);
      const id = ((await submitted.json()) as { service_request_id: string }[])[0]!.service_request_id;
      assert.deepEqual(onDisk(dbFile, personal).sort(), Object.values(personal).sort());

      // a reader (as a feed worker thread is) in the middle of a read transaction on the old snapshot
      reader.db = new Database(dbFile, { readonly: true });
      reader.db.exec('BEGIN');
      reader.db.prepare('SELECT count(*) FROM service_request_personal').get();
      assert.equal((await call('DELETE', `/api/v1/tenants/sayda/requests/${id}/personal-data`, staff)).status, 204);
      assert.ok(onDisk(dbFile, personal).length > 0, 'the reader needs the old page images, so they are still in the WAL');
      assert.ok(lines.some((l) => /reader holds an older snapshot/.test(l) && (JSON.parse(l) as { level: number }).level === 40), lines.join('\n'));

      reader.db.exec('COMMIT');
      for (let i = 0; i < 200 && onDisk(dbFile, personal).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(onDisk(dbFile, personal), []);
      for (let i = 0; i < 100 && !lines.some((l) => /deferred checkpoint completed/.test(l)); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(lines.some((l) => /deferred checkpoint completed/.test(l)), lines.join('\n'));
      for (const line of lines) assert.deepEqual(Object.values(personal).filter((v) => line.includes(v)), [], line);
    } finally {
      reader.db?.close();
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
