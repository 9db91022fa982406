// The memory large downloads may hold at once (src/http/download-budget.ts): a client that stops
// reading keeps its response buffer alive; beyond the budget others get 503 until it is released.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, get as httpGet, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Response } from 'express';
import request from 'supertest';
import type { StandardModule } from '../../src/core/context.ts';
import type { HttpError } from '../../src/core/errors.ts';
import { DownloadBudget } from '../../src/http/download-budget.ts';
import { xplanungRoutes } from '../../src/xplanung/routes/http.ts';
import { XPlanungService } from '../../src/xplanung/service.ts';
import { readXPlanArchive } from '../../src/xplanung/validate/archive.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { real, zip } from '../helpers/xplanung.ts';

describe('http/download-budget: memory held by large downloads', function () {
  this.timeout(60_000);

  it('reserves until a response finishes or its client goes; one download always passes', () => {
    const budget = new DownloadBudget(100, { perClientBytes: 100 });
    // responses of different clients (the per-client share is tested over HTTP below)
    const client = (ip: string) => Object.assign(new EventEmitter(), { req: { ip } }) as unknown as Response;
    const a = client('192.0.2.1');
    const b = client('192.0.2.2');
    budget.reserve(a, 500); // alone: allowed though larger than the budget
    assert.equal(budget.inFlight, 500);
    assert.throws(() => budget.reserve(b, 1), (e: HttpError) => e.status === 503 && e.headers?.['Retry-After'] === '5');
    (a as unknown as EventEmitter).emit('close');
    (a as unknown as EventEmitter).emit('finish'); // released once, whichever comes first
    assert.equal(budget.inFlight, 0);
    budget.reserve(b, 60);
    budget.reserve(a, 40);
    assert.equal(budget.inFlight, 100);
    assert.throws(() => budget.reserve(client('192.0.2.3'), 1));
    // one response reserving in steps (an archive, then the file from it) is judged against the others only
    (a as unknown as EventEmitter).emit('finish');
    (b as unknown as EventEmitter).emit('finish');
    const c = client('192.0.2.3');
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
      if (!server) return; // before() was skipped: ../shared is missing (test/helpers/shared.ts)
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gw.close();
    });

    const stall = (path: string, localAddress: string) => new Promise<Socket>((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
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
      const stalled = await stall(source, '127.0.0.2');
      const busy = await request(server).get(scan).expect(503);
      assert.equal(busy.headers['retry-after'], '5');
      assert.match(String(busy.headers['content-type']), /application\/problem\+json/);
      await request(server).get(source).expect(503);
      stalled.destroy();
      for (let i = 0; i < 250; i++) { // up to 5 s on a loaded machine; usually the first try
        const res = await request(server).get(scan);
        if (res.status === 200) {
          assert.equal(Number(res.headers['content-length']), 24 * 1024 * 1024);
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail('the download was not released after its client went away');
    });
  });

  describe('per client, and clients that stop reading (distinct client addresses on loopback)', () => {
    const STALL_MS = 200;
    let gw: TestGateway;
    let server: Server;
    let port: number;
    let budget: DownloadBudget;
    let source: string;
    const SIZE = 24 * 1024 * 1024;
    before(async () => {
      // the routes with a budget the test can watch: room for three such downloads, a client's share of one
      budget = new DownloadBudget(3 * SIZE + 1024 * 1024, { perClientBytes: SIZE + 1024 * 1024, stallMs: STALL_MS });
      let service: XPlanungService | undefined;
      const xplanung: StandardModule = {
        id: 'xplanung',
        router: (ctx) => xplanungRoutes(ctx, service = new XPlanungService(ctx), { downloads: budget }),
        close: async () => { await service?.close(); },
      };
      gw = await createTestGateway({}, [xplanung]);
      const key = await gw.tenant('hamburg', ['xplanung:push'], { ags: ['02000000'] });
      const a = await readXPlanArchive(real('BPlan004_6-0.zip'));
      assert.ok(a.ok);
      const gml = a.ok ? a.content.gml.toString('utf8') : '';
      const planId = /<xplan:BP_Plan gml:id="([^"]+)"/.exec(gml)![1]!;
      const body = await zip([['xplan.gml', gml], ['BPlan004_6-0.pdf', 'pdf'], ['BPlan004_6-0.png', randomBytes(SIZE - 300 * 1024)], ['BPlan004_6-0.pgw', 'w']], { compress: false });
      await request(gw.app).post('/xplanung/v1/tenants/hamburg/plans').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/zip').send(body).expect(201);
      source = `/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/source`;
      server = createServer(gw.app);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    after(async () => {
      if (!server) return; // before() was skipped: ../shared is missing (test/helpers/shared.ts)
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gw.close();
    });

    /** A client that asks for `path` from `localAddress`, reads the status line and then nothing. */
    const stall = (path: string, localAddress: string) => new Promise<{ socket: Socket; rest: () => Promise<number> }>((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress }, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
      // reads what is left on the connection until the gateway closes it: the bytes it got in all
      const rest = () => new Promise<number>((r) => {
        let got = 0;
        socket.on('data', (c: Buffer) => { got += c.length; }).once('close', () => r(got)).resume();
      });
      socket.once('data', (first: Buffer) => {
        socket.pause();
        if (/^HTTP\/1\.1 200/.test(first.toString('latin1'))) resolve({ socket, rest });
        else reject(new Error(first.toString('latin1').slice(0, 200)));
      });
      socket.on('error', reject);
    });
    /** A client from `localAddress` that reads the whole answer. */
    const get = (path: string, localAddress: string) => new Promise<{ status: number; headers: Record<string, unknown>; length: number }>((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
        let length = 0;
        res.on('data', (c: Buffer) => { length += c.length; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, length }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    const until = async (what: string, condition: () => boolean) => {
      for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20)); // bounded: 10 s
      assert.ok(condition(), what);
    };

    it('a client holds at most its share (429 beyond it) while other clients are served', async () => {
      budget.stallMs = 60_000; // the stalled client stays until the test lets it go
      const first = await stall(source, '127.0.0.2');
      assert.equal(budget.heldBy('127.0.0.2').downloads, 1);
      const again = await get(source, '127.0.0.2');
      assert.equal(again.status, 429);
      assert.ok(Number(again.headers['retry-after']) > 0);
      assert.match(String(again.headers['content-type']), /application\/problem\+json/);
      const other = await get(source, '127.0.0.3');
      assert.equal(other.status, 200);
      assert.equal(other.length, Number(other.headers['content-length']));
      assert.ok(other.length > 20 * 1024 * 1024);
      first.socket.destroy();
      await until('the stalled download was released', () => budget.inFlight === 0);
    });

    it('clients that stop reading are cut off after the stall timeout and release their bytes; a reading client then gets its download', async () => {
      budget.stallMs = STALL_MS;
      // three clients that read nothing would hold the budget for everyone (the test above shows the 503)...
      const stalled = await Promise.all(['127.0.0.4', '127.0.0.5', '127.0.0.6'].map((a) => stall(source, a)));
      // ...only until the stalled responses are ended
      await until('the stalled downloads released their bytes', () => budget.inFlight === 0);
      // each was cut off: the gateway closed the connection before the whole body was sent
      for (const got of await Promise.all(stalled.map((x) => x.rest()))) assert.ok(got < SIZE - 400 * 1024, `${got} bytes`);
      const served = await get(source, '127.0.0.7');
      assert.equal(served.status, 200);
      assert.equal(served.length, Number(served.headers['content-length']));
      await until('the finished download released its bytes', () => budget.inFlight === 0);
    });
  });
});
