// The third-party fixtures in ../shared beside the checkout (real XPlanGML plans, xPlanBox's test plans,
// reference tables): not in this repository. A clone alone has no ../shared; its `npm test` then skips
// the suites that need it, says once what is missing and where it comes from, and runs every other test.
// In CI (CI=true) a missing ../shared stays a failure. Test files read ../shared only through this module:
// reads made while mocha loads the files return an empty placeholder when it is missing, and the suites
// that use them are declared with describeShared, whose body then never runs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';

export const SHARED_DIR = resolve(projectRoot, '..', 'shared');
/** The folder the fixtures live in; present when ../shared is laid beside the checkout. */
export const sharedPresent = existsSync(join(SHARED_DIR, 'fixtures'));
const inCi = process.env.CI === 'true';

export const SHARED_MISSING_MESSAGE = `${SHARED_DIR} is missing: the third-party test fixtures (real XPlanGML plans from the ` +
  'XLeitstelle and municipalities, fixtures/xplanung-real; xPlanBox\'s test plans, fixtures/xplanung-xplanbox; reference/) ' +
  'are not part of this repository. They come with the project\'s shared folder, laid beside the checkout as ../shared ' +
  '(each fixtures/*/SOURCES.md there names every file\'s origin and licence).';

/**
 * The test or hook mocha runs now (only tracked while ../shared is missing). A read of ../shared from it
 * marks it pending before failing, and mocha then reports the test, or a hook's suite, as skipped: tests
 * that read plans through real()/readShared need no declaration of their own.
 */
let current: { pending: boolean } | undefined;
if (!sharedPresent) {
  const { prototype } = createRequire(import.meta.url)('mocha/lib/runnable.js') as { prototype: { run(this: { pending: boolean }, fn: unknown): void } };
  const run = prototype.run;
  // eslint-disable-next-line @typescript-eslint/no-this-alias -- the runnable is what is tracked
  prototype.run = function (fn) { current = this; return run.call(this, fn); };
}

let announced = false;
function announce(): void {
  if (announced) return;
  announced = true;
  process.stderr.write(inCi
    ? `\nFAIL: ${SHARED_MISSING_MESSAGE} CI=true: the suites that need it fail.\n\n`
    : `\nNOTE: ${SHARED_MISSING_MESSAGE} The suites that need it are skipped (with CI=true they fail).\n\n`);
}

/** The message says it all: no stack trace. */
function withoutStack(e: Error): Error { e.stack = e.message; return e; }

/** A path inside ../shared. */
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);

/**
 * The bytes of a file in ../shared. With ../shared missing: an empty buffer, so that a read at import
 * time does not stop the whole run; the suites that use it are describeShared and never see it.
 */
export function readShared(...parts: string[]): Buffer {
  if (!sharedPresent) {
    if (!current) return Buffer.alloc(0); // mocha is loading the files
    // in a running test or hook: skipped (CI unset) or failed (CI=true) with the message, no ENOENT
    announce();
    if (!inCi) current.pending = true;
    throw withoutStack(new Error(`needs ${sharedPath(...parts)}: ${SHARED_MISSING_MESSAGE}`));
  }
  return readFileSync(sharedPath(...parts));
}

/** The names in a folder of ../shared; with it missing, as readShared: [] at load time, else a skip. */
export function listShared(...parts: string[]): string[] {
  if (!sharedPresent) { readShared(...parts); return []; }
  return readdirSync(sharedPath(...parts));
}

/** A JSON file in ../shared, or `missing` when ../shared is not there (see readShared). */
export function readSharedJson<T>(missing: T, ...parts: string[]): T {
  return sharedPresent ? JSON.parse(readFileSync(sharedPath(...parts), 'utf8')) as T : missing;
}

/**
 * describe() for a suite that needs ../shared. Without it the body is not run (its reads would fail at
 * load time): the suite holds one test that is skipped (CI unset) or fails with the message (CI=true).
 */
export function describeShared(title: string, fn: (this: Mocha.Suite) => void): void {
  if (sharedPresent) { describe(title, fn); return; }
  describe(title, () => { missingTest(`needs ${SHARED_DIR} (third-party fixtures)`); });
}

/** it() for one test that needs ../shared in a suite that otherwise does not (see describeShared). */
export function itShared(title: string, fn: Mocha.Func | Mocha.AsyncFunc): void {
  if (sharedPresent) { it(title, fn); return; }
  missingTest(`${title} (needs ${SHARED_DIR})`);
}

function missingTest(title: string): void {
  announce();
  it(title, function () {
    if (!inCi) this.skip();
    throw withoutStack(new Error(SHARED_MISSING_MESSAGE));
  });
}
