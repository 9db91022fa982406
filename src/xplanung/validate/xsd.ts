// Syntax stage: XSD validation with libxml2 (WebAssembly build). Runs inside a worker thread
// (pool.ts), where each schema set is compiled once and reused for every document.
//
// Offline by construction: one input provider answers every URL libxml2 asks for. Files inside
// the schema directory are served; the absolute publisher URLs (OGC, W3C, repository.gdi-de.org)
// are rewritten to their local copies with the rules of the schema directory's catalog.xml;
// anything else is refused, so neither a schema nor a pushed document can reach a file or the
// network.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { ParseOption, XmlDocument, XmlElement, XmlLibError, XsdValidator, xmlRegisterInputProvider } from 'libxml2-wasm';
import type { ErrorDetail } from 'libxml2-wasm';
import { DOCUMENT_OPTIONS, treeOf, type XmlTree } from '../parse.ts';
import { versionById, WFS_NAMESPACE } from '../versions.ts';
import { codeNames } from './code-labels.ts';
import { enumerationValues } from './xsd-messages.ts';

export interface XsdIssue {
  message: string;
  line?: number;
  column?: number;
  /** 'parse' when the document is not well-formed XML, 'schema' for XSD violations. */
  kind: 'parse' | 'schema';
  /** The object (feature) of the document the violation lies in, found by its line. */
  feature?: FeatureAt;
  /** For a code not in its enumeration: the names of the allowed codes (code-labels.ts). */
  codeNames?: Record<string, string>;
}

/** A top-level object of the document: its type (BP_Plan …), gml:id and the line it starts on. */
export interface FeatureAt { type: string; gmlId?: string; line: number }

interface RewriteRule { prefix: string; target: string }

/** Reads the rewrite rules of `<schemaDir>/xplanung/catalog.xml` (OASIS XML catalog). */
export function catalogRules(schemaDir: string): RewriteRule[] {
  const catalogPath = join(schemaDir, 'xplanung', 'catalog.xml');
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (name) => name === 'rewriteSystem' || name === 'rewriteURI' });
  const parsed = parser.parse(readFileSync(catalogPath)) as { catalog?: Record<string, Array<Record<string, string>>> };
  const catalog = parsed.catalog ?? {};
  const rules: RewriteRule[] = [];
  for (const r of catalog.rewriteSystem ?? []) {
    const prefix = r['@systemIdStartString'];
    const rewrite = r['@rewritePrefix'];
    if (!prefix || !rewrite) continue;
    rules.push({ prefix, target: resolve(dirname(catalogPath), rewrite) + (rewrite.endsWith('/') ? sep : '') });
  }
  // Longest prefix first, as the catalog specification requires.
  return rules.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** Maps a URL or path libxml2 asks for to a file inside the schema directory, or undefined (refused). */
export function resolveSchemaUrl(url: string, schemaDir: string, rules: RewriteRule[]): string | undefined {
  const root = resolve(schemaDir) + sep;
  let candidate: string | undefined;
  const rule = rules.find((r) => url.startsWith(r.prefix));
  if (rule) candidate = resolve(rule.target + url.slice(rule.prefix.length));
  else if (url.startsWith('file://')) candidate = resolve(decodeURIComponent(new URL(url).pathname));
  else if (url.startsWith('/')) candidate = resolve(url);
  if (!candidate || !candidate.startsWith(root)) return undefined;
  return candidate;
}

let registeredFor: string | undefined;

