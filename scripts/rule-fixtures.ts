// Writes the fixtures of the Konformitätsregeln: for every case in fixtures/xplanung/rules/cases/<version>/*.json
// the file fixtures/xplanung/rules/<version>/<file>.gml, made from the case's base plan
// (fixtures/xplanung/rules/base/<version>/<base>.gml) with its edits (scripts/rule-fixtures-lib.ts); .gml
// files in those version folders that no case makes are removed. With --check it writes nothing and
// fails, listing them, when a file is missing, stale or differs.
//   node --import tsx scripts/rule-fixtures.ts [--check]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';
import { compareWithDisk, FixtureError, generateAll } from './rule-fixtures-lib.ts';

const check = process.argv.includes('--check');
let expected: Map<string, string>;
try {
  expected = generateAll(projectRoot);
} catch (err) {
  if (!(err instanceof FixtureError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const drift = compareWithDisk(projectRoot, expected);
const show = (path: string) => relative(projectRoot, path);

if (check) {
  const lines = [
    ...drift.missing.map((p) => `fehlt:      ${show(p)}`),
    ...drift.differs.map((p) => `weicht ab:  ${show(p)}`),
    ...drift.stale.map((p) => `überzählig: ${show(p)}`),
  ];
  if (lines.length > 0) {
    console.error(`${lines.join('\n')}\nDie Fixtures der Konformitätsregeln sind nicht aktuell: node --import tsx scripts/rule-fixtures.ts`);
    process.exit(1);
  }
  console.log(`${expected.size} Fixtures der Konformitätsregeln sind aktuell.`);
} else {
  for (const path of [...drift.missing, ...drift.differs]) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, expected.get(path)!);
  }
  for (const path of drift.stale) rmSync(path);
  console.log(`${expected.size} Fixtures: ${drift.missing.length} neu, ${drift.differs.length} geändert, ${drift.stale.length} entfernt.`);
}
