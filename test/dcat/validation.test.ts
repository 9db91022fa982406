// /dcat/validation (issue item 8): the SHACL run happens in a feed worker, not on the event loop;
// its report is kept until the store changes; concurrent identical requests share one run; a client
// has at most two reports in progress. Requests are pipelined on one raw connection, so that they
// are in progress together without relying on timing; X-Forwarded-For (GATEWAY_TRUST_PROXY) makes
// them come from several clients.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { StandardModule } from '../../src/core/context.ts';
import type { SqliteProcedures } from '../../src/core/storage/sqlite/store.ts';
import { Feed, catalogResourceUrl } from '../../src/dcat/feed.ts';
import { FeedPages } from '../../src/dcat/pages.ts';
import { dcatRoutes } from '../../src/dcat/routes.ts';
import { FeedValidator, type ShaclResult } from '../../src/dcat/shacl.ts';
import { FeedValidations } from '../../src/dcat/validation.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { parseTurtle } from '../helpers/rdf.ts';

const BASE = 'http://gateway.test';

interface Answer { status: number; headers: Record<string, string>; body: string }

/** Sends every request on one connection in one write (HTTP/1.1 pipelining) and reads the answers in order. */
function pipelined(server: Server, requests: Array<{ path: string; client: string; accept?: string }>): Promise<Answer[]> {
  const { port } = server.address() as AddressInfo;
  const text = requests.map((r, i) => [
    `GET ${r.path} HTTP/1.1`, 'Host: gateway.test', `X-Forwarded-For: ${r.client}`, `Accept: ${r.accept ?? 'application/json'}`,
    ...(i === requests.length - 1 ? ['Connection: close'] : []), '', '',
  ].join('\r\n')).join('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).on('end', () => {
      const all = Buffer.concat(chunks);
      const answers: Answer[] = [];
      let at = 0;
      while (at < all.length) {
        const end = all.indexOf('\r\n\r\n', at);
        const [statusLine, ...lines] = all.subarray(at, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        assert.ok(headers['content-length'], `answers have a length: ${statusLine}`);
        const length = Number(headers['content-length']);
        answers.push({ status: Number(statusLine!.split(' ')[1]), headers, body: all.subarray(end + 4, end + 4 + length).toString('utf8') });
        at = end + 4 + length;
      }
      resolve(answers);
    });
  });
}

/** The report without its order and the labels of the shapes' blank nodes (each parse of the shapes numbers them anew). */
const blank = (v: string | null) => (v && /^n3-\d+$/.test(v) ? '_:b' : v);
const normal = (r: Pick<ShaclResult, 'conforms' | 'violations' | 'warnings' | 'infos' | 'results'>) => ({
  conforms: r.conforms, violations: r.violations, warnings: r.warnings, infos: r.infos,
  results: r.results.map((x) => JSON.stringify({ ...x, path: blank(x.path), shape: blank(x.shape) })).sort(),
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), what);
}

