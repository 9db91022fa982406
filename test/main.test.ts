import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../src/main.ts';

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
});
