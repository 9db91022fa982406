// Child process of bench/xplanung.ts: validates one file through every stage, as the gateway does
// (XSD in a worker), and reports wall time and peak memory of this process. Mode 'xsd' times the
// libxml2-wasm parse and XSD check alone, in this thread, with nothing read into JavaScript.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';
import { ValidationPool } from '../src/xplanung/validate/pool.ts';

const [file, version, stages] = process.argv.slice(2) as [string, string, string | undefined];
if (stages === 'xsd') {
  // loaded only here: a WebAssembly instance in this thread would raise the base of the memory figure
  const { XmlDocument } = await import('libxml2-wasm');
  const { DOCUMENT_OPTIONS } = await import('../src/xplanung/parse.ts');
  const { validatorFor } = await import('../src/xplanung/validate/xsd.ts');
  const validator = validatorFor(join(projectRoot, 'schemas', 'vendor'), version);
  const body = readFileSync(file);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const doc = XmlDocument.fromBuffer(body, { url: 'document.gml', option: DOCUMENT_OPTIONS });
    try {
      validator.validate(doc);
    } finally {
      doc.dispose();
    }
    times.push(performance.now() - t);
  }
  process.stdout.write(JSON.stringify({ ms: times[0], warmMs: times[2] }));
  process.exit(0);
}
// 'syntax': safety and XSD only, what xmllint does
const syntaxOnly = stages === 'syntax';
const schemaDir = join(projectRoot, 'schemas', 'vendor');
// as the gateway runs by default (GATEWAY_VALIDATION_WORKERS=2): the second worker takes a share of
// a large plan's geometry checks (src/xplanung/validate/area-checks.ts)
const pool = new ValidationPool(2);
const t0 = performance.now();
await pool.warmUp(schemaDir, [version]);
const compileMs = performance.now() - t0;
const baseRssKb = process.resourceUsage().maxRSS;
// the body in a SharedArrayBuffer, read straight into it, as the gateway's HTTP layer writes the
// chunks of a request into one (src/http/body.ts): posting a plain 20 MB Buffer to the worker copies
// it, ~170 ms the gateway never spends, and a second copy would count in the memory figure
const body = Buffer.from(new SharedArrayBuffer(statSync(file).size));
const fd = openSync(file, 'r');
try {
  for (let at = 0; at < body.length;) {
    const n = readSync(fd, body, at, body.length - at, at);
    if (n === 0) throw new Error(`${file} ended early`);
    at += n;
  }
} finally {
  closeSync(fd);
}
const t1 = performance.now();
const { report } = await pool.run({ body, contentType: 'application/gml+xml', schemaDir, skipSemantic: syntaxOnly, skipGeometry: syntaxOnly });
const ms = performance.now() - t1;
const maxRssKb = process.resourceUsage().maxRSS;
// A running gateway's workers have validated plans before: after one more run (the first compiles
// the rule and geometry code), five rounds of the same file in the same worker. With BENCH_XMLLINT
// (a JSON argv) each round first runs xmllint on it: this machine's speed drifts by up to ~1.5×
// within minutes, so the baseline is measured beside each of our runs and the medians compared.
// `alone`: the whole plan in one worker (no share of the geometry checks), for comparison
const run = (alone = false) => pool.run({ body, contentType: 'application/gml+xml', schemaDir, skipSemantic: syntaxOnly, skipGeometry: syntaxOnly, ...(alone ? { shareFrom: Infinity } : {}) });
await run();
const lint = process.env.BENCH_XMLLINT ? (JSON.parse(process.env.BENCH_XMLLINT) as string[]) : undefined;
const warmRuns: number[] = [];
const lintRuns: number[] = [];
const aloneRuns: number[] = [];
let sharedUnits = 0;
for (let i = 0; i < 5; i++) {
  if (lint) {
    const t = performance.now();
    const r = spawnSync(lint[0]!, lint.slice(1), { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`xmllint failed with ${r.status}`);
    lintRuns.push(performance.now() - t);
  }
  const t = performance.now();
  sharedUnits = (await run()).sharedUnits ?? 0;
  warmRuns.push(performance.now() - t);
  if (lint) {
    const t2 = performance.now();
    await run(true);
    aloneRuns.push(performance.now() - t2);
  }
}
await pool.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(JSON.stringify({ ms, warmMs: median(warmRuns), warmRuns, lintRuns, aloneRuns, sharedUnits, compileMs, baseRssKb, maxRssKb, valid: report.valid, findings: report.findings.length }));
