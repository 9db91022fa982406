// The fixtures of the Konformitätsregeln (fixtures/xplanung/rules/<version>/): each file is a base plan
// (fixtures/xplanung/rules/base/<version>/<bp|fp|so|lp|rp>.gml) with the few edits of one case
// (fixtures/xplanung/rules/cases/<version>/*.json) applied. The edits work on the text, with a small tag
// scanner that knows nesting, self-closing tags, comments, CDATA and processing instructions, so that
// everything an edit does not touch stays byte for byte as in the base. scripts/rule-fixtures.ts writes
// or checks the files; test/xplanung/konformitaet/fixtures.test.ts holds them to their names.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The plan types a base exists for. */
export const BASE_NAMES = ['bp', 'fp', 'so', 'lp', 'rp'] as const;
export type BaseName = (typeof BASE_NAMES)[number];

/** The outcomes a case may name: the rule finds an error, or the rule passes and nothing is found. */
export const OUTCOMES = ['fehler', 'ohne-befund'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Insert `insert` after / before the first direct child element of the feature with this local name. */
export interface InsertAfterEdit { in: string; after: string; insert: string }
export interface InsertBeforeEdit { in: string; before: string; insert: string }
/** Insert at the end of the feature's content, before its closing tag. */
export interface AppendEdit { in: string; append: string }
/** Replace the first occurrence of a literal inside the feature's element text (its tags included). */
export interface ReplaceEdit { in: string; replace: string; by: string }
/** Remove the first direct child element of the feature with this local name. */
export interface RemoveEdit { in: string; remove: string }
/** Add one feature in a new gml:featureMember at the end of the document. */
export interface AddEdit { add: string }
export type Edit = InsertAfterEdit | InsertBeforeEdit | AppendEdit | ReplaceEdit | RemoveEdit | AddEdit;

export interface Case {
  /** `<rule>--<fehler|ohne-befund>--<change in German kebab case>`, without .gml. */
  file: string;
  base: BaseName;
  edits: Edit[];
}

export interface CasesFile { cases: Case[] }

/** A case as read, with where it came from. */
export interface LoadedCase extends Case {
  version: string;
  /** The cases file, relative to the rules folder (cases/6.0/x.json). */
  source: string;
}

/** The parts of a fixture's name. */
export interface FixtureName { rule: string; outcome: Outcome; change: string }

const VERSION_DIR = /^\d+\.\d+$/;
const CHANGE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const RULE = /^[A-Za-z0-9._]+(?:-[A-Za-z0-9._]+)*$/;

/** Splits `<rule>--<outcome>--<change>`; undefined when the name does not have that form. */
export function parseFixtureName(name: string): FixtureName | undefined {
  const parts = name.replace(/\.gml$/, '').split('--');
  if (parts.length !== 3) return undefined;
  const [rule, outcome, change] = parts as [string, string, string];
  if (!RULE.test(rule) || !(OUTCOMES as readonly string[]).includes(outcome) || !CHANGE.test(change)) return undefined;
  return { rule, outcome: outcome as Outcome, change };
}

// ---------------------------------------------------------------------------------------------------
// The tag scanner

/** One element of the scanned text, with the offsets of its tags. */
export interface XmlElement {
  /** The qualified name as written (xplan:BP_Plan). */
  name: string;
  localName: string;
  /** Offset of the `<` of the start tag. */
  start: number;
  /** Offset just after the `>` of the start tag. */
  startTagEnd: number;
  /** Offset of the `<` of the end tag; equal to startTagEnd for a self-closing element. */
  endTagStart: number;
  /** Offset just after the element (after its end tag, or after `/>`). */
  end: number;
  selfClosing: boolean;
  /** The start tag's attributes, by qualified name. */
  attributes: Map<string, string>;
  children: XmlElement[];
  parent?: XmlElement;
}

export class FixtureError extends Error {}

const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;

/** 1-based line of an offset, for messages. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Scans XML text into its elements (a forest: a whole document has one root, a fragment may have several).
 * Throws a FixtureError, prefixed with `what`, on text it cannot read: an unclosed comment, tag or
 * quote, a mismatched or missing end tag, a DOCTYPE. It checks the nesting, not every rule of XML.
 */
export function scanXml(text: string, what: string): XmlElement[] {
  const roots: XmlElement[] = [];
  const open: XmlElement[] = [];
  const fail = (message: string, at: number): never => {
    throw new FixtureError(`${what}: ${message} (Zeile ${lineAt(text, at)})`);
  };
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close < 0) fail('Kommentar ohne „-->“', lt);
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const close = text.indexOf(']]>', lt + 9);
      if (close < 0) fail('CDATA-Abschnitt ohne „]]>“', lt);
      i = close + 3;
    } else if (text.startsWith('<?', lt)) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0) fail('Verarbeitungsanweisung ohne „?>“', lt);
      i = close + 2;
    } else if (text.startsWith('<!', lt)) {
      fail('DOCTYPE oder andere Deklaration wird nicht unterstützt', lt);
    } else if (text.startsWith('</', lt)) {
      NAME.lastIndex = lt + 2;
      const m = NAME.exec(text);
      if (!m) fail('Endtag ohne Namen', lt);
      const close = text.indexOf('>', NAME.lastIndex);
      if (close < 0 || text.slice(NAME.lastIndex, close).trim() !== '') fail(`Endtag </${m![0]}> nicht abgeschlossen`, lt);
      const current = open.pop();
      if (!current) fail(`Endtag </${m![0]}> ohne Starttag`, lt);
      if (current!.name !== m![0]) fail(`Endtag </${m![0]}> schließt <${current!.name}> (Zeile ${lineAt(text, current!.start)})`, lt);
      current!.endTagStart = lt;
      current!.end = close + 1;
      i = close + 1;
    } else {
      NAME.lastIndex = lt + 1;
      const m = NAME.exec(text);
      if (!m) fail('„<“ ohne Elementnamen (im Text als &lt; schreiben)', lt);
      const name = m![0];
      const attributes = new Map<string, string>();
      let j = NAME.lastIndex;
      let selfClosing = false;
      for (;;) {
        while (j < text.length && /\s/.test(text[j]!)) j++;
        if (j >= text.length) fail(`Starttag <${name}> nicht abgeschlossen`, lt);
        if (text[j] === '>') { j++; break; }
        if (text.startsWith('/>', j)) { selfClosing = true; j += 2; break; }
        NAME.lastIndex = j;
        const a = NAME.exec(text);
        if (!a) fail(`unlesbares Attribut in <${name}>`, lt);
        j = NAME.lastIndex;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] !== '=') fail(`Attribut ${a![0]} in <${name}> ohne Wert`, lt);
        j++;
        while (/\s/.test(text[j] ?? '')) j++;
        const quote = text[j];
        if (quote !== '"' && quote !== "'") fail(`Wert des Attributs ${a![0]} in <${name}> ohne Anführungszeichen`, lt);
        const closeQuote = text.indexOf(quote!, j + 1);
        if (closeQuote < 0) fail(`Wert des Attributs ${a![0]} in <${name}> nicht abgeschlossen`, lt);
        attributes.set(a![0], text.slice(j + 1, closeQuote));
        j = closeQuote + 1;
      }
      const element: XmlElement = {
        name,
        localName: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name,
        start: lt,
        startTagEnd: j,
        endTagStart: j,
        end: j,
        selfClosing,
        attributes,
        children: [],
        parent: open[open.length - 1],
      };
      (element.parent ? element.parent.children : roots).push(element);
      if (!selfClosing) open.push(element);
      i = j;
    }
  }
  if (open.length > 0) fail(`<${open[open.length - 1]!.name}> wird nicht geschlossen`, open[open.length - 1]!.start);
  return roots;
}

