// The per-client bound on expensive answers: a client past its places gets 429 with Retry-After,
// another client is not affected, and places come back when answers finish or clients go away.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import express from 'express';
import { ClientGate } from '../../src/http/client-gate.ts';
import { problemHandler } from '../../src/http/problem.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Writable } from 'node:stream';

describe('http/client-gate', () => {
  let server: Server;
  let port: number;
  const gate = new ClientGate(2, 'slow answers');
  const waiting: Array<() => void> = [];
  before(async () => {
    const app = express();
    app.set('trust proxy', true); // lets the test speak as several clients through X-Forwarded-For
    app.get('/slow', (req, res) => { gate.enter(req, res); waiting.push(() => res.send('ok')); });
    app.use(problemHandler(createLogger('silent', new Writable({ write(_c, _e, cb) { cb(); } }))));
    server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => { server.closeAllConnections(); server.close(); });

  const get = (client: string) => new Promise<{ status: number; retryAfter?: string; text: string }>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/slow', headers: { 'x-forwarded-for': client }, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => { text += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, text }));
    });
    req.on('error', reject);
    req.end();
  });
  const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10)); assert.ok(cond()); };

  it('a third concurrent request of one client is refused; another client passes; places come back', async () => {
    const a1 = get('192.0.2.1');
    const a2 = get('192.0.2.1');
    await until(() => waiting.length === 2);
    const refused = await get('192.0.2.1');
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfter, '2');
    assert.match(refused.text, /at most 2 slow answers per client/);
    const b = get('192.0.2.2');
    await until(() => waiting.length === 3);
    for (const done of waiting.splice(0)) done();
    assert.equal((await a1).status, 200);
    assert.equal((await a2).status, 200);
    assert.equal((await b).status, 200);
    await until(() => gate.held('192.0.2.1') === 0 && gate.held('192.0.2.2') === 0);
  });

  it('a client that goes away gives its place back', async () => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/slow', headers: { 'x-forwarded-for': '192.0.2.9' }, agent: false });
    req.on('error', () => undefined);
    req.end();
    await until(() => gate.held('192.0.2.9') === 1);
    req.destroy();
    await until(() => gate.held('192.0.2.9') === 0);
    waiting.splice(0);
  });
});
