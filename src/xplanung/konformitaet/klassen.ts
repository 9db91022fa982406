// The class model of one XPlanGML version, read from its official XSD: which element names exist,
// which are abstract, and which class each extends. The rule tables name classes as the XSD does,
// abstract ones included (BP_Flaechenobjekt: every concrete subclass of that version), so the
// membership lists the rules need come from the schema itself, not from a copy kept in code; a new
// XPlanung version brings its XSD and its table, nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClassModel {
  version: string;
  /** Every element name of the XPlanung namespace the XSD declares (features and data types). */
  names: ReadonlySet<string>;
  /** The element names (concrete, i.e. not abstract) that are `name` or derive from it. */
  concrete(name: string): ReadonlySet<string>;
  /** Whether `name` is `ancestor` or derives from it. */
  isA(name: string, ancestor: string): boolean;
}

const cache = new Map<string, ClassModel>();

/** Attribute value of a start tag (`name="…"`), any attribute order. */
function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** Reads the class model of `version` from `<schemaDir>/xplanung/<version>/*.xsd` (once per process). */
export function classModel(schemaDir: string, version: string): ClassModel {
  const key = `${schemaDir}\u0000${version}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const dir = join(schemaDir, 'xplanung', version);
  // element name → its type; type → the type it extends; abstract elements
  const typeOfElement = new Map<string, string>();
  const baseOfType = new Map<string, string>();
  const abstract = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.xsd'))) {
    const xsd = readFileSync(join(dir, file), 'utf8');
    // top-level declarations only: two spaces of indentation in every official XPlanung XSD would be
    // fragile to rely on, so every start tag is read and a complexType remembered until its extension
    let currentType: string | undefined;
    for (const m of xsd.matchAll(/<(?:xs:|xsd:)?(element|complexType|extension|\/complexType)\b[^>]*>/g)) {
      const tag = m[0];
      const kind = m[1];
      if (kind === 'complexType') {
        const name = attribute(tag, 'name');
        if (name) currentType = name;
      } else if (kind === '/complexType') {
        currentType = undefined;
      } else if (kind === 'extension') {
        const base = attribute(tag, 'base');
        if (currentType && base && !baseOfType.has(currentType)) baseOfType.set(currentType, localName(base));
      } else {
        const name = attribute(tag, 'name');
        const type = attribute(tag, 'type');
        // global elements of a class carry a type named <name>Type; property elements inside a sequence
        // carry other types (…PropertyType, codes) and lower-case names
        if (name && type && /^(XP|BP|FP|SO|RP|LP)_/.test(name) && localName(type) === `${name}Type`) {
          typeOfElement.set(name, localName(type));
          if (attribute(tag, 'abstract') === 'true') abstract.add(name);
        }
      }
    }
  }
  const elementOfType = new Map([...typeOfElement].map(([element, type]) => [type, element]));
  const parentOf = new Map<string, string>();
  for (const [element, type] of typeOfElement) {
    const base = baseOfType.get(type);
    const parent = base ? elementOfType.get(base) : undefined;
    if (parent) parentOf.set(element, parent);
  }
  const ancestors = (name: string): string[] => {
    const out: string[] = [];
    for (let n: string | undefined = name; n && out.length < 50; n = parentOf.get(n)) out.push(n);
    return out;
  };
  const descendants = new Map<string, Set<string>>();
  for (const element of typeOfElement.keys()) {
    if (abstract.has(element)) continue;
    for (const a of ancestors(element)) {
      let set = descendants.get(a);
      if (!set) descendants.set(a, (set = new Set()));
      set.add(element);
    }
  }
  const empty: ReadonlySet<string> = new Set();
  const model: ClassModel = {
    version,
    names: new Set(typeOfElement.keys()),
    concrete: (name) => descendants.get(name) ?? empty,
    isA: (name, ancestor) => ancestors(name).includes(ancestor),
  };
  cache.set(key, model);
  return model;
}
