// The command line validator, run as a real process through the package's bin entry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';
import { itShared, sharedPath } from './helpers/shared.ts';
import { REAL_DIR } from './helpers/xplanung.ts';

const run = (...args: string[]) => spawnSync(process.execPath, [join(projectRoot, 'bin', 'beteiligung-gateway.mjs'), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('cli: beteiligung-gateway validate', function () {
  this.timeout(90_000);

  itShared('exit 0 and "valide" for a valid plan', () => {
    const r = run('validate', join(REAL_DIR, 'BPlan002_5-4.gml'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /BPlan002_5-4\.gml: valide \(XPlanGML 5\.4\)/);
  });

  itShared('exit 1 and the findings with rule and line for invalid plans, several files at once', () => {
    const r = run('validate', join(REAL_DIR, 'BPlan002_5-4.gml'), join(REAL_DIR, 'BP_6.0_syntaxErrors.gml'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /xsd\s+Zeile 46: .*planArtCode/);
  });

  itShared('--format json prints the report of the HTTP API', () => {
    const r = run('validate', '--format', 'json', join(REAL_DIR, 'FP_6.0.2_invalide.zip'));
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.valid, false);
    assert.ok(report.findings.some((f: { rule: string }) => f.rule === '6.1.3.4'));
  });

  itShared('--format html prints the German report page with its location sketch, for one file', () => {
    const r = run('validate', '--format=html', join(REAL_DIR, 'Blankenese29.gml'));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^<!DOCTYPE html>/);
    assert.match(r.stdout, /<title>Prüfbericht XPlanGML Blankenese29\.gml<\/title>/);
    assert.match(r.stdout, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" id="lageskizze-karte"/);
    assert.equal(run('validate', '--format', 'html', join(REAL_DIR, 'BPlan002_5-4.gml'), join(REAL_DIR, 'Blankenese29.gml')).status, 2, 'one page, one file');
  });

  itShared('--skip-… flags switch off what the API\'s switches do (xPlanBox: the Laufrichtung plan is invalid, valid with skip-laufrichtung)', () => {
    const plan = sharedPath('fixtures', 'xplanung-xplanbox', 'manager-api', 'BP_5.2_Laufrichtungsfehler.zip');
    const on = run('validate', '--skip-flaechenschluss', '--skip-semantisch', plan);
    assert.equal(on.status, 1, on.stderr);
    assert.match(on.stdout, /Fehler {2}2\.2\.2\.1 .*falsche Laufrichtung – der äußere Ring/);
    assert.match(on.stdout, /übersprungen: Geometrie, Flächenschluss \(Regel 2\.2\.1\.1\) – Auf Anfrage übersprungen \(skipFlaechenschluss=true\)/);
    const off = run('validate', '--skip-flaechenschluss', '--skip-semantisch', '--skip-laufrichtung', '--format', 'json', plan);
    assert.equal(off.status, 0, off.stderr);
    assert.deepEqual(JSON.parse(off.stdout).skipped.map((s: { stage: string }) => s.stage).sort(), ['flaechenschluss', 'laufrichtung', 'semantic']);
    assert.equal(run('validate', '--skip-geometrie', plan).status, 2, 'a mistyped flag is no file name');
  });

  it('exit 2 with usage on wrong arguments', () => {
    const none = run();
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^usage: beteiligung-gateway validate FILE\.\.\./);
    assert.equal(none.stdout, '');
    assert.equal(run('validate', '--format', 'yaml', 'x.gml').status, 2);
  });

  for (const args of [['--help'], ['-h'], ['help'], ['validate', '--help']]) {
    it(`${args.join(' ')}: the usage with formats, flags and exit codes on stdout, exit 0`, () => {
      const r = run(...args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /^usage: beteiligung-gateway validate FILE\.\.\./);
      assert.match(r.stdout, /--format json/);
      assert.match(r.stdout, /--skip-laufrichtung/);
      assert.match(r.stdout, /Exit codes: 0 every file valid, 1 a file invalid, 2 wrong usage or a file that cannot be read\./);
    });
  }

  it('a missing file or a directory: one line naming it, no errno code or stack, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgw-cli-'));
    try {
      const file = join(dir, 'nope.gml');
      const missing = run('validate', file);
      assert.equal(missing.status, 2);
      assert.equal(missing.stderr, `beteiligung-gateway validate: ${file}: no such file\n`);
      assert.equal(missing.stdout, '');
      const isDir = run('validate', dir);
      assert.equal(isDir.status, 2);
      assert.equal(isDir.stderr, `beteiligung-gateway validate: ${dir}: is a directory, not a plan file\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
