// Reads an XPlanGML document into plain objects both the validation rules and the mapping use.
//
// Shape: fast-xml-parser with namespace prefixes removed (local names only), every element as an
// array (so `node.name[0]` whatever the count), attributes prefixed with '@' (gml:id → '@id',
// xlink:href → '@href', srsName → '@srsName'), text content under '#text' when the element also has
// attributes, otherwise the element is the string itself. Each feature remembers its line.
import { XMLParser } from 'fast-xml-parser';
import type { XPlanVersion } from './versions.ts';

/** A parsed element: child elements by local name (always arrays), attributes under '@name'. */
export type XmlNode = { [name: string]: XmlValue[] | string | undefined };
export type XmlValue = XmlNode | string;

export interface XPlanFeature {
  /** Local element name, e.g. 'BP_Plan', 'BP_Bereich', 'BP_BaugebietsTeilFlaeche'. */
  type: string;
  gmlId: string;
  node: XmlNode;
  line?: number;
}

export interface XPlanDocument {
  version: string;
  namespace: string;
  /** srsName of the collection's envelope, the plan's default CRS. */
  srsName?: string;
  features: XPlanFeature[];
  byId: Map<string, XPlanFeature>;
  /** Every gml:id in the document (features and geometries) with how often it occurs. */
  gmlIdCounts: Map<string, number>;
}

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

function makeParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
    processEntities: false, // the safety stage has refused DOCTYPEs; nothing to expand
    htmlEntities: false,
    captureMetaData: true,
  });
}

/** Line number (1-based) of a character offset. */
function lineIndex(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function isNode(v: XmlValue | undefined): v is XmlNode {
  return typeof v === 'object' && v !== null;
}

/** Child elements of `node` named `name` (always an array). */
export function children(node: XmlNode | undefined, name: string): XmlValue[] {
  const v = node?.[name];
  return Array.isArray(v) ? v : [];
}

/** Child elements of `node` named `name` that are elements with content or attributes. */
export function childNodes(node: XmlNode | undefined, name: string): XmlNode[] {
  return children(node, name).filter(isNode);
}

/** Text of a value (element string, or '#text' of an element with attributes). */
export function textOf(v: XmlValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (isNode(v)) {
    const t = v['#text'];
    if (typeof t === 'string') return t;
    if (Array.isArray(t) && typeof t[0] === 'string') return t[0];
  }
  return undefined;
}

/** Text of the first child `name`. */
export function text(node: XmlNode | undefined, name: string): string | undefined {
  return textOf(children(node, name)[0]);
}

/** Texts of all children `name` (repeated attributes such as auslegungsStartDatum). */
export function all(node: XmlNode | undefined, name: string): string[] {
  return children(node, name).map(textOf).filter((t): t is string => t !== undefined);
}

export function attr(node: XmlValue | undefined, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  const v = node[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** gml:ids an xlink relation points at ('#id' → 'id'), one per child `name`. */
export function hrefs(node: XmlNode | undefined, name: string): string[] {
  return children(node, name).map((c) => attr(c, 'href')).filter((h): h is string => !!h).map((h) => (h.startsWith('#') ? h.slice(1) : h));
}

export function href(node: XmlNode | undefined, name: string): string | undefined {
  return hrefs(node, name)[0];
}

/** The first element child of `node` (e.g. the geometry inside raeumlicherGeltungsbereich). */
export function firstElement(node: XmlValue | undefined): { name: string; node: XmlNode } | undefined {
  if (!isNode(node)) return undefined;
  for (const [name, v] of Object.entries(node)) {
    if (name.startsWith('@') || name === '#text' || !Array.isArray(v)) continue;
    const first = v.find(isNode);
    if (first) return { name, node: first };
  }
  return undefined;
}

/** Position of an element in the source text (fast-xml-parser metadata). */
export function startIndexOf(node: XmlNode): number {
  return (node as Record<symbol, { startIndex?: number } | undefined>)[META]?.startIndex ?? 0;
}

/**
 * Element children of `node` in document order. The parsed object groups children by name, which
 * loses the order of mixed siblings (e.g. LineStringSegment, ArcString, LineStringSegment in a Curve).
 */
export function orderedChildren(node: XmlNode | undefined): Array<{ name: string; node: XmlNode }> {
  if (!node) return [];
  const out: Array<{ name: string; node: XmlNode }> = [];
  for (const [name, v] of Object.entries(node)) {
    if (name.startsWith('@') || name === '#text' || !Array.isArray(v)) continue;
    for (const c of v) if (isNode(c)) out.push({ name, node: c });
  }
  return out.sort((a, b) => startIndexOf(a.node) - startIndexOf(b.node));
}

/** Visits every element below `node` (depth first) with its local name. */
export function walk(node: XmlNode, visit: (name: string, child: XmlNode) => void): void {
  for (const [name, v] of Object.entries(node)) {
    if (name.startsWith('@') || name === '#text' || !Array.isArray(v)) continue;
    for (const c of v) {
      if (isNode(c)) {
        visit(name, c);
        walk(c, visit);
      }
    }
  }
}

/** Parses a document that passed the syntax stage. */
export function parseXPlanGml(xml: Buffer | string, version: XPlanVersion): XPlanDocument {
  const source = typeof xml === 'string' ? xml : xml.toString('utf8');
  const parsed = makeParser().parse(source) as XmlNode;
  const lineOf = lineIndex(source);
  const rootName = Object.keys(parsed).find((k) => k !== '?xml' && !k.startsWith('#') && !k.startsWith('@'));
  const root = rootName ? childNodes(parsed, rootName)[0] : undefined;
  const features: XPlanFeature[] = [];
  const byId = new Map<string, XPlanFeature>();
  const gmlIdCounts = new Map<string, number>();
  if (root) {
    const members = [...childNodes(root, 'featureMember'), ...childNodes(root, 'featureMembers'), ...childNodes(root, 'member')];
    for (const member of members) {
      for (const [type, v] of Object.entries(member)) {
        if (type.startsWith('@') || type === '#text' || !Array.isArray(v)) continue;
        for (const node of v.filter(isNode)) {
          const gmlId = attr(node, 'id') ?? '';
          const feature: XPlanFeature = { type, gmlId, node, line: lineOf(startIndexOf(node)) };
          features.push(feature);
          if (gmlId && !byId.has(gmlId)) byId.set(gmlId, feature);
        }
      }
    }
    const count = (id: string | undefined) => { if (id) gmlIdCounts.set(id, (gmlIdCounts.get(id) ?? 0) + 1); };
    count(attr(root, 'id'));
    for (const f of features) {
      count(f.gmlId);
      walk(f.node, (_n, c) => count(attr(c, 'id')));
    }
  }
  const envelope = root ? childNodes(childNodes(root, 'boundedBy')[0], 'Envelope')[0] : undefined;
  return { version: version.version, namespace: version.namespace, srsName: attr(envelope, 'srsName'), features, byId, gmlIdCounts };
}

/** The plans of a document (BP_Plan, FP_Plan, RP_Plan, SO_Plan, LP_Plan). */
export function plansOf(doc: XPlanDocument): XPlanFeature[] {
  return doc.features.filter((f) => /^(BP|FP|RP|SO|LP)_Plan$/.test(f.type));
}