/** Registers the one input provider of this thread (libxml2's provider table is per WebAssembly instance). */
function registerProvider(schemaDir: string): void {
  if (registeredFor === schemaDir) return;
  if (registeredFor !== undefined) throw new Error(`libxml2 input provider already bound to ${registeredFor}`);
  const rules = catalogRules(schemaDir);
  const fds = new Map<number, number>();
  let next = 1;
  xmlRegisterInputProvider({
    match: () => true, // answer everything, so libxml2 never falls back to its own I/O
    open: (filename) => {
      const file = resolveSchemaUrl(filename, schemaDir, rules);
      if (!file) return undefined;
      try {
        const handle = next++;
        fds.set(handle, openSync(file, 'r'));
        return handle;
      } catch {
        return undefined;
      }
    },
    read: (fd, buf) => {
      const os = fds.get(fd as number);
      if (os === undefined) return -1;
      return readSync(os, buf, 0, buf.byteLength, null);
    },
    close: (fd) => {
      const os = fds.get(fd as number);
      if (os === undefined) return false;
      closeSync(os);
      fds.delete(fd as number);
      return true;
    },
  });
  registeredFor = schemaDir;
}

const compiled = new Map<string, XsdValidator>();

/** The compiled validator of one XPlanung version, compiled on first use and kept for the thread's life. */
export function validatorFor(schemaDir: string, version: string): XsdValidator {
  const key = `${schemaDir}\u0000${version}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const v = versionById(version);
  if (!v) throw new Error(`no schema for XPlanGML ${version}`);
  registerProvider(schemaDir);
  const xsdPath = resolve(schemaDir, v.xsd);
  const xsdDoc = XmlDocument.fromBuffer(readFileSync(xsdPath), { url: xsdPath, option: ParseOption.XML_PARSE_NONET });
  try {
    const validator = XsdValidator.fromDoc(xsdDoc);
    compiled.set(key, validator);
    return validator;
  } finally {
    xsdDoc.dispose();
  }
}

const MAX_ISSUES = 200;

function issuesFrom(details: ErrorDetail[], kind: XsdIssue['kind']): XsdIssue[] {
  return details.slice(0, MAX_ISSUES).map((d) => ({ message: d.message.trim(), line: d.line || undefined, column: d.col || undefined, kind }));
}

/** How many issues beyond MAX_ISSUES were left out, so that the report can say so. */
const omittedOf = (details: ErrorDetail[]): { omitted?: number } => (details.length > MAX_ISSUES ? { omitted: details.length - MAX_ISSUES } : {});

const GML_NAMESPACES = new Set(['http://www.opengis.net/gml/3.2', 'http://www.opengis.net/gml']);

/**
 * The document's objects in document order: the child of each gml:featureMember of the root (the only
 * member property XPlanung's GML profile allows), or of each wfs:member of a wfs:FeatureCollection. libxml2 names no node with a schema error, only a
 * line; an error belongs to the last object starting at or before it. A walk over the root's children
 * only, not the whole document.
 */
function topLevelFeatures(doc: XmlDocument): FeatureAt[] {
  const out: FeatureAt[] = [];
  const memberName = doc.root.namespaceUri === WFS_NAMESPACE ? 'member' : 'featureMember';
  for (let member = doc.root.firstChild; member; member = member.next) {
    if (!(member instanceof XmlElement) || member.name !== memberName) continue;
    let f = member.firstChild;
    while (f && !(f instanceof XmlElement)) f = f.next;
    if (!f) continue;
    const id = (f as XmlElement).attrs.find((a) => a.name === 'id' && GML_NAMESPACES.has(a.namespaceUri))?.value;
    out.push({ type: (f as XmlElement).name, line: f.line, ...(id ? { gmlId: id } : {}) });
  }
  return out;
}

const featureElements = new Map<string, Set<string>>();

/** The objects a version's schema set declares: its global, non-abstract elements (read once per version). */
function declaredFeatures(schemaDir: string, version: string): Set<string> {
  const key = `${schemaDir}\u0000${version}`;
  let names = featureElements.get(key);
  if (names) return names;
  names = new Set();
  const dir = dirname(resolve(schemaDir, versionById(version)!.xsd));
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (name) => name === 'element' });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.xsd'))) {
    const schema = (parser.parse(readFileSync(join(dir, file))) as { schema?: { element?: Array<Record<string, string>> } }).schema;
    for (const e of schema?.element ?? []) if (e['@name'] && e['@abstract'] !== 'true') names.add(e['@name']);
  }
  featureElements.set(key, names);
  return names;
}

/**
 * In a wfs:FeatureCollection the WFS schema admits any element as a member and checks it only when a
 * schema declares it (a lax wildcard): a misspelt or foreign object would pass unseen. So each member
 * must be an object of the version's schema set, said as libxml2 says an element out of place.
 */
function strayMembers(doc: XmlDocument, schemaDir: string, version: string): XsdIssue[] {
  const v = versionById(version)!;
  const declared = declaredFeatures(schemaDir, version);
  const issues: XsdIssue[] = [];
  for (let member = doc.root.firstChild; member; member = member.next) {
    if (!(member instanceof XmlElement) || member.name !== 'member' || member.namespaceUri !== WFS_NAMESPACE) continue;
    for (let f = member.firstChild; f; f = f.next) {
      if (!(f instanceof XmlElement) || (f.namespaceUri === v.namespace && declared.has(f.name))) continue;
      const id = f.attrs.find((a) => a.name === 'id' && GML_NAMESPACES.has(a.namespaceUri))?.value;
      issues.push({ message: `Element '{${f.namespaceUri}}${f.name}': This element is not expected.`, line: f.line, kind: 'schema', feature: { type: f.name, line: f.line, ...(id ? { gmlId: id } : {}) } });
    }
  }
  return issues;
}

/** The names of the allowed codes, when the issue is a code outside its enumeration. */
function namesFor(message: string, schemaDir: string, version: string): Pick<XsdIssue, 'codeNames'> {
  const values = enumerationValues(message);
  const names = values && codeNames(schemaDir, version, values);
  return names ? { codeNames: Object.fromEntries([...names].filter(([, name]) => name)) } : {};
}

/** The object an issue lies in: the last one starting at or before its line (binary search). */
function featureAt(features: FeatureAt[], line: number | undefined): FeatureAt | undefined {
  if (!line || features.length === 0 || features[0]!.line > line) return undefined;
  let lo = 0;
  let hi = features.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (features[mid]!.line <= line) lo = mid;
    else hi = mid - 1;
  }
  return features[lo];
}

/**
 * Either the issues of an invalid document, or the valid document read into plain objects (parse.ts),
 * so that the later stages need not parse it again.
 */
export type XsdOutcome = { issues: XsdIssue[]; omitted?: number; tree?: never } | { issues: never[]; tree: XmlTree };

/** Parses and validates one document against the XSD of `version`; a valid one is also read into a tree. */
export function validateAgainstXsd(xml: Uint8Array, version: string, schemaDir: string): XsdOutcome {
  const validator = validatorFor(schemaDir, version);
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(xml, { url: 'document.gml', option: DOCUMENT_OPTIONS });
  } catch (err) {
    if (err instanceof XmlLibError) return { issues: issuesFrom(err.details, 'parse'), ...omittedOf(err.details) };
    throw err;
  }
  try {
    validator.validate(doc);
  } catch (err) {
    try {
      if (!(err instanceof XmlLibError)) throw err;
      const features = topLevelFeatures(doc);
      return { issues: issuesFrom(err.details, 'schema').map((i) => ({ ...i, feature: featureAt(features, i.line), ...namesFor(i.message, schemaDir, version) })), ...omittedOf(err.details) };
    } finally {
      doc.dispose();
    }
  }
  try {
    const stray = doc.root.namespaceUri === WFS_NAMESPACE ? strayMembers(doc, schemaDir, version) : [];
    if (stray.length > 0) return { issues: stray.slice(0, MAX_ISSUES), ...(stray.length > MAX_ISSUES ? { omitted: stray.length - MAX_ISSUES } : {}) };
    return { issues: [], tree: treeOf(doc) };
  } finally {
    doc.dispose();
  }
}