// ---------------------------------------------------------------------------------------------------
// Edits

const GML_NS = 'http://www.opengis.net/gml/3.2';

/** The features of a document: the elements directly inside a gml:featureMember, by gml:id. */
function featuresById(text: string, what: string): { root: XmlElement; byId: Map<string, XmlElement[]>; members: XmlElement[] } {
  const roots = scanXml(text, what);
  if (roots.length !== 1) throw new FixtureError(`${what}: das Dokument hat ${roots.length} Wurzelelemente statt einem`);
  const root = roots[0]!;
  // the prefix the root binds to GML 3.2 (gml by convention)
  let gml = 'gml';
  for (const [attr, value] of root.attributes) if (attr.startsWith('xmlns:') && value === GML_NS) gml = attr.slice(6);
  const byId = new Map<string, XmlElement[]>();
  const members = root.children.filter((c) => c.name === `${gml}:featureMember`);
  for (const member of members) {
    for (const feature of member.children) {
      const id = feature.attributes.get(`${gml}:id`);
      if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), feature]);
    }
  }
  return { root, byId, members };
}

/** Whitespace from the start of the line up to `offset`, when only whitespace precedes it on its line. */
function indentOf(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** A fragment's second and later lines, indented by `indent` (a fragment written on several lines keeps its shape). */
function indentFragment(fragment: string, indent: string): string {
  return fragment.replace(/\n(?=[^\n])/g, `\n${indent}`);
}

function describeEdit(edit: Edit): string {
  return JSON.stringify(edit).slice(0, 160);
}

const EDIT_SHAPES: Array<{ keys: string[]; kind: string }> = [
  { keys: ['in', 'after', 'insert'], kind: 'after' },
  { keys: ['in', 'before', 'insert'], kind: 'before' },
  { keys: ['in', 'append'], kind: 'append' },
  { keys: ['in', 'replace', 'by'], kind: 'replace' },
  { keys: ['in', 'remove'], kind: 'remove' },
  { keys: ['add'], kind: 'add' },
];

/** Which kind of edit this is, checking that it has exactly the keys of one kind, each a string. */
function kindOf(edit: unknown, where: string): string {
  if (!edit || typeof edit !== 'object' || Array.isArray(edit)) throw new FixtureError(`${where}: eine Änderung muss ein Objekt sein`);
  const keys = Object.keys(edit).sort();
  const shape = EDIT_SHAPES.find((s) => s.keys.length === keys.length && [...s.keys].sort().every((k, i) => k === keys[i]));
  if (!shape) {
    throw new FixtureError(`${where}: unbekannte Form der Änderung ${JSON.stringify(edit).slice(0, 160)}; erlaubt sind ${EDIT_SHAPES.map((s) => `{${s.keys.join(', ')}}`).join(', ')}`);
  }
  for (const k of keys) {
    if (typeof (edit as Record<string, unknown>)[k] !== 'string') throw new FixtureError(`${where}: „${k}“ muss ein String sein`);
  }
  return shape.kind;
}

/** Applies one edit to the text. */
function applyEdit(text: string, edit: Edit, where: string): string {
  const kind = kindOf(edit, where);
  const { root, byId, members } = featuresById(text, `${where}: vor dieser Änderung`);
  if (kind === 'add') {
    const fragment = (edit as AddEdit).add.trim();
    const elements = scanXml(fragment, `${where}: das hinzugefügte Objekt`);
    if (elements.length !== 1) throw new FixtureError(`${where}: „add“ muss genau ein Objekt enthalten, enthält aber ${elements.length} Elemente`);
    const last = members[members.length - 1];
    const memberIndent = (last && indentOf(text, last.start)) ?? '  ';
    const featureIndent = last?.children[0] ? indentOf(text, last.children[0].start) ?? `${memberIndent}  ` : `${memberIndent}  `;
    const memberName = last?.name ?? 'gml:featureMember';
    const block = `${memberIndent}<${memberName}>\n${featureIndent}${indentFragment(fragment, featureIndent)}\n${memberIndent}</${memberName}>`;
    if (root.selfClosing) throw new FixtureError(`${where}: das Wurzelelement ist leer (selbstschließend)`);
    // before the root's end tag: at the start of its line when it stands alone there
    if (indentOf(text, root.endTagStart) !== undefined) {
      const at = text.lastIndexOf('\n', root.endTagStart - 1) + 1;
      return `${text.slice(0, at)}${block}\n${text.slice(at)}`;
    }
    return `${text.slice(0, root.endTagStart)}\n${block}\n${text.slice(root.endTagStart)}`;
  }
  const id = (edit as { in: string }).in;
  const found = byId.get(id) ?? [];
  if (found.length === 0) throw new FixtureError(`${where}: kein Objekt mit gml:id „${id}“ (direkt in einem gml:featureMember)`);
  if (found.length > 1) throw new FixtureError(`${where}: ${found.length} Objekte mit gml:id „${id}“; der Anker ist mehrdeutig`);
  const feature = found[0]!;
  const child = (localName: string) => {
    const c = feature.children.find((x) => x.localName === localName || x.name === localName);
    if (!c) throw new FixtureError(`${where}: ${feature.name} „${id}“ hat kein direktes Kindelement „${localName}“ (vorhanden: ${feature.children.map((x) => x.localName).join(', ') || 'keine'})`);
    return c;
  };
  const checkFragment = (fragment: string) => {
    scanXml(fragment, `${where}: der eingefügte Text`);
    return fragment.trim();
  };
  switch (kind) {
    case 'after': {
      const e = edit as InsertAfterEdit;
      const anchor = child(e.after);
      const indent = indentOf(text, anchor.start) ?? '';
      const fragment = checkFragment(e.insert);
      return text.slice(0, anchor.end) + `\n${indent}${indentFragment(fragment, indent)}` + text.slice(anchor.end);
    }
    case 'before': {
      const e = edit as InsertBeforeEdit;
      const anchor = child(e.before);
      const indent = indentOf(text, anchor.start) ?? '';
      const fragment = checkFragment(e.insert);
      return text.slice(0, anchor.start) + `${indentFragment(fragment, indent)}\n${indent}` + text.slice(anchor.start);
    }
    case 'append': {
      const e = edit as AppendEdit;
      if (feature.selfClosing) throw new FixtureError(`${where}: ${feature.name} „${id}“ ist leer (selbstschließend); „append“ braucht ein Endtag`);
      const fragment = checkFragment(e.append);
      const last = feature.children[feature.children.length - 1];
      if (last) {
        const indent = indentOf(text, last.start) ?? '';
        return text.slice(0, last.end) + `\n${indent}${indentFragment(fragment, indent)}` + text.slice(last.end);
      }
      return text.slice(0, feature.endTagStart) + fragment + text.slice(feature.endTagStart);
    }
    case 'replace': {
      const e = edit as ReplaceEdit;
      if (e.replace === '') throw new FixtureError(`${where}: „replace“ darf nicht leer sein`);
      const inside = text.slice(feature.start, feature.end);
      const at = inside.indexOf(e.replace);
      if (at < 0) throw new FixtureError(`${where}: „${e.replace}“ kommt in ${feature.name} „${id}“ nicht vor`);
      return text.slice(0, feature.start + at) + e.by + text.slice(feature.start + at + e.replace.length);
    }
    case 'remove': {
      const e = edit as RemoveEdit;
      const target = child(e.remove);
      // the whole line, when the element stands alone on it
      const lineStart = text.lastIndexOf('\n', target.start - 1);
      const alone = indentOf(text, target.start) !== undefined && /^[ \t]*(?:\r?\n|$)/.test(text.slice(target.end));
      return alone && lineStart >= 0 ? text.slice(0, lineStart) + text.slice(target.end) : text.slice(0, target.start) + text.slice(target.end);
    }
  }
  throw new FixtureError(`${where}: ${describeEdit(edit)} ist keine bekannte Änderung`);
}

/**
 * The base with the edits applied in order. Every anchor must be found (and be unique where that matters),
 * otherwise a FixtureError names the case; the result must still scan as one document.
 */
export function applyEdits(base: string, edits: Edit[], caseName: string): string {
  if (!Array.isArray(edits)) throw new FixtureError(`${caseName}: „edits“ muss eine Liste sein`);
  let text = base;
  edits.forEach((edit, n) => {
    text = applyEdit(text, edit, `${caseName}, Änderung ${n + 1} ${describeEdit(edit)}`);
  });
  featuresById(text, `${caseName}: nach allen Änderungen`);
  return text;
}

// ---------------------------------------------------------------------------------------------------
// Reading the cases, generating every file

/** The folder with base/, cases/ and the generated version folders. */
export function rulesDir(projectRoot: string): string {
  return join(projectRoot, 'fixtures', 'xplanung', 'rules');
}

export function basePath(rules: string, version: string, base: string): string {
  return join(rules, 'base', version, `${base}.gml`);
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** The version folders under `dir` (6.0, 5.4 …), sorted. */
function versionDirs(dir: string): string[] {
  return isDir(dir) ? readdirSync(dir).filter((d) => VERSION_DIR.test(d) && isDir(join(dir, d))).sort() : [];
}

/** Every case of every cases file, checked for its form. */
export function loadCases(rules: string): LoadedCase[] {
  const out: LoadedCase[] = [];
  const casesDir = join(rules, 'cases');
  for (const version of versionDirs(casesDir)) {
    const seen = new Map<string, string>();
    for (const file of readdirSync(join(casesDir, version)).filter((f) => f.endsWith('.json')).sort()) {
      const source = `cases/${version}/${file}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(join(casesDir, version, file), 'utf8'));
      } catch (err) {
        throw new FixtureError(`${source}: kein gültiges JSON: ${(err as Error).message}`);
      }
      const cases = (parsed as Partial<CasesFile> | null)?.cases;
      if (!Array.isArray(cases)) throw new FixtureError(`${source}: erwartet {"cases": [...]}`);
      cases.forEach((c: Partial<Case>, n) => {
        const where = `${source}, Fall ${n + 1}${typeof c?.file === 'string' ? ` „${c.file}“` : ''}`;
        if (!c || typeof c !== 'object') throw new FixtureError(`${where}: ein Fall muss ein Objekt sein`);
        const extra = Object.keys(c).filter((k) => !['file', 'base', 'edits'].includes(k));
        if (extra.length) throw new FixtureError(`${where}: unbekannte Schlüssel ${extra.join(', ')}`);
        if (typeof c.file !== 'string' || !parseFixtureName(c.file)) {
          throw new FixtureError(`${where}: „file“ muss die Form <regel>--<fehler|ohne-befund>--<änderung-in-kebab-case> haben (ohne .gml)`);
        }
        if (!(BASE_NAMES as readonly string[]).includes(c.base as string)) throw new FixtureError(`${where}: „base“ muss einer von ${BASE_NAMES.join(', ')} sein`);
        if (!existsSync(basePath(rules, version, c.base!))) throw new FixtureError(`${where}: den Basisplan base/${version}/${c.base}.gml gibt es nicht`);
        if (!Array.isArray(c.edits)) throw new FixtureError(`${where}: „edits“ muss eine Liste sein (leer: der Basisplan selbst)`);
        const earlier = seen.get(c.file);
        if (earlier) throw new FixtureError(`${where}: den Dateinamen gibt es schon (${earlier})`);
        seen.set(c.file, where);
        out.push({ file: c.file, base: c.base as BaseName, edits: c.edits, version, source });
      });
    }
  }
  return out;
}

/** The notice the generator puts after the XML declaration of each file it writes. */
export function generatedNotice(c: LoadedCase): string {
  // a comment may not contain "--", so the file's name (which says the rule and outcome) is not repeated here
  const source = c.source.replace(/-{2,}/g, '-');
  return `<!-- Erzeugt von scripts/rule-fixtures.ts aus base/${c.version}/${c.base}.gml mit einem Fall aus ${source}. Nicht von Hand ändern. -->`;
}

/** A generated file: the base, the notice after its XML declaration, the edits. */
export function generateCase(rules: string, c: LoadedCase, bases = new Map<string, string>()): string {
  const path = basePath(rules, c.version, c.base);
  let base = bases.get(path);
  if (base === undefined) {
    base = readFileSync(path, 'utf8');
    bases.set(path, base);
  }
  const text = applyEdits(base, c.edits, `${c.source}, Fall „${c.file}“`);
  const declaration = /^<\?xml[^>]*\?>\r?\n?/.exec(text);
  const at = declaration ? declaration[0].length : 0;
  const newline = declaration && !declaration[0].endsWith('\n') ? '\n' : '';
  return `${text.slice(0, at)}${newline}${generatedNotice(c)}\n${text.slice(at)}`;
}

/** Every file the cases make: absolute path → content. */
export function generateAll(projectRoot: string): Map<string, string> {
  const rules = rulesDir(projectRoot);
  const out = new Map<string, string>();
  const bases = new Map<string, string>();
  for (const c of loadCases(rules)) out.set(join(rules, c.version, `${c.file}.gml`), generateCase(rules, c, bases));
  return out;
}

/** The base plans there are: [version, base name, absolute path]. */
export function listBases(projectRoot: string): Array<{ version: string; base: string; path: string }> {
  const dir = join(rulesDir(projectRoot), 'base');
  const out: Array<{ version: string; base: string; path: string }> = [];
  for (const version of versionDirs(dir)) {
    for (const f of readdirSync(join(dir, version)).filter((x) => x.endsWith('.gml')).sort()) {
      out.push({ version, base: f.replace(/\.gml$/, ''), path: join(dir, version, f) });
    }
  }
  return out;
}

export interface Drift {
  missing: string[];
  differs: string[];
  /** .gml files in a version folder that no case makes. */
  stale: string[];
}

/** How the version folders on disk differ from what the cases make now (paths absolute). */
export function compareWithDisk(projectRoot: string, expected: Map<string, string>): Drift {
  const rules = rulesDir(projectRoot);
  const drift: Drift = { missing: [], differs: [], stale: [] };
  for (const [path, content] of expected) {
    if (!existsSync(path)) drift.missing.push(path);
    else if (readFileSync(path, 'utf8') !== content) drift.differs.push(path);
  }
  const folders = new Set([...versionDirs(rules), ...[...expected.keys()].map((p) => p.slice(rules.length + 1).split(/[\\/]/)[0]!)]);
  for (const version of [...folders].sort()) {
    if (!isDir(join(rules, version))) continue;
    for (const f of readdirSync(join(rules, version)).filter((x) => x.endsWith('.gml')).sort()) {
      if (!expected.has(join(rules, version, f))) drift.stale.push(join(rules, version, f));
    }
  }
  return drift;
}
