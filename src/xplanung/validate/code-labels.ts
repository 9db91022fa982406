// The names of XPlanung's enumeration codes (1000 = BPlan, 3000 = VorhabenbezogenerBPlan …), read from
// the official schema set, where each `<enumeration value="1000">` carries its name in a comment
// (`<!--BPlan-->`). libxml2's enumeration error names the element and the allowed values but not the
// type, so the set of values finds the type. Read once per worker and version, and only when a plan
// has such an error.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { versionById } from '../versions.ts';

/** code → name, for one enumeration type. */
export type CodeNames = ReadonlyMap<string, string>;

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, commentPropName: '#comment', parseTagValue: false, trimValues: true });

const children = (node: Node, tag: string): Node[] => (Array.isArray(node[tag]) ? (node[tag] as Node[]) : []);
const tagOf = (node: Node): string | undefined => Object.keys(node).find((k) => k !== ':@');

/** Every enumeration of one XSD file: its values in order, each with the name its comment gives. */
function enumerationsOf(xsd: string): Array<Map<string, string>> {
  const found: Array<Map<string, string>> = [];
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (!tag || tag === '#text' || tag === '#comment') continue;
      if (tag === 'restriction') {
        const codes = new Map<string, string>();
        for (const e of children(node, 'restriction').filter((n) => tagOf(n) === 'enumeration')) {
          const comment = children(e, 'enumeration').find((n) => tagOf(n) === '#comment');
          const name = comment ? String((children(comment, '#comment')[0] as Node | undefined)?.['#text'] ?? '').trim() : '';
          codes.set(String(e[':@']?.value ?? ''), name);
        }
        if (codes.size > 0) found.push(codes);
        continue;
      }
      walk(children(node, tag));
    }
  };
  walk(parser.parse(xsd) as Node[]);
  return found;
}

const bySchemaSet = new Map<string, Map<string, CodeNames[]>>();

/** The enumerations of a version's schema set, by their sorted values. */
function enumerationsByValues(schemaDir: string, version: string): Map<string, CodeNames[]> {
  const key = `${schemaDir}\u0000${version}`;
  const hit = bySchemaSet.get(key);
  if (hit) return hit;
  const index = new Map<string, CodeNames[]>();
  const v = versionById(version);
  if (v) {
    const dir = join(schemaDir, dirname(v.xsd));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.xsd'))) {
      for (const codes of enumerationsOf(readFileSync(join(dir, file), 'utf8'))) {
        const values = [...codes.keys()].sort().join('\u0000');
        index.set(values, [...(index.get(values) ?? []), codes]);
      }
    }
  }
  bySchemaSet.set(key, index);
  return index;
}

/**
 * The names of the codes `values` (an enumeration error's allowed set), when the schema set has one
 * enumeration with exactly these values, or several that name them alike; undefined otherwise.
 */
export function codeNames(schemaDir: string, version: string, values: readonly string[]): CodeNames | undefined {
  const candidates = enumerationsByValues(schemaDir, version).get([...values].sort().join('\u0000'));
  if (!candidates) return undefined;
  const [first, ...rest] = candidates;
  const same = rest.every((c) => [...c].every(([code, name]) => first!.get(code) === name));
  return same && [...first!.values()].some(Boolean) ? first : undefined;
}
