// Slow clients cannot hold connections forever: a client that never finishes its headers, or its
// body, is cut off after the configured deadlines (GATEWAY_HEADERS_TIMEOUT_MS, GATEWAY_REQUEST_TIMEOUT_MS).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../../src/main.ts';

function slowClient(port: number, payload: string): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(payload)); // and then nothing more
    socket.on('data', (d) => { answer += d.toString(); });
    socket.on('close', () => resolve({ closedAfterMs: Date.now() - started, answer }));
    socket.on('error', () => undefined);
  });
}

describe('hardening/timeouts: slow clients are cut off', function () {
  this.timeout(30_000);
  let dir: string;
  let stop: () => Promise<void>;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgw-timeout-'));
    const started = await start({ GATEWAY_DB: join(dir, 'g.db'), GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent', GATEWAY_HEADERS_TIMEOUT_MS: '1500', GATEWAY_REQUEST_TIMEOUT_MS: '3000' });
    stop = started.stop;
    port = (started.server.address() as { port: number }).port;
  });
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('headers never completed: closed with 408 within the headers deadline (+ check interval)', async () => {
    const r = await slowClient(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    assert.ok(r.closedAfterMs >= 1400 && r.closedAfterMs < 5000, `${r.closedAfterMs} ms`);
    assert.match(r.answer, /^HTTP\/1\.1 408/);
  });

  it('a body that never arrives: closed within the request deadline', async () => {
    const r = await slowClient(port, 'POST /xplanung/v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<a>');
    assert.ok(r.closedAfterMs >= 2800 && r.closedAfterMs < 7000, `${r.closedAfterMs} ms`);
  });
});
