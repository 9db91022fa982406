// Evaluates a version's Konformitätsregeln (tables.ts) over a parsed plan. One walk over the
// document indexes the instances of every class the rules name (features and the data types nested
// in them), so each rule only visits its own subjects; the conditions are the small language of
// schemas/xplanung-konformitaetsregel.schema.json.
import { attr, children, lineOf, textOf } from '../parse.ts';
import type { XPlanDocument, XPlanFeature, XmlNode, XmlValue } from '../parse.ts';
import type { Finding } from '../report.ts';
import type { DocumentStructure } from '../validate/structure.ts';
import type { ClassModel } from './klassen.ts';
import type { Condition, Konformitaetsregel, RuleTable } from './tables.ts';

export type RuleResult = 'passed' | 'failed' | 'not-applicable' | 'not-checked';

export interface RuleOutcome {
  rule: string;
  title: string;
  result: RuleResult;
  /** Why a rule was not checked or not applicable. */
  reason?: string;
  /** How many instances the rule checked (conditions) */
  checked?: number;
}

/** One instance a rule looks at: a feature, or a data type inside one (its owner). */
interface Subject {
  name: string;
  node: XmlNode;
  owner: XPlanFeature;
}

interface Context {
  doc: XPlanDocument;
  model: ClassModel;
  planOf: Map<XPlanFeature, XPlanFeature | undefined>;
  index: Map<string, Subject[]>;
  /** Targets that failed inside `targets`, for the message and the finding's gml:ids. */
  notes: string[];
  targetIds: string[];
}

/** At most this many findings per rule; the rest are counted in one more finding. */
export const MAX_FINDINGS_PER_RULE = 200;

const AREA = new Set(['Polygon', 'MultiSurface', 'Surface', 'CompositeSurface', 'OrientableSurface', 'PolygonPatch', 'LinearRing', 'Ring', 'MultiPolygon']);
const LINE = new Set(['LineString', 'Curve', 'MultiCurve', 'CompositeCurve', 'OrientableCurve', 'Arc', 'Circle', 'ArcString', 'LineStringSegment', 'MultiLineString']);
const POINT = new Set(['Point', 'MultiPoint']);

