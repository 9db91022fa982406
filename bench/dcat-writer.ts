// The DCAT bench's library-only baseline, run in a fresh process with the gateway's Node flags (the
// bench process itself has a large heap by then): the triples of one page (page 500 of the seeded
// database), serialised by the RDF/XML writer alone, 5 warm-up and 15 timed runs. Prints the
// timed runs as JSON. Usage: node <GATEWAY flags> bench/dcat-writer.ts DB BASE
import { openSqliteStore } from '../src/core/storage/sqlite/store.ts';
import { Feed } from '../src/dcat/feed.ts';
import { toRdfXml } from '../src/dcat/serialize.ts';

const [db, base] = process.argv.slice(2) as [string, string];
const store = openSqliteStore(db, { readonly: true });
const { graph } = await new Feed({ store }, base).page({ page: 500, profile: 'dcat-ap-de-3.0', resourceUrl: `${base}/dcat/catalog.rdf` });
const times: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  await toRdfXml(graph.quads);
  if (i >= 5) times.push(performance.now() - t);
}
await store.close();
process.stdout.write(JSON.stringify(times));
