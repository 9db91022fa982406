// A clone without ../shared beside it (anyone who clones the repository alone): the test run names what is
// missing and where it comes from, runs every test that does not need it, and (CI=true) still fails.
// Checked on a real copy of the working tree in a temporary folder, with mocha run there as a process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';

/** Copies the repository's files (tracked and new, not ignored) to `<tmp>/main`; no `<tmp>/shared`. */
function lonelyClone(): { root: string; main: string } {
  const root = mkdtempSync(join(tmpdir(), 'bgw-clone-'));
  const main = join(root, 'main');
  const list = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  for (const file of list.stdout.split('\0').filter(Boolean)) {
    const from = join(projectRoot, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(main, file)), { recursive: true });
    cpSync(from, join(main, file));
  }
  // what `npm ci` would lay there: the packages, and the official schemas (downloaded without ../shared)
  symlinkSync(join(projectRoot, 'node_modules'), join(main, 'node_modules'));
  symlinkSync(join(projectRoot, 'schemas', 'vendor'), join(main, 'schemas', 'vendor'));
  assert.equal(existsSync(join(root, 'shared')), false);
  return { root, main };
}

/** A file with suites that need ../shared (read while mocha loads it) and suites that do not. */
const MIXED = 'test/http/body.test.ts';
/** A file all of whose suites read xPlanBox's expected.json at import time. */
const ALL_SHARED = 'test/xplanung/geometric.test.ts';

describe('ops: npm test in a clone without ../shared', function () {
  this.timeout(300_000);
  let clone: { root: string; main: string };
  before(() => { clone = lonelyClone(); });
  after(() => { rmSync(clone.root, { recursive: true, force: true }); });

  const mocha = (args: string[], env: Record<string, string | undefined>) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
    const r = spawnSync(process.execPath, [join(clone.main, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...args], { cwd: clone.main, env: e, encoding: 'utf8', timeout: 240_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  /** The repository's mocha settings for these files only (with the config, its spec would add every file). */
  const only = (...files: string[]) => ['--no-config', '-n', 'import=tsx', '--extension', 'ts', '--reporter', './test/helpers/summary-reporter.cjs', '--exit', '--timeout', '60000', ...files];
  const missingNote = (out: string) => out.split('\n').filter((l) => l.includes('is missing: the third-party test fixtures'));

  it('every test file loads (no read of ../shared while mocha loads the files)', () => {
    const r = mocha(['--dry-run'], { CI: undefined });
    assert.equal(r.status, 0, r.out.slice(-3000));
    assert.doesNotMatch(r.out, /ENOENT|Exception during run/);
    assert.match(r.out, /^\d+ passed, 0 failed$/m);
  });

  it('CI unset: one note naming the folder and its source, the tests that do not need it pass, the others are skipped, exit 0', () => {
    const r = mocha(only(MIXED, ALL_SHARED), { CI: undefined });
    assert.equal(r.status, 0, r.out.slice(-3000));
    const notes = missingNote(r.out);
    assert.equal(notes.length, 1, `one note, not one per suite:\n${notes.join('\n')}`);
    assert.match(notes[0]!, new RegExp(`^NOTE: ${join(clone.root, 'shared')} is missing: .*fixtures/xplanung-real.*fixtures/xplanung-xplanbox.*SOURCES\\.md.*skipped \\(with CI=true they fail\\)\\.$`));
    assert.doesNotMatch(r.out, /ENOENT|\n\s+at /, 'no stack trace');
    const [, passed, failed, skipped] = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(r.out) ?? [];
    assert.equal(failed, '0', r.out.slice(-3000));
    assert.ok(Number(passed) >= 5, `the UTF-8 and SharedArrayBuffer suites of ${MIXED} ran: ${passed} passed`);
    // one placeholder per suite that needs ../shared: the plan-bodies suite and the geometry table
    assert.equal(skipped, '2');
  });

  it('CI=true: the same run fails, with the message and no stack trace, and still runs the rest', () => {
    const r = mocha(only(MIXED, ALL_SHARED), { CI: 'true' });
    assert.notEqual(r.status, 0);
    assert.equal(missingNote(r.out).filter((l) => l.startsWith('FAIL: ')).length, 1);
    const [, passed, failed] = /^(\d+) passed, (\d+) failed/m.exec(r.out) ?? [];
    assert.equal(failed, '2', r.out.slice(-3000));
    assert.ok(Number(passed) >= 5);
    assert.doesNotMatch(r.out, /ENOENT|\n\s+at /, 'no stack trace');
  });
});