function valuesAt(node: XmlNode, path: string): XmlValue[] {
  let current: XmlValue[] = [node];
  for (const step of path.split('/')) {
    const next: XmlValue[] = [];
    for (const v of current) if (typeof v === 'object') next.push(...children(v, step));
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

const BOOLEAN: Record<string, string> = { '1': 'true', '0': 'false' };

/** Properties that hold a GML geometry: the engine's walk does not descend into them. */
const GEOMETRY_PROPERTIES = new Set(['position', 'raeumlicherGeltungsbereich', 'geltungsbereich', 'boundedBy', 'extent']);

function geometryKind(node: XmlNode): 'area' | 'line' | 'point' | undefined {
  const position = children(node, 'position')[0];
  if (!position || typeof position !== 'object') return undefined;
  for (const name in position) {
    if (name.startsWith('@') || name === '#text') continue;
    return AREA.has(name) ? 'area' : LINE.has(name) ? 'line' : POINT.has(name) ? 'point' : undefined;
  }
  return undefined;
}

function pointCount(line: XmlNode): number {
  const posList = textOf(children(line, 'posList')[0]);
  if (posList !== undefined) {
    const dim = Number(attr(children(line, 'posList')[0], 'srsDimension') ?? attr(line, 'srsDimension') ?? 2) || 2;
    return posList.split(/\s+/).filter(Boolean).length / dim;
  }
  return children(line, 'pos').length + children(line, 'pointProperty').length;
}

function shapeOf(node: XmlNode, shape: 'two-point-line' | 'single-arc'): boolean {
  const position = children(node, 'position')[0];
  if (!position || typeof position !== 'object') return false;
  const entries = Object.keys(position).filter((k) => !k.startsWith('@') && k !== '#text');
  if (entries.length !== 1) return false;
  const name = entries[0]!;
  const geom = children(position, name);
  if (geom.length !== 1 || typeof geom[0] !== 'object') return false;
  const g = geom[0];
  const segmentsOf = (curve: XmlNode) => {
    const segments = children(curve, 'segments')[0];
    if (!segments || typeof segments !== 'object') return [];
    return Object.keys(segments).filter((k) => !k.startsWith('@') && k !== '#text').flatMap((k) => children(segments, k).map((s) => ({ name: k, node: s })));
  };
  if (shape === 'two-point-line') {
    if (name === 'LineString') return pointCount(g) === 2;
    if (name === 'Curve') {
      const s = segmentsOf(g);
      return s.length === 1 && s[0]!.name === 'LineStringSegment' && typeof s[0]!.node === 'object' && pointCount(s[0]!.node) === 2;
    }
    return false;
  }
  if (name === 'Arc') return true;
  if (name === 'Curve') {
    const s = segmentsOf(g);
    return s.length === 1 && s[0]!.name === 'Arc';
  }
  return false;
}

function isA(ctx: Context, name: string, classes: string[]): boolean {
  return classes.some((c) => ctx.model.isA(name, c));
}

function holds(c: Condition, s: Subject, ctx: Context, outer?: Subject): boolean {
  if ('has' in c) return valuesAt(s.node, c.has).length > 0;
  if ('nonEmpty' in c) return valuesAt(s.node, c.nonEmpty).every((v) => typeof v === 'object' ? Object.keys(v).some((k) => !k.startsWith('@')) || (textOf(v) ?? '').trim() !== '' : v.trim() !== '');
  if ('value' in c) {
    const booleans = c.in.includes('true') || c.in.includes('false');
    return valuesAt(s.node, c.value).some((v) => {
      const t = textOf(v)?.trim();
      return t !== undefined && c.in.includes(booleans ? BOOLEAN[t] ?? t : t);
    });
  }
  if ('count' in c) {
    const n = valuesAt(s.node, c.count).length;
    const m = typeof c.than === 'number' ? c.than : valuesAt(s.node, c.than).length;
    switch (c.op) {
      case '<': return n < m;
      case '<=': return n <= m;
      case '==': return n === m;
      case '>=': return n >= m;
      case '>': return n > m;
      case '!=': return n !== m;
    }
  }
  if ('forms' in c) {
    const present = c.forms.among.filter((p) => valuesAt(s.node, p).length > 0);
    return c.forms.allowed.some((form) => form.length === present.length && form.every((p) => present.includes(p)));
  }
  if ('exactlyOne' in c) return c.exactlyOne.filter((p) => valuesAt(s.node, p).length > 0).length === 1;
  if ('atMostOne' in c) return c.atMostOne.filter((p) => valuesAt(s.node, p).length > 0).length <= 1;
  if ('geometry' in c) {
    const kind = geometryKind(s.node);
    return kind !== undefined && c.geometry.includes(kind);
  }
  if ('geometryShape' in c) return shapeOf(s.node, c.geometryShape);
  if ('is' in c) return isA(ctx, s.name, c.is);
  if ('ownerIs' in c) return isA(ctx, s.owner.type, c.ownerIs);
  if ('inPlan' in c) {
    const plan = ctx.planOf.get(s.owner);
    return !plan || c.inPlan.includes(plan.type.slice(0, 2));
  }
  if ('targets' in c) {
    let ok = true;
    for (const v of valuesAt(s.node, c.targets.relation)) {
      const href = attr(v, 'href');
      if (!href?.startsWith('#')) continue;
      const target = ctx.doc.byId.get(href.slice(1));
      if (!target) continue; // the xlink rule's finding
      if (!holds(c.targets.all, { name: target.type, node: target.node, owner: target }, ctx, s)) {
        ok = false;
        ctx.notes.push(`„${c.targets.relation}“ verweist auf ${target.type} „${target.gmlId}“`);
        ctx.targetIds.push(target.gmlId);
      }
    }
    return ok;
  }
  if ('refersBack' in c) {
    const id = outer ? attr(outer.node, 'id') : undefined;
    return !!id && valuesAt(s.node, c.refersBack).some((v) => attr(v, 'href') === `#${id}`);
  }
  if ('exists' in c) {
    for (const name of concreteOf(ctx, c.exists.for)) {
      for (const x of ctx.index.get(name) ?? []) if (!c.exists.where || holds(c.exists.where, x, ctx)) return true;
    }
    return false;
  }
  if ('all' in c) return c.all.every((x) => holds(x, s, ctx, outer));
  if ('any' in c) {
    // notes of branches that failed are not the reason when another branch holds
    const before = ctx.notes.length, ids = ctx.targetIds.length;
    const ok = c.any.some((x) => holds(x, s, ctx, outer));
    if (ok) { ctx.notes.length = before; ctx.targetIds.length = ids; }
    return ok;
  }
  if ('not' in c) {
    const before = ctx.notes.length, ids = ctx.targetIds.length;
    const ok = !holds(c.not, s, ctx, outer);
    ctx.notes.length = before; ctx.targetIds.length = ids;
    return ok;
  }
  if ('if' in c) {
    const before = ctx.notes.length, ids = ctx.targetIds.length;
    const premise = holds(c.if, s, ctx, outer);
    ctx.notes.length = before; ctx.targetIds.length = ids;
    return !premise || holds(c.then, s, ctx, outer);
  }
  throw new Error(`unknown condition ${JSON.stringify(c)}`);
}

function concreteOf(ctx: Pick<Context, 'model'>, classes: string[]): Set<string> {
  const out = new Set<string>();
  for (const c of classes) for (const n of ctx.model.concrete(c)) out.add(n);
  return out;
}

/** Class names a condition looks for with `exists`. */
function existsClasses(c: Condition | undefined, out: string[]): void {
  if (!c) return;
  if ('exists' in c) { out.push(...c.exists.for); existsClasses(c.exists.where, out); }
  else if ('all' in c) c.all.forEach((x) => existsClasses(x, out));
  else if ('any' in c) c.any.forEach((x) => existsClasses(x, out));
  else if ('not' in c) existsClasses(c.not, out);
  else if ('if' in c) { existsClasses(c.if, out); existsClasses(c.then, out); }
  else if ('targets' in c) existsClasses(c.targets.all, out);
}

export interface KonformitaetInput {
  doc: XPlanDocument;
  structure: DocumentStructure;
  table: RuleTable;
  model: ClassModel;
  /** The document's text, for the rules the parsed tree cannot answer (xsi:type). */
  xml?: Buffer;
}

export interface KonformitaetResult {
  findings: Finding[];
  outcomes: RuleOutcome[];
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** Runs every rule of the table over the document. Rules checked by the geometry stage come back 'not-checked' with reason 'geometry-stage'; the pipeline settles them. */
/** Per table and class model: each condition rule's concrete classes, and every class some rule looks for. */
interface Plan { forRule: Map<Konformitaetsregel, Set<string>>; needed: Set<string> }
const plans = new WeakMap<RuleTable, WeakMap<ClassModel, Plan>>();

function rulePlan(table: RuleTable, model: ClassModel): Plan {
  let byModel = plans.get(table);
  if (!byModel) plans.set(table, (byModel = new WeakMap()));
  let plan = byModel.get(model);
  if (plan) return plan;
  const needed = new Set<string>();
  const forRule = new Map<Konformitaetsregel, Set<string>>();
  for (const rule of table.rules) {
    if (rule.kind !== 'condition') continue;
    const names = concreteOf({ model }, rule.for);
    forRule.set(rule, names);
    for (const n of names) needed.add(n);
    const extra: string[] = [];
    existsClasses(rule.where, extra);
    existsClasses(rule.assert, extra);
    for (const n of concreteOf({ model }, extra)) needed.add(n);
  }
  byModel.set(model, (plan = { forRule, needed }));
  return plan;
}

export function checkKonformitaet({ doc, structure, table, model, xml }: KonformitaetInput): KonformitaetResult {
  const { forRule, needed } = rulePlan(table, model);
  const wantsUom = table.rules.some((r) => r.kind === 'builtin' && r.builtin === 'uom');
  // one walk: every instance of a class some rule names, and every uom attribute
  const index = new Map<string, Subject[]>();
  const uoms: Array<{ value: string; node: XmlNode; owner: XPlanFeature }> = [];
  const add = (name: string, node: XmlNode, owner: XPlanFeature) => {
    let list = index.get(name);
    if (!list) index.set(name, (list = []));
    list.push({ name, node, owner });
  };
  const visit = (node: XmlNode, f: XPlanFeature): void => {
    for (const name in node) {
      // attributes, text, and the geometries (no rule's class and no measure sits inside one; a large plan's bulk)
      if (name.charCodeAt(0) === 64 || name === '#text' || GEOMETRY_PROPERTIES.has(name)) continue;
      const v = node[name];
      for (const child of Array.isArray(v) ? v : [v]) {
        if (typeof child !== 'object' || child === null) continue;
        if (needed.has(name)) add(name, child, f);
        if (wantsUom) {
          const uom = attr(child, 'uom');
          if (uom !== undefined) uoms.push({ value: uom, node: child, owner: f });
        }
        visit(child, f);
      }
    }
  };
  for (const f of doc.features) {
    if (needed.has(f.type)) add(f.type, f.node, f);
    visit(f.node, f);
  }
  const planOf = new Map<XPlanFeature, XPlanFeature | undefined>();
  for (const o of structure.objects) planOf.set(o.feature, o.plan);
  const ctx: Context = { doc, model, planOf, index, notes: [], targetIds: [] };

  const findings: Finding[] = [];
  const outcomes: RuleOutcome[] = [];
  for (const rule of table.rules) {
    if (rule.kind === 'not-checked') {
      outcomes.push({ rule: rule.id, title: rule.title, result: 'not-checked', reason: rule.reason });
      continue;
    }
    if (rule.kind === 'builtin') {
      if (rule.builtin === 'geometry-stage') {
        outcomes.push({ rule: rule.id, title: rule.title, result: 'not-checked', reason: 'geometry-stage' });
      } else if (rule.builtin === 'uom') {
        const allowed = new Set(rule.values ?? []);
        const bad = uoms.filter((u) => !allowed.has(u.value));
        const found = bad.map((u): Finding => ({
          rule: rule.id, severity: 'error', stage: 'semantic',
          message: `${u.owner.type} „${u.owner.gmlId}“: die Maßeinheit uom="${u.value}" ist keine der vorgegebenen (${[...allowed].join(', ')}).`,
          gmlIds: [u.owner.gmlId], line: lineOf(u.node) ?? u.owner.line ?? null,
        }));
        findings.push(...capped(rule, found));
        outcomes.push({ rule: rule.id, title: rule.title, result: uoms.length === 0 ? 'not-applicable' : bad.length ? 'failed' : 'passed', checked: uoms.length });
      } else {
        const found = xsiTypes(xml).map((line): Finding => ({
          rule: rule.id, severity: 'error', stage: 'semantic',
          message: 'Das Dokument verwendet xsi:type; XPlanGML-Instanzdokumente dürfen es nicht verwenden.',
          gmlIds: [], line,
        }));
        findings.push(...capped(rule, found));
        outcomes.push(xml ? { rule: rule.id, title: rule.title, result: found.length ? 'failed' : 'passed' } : { rule: rule.id, title: rule.title, result: 'not-checked', reason: 'Der Dokumenttext lag nicht vor.' });
      }
      continue;
    }
    const names = forRule.get(rule)!;
    if (names.size === 0) {
      outcomes.push({ rule: rule.id, title: rule.title, result: 'not-applicable', reason: `Keine der Klassen ${rule.for.join(', ')} gibt es in XPlanGML ${table.version}.` });
      continue;
    }
    let checked = 0;
    const found: Finding[] = [];
    for (const name of names) {
      for (const s of index.get(name) ?? []) {
        ctx.notes = []; ctx.targetIds = [];
        if (rule.where && !holds(rule.where, s, ctx)) continue;
        checked++;
        ctx.notes = []; ctx.targetIds = [];
        if (holds(rule.assert, s, ctx)) continue;
        const nested = s.node !== s.owner.node;
        const notes = ctx.notes.length ? ` (${[...new Set(ctx.notes)].join('; ')})` : '';
        found.push({
          rule: rule.id, severity: 'error', stage: 'semantic',
          message: `${s.owner.type} „${s.owner.gmlId}“${nested ? `, ${s.name}` : ''}: ${rule.message}${notes}`,
          gmlIds: [...new Set([s.owner.gmlId, ...ctx.targetIds])].filter(Boolean),
          line: lineOf(s.node) ?? s.owner.line ?? null,
        });
      }
    }
    findings.push(...capped(rule, found));
    outcomes.push({ rule: rule.id, title: rule.title, result: checked === 0 ? 'not-applicable' : found.length ? 'failed' : 'passed', checked });
  }
  return { findings, outcomes };
}

function capped(rule: Konformitaetsregel, found: Finding[]): Finding[] {
  if (found.length <= MAX_FINDINGS_PER_RULE) return found;
  return [
    ...found.slice(0, MAX_FINDINGS_PER_RULE),
    { rule: rule.id, severity: 'error', stage: 'semantic', message: `Regel ${rule.id}: ${found.length - MAX_FINDINGS_PER_RULE} weitere Verstöße, hier nicht einzeln aufgeführt (insgesamt ${found.length}).`, gmlIds: [], line: null },
  ];
}

/** Lines of the document where an attribute of the XML Schema instance namespace named type stands. */
function xsiTypes(xml: Buffer | undefined): number[] {
  // most documents have no prefixed type attribute at all: a native search of the bytes says so
  if (!xml || !xml.includes(':type')) return [];
  const text = xml.toString('utf8');
  const prefixes = [...text.matchAll(/xmlns:([\w.-]+)\s*=\s*["']([^"']*)["']/g)].filter((m) => m[2] === XSI).map((m) => m[1]!);
  const lines: number[] = [];
  for (const p of new Set(prefixes)) {
    for (const m of text.matchAll(new RegExp(`\\s${p.replace(/\./g, '\\.')}:type\\s*=`, 'g'))) {
      lines.push(text.slice(0, m.index).split('\n').length);
    }
  }
  return lines.sort((a, b) => a - b);
}
