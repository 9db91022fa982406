// Reads an XPlanGML document into plain objects both the validation rules and the mapping use.
//
// The document is parsed once, by libxml2 (the syntax stage's parser): the XSD check and the rules
// read the same tree, so a plan is never parsed twice. Shape: namespace prefixes removed (local
// names only), a child element under its name, several of the same name as an array (read them
// with `children`, which always gives an array; one array per element would be half a million
// arrays for a 20 MB plan), attributes prefixed with '@' (gml:id → '@id', xlink:href → '@href',
// srsName → '@srsName'), text content (trimmed) under '#text' when the element also has attributes
// or children, otherwise the element is the string itself. Each element remembers its line and its
// place in document order.
import { ParseOption } from 'libxml2-wasm';
import { XmlNodeStruct, XmlXPathObjectStruct, xmlNodeGetContent } from 'libxml2-wasm/lib/libxml2.mjs';
import type { XmlDocument } from 'libxml2-wasm';
import type { XPlanVersion } from './versions.ts';

/** A parsed element: child elements by local name (one value, or an array of several), attributes under '@name'. */
export type XmlNode = { [name: string]: XmlValue | XmlValue[] | undefined };
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

/** The root element of a document read into plain objects. */
export interface XmlTree {
  name: string;
  node: XmlNode;
  /**
   * Every id attribute's value (gml:id) with how often it occurs, counted while reading: the walk
   * meets every attribute anyway, and a second walk over a 20 MB plan's half a million elements
   * cost ~30 ms.
   */
  ids: Map<string, number>;
}

// Where an element stood in the source; symbols, so that walking the object never meets them. Two
// small-integer fields rather than one {order, line} object: a 20 MB plan has half a million elements.
const ORDER = Symbol('order');
const LINE = Symbol('line');
type Positioned = Record<symbol, number | undefined>;

/**
 * Parser options for pushed documents: no entity substitution, no DTD loading, no network, no
 * XInclude, so a document cannot pull anything in (the safety stage has already refused DOCTYPEs).
 */
export const DOCUMENT_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_BIG_LINES | ParseOption.XML_PARSE_HUGE | ParseOption.XML_PARSE_NOBLANKS;

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

/**
 * The address of a node's or attribute's name (xmlNode.name, xmlAttr.name: the 32-bit word at
 * offset 8). libxml2-wasm has no accessor of its own for it; this one reads that word of any struct.
 * The parser interns names in the document's dictionary, so equal names share an address and each
 * is decoded from UTF-8 once per document instead of once per element (reading the 20 MB plan:
 * 0.35–0.5 → 0.26–0.4 s). Correct without interning too: in one document an address is one name.
 */
const nameAddress = XmlXPathObjectStruct.boolval as (struct: number) => number;

/**
 * Reads a libxml2 document (already parsed, e.g. for the XSD check) into plain objects.
 *
 * Walks libxml2's node structs with libxml2-wasm's own accessors (the module its public node classes
 * are built on), not through those classes: they make a wrapper object per node and per attribute,
 * and reading a 20 MB plan through them took 0.6 s against this walk's 0.35 s, mostly in garbage
 * collection. test/xplanung/parse.test.ts compares the result with a walk through the public
 * classes, so a libxml2-wasm release that changes this module fails there, not in production.
 */
export function treeOf(doc: XmlDocument): XmlTree {
  let order = 0;
  // names by address, for this document only (its dictionary lives as long as it does)
  const elementNames = new Map<number, string>();
  const attributeKeys = new Map<number, string>();
  const elementName = (el: number): string => {
    const address = nameAddress(el);
    let name = elementNames.get(address);
    if (name === undefined) elementNames.set(address, (name = XmlNodeStruct.name_(el)));
    return name;
  };
  const attributeKey = (a: number): string => {
    const address = nameAddress(a);
    let key = attributeKeys.get(address);
    if (key === undefined) attributeKeys.set(address, (key = `@${XmlNodeStruct.name_(a)}`));
    return key;
  };
  const ids = new Map<string, number>();
  const convert = (el: number): XmlValue => {
    const node: XmlNode = {};
    (node as Positioned)[ORDER] = order++;
    (node as Positioned)[LINE] = XmlNodeStruct.line(el);
    let attributes = false;
    for (let a = XmlNodeStruct.properties(el); a; a = XmlNodeStruct.next(a)) {
      const key = attributeKey(a), value = xmlNodeGetContent(a);
      node[key] = value;
      if (key === '@id' && value) ids.set(value, (ids.get(value) ?? 0) + 1);
      attributes = true;
    }
    let content = '';
    let elements = false;
    for (let c = XmlNodeStruct.children(el); c; c = XmlNodeStruct.next(c)) {
      const type = XmlNodeStruct.type(c);
      if (type === ELEMENT) {
        const value = convert(c);
        const name = elementName(c);
        const before = node[name];
        if (before === undefined) node[name] = value;
        else if (Array.isArray(before)) before.push(value);
        else node[name] = [before, value];
        elements = true;
      } else if (type === TEXT || type === CDATA) content += xmlNodeGetContent(c);
    }
    const trimmed = content.trim();
    if (!attributes && !elements) return trimmed;
    if (trimmed) node['#text'] = trimmed;
    return node;
  };
  const rootElement = doc.root;
  const pointer = (rootElement as unknown as { _nodePtr?: unknown })._nodePtr;
  if (typeof pointer !== 'number' || pointer === 0) throw new Error('libxml2-wasm no longer exposes the node pointer of an element; see treeOf');
  const root = convert(pointer);
  return { name: rootElement.name, node: typeof root === 'string' ? {} : root, ids };
}

