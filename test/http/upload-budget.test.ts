// The memory plan uploads hold (src/http/body.ts, UploadBudget): an upload's buffer grows with the
// bytes received, not with the Content-Length it announces; uploads in progress are bounded per client
// address (429) and in total (503), and a refused or aborted upload releases its bytes at once.
// Real sockets from distinct client addresses on loopback (Linux routes all of 127.0.0.0/8 there).
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { StandardModule } from '../../src/core/context.ts';
import { UPLOAD_STEP, UploadBudget } from '../../src/http/body.ts';
import { xplanungRoutes } from '../../src/xplanung/routes/http.ts';
import { XPlanungService } from '../../src/xplanung/service.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { real } from '../helpers/xplanung.ts';

const MiB = 1024 * 1024;

/** A gateway whose XPlanung routes use `uploads`, so the test can read its accounting. */
async function gatewayWith(uploads: UploadBudget): Promise<{ gw: TestGateway; server: Server; port: number }> {
  let service: XPlanungService | undefined;
  const xplanung: StandardModule = {
    id: 'xplanung',
    router: (ctx) => xplanungRoutes(ctx, service = new XPlanungService(ctx), { uploads }),
    close: async () => { await service?.close(); },
  };
  const gw = await createTestGateway({ GATEWAY_MAX_PLAN_BYTES: String(100 * MiB) }, [xplanung]);
  const server = createServer(gw.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { gw, server, port: (server.address() as { port: number }).port };
}

interface Upload { req: ClientRequest; answer: Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> }

/** Starts a POST from `localAddress` announcing `announced` bytes; the caller writes (part of) the body. */
function start(port: number, localAddress: string, path: string, headers: Record<string, string | number>): Upload {
  const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', localAddress, agent: false, headers });
  const answer = new Promise<{ status: number; headers: IncomingMessage['headers']; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => { text += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  answer.catch(() => undefined); // aborted on purpose by some tests
  return { req, answer };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20)); // bounded: 10 s
  assert.ok(condition(), what);
}

const BOUNDARY = '----gatewaytest';
const formHead = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="plan"; filename="plan.gml"\r\nContent-Type: application/gml+xml\r\n\r\n`);

describe('http/body: the upload budget', function () {
  this.timeout(60_000);

  describe('ten clients that announce 60 MB, send 1 MB and stall', () => {
    const uploads = new UploadBudget(64 * MiB, 2);
    let gw: TestGateway;
    let server: Server;
    let port: number;
    before(async () => { ({ gw, server, port } = await gatewayWith(uploads)); });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gw.close();
    });

    it('hold what they sent (~10 MB, not 600 MB); an eleventh upload beyond its client\'s bound is refused at once (429); aborting releases everything; a plan still validates', async () => {
      const addresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
      const stalled: Upload[] = [];
      for (const [i, address] of [...addresses, ...addresses].entries()) {
        if (i < 8) {
          // a plan as the body
          const u = start(port, address, '/xplanung/v1/validate', { 'content-type': 'application/gml+xml', 'content-length': 60 * MiB });
          u.req.write(Buffer.alloc(MiB, 0x20));
          stalled.push(u);
        } else {
          // the upload form (multipart): the file part, 1 MB of it
          const u = start(port, address, '/xplanung/v1/validate', { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': 60 * MiB });
          u.req.write(Buffer.concat([formHead, Buffer.alloc(MiB - formHead.length, 0x20)]));
          stalled.push(u);
        }
      }
      await until(`ten uploads hold their first megabyte (${uploads.inFlight} bytes)`, () => uploads.inFlight >= 10 * MiB);
      assert.ok(uploads.inFlight <= 10 * MiB, `${uploads.inFlight} bytes held, more than received`);
      for (const a of addresses) assert.equal(uploads.uploadsOf(a), 2);

      const eleventh = start(port, '127.0.0.2', '/xplanung/v1/validate', { 'content-type': 'application/gml+xml', 'content-length': 60 * MiB });
      eleventh.req.write(Buffer.alloc(1024, 0x20)); // the answer comes before the body
      const refused = await eleventh.answer;
      assert.equal(refused.status, 429, refused.text);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
      assert.match(refused.text, /at most 2 plan uploads per client/);
      assert.ok(uploads.inFlight <= 10 * MiB);

      for (const u of stalled) u.req.destroy();
      await until(`the aborted uploads released their bytes (${uploads.inFlight} left)`, () => uploads.inFlight === 0);
      for (const a of addresses) await until(`client ${a} has no upload in progress`, () => uploads.uploadsOf(a) === 0);

      const plan = real('BPlan_6-0_Polygon_ausserhalb.gml');
      const ok = start(port, '127.0.0.2', '/xplanung/v1/validate', { 'content-type': 'application/gml+xml', 'content-length': plan.length, accept: 'application/json' });
      ok.req.end(plan);
      const report = await ok.answer;
      assert.equal(report.status, 200, report.text.slice(0, 300));
      assert.equal((JSON.parse(report.text) as { version: string }).version, '6.0');
      await until('the answered upload released its bytes', () => uploads.inFlight === 0);
    });
  });

  describe('the total budget', () => {
    const uploads = new UploadBudget(4 * MiB, 10);
    let gw: TestGateway;
    let server: Server;
    let port: number;
    before(async () => { ({ gw, server, port } = await gatewayWith(uploads)); });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gw.close();
    });

    it('beyond it a new upload gets 503 with Retry-After at once, and an upload that would grow beyond it is ended and releases its bytes', async () => {
      const held: Upload[] = [];
      for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) {
        const u = start(port, address, '/xplanung/v1/validate', { 'content-type': 'application/gml+xml', 'content-length': 60 * MiB });
        u.req.write(Buffer.alloc(UPLOAD_STEP, 0x20));
        held.push(u);
      }
      await until(`four uploads hold 4 MB (${uploads.inFlight})`, () => uploads.inFlight === 4 * MiB);

      // a new upload, from a client with no other: refused before its body is read
      const fifth = start(port, '127.0.0.6', '/xplanung/v1/validate', { 'content-type': 'application/gml+xml', 'content-length': 60 * MiB });
      fifth.req.write(Buffer.alloc(1024, 0x20));
      const busy = await fifth.answer;
      assert.equal(busy.status, 503, busy.text);
      assert.equal(busy.headers['retry-after'], '5');
      assert.match(String(busy.headers['content-type']), /application\/problem\+json/);
      assert.equal(uploads.inFlight, 4 * MiB);

      // a planner's browser, posting the form meanwhile, gets the form again saying why, and when to retry
      const form = start(port, '127.0.0.7', '/xplanung/v1/validate', { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': 2 * MiB, accept: 'text/html' });
      form.req.write(formHead);
      const page = await form.answer;
      assert.equal(page.status, 503);
      assert.equal(page.headers['retry-after'], '5');
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.text, /zu viele Pläne auf einmal hochgeladen/);

      // one of the four sends on: it cannot grow, so it is answered 503 and its megabyte is free again
      held[0]!.req.write(Buffer.alloc(64 * 1024, 0x20));
      const cut = await held[0]!.answer;
      assert.equal(cut.status, 503, cut.text);
      await until(`the refused upload released its bytes (${uploads.inFlight})`, () => uploads.inFlight === 3 * MiB);

      for (const u of held) u.req.destroy();
      await until('the aborted uploads released their bytes', () => uploads.inFlight === 0);
    });
  });
});
