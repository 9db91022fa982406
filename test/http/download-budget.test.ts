// The memory large downloads may hold at once (src/http/download-budget.ts): a client that stops
// reading keeps its response buffer alive; beyond the budget others get 503 until it is released.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Response } from 'express';
import request from 'supertest';
import type { HttpError } from '../../src/core/errors.ts';
import { DownloadBudget } from '../../src/http/download-budget.ts';
import { readXPlanArchive } from '../../src/xplanung/validate/archive.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { real, zip } from '../helpers/xplanung.ts';

describe('http/download-budget: memory held by large downloads', function () {
  this.timeout(60_000);

  it('reserves until a response finishes or its client goes; one download always passes', () => {
    const budget = new DownloadBudget(100);
    const a = new EventEmitter() as unknown as Response;
    const b = new EventEmitter() as unknown as Response;
    budget.reserve(a, 500); // alone: allowed though larger than the budget
    assert.equal(budget.inFlight, 500);
    assert.throws(() => budget.reserve(b, 1), (e: HttpError) => e.status === 503 && e.headers?.['Retry-After'] === '5');
    (a as unknown as EventEmitter).emit('close');
    (a as unknown as EventEmitter).emit('finish'); // released once, whichever comes first
    assert.equal(budget.inFlight, 0);
    budget.reserve(b, 60);
    budget.reserve(a, 40);
    assert.equal(budget.inFlight, 100);
    assert.throws(() => budget.reserve(new EventEmitter() as unknown as Response, 1));
    // one response reserving in steps (an archive, then the file from it) is judged against the others only
    (a as unknown as EventEmitter).emit('finish');
    (b as unknown as EventEmitter).emit('finish');
    const c = new EventEmitter() as unknown as Response;
    budget.reserve(c, 90);
    budget.reserve(c, 90);
    assert.equal(budget.inFlight, 180);
    (c as unknown as EventEmitter).emit('close');
    assert.equal(budget.inFlight, 0);
  });

  describe('over HTTP: a stalled download of a pushed archive', () => {
    let gw: TestGateway;
    let server: Server;
    let port: number;
    let planId: string;
    before(async () => {
      gw = await createTestGateway({ GATEWAY_DOWNLOAD_BUDGET_BYTES: String(1024 * 1024) });
      const key = await gw.tenant('hamburg', ['xplanung:push'], { ags: ['02000000'] });
      const a = await readXPlanArchive(real('BPlan004_6-0.zip'));
      assert.ok(a.ok);
      const gml = a.ok ? a.content.gml.toString('utf8') : '';
      planId = /<xplan:BP_Plan gml:id="([^"]+)"/.exec(gml)![1]!;
      // a scan that does not compress: the download is larger than the socket buffers between client and server
      const body = await zip([['xplan.gml', gml], ['BPlan004_6-0.pdf', 'pdf'], ['BPlan004_6-0.png', randomBytes(24 * 1024 * 1024)], ['BPlan004_6-0.pgw', 'w']], { compress: false });
      await request(gw.app).post('/xplanung/v1/tenants/hamburg/plans').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/zip').send(body).expect(201);
      server = createServer(gw.app);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gw.close();
    });

    const stall = (path: string) => new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
      socket.once('data', (first: Buffer) => {
        assert.match(first.toString('latin1'), /^HTTP\/1\.1 200/);
        socket.pause(); // and read nothing more
        resolve(socket);
      });
      socket.on('error', reject);
    });

    it('a second download waits (503, Retry-After) while the first is stalled, and passes once it is gone', async () => {
      const source = `/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/source`;
      const scan = `/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/files/BPlan004_6-0.png`;
      const stalled = await stall(source);
      const busy = await request(server).get(scan).expect(503);
      assert.equal(busy.headers['retry-after'], '5');
      assert.match(String(busy.headers['content-type']), /application\/problem\+json/);
      await request(server).get(source).expect(503);
      stalled.destroy();
      for (let i = 0; i < 250; i++) { // up to 5 s on a loaded machine; usually the first try
        const res = await request(server).get(scan);
        if (i === 49) console.log(res.status, res.text?.slice(0, 300));
        if (res.status === 200) {
          assert.equal(Number(res.headers['content-length']), 24 * 1024 * 1024);
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail('the download was not released after its client went away');
    });
  });
});
