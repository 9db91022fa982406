// The rule tables: one folder of JSON files per XPlanGML version (regeln/<version>/*.json), each
// entry a Konformitätsregel as schemas/xplanung-konformitaetsregel.schema.json describes it.
// Loading expands the patterns of muster.json and the `sameAs` references, and checks every entry
// against the schema, so that a table the engine runs is always a valid one.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validatorFor } from '../../core/json-schema.ts';

/** A condition of the rule language (schemas/xplanung-konformitaetsregel.schema.json#/$defs/condition). */
export type Condition =
  | { has: string }
  | { nonEmpty: string }
  | { value: string; in: string[] }
  | { count: string; op: '<' | '<=' | '==' | '>=' | '>' | '!='; than: string | number }
  | { forms: { among: string[]; allowed: string[][] } }
  | { exactlyOne: string[] }
  | { atMostOne: string[] }
  | { geometry: Array<'area' | 'line' | 'point'> }
  | { geometryShape: 'two-point-line' | 'single-arc' }
  | { is: string[] }
  | { ownerIs: string[] }
  | { inPlan: string[] }
  | { targets: { relation: string; all: Condition } }
  | { refersBack: string }
  | { exists: { for: string[]; where?: Condition } }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { if: Condition; then: Condition };

/** An entry as written in a table. */
export interface RuleEntry {
  id: string;
  title: string;
  for?: string[];
  where?: Condition;
  assert?: Condition;
  use?: string;
  with?: Record<string, string | string[]>;
  message?: string;
  builtin?: 'geometry-stage' | 'uom' | 'no-xsi-type';
  values?: string[];
  sameAs?: string;
  notChecked?: string;
  confidence?: 'high' | 'medium' | 'low';
  source?: string;
}

/** A rule ready for the engine: patterns and sameAs resolved. */
export type Konformitaetsregel =
  | { kind: 'condition'; id: string; title: string; for: string[]; where?: Condition; assert: Condition; message: string; confidence?: string; source?: string }
  | { kind: 'builtin'; id: string; title: string; builtin: NonNullable<RuleEntry['builtin']>; values?: string[] }
  | { kind: 'not-checked'; id: string; title: string; reason: string };

export interface RuleTable {
  version: string;
  rules: Konformitaetsregel[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
const TABLES = join(HERE, 'regeln');

type Pattern = { where?: Condition; assert: Condition; message: string };
let patterns: Record<string, Pattern> | undefined;
function patternsOf(): Record<string, Pattern> {
  if (!patterns) {
    const raw = JSON.parse(readFileSync(join(HERE, 'muster.json'), 'utf8')) as Record<string, unknown>;
    delete raw.$comment;
    patterns = raw as Record<string, Pattern>;
  }
  return patterns;
}

/** Replaces `$name` by the parameter: a whole string `$name` by its value (also a list), inside strings by its text. */
function substitute(value: unknown, params: Record<string, string | string[]>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$([A-Za-z]+)$/.exec(value);
    if (whole && Object.hasOwn(params, whole[1]!)) return params[whole[1]!];
    return value.replace(/\$([A-Za-z]+)/g, (m, name: string) => {
      const p = params[name];
      return p === undefined ? m : Array.isArray(p) ? p.join(', ') : p;
    });
  }
  if (Array.isArray(value)) return value.flatMap((v) => {
    const s = substitute(v, params);
    // a list parameter inside a list ("in": ["$values"]) is spliced in
    return typeof v === 'string' && /^\$[A-Za-z]+$/.test(v) && Array.isArray(s) ? s : [s];
  });
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params)]));
  return value;
}