for (const workers of ['2', '0']) {
  describe(`dcat/validation: SHACL reports off the event loop, kept until the data changes, bounded per client (GATEWAY_FEED_WORKERS=${workers})`, function () {
    this.timeout(120_000);
    let gw: TestGateway;
    let server: Server;
    let pages!: FeedPages;
    let validations!: FeedValidations;
    let key: string;
    // the DCAT module as src/dcat/index.ts mounts it, with a handle on its reports (stats)
    const dcatOnly: StandardModule = {
      id: 'dcat',
      router(ctx) {
        pages = new FeedPages(ctx, ctx.config.feedWorkers);
        validations = new FeedValidations(ctx, pages);
        return dcatRoutes(ctx, pages, validations);
      },
      close: () => pages.close(),
    };

    before(async () => {
      gw = await createTestGateway({ GATEWAY_FEED_WORKERS: workers, GATEWAY_TRUST_PROXY: 'true' }, [dcatOnly]);
      key = await gw.tenant('sayda', ['procedures:write'], { name: 'Stadt Sayda', ags: ['14521570'] });
      gw.store.db.transaction(() => {
        for (let i = 0; i < 5; i++) (gw.store.procedures as SqliteProcedures).createSync('sayda', { title: `Verfahren ${i}`, family: 'informell', planKind: 'dialog' });
      })();
      server = createServer(gw.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      await new Promise((resolve) => server.close(resolve));
      await gw.close();
    });

    it('concurrent identical requests, from several clients, share one SHACL run; the next request gets the kept report', async () => {
      const before = { ...validations.stats };
      const answers = await pipelined(server, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1'].map((client) => ({ path: '/dcat/validation', client })));
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200], answers.map((a) => a.body.slice(0, 200)).join('\n'));
      assert.equal(validations.stats.runs - before.runs, 1, 'one SHACL run');
      assert.equal(validations.stats.joined - before.joined, 3);
      assert.equal(new Set(answers.map((a) => a.body)).size, 1, 'the same report for all');
      const report = JSON.parse(answers[0]!.body) as ShaclResult & { page: number };
      assert.equal(report.page, 1);
      assert.equal(report.violations, 0);
      // nothing changed: the kept report, no run
      const again = await pipelined(server, [{ path: '/dcat/validation', client: '10.0.0.9' }, { path: '/dcat/validation?page=1', client: '10.0.0.9', accept: 'text/turtle' }]);
      assert.equal(again[0]!.body, answers[0]!.body);
      assert.ok(parseTurtle(again[1]!.body).some((q) => q.predicate.value === 'http://www.w3.org/ns/shacl#conforms'));
      assert.equal(validations.stats.runs - before.runs, 1, 'still one run');
      assert.equal(validations.stats.kept - before.kept, 2);
    });

    it('after a write the report is computed again and shows the change', async () => {
      // 2.0: each dataset gets its own warning (politicalGeocodingURI), so the new one shows
      const path = '/dcat/validation?profile=dcat-ap-de-2.0';
      const first = (await pipelined(server, [{ path, client: '10.0.1.1' }]))[0]!;
      const runs = validations.stats.runs;
      assert.equal((await pipelined(server, [{ path, client: '10.0.1.1' }]))[0]!.body, first.body);
      assert.equal(validations.stats.runs, runs, 'kept while nothing changes');
      const res = await fetchJson(`/api/v1/tenants/sayda/procedures`, { title: 'Neu: Bürgerdialog Schlosspark', family: 'informell', planKind: 'dialog' });
      const dataset = `${BASE}/dcat/datasets/${res.id as string}`;
      assert.ok(!first.body.includes(dataset));
      const after = (await pipelined(server, [{ path, client: '10.0.1.1' }]))[0]!;
      assert.equal(after.status, 200);
      assert.equal(validations.stats.runs, runs + 1, 'computed again');
      assert.ok(after.body.includes(dataset), 'the new dataset is in the report');
      assert.ok(JSON.parse(after.body).warnings > JSON.parse(first.body).warnings);
      // and kept again until the next change
      assert.equal((await pipelined(server, [{ path, client: '10.0.1.1' }]))[0]!.body, after.body);
      assert.equal(validations.stats.runs, runs + 1);
    });

    it('a third concurrent report of one client is 429 with Retry-After; kept reports are not counted', async () => {
      // a change: nothing is kept, each request needs a run (or joins one)
      await fetchJson(`/api/v1/tenants/sayda/procedures`, { title: 'Noch ein Dialog', family: 'informell', planKind: 'dialog' });
      const answers = await pipelined(server, [
        { path: '/dcat/validation', client: '10.0.2.1' },
        { path: '/dcat/validation?profile=dcat-ap-de-2.0', client: '10.0.2.1' },
        { path: '/dcat/validation', client: '10.0.2.1' },
        { path: '/dcat/validation', client: '10.0.2.2' },
      ]);
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 429, 200]);
      const refusal = answers[2]!;
      assert.match(refusal.headers['content-type']!, /^application\/problem\+json/);
      assert.equal(refusal.headers['retry-after'], '2');
      assert.match(JSON.parse(refusal.body).detail, /at most 2 catalogue validations per client/);
      // the reports are kept now: the same client may ask for more than two at once
      const kept = await pipelined(server, [1, 2, 3].map(() => ({ path: '/dcat/validation', client: '10.0.2.1' })));
      assert.deepEqual(kept.map((a) => a.status), [200, 200, 200]);
    });

    for (const profile of ['dcat-ap-de-3.0', 'dcat-ap-de-2.0'] as const) {
      it(`${profile}: the report is the one the validator gives in this thread`, async () => {
        const answer = (await pipelined(server, [{ path: `/dcat/validation?profile=${profile}`, client: '10.0.3.1' }]))[0]!;
        assert.equal(answer.status, 200, answer.body.slice(0, 300));
        const { graph } = await new Feed(gw.ctx, BASE).page({ page: 1, profile, resourceUrl: catalogResourceUrl(BASE) });
        const expected = await new FeedValidator(gw.config.schemaDir).validate(graph.quads, profile);
        assert.ok(expected.results.length > 0, 'a report with results (warnings) to compare');
        assert.deepEqual(normal(JSON.parse(answer.body) as ShaclResult), normal(expected));
      });
    }

    if (workers !== '0') {
      it('while a report is computed, the event loop answers other requests (the run is in a worker)', async () => {
        await fetchJson(`/api/v1/tenants/sayda/procedures`, { title: 'Dialog zur Schulwegplanung', family: 'informell', planKind: 'dialog' });
        const runs = validations.stats.runs;
        let done = false;
        const report = pipelined(server, [{ path: '/dcat/validation?profile=dcat-ap-de-2.0', client: '10.0.4.1' }]).then((a) => { done = true; return a; });
        await until(() => validations.stats.runs === runs + 1, 'the run started');
        const other = await pipelined(server, [{ path: '/health', client: '10.0.4.2' }]);
        assert.equal(other[0]!.status, 200, other[0]!.body);
        assert.equal(done, false, 'answered while the SHACL run was still going on');
        assert.equal((await report)[0]!.status, 200);
      });
    }

    async function fetchJson(path: string, body: unknown): Promise<Record<string, unknown>> {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as Record<string, unknown>;
    }
  });
}