function isNode(v: XmlValue | undefined): v is XmlNode {
  return typeof v === 'object' && v !== null;
}

/** Whether `key` of a node holds child elements (not an attribute, not the text). */
const isElementKey = (key: string) => key.charCodeAt(0) !== 64 /* @ */ && key !== '#text';

/** Child elements of `node` named `name` (always an array). */
export function children(node: XmlNode | undefined, name: string): XmlValue[] {
  const v = node?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every child element of `node` with its name, grouped by name in first-appearance order. */
export function elementEntries(node: XmlNode): Array<[string, XmlValue[]]> {
  const out: Array<[string, XmlValue[]]> = [];
  for (const key in node) if (isElementKey(key)) out.push([key, children(node, key)]);
  return out;
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

// '@name' keys, made once per name: a key concatenated per call is a new string to hash on every
// lookup, and the rules look up attributes of every element
const attributeKeys = new Map<string, string>();

export function attr(node: XmlValue | undefined, name: string): string | undefined {
  if (!isNode(node)) return undefined;
  let key = attributeKeys.get(name);
  if (key === undefined) attributeKeys.set(name, (key = `@${name}`));
  const v = node[key];
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
  for (const [name, v] of elementEntries(node)) {
    const first = v.find(isNode);
    if (first) return { name, node: first };
  }
  return undefined;
}

/** Place of an element in document order. */
function orderOf(node: XmlNode): number {
  return (node as Positioned)[ORDER] ?? 0;
}

/** Line of an element in the source (1-based), when known. */
export function lineOf(node: XmlNode): number | undefined {
  return (node as Positioned)[LINE] || undefined;
}

/**
 * Element children of `node` in document order. The parsed object groups children by name, which
 * loses the order of mixed siblings (e.g. LineStringSegment, ArcString, LineStringSegment in a Curve).
 */
export function orderedChildren(node: XmlNode | undefined): Array<{ name: string; node: XmlNode }> {
  if (!node) return [];
  const out: Array<{ name: string; node: XmlNode }> = [];
  for (const [name, v] of elementEntries(node)) for (const c of v) if (isNode(c)) out.push({ name, node: c });
  return out.sort((a, b) => orderOf(a.node) - orderOf(b.node));
}

/** Visits every element below `node` (depth first) with its local name. */
export function walk(node: XmlNode, visit: (name: string, child: XmlNode) => void): void {
  // for-in rather than Object.entries: no array per element (the rules walk every element of a plan)
  for (const name in node) {
    if (!isElementKey(name)) continue;
    const v = node[name];
    if (Array.isArray(v)) {
      for (const c of v) {
        if (isNode(c)) {
          visit(name, c);
          walk(c, visit);
        }
      }
    } else if (isNode(v)) {
      visit(name, v);
      walk(v, visit);
    }
  }
}

const PLAN = /^(BP|FP|RP|SO|LP)_Plan$/;

/** The features, ids and CRS of a document read into plain objects. */
export function documentOf(tree: XmlTree, version: XPlanVersion): XPlanDocument {
  const root = tree.node;
  const features: XPlanFeature[] = [];
  const byId = new Map<string, XPlanFeature>();
  const members = [...childNodes(root, 'featureMember'), ...childNodes(root, 'featureMembers'), ...childNodes(root, 'member')];
  for (const member of members) {
    for (const [type, v] of elementEntries(member)) {
      for (const node of v.filter(isNode)) {
        const gmlId = attr(node, 'id') ?? '';
        const feature: XPlanFeature = { type, gmlId, node, line: lineOf(node) };
        features.push(feature);
        if (gmlId && !byId.has(gmlId)) byId.set(gmlId, feature);
      }
    }
  }
  const envelopeOf = (node: XmlNode | undefined) => childNodes(childNodes(node, 'boundedBy')[0], 'Envelope')[0];
  // a wfs:FeatureCollection need not have an envelope of its own: then the first plan's says the CRS
  const plan = features.find((f) => PLAN.test(f.type));
  const srsName = attr(envelopeOf(root), 'srsName') ?? attr(envelopeOf(plan?.node), 'srsName');
  return { version: version.version, namespace: version.namespace, srsName, features, byId, gmlIdCounts: tree.ids };
}

/** The plans of a document (BP_Plan, FP_Plan, RP_Plan, SO_Plan, LP_Plan). */
export function plansOf(doc: XPlanDocument): XPlanFeature[] {
  return doc.features.filter((f) => PLAN.test(f.type));
}
