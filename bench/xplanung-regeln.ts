// What the Konformitätsregeln cost (issue 24): the 20 MB bench plan and the small real plans through all
// stages in-process, with the code of this tree against the code before the rule tables (BASELINE_COMMIT,
// checked out as a git worktree next to the project), alternating runs in the same process; and the
// engine's own share (checkKonformitaet timed alone on the parsed plan).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { projectRoot } from '../src/core/paths.ts';
import { checkKonformitaet } from '../src/xplanung/konformitaet/engine.ts';
import { classModel } from '../src/xplanung/konformitaet/klassen.ts';
import { ruleTable } from '../src/xplanung/konformitaet/tables.ts';
import { DOCUMENT_OPTIONS, documentOf, treeOf } from '../src/xplanung/parse.ts';
import { runValidationJob, type ValidationJob, type ValidationJobResult } from '../src/xplanung/validate/job.ts';
import { structureOf } from '../src/xplanung/validate/structure.ts';
import { versionById } from '../src/xplanung/versions.ts';
import type { BenchRow } from './run.ts';
import { buildLargePlan } from './xplanung.ts';

/** The last commit before the rule tables: the "before" of issue 24. */
const BASELINE_COMMIT = '84ec232';
const VENDOR = join(projectRoot, 'schemas', 'vendor');
const REAL = join(projectRoot, '..', 'shared', 'fixtures', 'xplanung-real');
const SMALL = ['BPlan_6-0_Polygon_ausserhalb.gml', 'xplan60_Aenderungsplan_valide.gml', '1_Geltungsbereich-Test.gml', 'BPlan_6-0_4-5-2-4-Ueberlappung_valide.gml', 'Bereich_1800_Bereich_mitGeltungsbereich_korrekt.gml', 'BP_6-0_false_2.2.2.1_PolygonPatch_Ueberlappung.gml', 'BPlan002_5-4.gml', 'xplan54_Flaechenschlussfehler_Luecken.gml'];

type Job = (job: ValidationJob) => Promise<ValidationJobResult>;

/** The baseline's runValidationJob, from a worktree of BASELINE_COMMIT sharing this tree's node_modules and schemas. */
async function baselineJob(): Promise<Job> {
  const dir = join(tmpdir(), `gateway-baseline-${BASELINE_COMMIT}`);
  if (!existsSync(join(dir, 'src'))) {
    execFileSync('git', ['worktree', 'add', '--force', '--detach', dir, BASELINE_COMMIT], { cwd: projectRoot, stdio: 'ignore' });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  if (!existsSync(join(dir, 'schemas', 'vendor'))) symlinkSync(VENDOR, join(dir, 'schemas', 'vendor'));
  const mod = (await import(join(dir, 'src', 'xplanung', 'validate', 'job.ts'))) as { runValidationJob: Job };
  return mod.runValidationJob;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(job: Job, body: Buffer): Promise<number> {
  const t = performance.now();
  await job({ body, contentType: 'application/gml+xml', schemaDir: VENDOR });
  return performance.now() - t;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const before = await baselineJob();
  const after: Job = runValidationJob;
  const large = Buffer.from(buildLargePlan(20 * 1024 * 1024));
  const mb = (large.length / 1048576).toFixed(1);
  // warm both, then alternate so that both meet the same machine state
  for (const job of [before, after, before, after]) await timed(job, large);
  const b: number[] = [], a: number[] = [];
  for (let i = 0; i < 5; i++) { b.push(await timed(before, large)); a.push(await timed(after, large)); }
  rows.push({ section: 'xplanung-regeln', metric: `${mb} MB plan, all stages in one thread, warm: with every Konformitätsregel (after) against ${BASELINE_COMMIT} (before the rule tables), five alternating runs, medians`, value: `${(median(a) / 1000).toFixed(2)} s (${a.map((x) => (x / 1000).toFixed(2)).join(' / ')})`, baseline: `${(median(b) / 1000).toFixed(2)} s (${b.map((x) => (x / 1000).toFixed(2)).join(' / ')})`, ratio: `${(median(a) / median(b)).toFixed(2)}×`, goal: '≤ 1.25×', met: median(a) <= 1.25 * median(b) });

  // the engine alone on the parsed 20 MB plan
  const doc = XmlDocument.fromString(large.toString('utf8'), { option: DOCUMENT_OPTIONS });
  const parsed = documentOf(treeOf(doc), versionById('6.0')!);
  doc.dispose();
  const structure = structureOf(parsed);
  const input = { doc: parsed, structure, table: ruleTable('6.0'), model: classModel(VENDOR, '6.0'), xml: large };
  checkKonformitaet(input);
  const e: number[] = [];
  let findings = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    findings = checkKonformitaet(input).findings.length;
    e.push(performance.now() - t);
  }
  rows.push({ section: 'xplanung-regeln', metric: `${mb} MB plan: the rule engine alone (${ruleTable('6.0').rules.length} rules of 6.0 over ${parsed.features.length} features, ${findings} findings), median of five`, value: `${median(e).toFixed(0)} ms`, baseline: `all stages ${(median(a) / 1000).toFixed(2)} s`, ratio: `${((100 * median(e)) / median(a)).toFixed(1)} % of the time`, goal: 'informative', met: null });

  // small plans: files per second, in-process, alternating rounds
  const bodies = SMALL.map((f) => readFileSync(join(REAL, f)));
  const round = async (job: Job) => {
    const t = performance.now();
    for (let i = 0; i < 5; i++) for (const body of bodies) await job({ body, contentType: 'application/gml+xml', schemaDir: VENDOR });
    return (5 * bodies.length) / ((performance.now() - t) / 1000);
  };
  for (const job of [before, after]) await round(job);
  const rb: number[] = [], ra: number[] = [];
  for (let i = 0; i < 5; i++) { rb.push(await round(before)); ra.push(await round(after)); }
  rows.push({ section: 'xplanung-regeln', metric: `${SMALL.length} small real plans (2–185 KB), all stages in one thread, warm: files per second after against ${BASELINE_COMMIT}, five alternating rounds of ${5 * SMALL.length} files, medians`, value: `${median(ra).toFixed(0)} files/s (${ra.map((x) => x.toFixed(0)).join(' / ')})`, baseline: `${median(rb).toFixed(0)} files/s (${rb.map((x) => x.toFixed(0)).join(' / ')})`, ratio: `${(median(ra) / median(rb)).toFixed(2)}×`, goal: '≥ 0.8× (within 25 %)', met: median(ra) >= 0.8 * median(rb) });
  return rows;
}
