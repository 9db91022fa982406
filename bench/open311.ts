// Open311 figures (issue 4): with 100 000 stored reports, GET requests.json (default window) and
// POST requests.json at 50 connections on loopback (wrk, or autocannon without it), next to a plain node:http
// hello-world measured in the same run, and a plain node:http server sending the same bytes (the
// ceiling for an answer of that size). Goals: GET ≥ 40% of hello-world with p99 ≤ 25 ms;
// POST ≥ 2 000/s.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../src/core/auth.ts';
import { openSqliteStore } from '../src/core/storage/sqlite/store.ts';
import { GATEWAY_ARGV } from '../scripts/gateway-process.ts';
import { load, type LoadResult } from './http-load.ts';
import type { BenchRow } from './run.ts';

const REPORTS = 100_000;

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(url)).status < 500) return; } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** The body as sent, without decoding (fetch would decompress it). */
function rawBody(url: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject);
    }).on('error', reject).end();
  });
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bgw-bench-o-'));
  const children: ChildProcess[] = [];
  try {
    // seed: a tenant, two categories, 100 000 released reports over the last year (one transaction)
    const db = join(dir, 'bench.db');
    const store = openSqliteStore(db);
    await store.tenants.create({ id: 'bench', name: 'Bench', contact: { email: 'b@bench.example' } });
    const key = generateApiKey();
    await store.apiKeys.create('bench', 'bench', ['open311:submit'], hashApiKey(key));
    await store.serviceRequests.putService('bench', { service_code: 'schlagloch', service_name: 'Schlagloch', description: '', moderated: false, attributes: [] });
    const insert = store.db.prepare(`INSERT INTO service_request (id, tenant_id, service_code, status, released, description, lat, long, address, attributes, media_urls, requested, updated)
      VALUES (?, 'bench', 'schlagloch', ?, 1, ?, ?, ?, ?, '{}', '[]', ?, ?)`);
    const now = Date.now();
    store.db.transaction(() => {
      for (let i = 0; i < REPORTS; i++) {
        const t = new Date(now - ((i * 365 * 86_400_000) / REPORTS)).toISOString();
        insert.run(`r${i}`, i % 3 === 0 ? 'erledigt' : 'neu', `Schlagloch Nr. ${i} in der Hauptstraße`, 50.7 + (i % 1000) / 10000, 13.4 + (i % 997) / 10000, `Hauptstraße ${i % 200}`, t, t);
      }
    })();
    await store.close();

    const helloPort = 19100 + Math.floor(Math.random() * 400);
    const gwPort = helloPort + 500;
    const hello = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('[]'); }).listen(${helloPort}, '127.0.0.1')`], { stdio: 'ignore' });
    children.push(hello);
    const gw = spawn(process.execPath, GATEWAY_ARGV, {
      env: { ...process.env, GATEWAY_PORT: String(gwPort), GATEWAY_DB: db, GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef', GATEWAY_LOG_LEVEL: 'error', GATEWAY_OPEN311_RATE_PER_MINUTE: '100000000' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(gw);
    await waitFor(`http://127.0.0.1:${helloPort}/`);
    await waitFor(`http://127.0.0.1:${gwPort}/health`);

    const base = await load({ url: `http://127.0.0.1:${helloPort}/` });
    const listUrl = `http://127.0.0.1:${gwPort}/open311/v2/requests.json`;
    const get = await load({ url: listUrl });
    const gzip = { 'accept-encoding': 'gzip' };
    const getGzip = await load({ url: listUrl, headers: gzip });

    // The ceiling: a plain node:http server sending the very bytes of that answer from memory. What
    // it cannot beat, no gateway can; the gap to hello-world is the cost of moving the bytes.
    const plainBytes = Buffer.from(await (await fetch(listUrl)).arrayBuffer());
    const gzBytes = await rawBody(listUrl, gzip);
    writeFileSync(join(dir, 'plain.json'), plainBytes);
    writeFileSync(join(dir, 'gzip.json'), gzBytes);
    const ceilingPort = helloPort + 250;
    const ceiling = spawn(process.execPath, ['-e', `const fs = require('node:fs'); const p = fs.readFileSync(${JSON.stringify(join(dir, 'plain.json'))}), g = fs.readFileSync(${JSON.stringify(join(dir, 'gzip.json'))});
      require('node:http').createServer((q, s) => { const z = /gzip/.test(q.headers['accept-encoding'] || ''); s.setHeader('content-type', 'application/json; charset=utf-8'); if (z) s.setHeader('content-encoding', 'gzip'); s.end(z ? g : p); }).listen(${ceilingPort}, '127.0.0.1')`], { stdio: 'ignore' });
    children.push(ceiling);
    await waitFor(`http://127.0.0.1:${ceilingPort}/`);
    const top = await load({ url: `http://127.0.0.1:${ceilingPort}/` });
    const topGzip = await load({ url: `http://127.0.0.1:${ceilingPort}/`, headers: gzip });
    const body = new URLSearchParams({ api_key: key, service_code: 'schlagloch', lat: '50.71', long: '13.42', description: 'Schlagloch vor Hausnummer 12' }).toString();
    const post = await load({ url: `http://127.0.0.1:${gwPort}/open311/v2/requests.json`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const rate = (r: LoadResult) => r.rate;
    const by = ` (${base.tool})`;
    const rows: BenchRow[] = [];
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    const getRow = (r: LoadResult, how: string, bytes: number, ceil: LoadResult): BenchRow => ({
      section: 'open311', metric: `GET requests.json, ${REPORTS} stored, default window (1000 newest, ${kb(bytes)}${how}), 50 conn.${by}`,
      value: `${rate(r).toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(1)} ms (${r.non2xx} non-2xx, ${r.errors} errors)`,
      baseline: `node:http hello-world ${rate(base).toFixed(0)} req/s, p99 ${base.p99Ms.toFixed(1)} ms`,
      ratio: `${((100 * rate(r)) / rate(base)).toFixed(0)}% of hello-world; ${((100 * rate(r)) / rate(ceil)).toFixed(0)}% of the ceiling`,
      goal: '≥ 40%, p99 ≤ 25 ms', met: rate(r) >= 0.4 * rate(base) && r.p99Ms <= 25 && r.non2xx === 0,
    });
    rows.push(getRow(get, '', plainBytes.length, top));
    rows.push(getRow(getGzip, ' gzip, as apps ask', gzBytes.length, topGzip));
    for (const [r, how, bytes] of [[top, '', plainBytes.length], [topGzip, ' gzip', gzBytes.length]] as const) {
      rows.push({ section: 'open311', metric: `ceiling: plain node:http sending the same ${kb(bytes)}${how} from memory, 50 conn.${by}`, value: `${rate(r).toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(1)} ms`, baseline: `node:http hello-world ${rate(base).toFixed(0)} req/s`, ratio: `${((100 * rate(r)) / rate(base)).toFixed(0)}% of hello-world`, goal: 'informative: the most any server reaches with this answer', met: null });
    }
    rows.push({ section: 'open311', metric: `POST requests.json (form, realtime category), 50 conn.${by}`, value: `${rate(post).toFixed(0)} req/s, p99 ${post.p99Ms.toFixed(1)} ms (${post.non2xx} non-2xx, ${post.errors} errors)`, baseline: `node:http hello-world ${rate(base).toFixed(0)} req/s`, ratio: `${((100 * rate(post)) / rate(base)).toFixed(0)}% of hello-world`, goal: '≥ 2000/s', met: rate(post) >= 2000 && post.non2xx === 0 });
    return rows;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dir, { recursive: true, force: true });
  }
}
