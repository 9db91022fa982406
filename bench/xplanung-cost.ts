// Child process of bench/xplanung.ts: the worst case in seconds per MB. Validates each plan given
// (files, or `copies:N` / `shifted:N` for bench/overlapping-copies.ts) through every stage in this thread, as a
// worker runs the job; once untimed (its version's schema compiles), then twice timed, and reports
// the slower of the two. One JSON line per plan: { name, bytes, seconds, valid, findings }.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';
import { runValidationJob } from '../src/xplanung/validate/job.ts';
import { warmUpPlan } from '../src/xplanung/validate/warm-up.ts';
import { overlappingCopiesPlan } from './overlapping-copies.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const run = (body: Buffer, name: string) => runValidationJob({ body, contentType: name.endsWith('.zip') ? 'application/zip' : 'application/gml+xml', schemaDir, fileName: name });
// as a running gateway's worker: warmed with its own plan (src/xplanung/validate/pool.ts)
for (let i = 0; i < 3; i++) await run(warmUpPlan(), 'warm-up.gml');
for (const arg of process.argv.slice(2)) {
  const copies = /^(copies|shifted):(\d+)$/.exec(arg);
  const body = copies ? overlappingCopiesPlan(Number(copies[2]), { shifted: copies[1] === 'shifted' }) : readFileSync(arg);
  await run(body, arg);
  let seconds = 0;
  let last;
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    last = await run(body, arg);
    seconds = Math.max(seconds, (performance.now() - t) / 1000);
  }
  process.stdout.write(`${JSON.stringify({ name: arg, bytes: body.length, seconds, valid: last!.report.valid, findings: last!.report.findings.length })}\n`);
}
