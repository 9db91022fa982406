// Command line: `beteiligung-gateway validate FILE... [--format json|text|html] [--skip-semantisch] …`.
// Runs the same pipeline as POST /xplanung/v1/validate, in this process; exit code 0 when every
// file is valid, 1 when one is not, 2 on wrong usage or an unreadable file; --help prints usage, 0.
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { projectRoot } from './core/paths.ts';
import { SKIPPED_LABELS } from './xplanung/report.ts';
import type { ValidationReport } from './xplanung/report.ts';
import { runValidationJob, type ValidationJob } from './xplanung/validate/job.ts';

/** The switches of POST /xplanung/v1/validate (skipSemantisch …), as flags in xPlanBox's spelling (skip-flaechenschluss). */
const SKIP_FLAGS = {
  '--skip-semantisch': 'skipSemantic',
  '--skip-geometrisch': 'skipGeometry',
  '--skip-flaechenschluss': 'skipFlaechenschluss',
  '--skip-geltungsbereich': 'skipGeltungsbereich',
  '--skip-laufrichtung': 'skipLaufrichtung',
} as const satisfies Record<string, keyof ValidationJob>;

const USAGE = `usage: beteiligung-gateway validate FILE... [--format json|text|html] [${Object.keys(SKIP_FLAGS).join('] [')}]  (html: the German report page with its sketch, for one file)`;

const HELP = `${USAGE}

Validates XPlanGML plans (.gml) and XPlanArchives (.zip) as POST /xplanung/v1/validate does, in this process.
  --format text   one line per file and one per finding (default)
  --format json   the report of the HTTP API (an array for several files)
  --format html   the German report page with its location sketch, for one file
  ${Object.keys(SKIP_FLAGS).join(' ')}
                  skip that stage or single check, as the API's skip… switches do
Exit codes: 0 every file valid, 1 a file invalid, 2 wrong usage or a file that cannot be read.`;

function textReport(file: string, r: ValidationReport): string {
  const lines = [`${file}: ${r.valid ? 'valide' : 'NICHT valide'} (XPlanGML ${r.version ?? '?'})`];
  for (const f of r.findings) lines.push(`  ${f.severity === 'error' ? 'Fehler ' : 'Warnung'} ${f.rule.padEnd(16)} ${f.line ? `Zeile ${f.line}: ` : ''}${f.message}${f.gmlIds.length ? ` [${f.gmlIds.join(', ')}]` : ''}`);
  for (const s of r.skipped) lines.push(`  übersprungen: ${SKIPPED_LABELS[s.stage]} – ${s.reason}`);
  return lines.join('\n');
}

/** Why a file could not be read, in one line that names it (no errno codes, no stack). */
function unreadable(file: string, e: NodeJS.ErrnoException): string {
  const why = e.code === 'ENOENT' ? 'no such file'
    : e.code === 'EISDIR' ? 'is a directory, not a plan file'
      : e.code === 'EACCES' || e.code === 'EPERM' ? 'not readable (permission denied)'
        : e.message;
  return `beteiligung-gateway validate: ${file}: ${why}`;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`), err: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  // asked for: usage on stdout and success, so `beteiligung-gateway --help | less` works
  if (command === '--help' || command === '-h' || command === 'help' || (command === 'validate' && (rest.includes('--help') || rest.includes('-h')))) { out(HELP); return 0; }
  if (command !== 'validate') { err(USAGE); return 2; }
  let format = 'text';
  const files: string[] = [];
  const skips: Pick<ValidationJob, (typeof SKIP_FLAGS)[keyof typeof SKIP_FLAGS]> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--format') format = rest[++i] ?? '';
    else if (a.startsWith('--format=')) format = a.slice(9);
    else if (Object.hasOwn(SKIP_FLAGS, a)) skips[SKIP_FLAGS[a as keyof typeof SKIP_FLAGS]] = true;
    // a mistyped flag would otherwise be read as a file name
    else if (a.startsWith('--')) { err(USAGE); return 2; }
    else files.push(a);
  }
  if (files.length === 0 || !['json', 'text', 'html'].includes(format) || (format === 'html' && files.length > 1)) { err(USAGE); return 2; }
  const schemaDir = resolve(process.env.GATEWAY_SCHEMA_DIR ?? join(projectRoot, 'schemas', 'vendor'));
  const results: Array<{ file: string; report: ValidationReport }> = [];
  for (const file of files) {
    let body: Buffer;
    try { body = readFileSync(file); } catch (e) { err(unreadable(file, e as NodeJS.ErrnoException)); return 2; }
    const type = file.toLowerCase().endsWith('.zip') ? 'application/zip' : 'application/gml+xml';
    const { report, page } = await runValidationJob({ body, contentType: type, schemaDir, fileName: basename(file), page: format === 'html', ...skips });
    if (page) out(page);
    results.push({ file, report });
  }
  if (format === 'json') out(JSON.stringify(results.length === 1 ? results[0]!.report : results, null, 2));
  else if (format === 'text') for (const r of results) out(textReport(r.file, r.report));
  return results.every((r) => r.report.valid) ? 0 : 1;
}
