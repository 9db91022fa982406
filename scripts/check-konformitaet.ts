// Checks the Konformitätsregeln tables (src/xplanung/konformitaet/regeln/<version>/): every entry
// valid against schemas/xplanung-konformitaetsregel.schema.json after patterns and sameAs are
// expanded, ids unique, and every class and attribute name the conditions use declared in that
// version's XSD (a name the XSD lacks is listed: a typo, or a class the version no longer has).
// Usage: node --import tsx scripts/check-konformitaet.ts [version …]   (all versions without one)
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';
import { tableProblems } from '../src/xplanung/konformitaet/check.ts';
import { XPLAN_VERSIONS } from '../src/xplanung/versions.ts';

const versions = process.argv.slice(2).length ? process.argv.slice(2) : XPLAN_VERSIONS.map((v) => v.version);
let failed = false;
for (const version of versions) {
  const { summary, errors, unknownNames } = tableProblems(join(projectRoot, 'schemas', 'vendor'), version);
  console.log(`${version}: ${summary}`);
  for (const e of errors) { console.log(`  ERROR ${e}`); failed = true; }
  for (const u of unknownNames) console.log(`  not in the ${version} XSD: ${u}`);
}
process.exit(failed ? 1 : 0);
