// DCAT figures (issue 5): 100 000 datasets; a full harvest over HTTP (all pages, RDF/XML, following
// the next links; parsed afterwards to check it) and one page's p50, next to serialising the same
// page's triples with the RDF library alone (graphy's RDF/XML scribe) in the same run; memory of the gateway process across pages.
// Goals: full harvest < 30 s, page ≤ 2× library-only, memory flat.
import { execFileSync, spawn } from 'node:child_process';
import { Agent, get as httpGet } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteProcedures } from '../src/core/storage/sqlite/store.ts';
import { projectRoot } from '../src/core/paths.ts';
import { objects, parseRdfXml } from '../test/helpers/rdf.ts';
import { GATEWAY_ARGV } from '../scripts/gateway-process.ts';
import type { BenchRow } from './run.ts';

const DATASETS = 100_000;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bgw-bench-d-'));
  const db = join(dir, 'bench.db');
  const port = 19600 + Math.floor(Math.random() * 300);
  const base = `http://127.0.0.1:${port}`;
  try {
    const store = openSqliteStore(db);
    for (let t = 0; t < 10; t++) await store.tenants.create({ id: `gemeinde-${t}`, name: `Gemeinde ${t}`, ags: [`14${String(521000 + t).padStart(6, '0')}`], contact: { email: `bauamt@gemeinde-${t}.example` } });
    const seedStart = performance.now();
    store.db.transaction(() => {
      for (let i = 0; i < DATASETS; i++) {
        const lon = 12.3 + (i % 300) / 1000;
        const lat = 50.6 + (i % 211) / 1000;
        (store.procedures as SqliteProcedures).createSync(`gemeinde-${i % 10}`, {
          title: `Bebauungsplan Nr. ${i} „Am Feld ${i % 97}“`, family: 'bauleitplanung', planKind: 'bebauungsplan', number: String(i),
          phases: [{ kind: 'aufstellungsbeschluss', audience: 'intern', durchgang: 1, start: '2025-03-01' }, { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2026-02-01', end: '2026-03-01' }],
          area: { type: 'Polygon', coordinates: [[[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.001], [lon, lat + 0.001], [lon, lat]]] },
          documents: [{ title: 'Begründung', url: `https://gemeinde.example/bplan/${i}/begruendung.pdf`, mimeType: 'application/pdf' }],
        });
      }
    })();
    const seedSeconds = (performance.now() - seedStart) / 1000;

    await store.close();
    // library-only baseline: the triples of one page, serialised by the RDF/XML writer alone, in a
    // fresh process with the gateway's flags
    const lib = JSON.parse(execFileSync(process.execPath, [...GATEWAY_ARGV.slice(0, -1), join(projectRoot, 'bench', 'dcat-writer.ts'), db, base], { encoding: 'utf8' })) as number[];

    const child = spawn(process.execPath, GATEWAY_ARGV, {
      env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_DB: db, GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef', GATEWAY_LOG_LEVEL: 'error', GATEWAY_PUBLIC_BASE_URL: base },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      for (let i = 0; i < 300; i++) { try { if ((await fetch(`${base}/health`)).ok) break; } catch { /* starting */ } await new Promise((r) => setTimeout(r, 100)); }
      const rss: number[] = [];
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      // A harvester's HTTP: one connection, br as harvesters ask for it (ckanext-dcat through
      // requests, piveau through Vert.x), every body read whole and decompressed.
      const get = (url: string) => new Promise<{ status: number; link: string; raw: Buffer; body: Buffer; receivedMs: number }>((resolve, reject) => {
        const t = performance.now();
        httpGet(url, { agent, headers: { accept: 'application/rdf+xml', 'accept-encoding': 'br' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => {
            const receivedMs = performance.now() - t;
            const raw = Buffer.concat(parts);
            resolve({ status: res.statusCode ?? 0, link: String(res.headers.link ?? ''), raw, body: res.headers['content-encoding'] === 'br' ? brotliDecompressSync(raw) : raw, receivedMs });
          });
          res.on('error', reject);
        }).on('error', reject);
      });
      // The harvest: every page, following the next links (the Link header; hydra:next says the same,
      // checked below). Bodies are kept compressed for the check, as a harvester's queue would.
      const pagesSeen: { url: string; next: string | undefined; raw: Buffer; br: boolean }[] = [];
      let bytes = 0;
      const t0 = performance.now();
      let url: string | undefined = `${base}/dcat/catalog.rdf`;
      while (url) {
        const page: Awaited<ReturnType<typeof get>> = await get(url);
        if (page.status !== 200) throw new Error(`page ${url}: ${page.status}`);
        const next: string | undefined = /<([^>]+)>; rel="next"/.exec(page.link)?.[1];
        bytes += page.body.length;
        pagesSeen.push({ url, next, raw: page.raw, br: page.raw !== page.body });
        if (pagesSeen.length % 100 === 1) rss.push(rssMb(child.pid!));
        url = next;
      }
      const harvestSeconds = (performance.now() - t0) / 1000;
      // one page over HTTP on its own: 50 pages of the harvest, fetched one after another, right
      // after the harvest (the gateway warm, the client's heap small)
      const pageTimes: number[] = [];
      // (request sent → last byte received: the gateway's time, without the client's decompression)
      for (let i = 0; i < pagesSeen.length; i += Math.ceil(pagesSeen.length / 50)) pageTimes.push((await get(pagesSeen[i]!.url)).receivedMs);
      // What the harvester does next, measured apart: parse every page as RDF (rdfxml-streaming-parser),
      // check that hydra:next agrees with the Link header and that every dataset came exactly once.
      const parseTimes: number[] = [];
      const seen = new Set<string>();
      let datasets = 0;
      for (const p of pagesSeen) {
        const text = (p.br ? brotliDecompressSync(p.raw) : p.raw).toString('utf8');
        const tp = performance.now();
        const quads = await parseRdfXml(text);
        parseTimes.push(performance.now() - tp);
        if (objects(quads, null, 'http://www.w3.org/ns/hydra/core#next')[0] !== p.next) throw new Error(`page ${p.url}: hydra:next and the Link header disagree`);
        for (const d of objects(quads, null, 'http://www.w3.org/ns/dcat#dataset')) { seen.add(d); datasets++; }
      }
      const pages = pagesSeen.length;
      const once = datasets === DATASETS && seen.size === DATASETS;
      agent.destroy();
      const parseP50 = p50(parseTimes);
      const parseSeconds = parseTimes.reduce((a, b) => a + b, 0) / 1000;
      const pageP50 = p50(pageTimes);
      const libP50 = p50(lib);
      const rows: BenchRow[] = [
        { section: 'dcat', metric: `full harvest, ${DATASETS} datasets, RDF/XML (br), ${pages} pages following the next links, every body read and decompressed (seed ${seedSeconds.toFixed(0)} s)`, value: `${harvestSeconds.toFixed(1)} s, ${(bytes / 1048576).toFixed(0)} MB; then parsed: ${datasets} datasets, ${seen.size} distinct`, baseline: '–', ratio: '–', goal: '< 30 s, every dataset once', met: harvestSeconds < 30 && once },
        { section: 'dcat', metric: 'the harvester\'s own work after the harvest: parsing every page (rdfxml-streaming-parser, one core)', value: `${parseSeconds.toFixed(1)} s (p50 ${parseP50.toFixed(1)} ms a page)`, baseline: `the gateway serving one page ${pageP50.toFixed(1)} ms`, ratio: `${(parseP50 / pageP50).toFixed(2)}× the serving time`, goal: 'informative: the client\'s cost, not the gateway\'s', met: null },
        { section: 'dcat', metric: 'one page (100 datasets, RDF/XML, br) over HTTP, fetched on its own (request to last byte), p50', value: `${pageP50.toFixed(1)} ms`, baseline: `the gateway's RDF/XML writer (graphy's scribe) alone on the same page's triples, fresh process with the gateway's flags, ${libP50.toFixed(1)} ms`, ratio: `${(pageP50 / libP50).toFixed(2)}×`, goal: '≤ 2×', met: pageP50 <= 2 * libP50 },
        { section: 'dcat', metric: 'gateway RSS across the harvest (every 100th page)', value: `${rss.map((r) => r.toFixed(0)).join(' → ')} MB`, baseline: `page 101 (workers warm) ${rss[1]?.toFixed(0)} MB`, ratio: `last ${((rss[rss.length - 1] ?? 0) / (rss[1] ?? 1)).toFixed(2)}×, max ${(Math.max(...rss.slice(1)) / (rss[1] ?? 1)).toFixed(2)}×`, goal: 'flat', met: Math.max(...rss.slice(1)) <= 1.3 * (rss[1] ?? 0) },
      ];
      return rows;
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
