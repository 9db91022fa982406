// `npm run bench`: every performance figure of the gateway in one run, each next to a baseline
// measured in the same run on the same machine. Prints a table and writes docs/BENCHMARKS.md.
// Sections live in bench/<standard>.ts and export `run(): Promise<BenchRow[]>`.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';

export interface BenchRow {
  section: string;
  metric: string;
  value: string;
  baseline: string;
  /** e.g. "1.3x xmllint" or "45% of hello-world" */
  ratio: string;
  goal: string;
  met: boolean | null;
}

// `appendix`: markdown a section writes below the table (read after its run)
const sections: { name: string; load: () => Promise<{ run: () => Promise<BenchRow[]>; appendix?: string }> }[] = [
  { name: 'xplanung', load: () => import('./xplanung.ts') },
  { name: 'xplanung-regeln', load: () => import('./xplanung-regeln.ts') },
  { name: 'open311', load: () => import('./open311.ts') },
  { name: 'dcat', load: () => import('./dcat.ts') },
  // each standard appends its section here
];

const only = process.argv.slice(2);
const rows: BenchRow[] = [];
const appendices: string[] = [];
for (const s of sections) {
  if (only.length && !only.includes(s.name)) continue;
  console.error(`bench: ${s.name} ...`);
  const section = await s.load();
  rows.push(...(await section.run()));
  if (section.appendix) appendices.push(section.appendix);
}

const header = ['section', 'metric', 'value', 'baseline', 'ratio', 'goal', 'met'];
const table = [header, ...rows.map((r) => [r.section, r.metric, r.value, r.baseline, r.ratio, r.goal, r.met === null ? '-' : r.met ? 'yes' : 'NO'])];
const md = table.map((cells, i) => `| ${cells.join(' | ')} |${i === 0 ? `\n|${cells.map(() => '---').join('|')}|` : ''}`).join('\n');
console.log(md);

const version = (cmd: string) => { try { return execSync(cmd, { encoding: 'utf8' }).trim().split('\n')[0]; } catch { return 'n/a'; } };
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; ${version('xmllint --version 2>&1')}; SQLite via better-sqlite3`;
mkdirSync(join(projectRoot, 'docs'), { recursive: true });
writeFileSync(join(projectRoot, 'docs', 'BENCHMARKS.md'), `# Benchmarks\n\nMeasured ${new Date().toISOString()} with \`npm run bench\` on: ${machine}.\nEvery figure has its baseline measured in the same run.\n\n${md}\n${appendices.map((a) => `\n${a}`).join('')}`);
