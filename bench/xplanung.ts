// XPlanung figures (issue 3), each next to native libxml2 (`xmllint --schema`, which compiles the
// schema once and checks syntax only) measured in the same run on the same files:
//  - a 20 MB plan through all stages: time (≤ 1.5× xmllint) and peak memory (< 10× the file size);
//  - 500 small plans through all stages over HTTP: files per second (≥ 50% of xmllint's);
//  - /health latency while a 20 MB plan validates (≤ 50 ms);
//  - the worst case in seconds per MB: every fixture plan, the 20 MB plan, and plans of 250 / 1 000 /
//    3 000 overlapping copies of one area and of 250 / 1 000 copies each shifted a little (≤ 1 s per
//    MB, at least 1 s allowed).
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { projectRoot } from '../src/core/paths.ts';
import { GATEWAY_ARGV } from '../scripts/gateway-process.ts';
import { SHIFT_X, SHIFT_Y } from './overlapping-copies.ts';
import type { BenchRow } from './run.ts';

const FIXTURES = join(projectRoot, '..', 'shared', 'fixtures');
const REAL = join(FIXTURES, 'xplanung-real');
const VENDOR = join(projectRoot, 'schemas', 'vendor');
const XSD60 = join(VENDOR, 'xplanung', '6.0', 'XPlanung-Operationen.xsd');
const CATALOG = join(VENDOR, 'xplanung', 'catalog.xml');
const SMALL = ['BPlan_6-0_Polygon_ausserhalb.gml', 'xplan60_Aenderungsplan_valide.gml', '1_Geltungsbereich-Test.gml', 'BPlan_6-0_4-5-2-4-Ueberlappung_valide.gml', 'Bereich_1800_Bereich_mitGeltungsbereich_korrekt.gml', 'BP_6-0_false_2.2.2.1_PolygonPatch_Ueberlappung.gml'];

type Ordered = Array<Record<string, unknown>>;

/** A large plan: copies of a real plan's features with fresh gml:ids, each copy shifted 3 km east. */
export function buildLargePlan(targetBytes: number): string {
  const source = readFileSync(join(REAL, 'Blankenese29.gml'), 'utf8');
  const opts = { preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false, processEntities: false } as const;
  const doc = new XMLParser(opts).parse(source) as Ordered;
  const rootEntry = doc.find((n) => Object.keys(n).some((k) => k.endsWith('XPlanAuszug')))!;
  const rootKey = Object.keys(rootEntry).find((k) => k.endsWith('XPlanAuszug'))!;
  const children = rootEntry[rootKey] as Ordered;
  const members = children.filter((c) => 'gml:featureMember' in c);
  const copies = Math.max(1, Math.ceil(targetBytes / source.length));
  const rewrite = (node: unknown, k: number): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, k));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(node)) {
        if (key === '@_gml:id' && typeof v === 'string') out[key] = `${v}_c${k}`;
        else if (key === '@_xlink:href' && typeof v === 'string' && v.startsWith('#')) out[key] = `${v}_c${k}`;
        else if (key === ':@') out[key] = rewrite(v, k);
        else if (['gml:pos', 'gml:posList', 'gml:lowerCorner', 'gml:upperCorner'].includes(key) && Array.isArray(v)) {
          out[key] = v.map((t) => {
            const text = (t as { '#text'?: string })['#text'];
            if (typeof text !== 'string') return t;
            const nums = text.trim().split(/\s+/).map(Number);
            return { '#text': nums.map((n, i) => (i % 2 === 0 ? (n + 3000 * k).toFixed(3) : n)).join(' ') };
          });
        } else out[key] = rewrite(v, k);
      }
      return out;
    }
    return node;
  };
  const rest = children.filter((c) => !('gml:featureMember' in c));
  const all: Ordered = [...rest];
  for (let k = 0; k < copies; k++) for (const m of members) all.push(rewrite(m, k) as Record<string, unknown>);
  rootEntry[rootKey] = all;
  return new XMLBuilder({ ...opts, format: false, suppressEmptyNode: true }).build(doc) as string;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { seconds: number; maxRssKb: number; status: number | null; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [sec, rss] = last.split(' ').map(Number);
  return { seconds: sec ?? NaN, maxRssKb: rss ?? NaN, status: r.status, stderr: r.stderr };
}

