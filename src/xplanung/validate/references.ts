// External references (XP_ExterneReferenz, XP_SpezExterneReferenz): a relative referenzURL or
// georefURL names a file that travels with the plan in its XPlanArchive. A plan whose Begründung or
// scan is missing, or which points at a path on the author's own computer, gives the portal a dead
// document link. Not an XLeitstelle Konformitätsregel, so warnings: `valid` stays as the reference
// validator judges it.
import { lineOf, text } from '../parse.ts';
import type { XmlNode, XPlanFeature } from '../parse.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';

/** The elements that carry a referenzURL / georefURL (XPlanGML 5.x and 6.0). */
export const REFERENCE_ELEMENTS = new Set(['XP_ExterneReferenz', 'XP_SpezExterneReferenz', 'XP_ExterneReferenzPlan']);

export interface ExternalReference { feature: XPlanFeature; node: XmlNode }

// a path only the author's computer can open: file: URLs, drive letters, UNC shares
const LOCAL_PATH = /^(?:file:|[A-Za-z]:[\\/]|\\\\)/i;
// any other URI with a scheme (http, https, ftp, urn …) is a link the portal can show as it is
const WITH_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A relative reference as an archive entry name: without fragment and query, decoded, with forward slashes, no leading "./". */
export function entryNameOf(reference: string): string {
  let name = reference.replace(/[?#].*$/, '');
  try {
    name = decodeURIComponent(name);
  } catch {
    // not percent-encoded after all: compare it as written
  }
  name = name.replace(/\\/g, '/');
  while (name.startsWith('./')) name = name.slice(2);
  return name;
}

/**
 * Findings for the document's external references. `archiveEntries`: the names of the XPlanArchive's
 * other entries; undefined when a plain GML document was sent (which cannot carry files).
 */
export function checkExternalReferences(references: ExternalReference[], archiveEntries?: string[]): Finding[] {
  const out: Finding[] = [];
  const entries = archiveEntries && new Set(archiveEntries);
  const byLowerCase = new Map((archiveEntries ?? []).map((e) => [e.toLowerCase(), e]));
  const seen = new Set<string>();
  for (const { feature, node } of references) {
    for (const property of ['referenzURL', 'georefURL'] as const) {
      const url = text(node, property)?.trim();
      if (!url || seen.has(`${feature.gmlId}\u0000${url}`)) continue;
      seen.add(`${feature.gmlId}\u0000${url}`);
      const what = property === 'georefURL' ? 'die Georeferenzierung' : `die externe Referenz „${text(node, 'referenzName')?.trim() || url}“`;
      const warn = (message: string) =>
        out.push({ rule: 'externe-referenz' satisfies RuleId, severity: 'warning', stage: 'semantic', message: `${feature.type}: ${what} ${message}`, gmlIds: [feature.gmlId], line: lineOf(node) ?? feature.line ?? null });
      if (LOCAL_PATH.test(url)) {
        const base = entryNameOf(url).split('/').pop();
        warn(`verweist auf den lokalen Pfad „${url}“, den nur der Rechner öffnen kann, auf dem der Plan entstand. Die Datei gehört ins XPlanArchiv, der Verweis relativ auf sie${base ? ` (z. B. „${base}“)` : ''}.`);
      } else if (WITH_SCHEME.test(url)) {
        continue;
      } else if (!entries) {
        warn(`verweist auf die Datei „${url}“, die nicht mitgeschickt wurde. Dateien, auf die der Plan verweist, gehören mit xplan.gml in ein XPlanArchiv (ZIP).`);
      } else {
        const name = entryNameOf(url);
        if (entries.has(name)) continue;
        const other = byLowerCase.get(name.toLowerCase());
        warn(`verweist auf die Datei „${url}“, die das XPlanArchiv nicht enthält.${other ? ` Im Archiv liegt „${other}“: die Groß- und Kleinschreibung weicht ab, und Webserver unterscheiden sie.` : ''}`);
      }
    }
  }
  return out;
}