/** The entries of a version's folder, in id order (as written; not expanded). */
export function readEntries(version: string, dir = TABLES): RuleEntry[] {
  let files: string[];
  try {
    files = readdirSync(join(dir, version)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: RuleEntry[] = [];
  for (const file of files) {
    const table = JSON.parse(readFileSync(join(dir, version, file), 'utf8')) as { version: string; rules: RuleEntry[] };
    if (table.version !== version) throw new Error(`${version}/${file}: "version" is ${table.version}`);
    out.push(...table.rules);
  }
  return out.sort((a, b) => compareIds(a.id, b.id));
}

/** Official rule numbers in numeric order (4.2.10 after 4.2.9). */
export function compareIds(a: string, b: string): number {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** Resolves one entry: the pattern it uses, or the entry of another version it is the same as. */
export function expandEntry(entry: RuleEntry, version: string, lookup: (version: string, id: string) => RuleEntry | undefined): RuleEntry {
  let e = entry;
  if (e.sameAs) {
    const other = lookup(e.sameAs, e.id);
    if (!other) throw new Error(`${version} ${e.id}: sameAs ${e.sameAs}, but ${e.sameAs} has no rule ${e.id}`);
    if (other.sameAs) throw new Error(`${version} ${e.id}: sameAs ${e.sameAs} ${e.id}, which is itself a sameAs`);
    const { id: _id, title: _title, ...condition } = other;
    e = { id: e.id, title: e.title, ...condition };
  }
  if (e.use) {
    const pattern = patternsOf()[e.use];
    if (!pattern) throw new Error(`${version} ${e.id}: unknown pattern ${e.use}`);
    const filled = substitute(pattern, e.with ?? {}) as Pattern;
    const { use: _use, with: _with, ...rest } = e;
    e = { ...filled, ...rest, message: e.message ?? filled.message };
    const left = JSON.stringify(e).match(/\$[A-Za-z]+/);
    if (left) throw new Error(`${version} ${entry.id}: pattern ${entry.use} needs the parameter ${left[0]}`);
  }
  return e;
}

let validate: ReturnType<typeof validatorFor<RuleEntry>> | undefined;

/** Checks one (expanded) entry against the schema; the error text names the rule. */
export function checkEntry(entry: RuleEntry, version: string): void {
  validate ??= validatorFor<RuleEntry>('xplanung-konformitaetsregel.schema.json');
  const id = entry.id;
  if (!validate(entry)) throw new Error(`${version} ${id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  const kinds = ['assert', 'builtin', 'notChecked'].filter((k) => k in entry);
  if (kinds.length !== 1) throw new Error(`${version} ${id}: exactly one of assert, builtin, notChecked (after expansion), found ${kinds.join(', ') || 'none'}`);
  if (entry.assert && !entry.for) throw new Error(`${version} ${entry.id}: a condition needs "for"`);
}

const tables = new Map<string, RuleTable>();

/** The rule table of a version (empty where the version has none), expanded and checked; read once. */
export function ruleTable(version: string, dir = TABLES): RuleTable {
  const key = `${dir}\u0000${version}`;
  const cached = tables.get(key);
  if (cached) return cached;
  const raw = new Map<string, RuleEntry[]>();
  const entriesOf = (v: string) => {
    let e = raw.get(v);
    if (!e) raw.set(v, (e = readEntries(v, dir)));
    return e;
  };
  const rules: Konformitaetsregel[] = [];
  const seen = new Set<string>();
  for (const entry of entriesOf(version)) {
    if (seen.has(entry.id)) throw new Error(`${version}: rule ${entry.id} twice`);
    seen.add(entry.id);
    const e = expandEntry(entry, version, (v, id) => entriesOf(v).find((x) => x.id === id));
    checkEntry(e, version);
    if (e.notChecked) rules.push({ kind: 'not-checked', id: e.id, title: e.title, reason: e.notChecked });
    else if (e.builtin) rules.push({ kind: 'builtin', id: e.id, title: e.title, builtin: e.builtin, values: e.values });
    else rules.push({ kind: 'condition', id: e.id, title: e.title, for: e.for!, where: e.where, assert: e.assert!, message: e.message ?? e.title, confidence: e.confidence, source: e.source });
  }
  const table = { version, rules };
  tables.set(key, table);
  return table;
}
