// `npm run load [-- --seconds=120 --rate=40]`: a mixed workload on loopback at a fixed rate —
// Open311 reads and writes, feed harvesting, plan validation, procedure reads and edits — against a gateway in a child
// process. Reports throughput, latency percentiles per kind, errors (must be 0) and memory growth.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';
import { ADMIN, rssMb, startGateway } from './gateway-process.ts';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const seconds = arg('seconds', 120);
const rate = arg('rate', 40);
const dir = mkdtempSync(join(tmpdir(), 'bgw-load-'));
const port = 19990 + Math.floor(Math.random() * 8);
const plan = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'demo-bebauungsplan-7.gml'));

const latencies = new Map<string, number[]>();
const errors = new Map<string, number>();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

try {
  const gw = await startGateway(join(dir, 'load.db'), port);
  const admin = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
  await fetch(`${gw.base}/admin/v1/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'demo', name: 'Demostadt', ags: ['14522530'], contact: { email: 'bauamt@demostadt.example' } }) });
  const key = async (scopes: string[]) => String(((await (await fetch(`${gw.base}/admin/v1/tenants/demo/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ label: 'load', scopes }) })).json()) as { key: string }).key);
  const submit = await key(['open311:submit']);
  const staff = await key(['open311:manage', 'procedures:write']);
  await fetch(`${gw.base}/api/v1/tenants/demo/services`, { method: 'POST', headers: { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ service_code: 'schlagloch', service_name: 'Schlagloch', moderated: false }) });
  const procedureIds: string[] = [];
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${gw.base}/api/v1/tenants/demo/procedures`, { method: 'POST', headers: { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `Verfahren ${i}`, family: 'informell', planKind: 'dialog' }) });
    procedureIds.push(String(((await res.json()) as { id: string }).id));
  }
  let edit = 0;
  const anyProcedure = () => procedureIds[Math.floor(Math.random() * procedureIds.length)]!;

  const kinds: Array<[string, () => Promise<Response>]> = [
    ['open311 GET requests.json', () => fetch(`${gw.base}/open311/v2/requests.json`)],
    ['open311 GET services.xml', () => fetch(`${gw.base}/open311/v2/services.xml`)],
    ['open311 POST requests.json', () => fetch(`${gw.base}/open311/v2/requests.json`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ api_key: submit, service_code: 'schlagloch', lat: '50.644', long: '13.234', description: 'Schlagloch' }).toString() })],
    ['dcat GET catalog page (RDF/XML)', () => fetch(`${gw.base}/dcat/catalog?page=${1 + Math.floor(Math.random() * 3)}`)],
    ['procedures GET one', () => fetch(`${gw.base}/api/v1/tenants/demo/procedures/${anyProcedure()}`, { headers: { Authorization: `Bearer ${staff}` } })],
    // edits walk through the procedures in turn, so two edits of one procedure never race
    ['procedures PATCH title', () => fetch(`${gw.base}/api/v1/tenants/demo/procedures/${procedureIds[edit++ % procedureIds.length]}`, { method: 'PATCH', headers: { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ title: `Verfahren, Fassung ${edit}` }) })],
    ['xplanung POST validate', () => fetch(`${gw.base}/xplanung/v1/validate`, { method: 'POST', headers: { 'Content-Type': 'application/gml+xml' }, body: plan })],
  ];
  // warm-up outside the measurement: each validation worker compiles the XPlanung XSD once. Pairs at
  // once, three times: the worker that starts with the gateway may still be validating its own warm-up
  // plan, and then the first pair is served by one worker while the second is still booting
  for (let round = 0; round < 3; round++) {
    await Promise.all([1, 2].map(() => fetch(`${gw.base}/xplanung/v1/validate`, { method: 'POST', headers: { 'Content-Type': 'application/gml+xml' }, body: plan }).then((r) => r.arrayBuffer())));
  }
  const rssStart = rssMb(gw.pid);
  const rssSamples: number[] = [rssStart];
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now();
  let sent = 0;
  const interval = 1000 / rate;
  while (performance.now() - t0 < seconds * 1000) {
    const [name, call] = kinds[sent % kinds.length]!;
    const started = performance.now();
    const p = call().then(async (res) => {
      await res.arrayBuffer();
      if (res.status >= 400) errors.set(name, (errors.get(name) ?? 0) + 1);
      const xs = latencies.get(name) ?? [];
      xs.push(performance.now() - started);
      latencies.set(name, xs);
    }, () => { errors.set(name, (errors.get(name) ?? 0) + 1); }).finally(() => inflight.delete(p));
    inflight.add(p);
    sent++;
    if (sent % (rate * 10) === 0) rssSamples.push(rssMb(gw.pid));
    const wait = t0 + sent * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  rssSamples.push(rssMb(gw.pid));
  gw.child.kill('SIGTERM');

  console.log(`load: ${sent} requests in ${elapsed.toFixed(0)} s at a target of ${rate}/s → ${(sent / elapsed).toFixed(1)}/s`);
  console.log('| kind | requests | p50 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|');
  let totalErrors = 0;
  for (const [name] of kinds) {
    const xs = latencies.get(name) ?? [];
    const e = errors.get(name) ?? 0;
    totalErrors += e;
    console.log(`| ${name} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 99).toFixed(1)} | ${e} |`);
  }
  // growth after warm-up: the second sample against the last one
  const warm = rssSamples[Math.min(1, rssSamples.length - 1)]!;
  const last = rssSamples[rssSamples.length - 1]!;
  console.log(`memory (RSS, every 10 s): ${rssSamples.map((r) => r.toFixed(0)).join(' → ')} MB; growth after warm-up ${(last - warm).toFixed(0)} MB`);
  console.log(`errors: ${totalErrors}`);
  process.exitCode = totalErrors === 0 && last - warm < 100 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
