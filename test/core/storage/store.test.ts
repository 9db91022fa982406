import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ProcedureInput } from '../../../src/core/model.ts';
import { truncateWal } from '../../../src/core/storage/sqlite/database.ts';
import { openSqliteStore, type SqliteStore } from '../../../src/core/storage/sqlite/store.ts';
import type { HttpError } from '../../../src/core/errors.ts';

const plan = (title: string, extra: Partial<ProcedureInput> = {}): ProcedureInput => ({
  title, family: 'bauleitplanung', planKind: 'bebauungsplan',
  phases: [{ kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2026-01-01', end: '2026-01-31' }],
  ...extra,
});

describe('core/storage/sqlite: the SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgw-store-'));
    store = openSqliteStore(join(dir, 'g.db'));
    await store.tenants.create({ id: 'alpha', name: 'Alpha' });
    await store.tenants.create({ id: 'beta', name: 'Beta' });
  });
  afterEach(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });

  it('runs in WAL mode with foreign keys and the latest migration', () => {
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((store.db.pragma('user_version', { simple: true }) as number) >= 1);
  });

  it('keeps data across reopening the file (and migrations are idempotent)', async () => {
    const { procedure } = await store.procedures.create('alpha', plan('B-Plan 1'));
    await store.close();
    store = openSqliteStore(join(dir, 'g.db'));
    const got = await store.procedures.get('alpha', procedure.id);
    assert.ok(got && 'procedure' in got);
    assert.equal(got.procedure.title, 'B-Plan 1');
    assert.deepEqual(got.procedure.phases, procedure.phases);
  });

  it('round-trips every field of a procedure', async () => {
    const input = plan('B-Plan 2', {
      description: 'Anlass', number: '2a', verfahrensart: 'innenentwicklung_13a',
      area: { type: 'Polygon', coordinates: [[[12, 50], [12.1, 50], [12.1, 50.1], [12, 50]]] },
      documents: [{ title: 'Begründung', url: 'https://x.example/b.pdf', mimeType: 'application/pdf' }],
      externalIds: [{ system: 'xplanung', id: 'GML_1' }],
      participationUrl: 'https://x.example/p',
    });
    const { procedure } = await store.procedures.create('alpha', input);
    const { id, tenant, status, created, modified, ...rest } = procedure;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(tenant, 'alpha');
    assert.equal(status, 'Beendet');
    assert.ok(created <= modified);
    assert.deepEqual(rest, input);
  });

  it('a replace with a stale version fails and changes nothing', async () => {
    const { procedure, version } = await store.procedures.create('alpha', plan('Alt'));
    await store.procedures.replace('alpha', procedure.id, plan('Neu'), version);
    await assert.rejects(store.procedures.replace('alpha', procedure.id, plan('Verloren'), version), (e: HttpError) => e.status === 412);
    const got = await store.procedures.get('alpha', procedure.id);
    assert.ok(got && 'procedure' in got);
    assert.equal(got.procedure.title, 'Neu');
    assert.equal(got.version, version + 1);
  });

  it('an external id belongs to one procedure per tenant; a clash rolls the whole write back', async () => {
    await store.procedures.create('alpha', plan('A', { externalIds: [{ system: 'xplanung', id: 'GML_X' }] }));
    await assert.rejects(store.procedures.create('alpha', plan('B', { externalIds: [{ system: 'xplanung', id: 'GML_X' }] })), (e: HttpError) => e.status === 409);
    const all = await store.procedures.list({ tenant: 'alpha', limit: 10 });
    assert.deepEqual(all.items.map((p) => p.title), ['A']);
    assert.equal((store.db.prepare('SELECT count(*) n FROM phase').get() as { n: number }).n, 1, 'no orphan phases of the failed write');
    // the same id in another tenant is a different plan
    await store.procedures.create('beta', plan('B', { externalIds: [{ system: 'xplanung', id: 'GML_X' }] }));
    assert.ok(await store.procedures.findByExternalId('beta', 'xplanung', 'GML_X'));
  });

  it('deletion leaves a tombstone, frees the external id and hides the procedure from lists', async () => {
    const { procedure } = await store.procedures.create('alpha', plan('Weg', { externalIds: [{ system: 'xplanung', id: 'GML_D' }] }));
    const before = new Date().toISOString();
    const t = await store.procedures.delete('alpha', procedure.id);
    assert.equal(t.id, procedure.id);
    assert.ok(t.deleted >= before);
    const got = await store.procedures.get('alpha', procedure.id);
    assert.ok(got && 'tombstone' in got);
    assert.equal((await store.procedures.list({ tenant: 'alpha', limit: 10 })).total, 0);
    assert.deepEqual((await store.procedures.deletedSince(before, 'alpha')).map((x) => x.id), [procedure.id]);
    assert.deepEqual(await store.procedures.deletedSince(before, 'beta'), []);
    assert.equal(await store.procedures.findByExternalId('alpha', 'xplanung', 'GML_D'), null);
    await assert.rejects(store.procedures.delete('alpha', procedure.id), (e: HttpError) => e.status === 410);
  });

  it('a tenant never sees another tenant\'s procedure', async () => {
    const { procedure } = await store.procedures.create('alpha', plan('Privat'));
    assert.equal(await store.procedures.get('beta', procedure.id), null);
    await assert.rejects(store.procedures.replace('beta', procedure.id, plan('Übernahme')), (e: HttpError) => e.status === 404);
    await assert.rejects(store.procedures.delete('beta', procedure.id), (e: HttpError) => e.status === 404);
  });

  it('keyset paging sees each procedure once, in modification order', async () => {
    for (let i = 0; i < 7; i++) await store.procedures.create('alpha', plan(`P${i}`));
    const seen: { title: string; key: string }[] = [];
    let after;
    for (;;) {
      const page = await store.procedures.list({ tenant: 'alpha', limit: 3, after });
      assert.equal(page.total, 7);
      seen.push(...page.items.map((p) => ({ title: p.title, key: `${p.modified} ${p.id}` })));
      if (!page.nextAfter) break;
      after = page.nextAfter;
    }
    assert.deepEqual(seen.map((s) => s.title).sort(), ['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    assert.deepEqual(seen.map((s) => s.key), seen.map((s) => s.key).sort(), 'ordered by (modified, id)');
  });

  it('harvest paging: every procedure of the snapshot exactly once while data changes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await store.procedures.create('alpha', plan(`H${i}`))).procedure.id);
    const snapshot = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const first = await store.procedures.harvest({ snapshot, limit: 2 });
    // between pages: modify one already seen and one not yet seen, add a new one
    await store.procedures.replace('alpha', ids[0] as string, plan('H0 geändert'));
    await store.procedures.replace('alpha', ids[4] as string, plan('H4 geändert'));
    await store.procedures.create('alpha', plan('nach dem Snapshot'));
    const seen = first.items.map((i) => i.procedure.id);
    let next = first.nextSeq;
    while (next !== undefined) {
      const page = await store.procedures.harvest({ snapshot, limit: 2, afterSeq: next });
      seen.push(...page.items.map((i) => i.procedure.id));
      next = page.nextSeq;
    }
    assert.deepEqual(seen, ids);
  });

  it('harvest: hydra:totalItems is counted again after a write, within the same snapshot', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.procedures.create('alpha', plan(`T${i}`))).procedure.id);
    const snapshot = new Date(Date.now() + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await store.procedures.harvest({ snapshot, limit: 2 })).total, 5);
    assert.equal((await store.procedures.harvest({ snapshot, limit: 2, tenant: 'beta' })).total, 0, 'counted per filter');
    await store.procedures.delete('alpha', ids[3] as string);
    assert.equal((await store.procedures.harvest({ snapshot, limit: 2 })).total, 4);
    // a commit by another connection (a second process on the file) counts too
    const other = openSqliteStore(join(dir, 'g.db'));
    try {
      await other.procedures.delete('alpha', ids[4] as string);
    } finally { await other.close(); }
    assert.equal((await store.procedures.harvest({ snapshot, limit: 2 })).total, 3);
  });

  it('lists and harvest pages hydrate each procedure with its own phases and external ids (batched), as get does', async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push((await store.procedures.create('alpha', plan(`B${i}`, {
        phases: Array.from({ length: i }, (_, k) => ({ kind: 'veroeffentlichung' as const, audience: 'oeffentlichkeit' as const, durchgang: k + 1, start: `2026-0${k + 1}-01`, end: `2026-0${k + 1}-20` })),
        externalIds: i % 2 ? [{ system: 'xplanung', id: `gml-${i}` }, { system: 'alt', id: `a-${i}` }] : [],
      }))).procedure.id);
    }
    const page = await store.procedures.harvest({ snapshot: new Date(Date.now() + 1000).toISOString(), limit: 10 });
    const listed = await store.procedures.list({ tenant: 'alpha', limit: 10 });
    for (const id of made) {
      const one = await store.procedures.get('alpha', id);
      assert.ok(one && !('tombstone' in one));
      assert.deepEqual(page.items.find((i) => i.procedure.id === id)?.procedure, one.procedure);
      assert.deepEqual(listed.items.find((p) => p.id === id), one.procedure);
    }
    assert.deepEqual(page.items.map((i) => i.procedure.phases.length), [0, 1, 2, 3]);
    assert.deepEqual(page.items.map((i) => i.procedure.externalIds.map((x) => x.system)), [[], ['alt', 'xplanung'], [], ['alt', 'xplanung']]);
  });

  it('plans.byProcedures answers as byProcedure for each procedure, within its tenant', async () => {
    const doc = (n: number) => ({ bytes: Buffer.from(`<plan n="${n}"/>`), contentHash: `hash-${n}`, fileName: `p${n}.gml`, contentType: 'application/gml+xml', xplanVersion: '6.0', epsg: 25833 });
    const [a] = await store.plans.push('alpha', doc(1), [{ planId: 'GML_A', planType: 'BP_Plan', procedure: plan('Plan A') }]);
    const [b] = await store.plans.push('beta', doc(2), [{ planId: 'GML_B', planType: 'BP_Plan', procedure: plan('Plan B') }]);
    const plain = (await store.procedures.create('alpha', plan('ohne Plan'))).procedure;
    const pa = a!.procedure.procedure;
    const pb = b!.procedure.procedure;
    const found = await store.plans.byProcedures([pa, pb, plain].map((p) => ({ tenant: p.tenant, id: p.id })));
    assert.deepEqual(found.get(pa.id), await store.plans.byProcedure('alpha', pa.id));
    assert.deepEqual(found.get(pb.id), await store.plans.byProcedure('beta', pb.id));
    assert.equal(found.has(plain.id), false);
    assert.equal(found.get(pa.id)?.planId, 'GML_A');
    // asked under the wrong tenant, a plan is not found, as with byProcedure
    assert.equal((await store.plans.byProcedures([{ tenant: 'beta', id: pa.id }])).size, 0);
    assert.equal(await store.plans.byProcedure('beta', pa.id), null);
    assert.equal((await store.plans.byProcedures([])).size, 0);
  });

  it('code mappings: defaults from src/core/codelists, overridable per tenant', async () => {
    assert.equal(await store.codeMappings.resolve('alpha', 'xplanung:bp-planart', '3000'), 'vorhabenbezogener_bplan');
    assert.equal(await store.codeMappings.resolve('alpha', 'xplanung:bp-rechtsstand', '2400'), 'veroeffentlichung/oeffentlichkeit');
    await store.codeMappings.setOverride('alpha', { list: 'xplanung:bp-planart', code: '9999', value: 'sonstiger_plan' });
    assert.equal(await store.codeMappings.resolve('alpha', 'xplanung:bp-planart', '9999'), 'sonstiger_plan');
    assert.equal(await store.codeMappings.resolve('beta', 'xplanung:bp-planart', '9999'), 'bebauungsplan');
    const list = await store.codeMappings.list('alpha', 'xplanung:bp-planart');
    assert.equal(list.find((m) => m.code === '9999')?.tenant, 'alpha');
    assert.equal(list.find((m) => m.code === '1000')?.tenant, null);
    assert.equal(await store.codeMappings.resolve('alpha', 'xplanung:bp-planart', '12345'), null);
  });

  it('reports submitted in the same turn are written together; a failing one fails alone and the rest are stored', async () => {
    await store.serviceRequests.putService('alpha', { service_code: 'schlagloch', service_name: 'Schlagloch', description: '', moderated: false, attributes: [] });
    const report = (i: number, token: string | null) => store.serviceRequests.create({
      tenant: 'alpha', service_code: 'schlagloch', released: true, description: `Loch ${i}`, lat: 50.9, long: 13.3,
      attributes: { tiefe: String(i) }, media_urls: [], token,
      personal: i === 0 ? { email: 'a@b.example', first_name: null, last_name: null, phone: null, device_id: null, account_id: null } : null,
    });
    // the same token twice: the unique constraint refuses the second report
    const results = await Promise.allSettled([report(0, null), report(1, 'dup'), report(2, 'dup'), report(3, null)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const stored = await store.serviceRequests.list({ tenant: 'alpha', releasedOnly: true, limit: 10, offset: 0 }, true);
    assert.deepEqual(stored.map((r) => r.description).sort(), ['Loch 0', 'Loch 1', 'Loch 3']);
    const first = (results[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof report>>>).value;
    // what create answers is what a later read gives
    assert.deepEqual(first, await store.serviceRequests.get('alpha', first.service_request_id, true));
    assert.equal(first.personal?.email, 'a@b.example');
    assert.equal((store.db.prepare('SELECT count(*) n FROM service_request_update').get() as { n: number }).n, 3, 'one status entry per stored report, none for the refused one');
  });

  it('closing the store writes reports still waiting for their commit', async () => {
    await store.serviceRequests.putService('alpha', { service_code: 'schlagloch', service_name: 'Schlagloch', description: '', moderated: false, attributes: [] });
    const pending = store.serviceRequests.create({ tenant: 'alpha', service_code: 'schlagloch', released: true, address: 'Markt 1', attributes: {}, media_urls: [], token: null, personal: null });
    await store.close();
    const created = await pending;
    store = openSqliteStore(join(dir, 'g.db'));
    assert.equal((await store.serviceRequests.get('alpha', created.service_request_id, false))?.address, 'Markt 1');
  });

  it('keys, tenants and categories read from a cache see a write by another connection at once', async () => {
    const key = await store.apiKeys.create('alpha', 'app', ['open311:submit'], 'b'.repeat(64));
    await store.serviceRequests.putService('alpha', { service_code: 'bank', service_name: 'Bank', description: '', moderated: true, attributes: [] });
    assert.ok(await store.apiKeys.findByHash('b'.repeat(64)));
    assert.equal((await store.tenants.get('alpha'))?.name, 'Alpha');
    assert.equal((await store.serviceRequests.getService('alpha', 'bank'))?.service_name, 'Bank');
    const other = openSqliteStore(join(dir, 'g.db')); // a second process on the same file
    try {
      await other.apiKeys.revoke('alpha', key.id);
      await other.tenants.update({ id: 'alpha', name: 'Alpha (neu)' });
      await other.serviceRequests.putService('alpha', { service_code: 'bank', service_name: 'Parkbank', description: '', moderated: true, attributes: [] });
    } finally {
      await other.close();
    }
    assert.equal(await store.apiKeys.findByHash('b'.repeat(64)), null);
    assert.equal((await store.tenants.get('alpha'))?.name, 'Alpha (neu)');
    assert.equal((await store.serviceRequests.getService('alpha', 'bank'))?.service_name, 'Parkbank');
    // shared between callers, so nobody may change them
    const tenant = (await store.tenants.get('alpha'))!;
    assert.throws(() => { (tenant as { name: string }).name = 'x'; }, TypeError);
  });

  it('API keys are stored as hashes only', async () => {
    await store.apiKeys.create('alpha', 'app', ['open311:submit'], 'a'.repeat(64));
    const row = store.db.prepare('SELECT * FROM api_key').get() as Record<string, unknown>;
    assert.deepEqual(Object.keys(row).sort(), ['created', 'id', 'key_hash', 'label', 'revoked', 'scopes', 'tenant_id']);
    assert.ok(await store.apiKeys.findByHash('a'.repeat(64)));
  });

  it('keys revoked by hash (in any tenant) are refused until reinstated; other keys stay', async () => {
    await store.apiKeys.create('alpha', 'demo', ['open311:submit'], 'c'.repeat(64));
    await store.apiKeys.create('beta', 'demo', ['open311:manage'], 'd'.repeat(64));
    await store.apiKeys.create('alpha', 'own', ['open311:manage'], 'e'.repeat(64));
    assert.equal(await store.apiKeys.revokeByHash(['c'.repeat(64), 'd'.repeat(64), 'f'.repeat(64)]), 2);
    assert.equal(await store.apiKeys.revokeByHash(['c'.repeat(64), 'd'.repeat(64)]), 0, 'revoked keys are not counted again');
    assert.equal(await store.apiKeys.findByHash('c'.repeat(64)), null);
    assert.equal(await store.apiKeys.findByHash('d'.repeat(64)), null);
    assert.ok(await store.apiKeys.findByHash('e'.repeat(64)));
    assert.equal(await store.apiKeys.reinstateByHash('c'.repeat(64)), true);
    assert.equal(await store.apiKeys.reinstateByHash('c'.repeat(64)), false, 'already valid');
    assert.equal(await store.apiKeys.reinstateByHash('f'.repeat(64)), false, 'no such key');
    assert.deepEqual((await store.apiKeys.findByHash('c'.repeat(64)))?.scopes, ['open311:submit']);
  });

  it('the writing connection overwrites deleted rows; truncateWal empties the WAL, and says so when a reader holds it', async () => {
    assert.equal(store.db.pragma('secure_delete', { simple: true }), 1);
    const wal = join(dir, 'g.db-wal');
    await store.procedures.create('alpha', plan('B-Plan 2'));
    assert.ok(statSync(wal).size > 0);
    const reader = new Database(join(dir, 'g.db'), { readonly: true });
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM procedure').get();
      await store.procedures.create('alpha', plan('B-Plan 3'));
      assert.equal(truncateWal(store.db), false, 'the reader still needs frames of the WAL');
      assert.ok(statSync(wal).size > 0);
      reader.exec('COMMIT');
      assert.equal(truncateWal(store.db), true);
      assert.equal(statSync(wal).size, 0);
      assert.equal(store.db.pragma('busy_timeout', { simple: true }), 5000, 'the busy timeout is restored');
    } finally {
      reader.close();
    }
  });
});
