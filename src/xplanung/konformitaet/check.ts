// What is wrong with a version's rule table, for scripts/check-konformitaet.ts and the tests: schema
// errors (thrown by the loader) and names the version's XSD does not declare.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classModel } from './klassen.ts';
import { ruleTable, type Condition } from './tables.ts';

export interface TableProblems {
  summary: string;
  errors: string[];
  /** `rule: name` for every class or attribute name of a condition that the version's XSD does not declare. */
  unknownNames: string[];
}

const declaredNames = new Map<string, Set<string>>();
function namesOf(schemaDir: string, version: string): Set<string> {
  let names = declaredNames.get(version);
  if (!names) {
    names = new Set();
    const dir = join(schemaDir, 'xplanung', version);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.xsd'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/<(?:xs:)?element\b[^>]*\sname="([^"]+)"/g)) names.add(m[1]!);
    }
    // GML geometry and the GML properties a condition may name
    for (const n of ['position', 'name', 'description', 'identifier']) names.add(n);
    declaredNames.set(version, names);
  }
  return names;
}

function namesIn(c: Condition | undefined, classes: string[], paths: string[]): void {
  if (!c) return;
  const steps = (p: string) => paths.push(...p.split('/'));
  if ('has' in c) steps(c.has);
  else if ('nonEmpty' in c) steps(c.nonEmpty);
  else if ('value' in c) steps(c.value);
  else if ('count' in c) { steps(c.count); if (typeof c.than === 'string') steps(c.than); }
  else if ('forms' in c) c.forms.among.forEach(steps);
  else if ('exactlyOne' in c) c.exactlyOne.forEach(steps);
  else if ('atMostOne' in c) c.atMostOne.forEach(steps);
  else if ('is' in c) classes.push(...c.is);
  else if ('ownerIs' in c) classes.push(...c.ownerIs);
  else if ('targets' in c) { steps(c.targets.relation); namesIn(c.targets.all, classes, paths); }
  else if ('refersBack' in c) steps(c.refersBack);
  else if ('exists' in c) { classes.push(...c.exists.for); namesIn(c.exists.where, classes, paths); }
  else if ('all' in c) c.all.forEach((x) => namesIn(x, classes, paths));
  else if ('any' in c) c.any.forEach((x) => namesIn(x, classes, paths));
  else if ('not' in c) namesIn(c.not, classes, paths);
  else if ('if' in c) { namesIn(c.if, classes, paths); namesIn(c.then, classes, paths); }
}

export function tableProblems(schemaDir: string, version: string): TableProblems {
  const errors: string[] = [];
  const unknownNames: string[] = [];
  let table;
  try {
    table = ruleTable(version);
  } catch (err) {
    return { summary: 'not loadable', errors: [(err as Error).message], unknownNames };
  }
  const model = classModel(schemaDir, version);
  const names = namesOf(schemaDir, version);
  const counts = { condition: 0, builtin: 0, 'not-checked': 0 };
  for (const rule of table.rules) {
    counts[rule.kind]++;
    if (rule.kind !== 'condition') continue;
    const classes = [...rule.for], paths: string[] = [];
    namesIn(rule.where, classes, paths);
    namesIn(rule.assert, classes, paths);
    for (const c of new Set(classes)) if (!model.names.has(c)) unknownNames.push(`${rule.id}: class ${c}`);
    for (const p of new Set(paths)) if (!names.has(p) && !model.names.has(p)) unknownNames.push(`${rule.id}: attribute ${p}`);
  }
  return { summary: `${table.rules.length} rules (${counts.condition} conditions, ${counts.builtin} builtin, ${counts['not-checked']} not checked)`, errors, unknownNames };
}
