// Child process of bench/xplanung.ts: validates one file through every stage, as the gateway does
// (XSD in a worker), and reports wall time and peak memory of this process. Mode 'xsd' times the
// libxml2-wasm parse and XSD check alone, in this thread, with nothing read into JavaScript.
import { readFileSync } from 'node:fs';
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
const pool = new ValidationPool(1);
const t0 = performance.now();
await pool.warmUp(schemaDir, [version]);
const compileMs = performance.now() - t0;
const baseRssKb = process.resourceUsage().maxRSS;
// the body in a SharedArrayBuffer, as the gateway's HTTP layer hands it over (src/http/body.ts):
// posting a plain 20 MB Buffer to the worker copies it, ~170 ms the gateway never spends
const bytes = readFileSync(file);
const body = Buffer.from(new SharedArrayBuffer(bytes.length));
bytes.copy(body);
const t1 = performance.now();
const { report } = await pool.run({ body, contentType: 'application/gml+xml', schemaDir, skipSemantic: syntaxOnly, skipGeometry: syntaxOnly });
const ms = performance.now() - t1;
const maxRssKb = process.resourceUsage().maxRSS;
// A running gateway's workers have validated plans before: the same file twice more in the same
// worker gives the figure with the JIT warm (the first run compiles the rule and geometry code).
let warmMs = ms;
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  await pool.run({ body, contentType: 'application/gml+xml', schemaDir, skipSemantic: syntaxOnly, skipGeometry: syntaxOnly });
  warmMs = performance.now() - t;
}
await pool.close();
process.stdout.write(JSON.stringify({ ms, warmMs, compileMs, baseRssKb, maxRssKb, valid: report.valid, findings: report.findings.length }));
