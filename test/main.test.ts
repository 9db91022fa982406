import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { start } from '../src/main.ts';

/** A log destination that keeps every line (JSON strings). */
function logSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return { lines, stream: new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } }) };
}

describe('main: the newcomer path (demo start) and graceful shutdown', () => {
  it('starts on an empty database with the demo tenant, answers the README calls, and stops cleanly', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'bgw-main-'));
    const { server, ctx, stop } = await start({ GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent' });
    try {
      const { port } = server.address() as { port: number };
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/health`)).status, 200);
      const list = await fetch(`${base}/api/v1/tenants/demo/procedures?limit=2`, { headers: { Authorization: 'Bearer demo-key-procedures' } });
      assert.equal(list.status, 200);
      const body = await list.json() as { items: { title: string }[]; total: number; next: string | null };
      assert.equal(body.total, 3);
      assert.equal(body.items.length, 2);
      assert.match(String(body.next), new RegExp(`^http://localhost:${port}/api/v1/tenants/demo/procedures\\?limit=2&cursor=[A-Za-z0-9_-]+$`));
      const aktiv = await (await fetch(`${base}/api/v1/tenants/demo/procedures?status=Aktiv`, { headers: { 'X-API-Key': 'demo-key-procedures' } })).json() as { total: number };
      assert.equal(aktiv.total, 2, 'the B-Plan in Veröffentlichung and the Mängelmelder are active');
      const tenants = await fetch(`${base}/admin/v1/tenants`, { headers: { Authorization: 'Bearer demo-admin-token' } });
      assert.deepEqual((await tenants.json() as { id: string }[]).map((t) => t.id), ['demo']);
    } finally {
      await stop();
    }
    assert.equal(server.listening, false);
    await assert.rejects(ctx.store.ping());
    // a second start on the same file does not seed twice
    const again = await start({ GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent' });
    try {
      assert.equal((await again.ctx.store.procedures.list({ tenant: 'demo', limit: 10 })).total, 3);
    } finally {
      await again.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the published demo keys do not survive a start with the demo off, and come back with the demo on', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'bgw-main-'));
    const db = join(dir, 'gateway.db');
    const adminToken = 'production-admin-token-0123456789';
    const demoKeys = ['demo-key-staff', 'demo-key-procedures', 'demo-key-open311'];
    /** Status of the staff request list of tenant demo with `key`, on a running gateway. */
    const staffList = async (base: string, key: string) => (await fetch(`${base}/api/v1/tenants/demo/requests`, { headers: { Authorization: `Bearer ${key}` } })).status;
    const baseOf = (server: Server) => `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      // 1. the default npm start: demo on; the operator also issues a key of their own for tenant demo
      let operatorKey = '';
      const demo = await start({ GATEWAY_DB: db, GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent' });
      try {
        const base = baseOf(demo.server);
        assert.equal(await staffList(base, 'demo-key-staff'), 200);
        const created = await fetch(`${base}/admin/v1/tenants/demo/keys`, { method: 'POST', headers: { Authorization: 'Bearer demo-admin-token', 'Content-Type': 'application/json' }, body: JSON.stringify({ label: 'Bauamt', scopes: ['open311:manage'] }) });
        assert.equal(created.status, 201);
        operatorKey = (await created.json() as { key: string }).key;
        assert.ok(operatorKey && !demoKeys.includes(operatorKey));
      } finally {
        await demo.stop();
      }

      // 2. the same database in production: demo off, a real admin token
      const log = logSink();
      const production = await start({ GATEWAY_DB: db, GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'info', GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: adminToken }, { logDestination: log.stream });
      try {
        const base = baseOf(production.server);
        for (const key of demoKeys) assert.equal(await staffList(base, key), 401, `${key} still accepted`);
        const submit = await fetch(`${base}/open311/v2/requests.json?jurisdiction_id=demo`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'api_key=demo-key-open311&service_code=x&lat=50.54&long=12.69' });
        assert.equal(submit.status, 403);
        assert.match(await submit.text(), /api_key is not valid/);
        assert.equal(await staffList(base, operatorKey), 200, 'the key the operator created for tenant demo stays valid');
        const warning = log.lines.map((l) => JSON.parse(l) as { level: number; msg: string; revoked?: number }).find((l) => l.revoked !== undefined);
        assert.ok(warning, `no revocation line in:\n${log.lines.join('\n')}`);
        assert.equal(warning.level, 40, 'a warning');
        assert.equal(warning.revoked, 3);
        assert.match(warning.msg, /revoked 3 well-known demo API keys/);
        for (const line of log.lines) for (const key of demoKeys) assert.ok(!line.includes(key), `secret in log: ${line}`);
      } finally {
        await production.stop();
      }

      // 3. demo on again: the demo keys work again (the README's calls), revoked once more when it goes off
      const again = await start({ GATEWAY_DB: db, GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent' });
      try {
        for (const key of demoKeys) assert.notEqual(await staffList(baseOf(again.server), key), 401, `${key} not restored`);
        assert.equal(await staffList(baseOf(again.server), 'demo-key-staff'), 200);
      } finally {
        await again.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