const xmllint = (files: string[]) => timed('xmllint', ['--noout', '--nonet', '--schema', XSD60, ...files], { XML_CATALOG_FILES: CATALOG });

async function startGateway(dir: string, port: number): Promise<{ stop: () => void }> {
  const child = spawn(process.execPath, GATEWAY_ARGV, {
    env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_DB: join(dir, 'bench.db'), GATEWAY_DEMO: 'true', GATEWAY_LOG_LEVEL: 'warn', GATEWAY_MAX_PLAN_BYTES: String(200 * 1024 * 1024) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { stop: () => child.kill('SIGTERM') };
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Every plan of the fixture folder, recursively. */
const plansIn = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? plansIn(join(dir, e.name)) : /\.(gml|zip)$/i.test(e.name) ? [join(dir, e.name)] : []).sort();

/** Below this, a plan's fixed costs dominate its seconds per MB: it may take this long. */
const FLOOR_SECONDS = 1;

/**
 * The markdown table of every plan of the worst-case rows, written below the main table of
 * docs/BENCHMARKS.md (bench/run.ts).
 */
export let appendix = '';

/**
 * Seconds per MB through all stages, the slower of two warm runs per plan (bench/xplanung-cost.ts),
 * for each fixture plan and the large plan, and for plans of overlapping copies: one row for the
 * worst fixture, one per copies plan.
 */
export function worstCase(big: string): BenchRow[] {
  const files = [...plansIn(join(FIXTURES, 'xplanung-real')), ...plansIn(join(FIXTURES, 'xplanung-xplanbox')), big];
  // identical copies, and copies each shifted a little (none alike, all overlapping, boundaries crossing)
  const copies = [...[250, 1000, 3000].map((n) => `copies:${n}`), ...[250, 1000].map((n) => `shifted:${n}`)];
  const generated = (name: string) => /^(copies|shifted):/.test(name);
  const child = spawnSync(process.execPath, [...GATEWAY_ARGV.slice(0, -1), join(projectRoot, 'bench', 'xplanung-cost.ts'), ...files, ...copies], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`bench/xplanung-cost.ts failed: ${child.stderr.slice(0, 500)}`);
  const results = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; bytes: number; seconds: number; valid: boolean; findings: number });
  const mb = (r: { bytes: number }) => r.bytes / 1048576;
  const perMb = (r: { bytes: number; seconds: number }) => r.seconds / mb(r);
  const allowed = (r: { bytes: number }) => Math.max(FLOOR_SECONDS, mb(r));
  const nameOf = (r: { name: string }) => (r.name === big ? 'bench plan (20 MB)' : r.name.startsWith('copies:') ? `${r.name.slice(7)} copies` : r.name.startsWith('shifted:') ? `${r.name.slice(8)} shifted copies` : relative(FIXTURES, r.name));
  const plans = results.filter((r) => !generated(r.name));
  // the worst against its allowance: a 5 KB plan's 0.05 s is 10 s/MB but well within its second
  const worst = plans.reduce((w, r) => (r.seconds / allowed(r) > w.seconds / allowed(w) ? r : w));
  const worstPerMb = plans.reduce((w, r) => (perMb(r) > perMb(w) ? r : w));
  const rows: BenchRow[] = [{
    section: 'xplanung',
    metric: `worst case, all stages, ${plans.length} plans (both fixture folders and the bench plan; the slower of two warm runs each; table of every plan below)`,
    value: `${worst.seconds.toFixed(2)} s for ${mb(worst).toFixed(2)} MB (${perMb(worst).toFixed(2)} s/MB): ${nameOf(worst)}`,
    baseline: `highest s/MB: ${perMb(worstPerMb).toFixed(2)} s/MB, ${nameOf(worstPerMb)} (${worstPerMb.seconds.toFixed(2)} s for ${(mb(worstPerMb) * 1024).toFixed(0)} KB)`,
    ratio: `${(worst.seconds / allowed(worst)).toFixed(2)} of allowed`,
    goal: '≤ 1 s/MB (at least 1 s allowed)',
    met: plans.every((r) => r.seconds <= allowed(r)),
  }];
  for (const r of results.filter((x) => generated(x.name))) {
    const what = r.name.startsWith('shifted:') ? `, copy i shifted by (i·${SHIFT_X} m, i·${SHIFT_Y} m)` : '';
    rows.push({ section: 'xplanung', metric: `plan of ${nameOf(r)} of one area object${what} (all overlapping; ${r.findings} findings, valid ${r.valid}), all stages, the slower of two warm runs`, value: `${r.seconds.toFixed(2)} s for ${mb(r).toFixed(2)} MB`, baseline: `allowed ${allowed(r).toFixed(2)} s`, ratio: `${perMb(r).toFixed(2)} s/MB`, goal: '≤ 1 s/MB (at least 1 s allowed)', met: r.seconds <= allowed(r) });
  }
  appendix = `## XPlanung: every plan of the worst-case row\n\n| plan | MB | s (slower of two warm runs) | s/MB | within goal |\n|---|---|---|---|---|\n${results.map((r) => `| ${nameOf(r)} | ${mb(r).toFixed(3)} | ${r.seconds.toFixed(3)} | ${perMb(r).toFixed(2)} | ${r.seconds <= allowed(r) ? 'yes' : 'NO'} |`).join('\n')}\n`;
  return rows;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bgw-bench-x-'));
  try {
    // 1. a 20 MB plan
    const big = join(dir, 'big.gml');
    writeFileSync(big, buildLargePlan(20 * 1024 * 1024));
    const size = statSync(big).size;
    const lint = xmllint([big]);
    if (lint.status !== 0) throw new Error(`xmllint failed on the large plan: ${lint.stderr.slice(0, 500)}`);
    // with the gateway's Node flags: heap flags change the workers' memory
    // xmllint is run again beside each warm run (in the child, between its runs), see xplanung-one.ts
    const lintArgv = ['xmllint', '--noout', '--nonet', '--schema', XSD60, big];
    const one = spawnSync(process.execPath, [...GATEWAY_ARGV.slice(0, -1), join(projectRoot, 'bench', 'xplanung-one.ts'), big, '6.0'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, XML_CATALOG_FILES: CATALOG, BENCH_XMLLINT: JSON.stringify(lintArgv) } });
    const ours = JSON.parse(one.stdout) as { ms: number; warmMs: number; warmRuns: number[]; lintRuns: number[]; aloneRuns: number[]; sharedUnits: number; compileMs: number; baseRssKb: number; maxRssKb: number; valid: boolean; findings: number };
    const mb = (size / 1048576).toFixed(1);
    const seconds = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(' / ');
    const lintMedian = [...ours.lintRuns].sort((a, b) => a - b)[Math.floor(ours.lintRuns.length / 2)]! / 1000;
    rows.push({ section: 'xplanung', metric: `${mb} MB plan, all stages (${ours.findings} findings), first plan of a fresh worker`, value: `${(ours.ms / 1000).toFixed(2)} s (+${(ours.compileMs / 1000).toFixed(2)} s schema compile once per worker)`, baseline: `xmllint syntax only ${lint.seconds.toFixed(2)} s incl. compile`, ratio: ratio(ours.ms / 1000, lint.seconds), goal: '≤ 1.5×', met: ours.ms / 1000 <= 1.5 * lint.seconds });
    rows.push({ section: 'xplanung', metric: `${mb} MB plan, all stages, workers warm (as in a running gateway, two workers: ${ours.sharedUnits} Bereich units checked by the second): five runs, each after an xmllint run on the same file, medians compared`, value: `median ${(ours.warmMs / 1000).toFixed(2)} s (${seconds(ours.warmRuns)})`, baseline: `xmllint median ${lintMedian.toFixed(2)} s (${seconds(ours.lintRuns)})`, ratio: ratio(ours.warmMs / 1000, lintMedian), goal: '≤ 1.5×', met: ours.warmMs / 1000 <= 1.5 * lintMedian });
    const aloneMedian = [...ours.aloneRuns].sort((a, b) => a - b)[Math.floor(ours.aloneRuns.length / 2)]! / 1000;
    rows.push({ section: 'xplanung', metric: `${mb} MB plan, all stages in one worker (no share of the geometry checks), right after each run above`, value: `median ${aloneMedian.toFixed(2)} s (${seconds(ours.aloneRuns)})`, baseline: `xmllint median ${lintMedian.toFixed(2)} s; shared ${(ours.warmMs / 1000).toFixed(2)} s`, ratio: `${ratio(aloneMedian, lintMedian)}; shared/alone ${(ours.warmMs / 1000 / aloneMedian).toFixed(2)}`, goal: 'informative', met: null });
    const syn = spawnSync(process.execPath, [...GATEWAY_ARGV.slice(0, -1), join(projectRoot, 'bench', 'xplanung-one.ts'), big, '6.0', 'syntax'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const syntaxOnly = JSON.parse(syn.stdout) as typeof ours;
    rows.push({ section: 'xplanung', metric: `${mb} MB plan, safety + syntax stage as the gateway runs it (XSD check, then the document read into JavaScript for the later stages and the report's plan list), first / third run`, value: `${(syntaxOnly.ms / 1000).toFixed(2)} s / ${(syntaxOnly.warmMs / 1000).toFixed(2)} s`, baseline: `xmllint syntax only ${lint.seconds.toFixed(2)} s incl. compile`, ratio: `${ratio(syntaxOnly.ms / 1000, lint.seconds)} / ${ratio(syntaxOnly.warmMs / 1000, lint.seconds)}`, goal: 'informative', met: null });
    // the XSD check alone, and xmllint's own schema compile (a 6 KB plan), to show what each costs
    const xsd = JSON.parse(spawnSync(process.execPath, [...GATEWAY_ARGV.slice(0, -1), join(projectRoot, 'bench', 'xplanung-one.ts'), big, '6.0', 'xsd'], { encoding: 'utf8' }).stdout) as { ms: number; warmMs: number };
    const lintTiny = xmllint([join(REAL, SMALL[0]!)]);
    rows.push({ section: 'xplanung', metric: `${mb} MB plan, XSD check alone (libxml2-wasm parse + validate, schema compiled before, nothing read into JavaScript), first / third run`, value: `${(xsd.ms / 1000).toFixed(2)} s / ${(xsd.warmMs / 1000).toFixed(2)} s`, baseline: `xmllint ${lint.seconds.toFixed(2)} s, of which compile and start about ${lintTiny.seconds.toFixed(2)} s (a 6 KB plan)`, ratio: `${ratio(xsd.ms / 1000, lint.seconds)} / ${ratio(xsd.warmMs / 1000, lint.seconds)}`, goal: 'informative: the WebAssembly XSD step is not the limit', met: null });
    const growth = (ours.maxRssKb - ours.baseRssKb) * 1024;
    rows.push({ section: 'xplanung', metric: `${mb} MB plan, peak memory growth`, value: `${(growth / 1048576).toFixed(0)} MB (peak RSS ${(ours.maxRssKb / 1024).toFixed(0)} MB)`, baseline: `xmllint peak RSS ${(lint.maxRssKb / 1024).toFixed(0)} MB`, ratio: `${(growth / size).toFixed(1)}× file size`, goal: '< 10× file size', met: growth < 10 * size });
    rows.push(...worstCase(big));

    // 2. 500 small plans over HTTP
    const files: string[] = [];
    for (let i = 0; i < 500; i++) {
      const name = SMALL[i % SMALL.length]!;
      const f = join(dir, `small-${i}.gml`);
      writeFileSync(f, readFileSync(join(REAL, name)));
      files.push(f);
    }
    const lintSmall = xmllint(files);
    const port = 18000 + Math.floor(Math.random() * 1000);
    const gw = await startGateway(dir, port);
    try {
      const bodies = files.map((f) => readFileSync(f));
      // warm the workers (schema compile) before timing
      await fetch(`http://127.0.0.1:${port}/xplanung/v1/validate`, { method: 'POST', headers: { 'content-type': 'application/gml+xml' }, body: bodies[0] });
      await Promise.all([1, 2].map(() => fetch(`http://127.0.0.1:${port}/xplanung/v1/validate`, { method: 'POST', headers: { 'content-type': 'application/gml+xml' }, body: bodies[1] })));
      // node:http with keep-alive: on 2 cores the client shares the CPU with the gateway, and fetch
      // cost it 1.3–2 ms of CPU per request (measured 2026-12-02)
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      const post = (path: string, body: Buffer) => new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/gml+xml', 'content-length': body.length } }, (res) => {
          res.on('data', () => undefined).on('end', () => resolve(res.statusCode ?? 0)).on('error', reject);
        });
        req.on('error', reject).end(body);
      });
      const throughput = async (query: string) => {
        let next = 0;
        let errors = 0;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: 4 }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++]!;
            if ((await post(`/xplanung/v1/validate${query}`, body)) !== 200) errors++;
          }
        }));
        return { rate: bodies.length / ((performance.now() - t0) / 1000), errors };
      };
      const lintRate = files.length / lintSmall.seconds;
      const share = (rate: number) => `${((100 * rate) / lintRate).toFixed(0)}% of xmllint`;
      // the first pass meets workers whose rule and geometry code V8 has not optimised yet; a running
      // gateway has validated plans before, so the goal is judged on the second pass
      const cold = await throughput('');
      rows.push({ section: 'xplanung', metric: '500 small plans (6–185 KB) over HTTP, all stages, first pass (workers fresh: schema compiled, code not yet optimised)', value: `${cold.rate.toFixed(0)} files/s (${cold.errors} errors)`, baseline: `xmllint ${lintRate.toFixed(0)} files/s`, ratio: share(cold.rate), goal: 'informative', met: null });
      const full = await throughput('');
      rows.push({ section: 'xplanung', metric: '500 small plans over HTTP, all stages, second pass (as in a running gateway)', value: `${full.rate.toFixed(0)} files/s (${full.errors} errors)`, baseline: `xmllint ${lintRate.toFixed(0)} files/s`, ratio: share(full.rate), goal: '≥ 50%', met: full.errors === 0 && cold.errors === 0 && full.rate >= 0.5 * lintRate });
      const syntax = await throughput('?skipSemantisch=true&skipGeometrisch=true');
      rows.push({ section: 'xplanung', metric: '500 small plans over HTTP, safety + syntax only (what xmllint does)', value: `${syntax.rate.toFixed(0)} files/s (${syntax.errors} errors)`, baseline: `xmllint ${lintRate.toFixed(0)} files/s`, ratio: share(syntax.rate), goal: 'informative', met: null });
      agent.destroy();

      // 3. /health while the large plan validates. The upload comes from a child process: sent from
      // this process, writing 20 MB would stall the probes' own event loop and be counted as latency.
      // Three validations one after the other: on 2 cores the worst probe depends on how the
      // scheduler shares them, so one round's maximum alone says little; the goal is judged on the worst.
      const idle: number[] = [];
      for (let i = 0; i < 20; i++) { const t = performance.now(); await (await fetch(`http://127.0.0.1:${port}/health`)).arrayBuffer(); idle.push(performance.now() - t); }
      const rounds: Array<{ max: number; p99: number; probes: number }> = [];
      for (let round = 0; round < 3; round++) {
        const latencies: number[] = [];
        let done = false;
        const uploader = spawn(process.execPath, ['-e', `fetch(${JSON.stringify(`http://127.0.0.1:${port}/xplanung/v1/validate`)}, { method: 'POST', headers: { 'content-type': 'application/gml+xml' }, body: require('node:fs').readFileSync(${JSON.stringify(big)}) }).then((r) => r.arrayBuffer()).then(() => process.exit(0), () => process.exit(1))`], { stdio: 'ignore' });
        const pending = new Promise<number | null>((resolve) => uploader.on('exit', (code) => { done = true; resolve(code); }));
        while (!done) {
          const t = performance.now();
          await (await fetch(`http://127.0.0.1:${port}/health`)).arrayBuffer();
          latencies.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 20));
        }
        if ((await pending) !== 0) throw new Error('the 20 MB upload for the /health probe failed');
        latencies.sort((x, y) => x - y);
        rounds.push({ max: latencies[latencies.length - 1]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, probes: latencies.length });
      }
      const worst = Math.max(...rounds.map((r) => r.max));
      const idleMedian = idle.sort((a, b) => a - b)[Math.floor(idle.length / 2)]!;
      rows.push({ section: 'xplanung', metric: `/health during a ${mb} MB validation, three rounds (${rounds.map((r) => r.probes).join(' / ')} probes)`, value: `max ${rounds.map((r) => r.max.toFixed(1)).join(' / ')} ms, p99 ${rounds.map((r) => r.p99.toFixed(1)).join(' / ')} ms`, baseline: `idle median ${idleMedian.toFixed(1)} ms`, ratio: ratio(worst, idleMedian), goal: '≤ 50 ms', met: worst <= 50 });
    } finally {
      gw.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
