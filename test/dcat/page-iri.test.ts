// Catalogue page IRIs come from the validated parameters only (issue item 7): whatever a client puts
// into the request target (Turtle syntax, quotes, braces, unknown parameters, another spelling or
// order of the known ones) changes neither the page's IRIs nor its Link header. Requests are sent
// raw over node:http (superagent would percent-encode the payload), with and without page workers.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqliteProcedures } from '../../src/core/storage/sqlite/store.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { canonical, objects, parseAny } from '../helpers/rdf.ts';
import type { Quad } from '@rdfjs/types';

const H = 'http://www.w3.org/ns/hydra/core#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const BASE = 'http://gateway.test';

interface Raw { status: number; headers: IncomingHttpHeaders; text: string }

/** GET with `path` sent exactly as given (node:http only refuses spaces and controls). */
function rawGet(server: Server, path: string): Promise<Raw> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { 'Accept-Encoding': 'identity' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject).end();
  });
}

const pageNode = (quads: Quad[]) => {
  const nodes = quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === `${H}PagedCollection`).map((q) => q.subject.value);
  assert.equal(nodes.length, 1, `one PagedCollection node: ${nodes.join(', ')}`);
  return nodes[0]!;
};
const terms = (quads: Quad[]) => quads.flatMap((q) => [q.subject.value, q.predicate.value, q.object.value]);
/** The graph up to the snapshot time in next links (each first page starts its own snapshot). */
const shape = async (quads: Quad[]) => (await canonical(quads)).replace(/snapshot=[^&>"]*/g, 'snapshot=S');

// `?x=><…>` closes the page IRI in Turtle and adds a triple; `"{}` breaks Turtle and JSON-LD
const INJECTION = 'x=><http://evil.example/p><http://evil.example/o>.<http://evil.example/s';
const BREAKER = 'x="{}';
const FORMATS = [['rdf', 'application/rdf+xml'], ['ttl', 'text/turtle'], ['jsonld', 'application/ld+json']] as const;

for (const workers of ['2', '0']) {
  describe(`dcat/page IRIs are built from the known parameters only (GATEWAY_FEED_WORKERS=${workers})`, function () {
    this.timeout(60_000);
    let gw: TestGateway;
    let server: Server;
    before(async () => {
      gw = await createTestGateway({ GATEWAY_FEED_WORKERS: workers });
      await gw.tenant('sayda', ['procedures:write'], { name: 'Stadt Sayda', ags: ['14521570'] });
      gw.store.db.transaction(() => {
        for (let i = 0; i < 150; i++) (gw.store.procedures as SqliteProcedures).createSync('sayda', { title: `Verfahren ${i}`, family: 'informell', planKind: 'dialog' });
      })();
      server = createServer(gw.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      await new Promise((resolve) => server.close(resolve));
      await gw.close();
    });

    for (const [suffix, media] of FORMATS) {
      for (const [label, junk] of [['Turtle injection', INJECTION], ['a quote and braces', BREAKER]] as const) {
        it(`.${suffix}: ${label} in the query leaves the page parseable, without foreign triples, under its canonical IRI`, async () => {
          const plain = await rawGet(server, `/dcat/catalog.${suffix}`);
          const hostile = await rawGet(server, `/dcat/catalog.${suffix}?${junk}`);
          assert.equal(hostile.status, 200, hostile.text.slice(0, 300));
          assert.match(String(hostile.headers['content-type']), new RegExp(`^${media.replace('+', '\\+')}`));
          const quads = await parseAny(media, hostile.text);
          const iri = pageNode(quads);
          assert.equal(iri, `${BASE}/dcat/catalog.${suffix}?page=1`);
          assert.ok(!terms(quads).some((t) => t.includes('evil') || t.includes('x=')), 'nothing of the query but known parameters');
          assert.ok(!String(hostile.headers.link).includes('evil') && !String(hostile.headers.link).includes('x='), String(hostile.headers.link));
          // exactly the page a plain request gets: no triple more or less
          const plainQuads = await parseAny(media, plain.text);
          assert.equal(quads.length, plainQuads.length);
          assert.equal(await shape(quads), await shape(plainQuads));
        });
      }
    }

    it('a next link followed with junk, other spellings and another order keeps the next link as its IRI; so does the Link header', async () => {
      const first = await rawGet(server, `/dcat/tenants/sayda/catalog.ttl?${BREAKER}`);
      const next = objects(await parseAny('text/turtle', first.text), null, `${H}next`)[0]!;
      assert.match(next, /^http:\/\/gateway\.test\/dcat\/tenants\/sayda\/catalog\.ttl\?page=2&snapshot=[^&]+&after=\d+$/);
      const u = new URL(next);
      const snapshot = u.searchParams.get('snapshot')!;
      // reordered, the tenant percent-encoded, the snapshot with other escapes, unknown parameters around
      const raw = `/dcat/tenants/say%64a/catalog.ttl?${INJECTION}&after=${u.searchParams.get('after')}&snapshot=${snapshot.replace(/:/g, '%3a')}&${BREAKER}&page=2`;
      const second = await rawGet(server, raw);
      assert.equal(second.status, 200, second.text.slice(0, 300));
      const quads = await parseAny('text/turtle', second.text);
      assert.equal(pageNode(quads), next);
      assert.ok(!terms(quads).some((t) => t.includes('evil') || t.includes('x=')));
      const link = String(second.headers.link);
      assert.equal(/<([^>]+)>; rel="first"/.exec(link)?.[1], `${BASE}/dcat/tenants/sayda/catalog.ttl?page=1`);
      assert.equal(/<([^>]+)>; rel="last"/.exec(link)?.[1], `${BASE}/dcat/tenants/sayda/catalog.ttl?page=2`);
      assert.ok(!link.includes('evil') && !link.includes('x='), link);
    });

    it('filters appear in the links in one order, each value percent-encoded', async () => {
      const res = await rawGet(server, `/dcat/catalog.jsonld?profile=dcat-ap-de-2.0&x=1&modified_since=2020-01-01T00:00:00%2B00:00&page=1`);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      const quads = await parseAny('application/ld+json', res.text);
      assert.equal(pageNode(quads), `${BASE}/dcat/catalog.jsonld?page=1&modified_since=2020-01-01T00%3A00%3A00.000Z&profile=dcat-ap-de-2.0`);
    });
  });
}
