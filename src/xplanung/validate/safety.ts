// Safety stage: what is refused before any XML parser sees the document.
// A DOCTYPE (and with it every entity declaration: XXE, billion laughs) can only appear in the
// prolog, so the prolog is scanned token by token up to the root element's start tag; the start
// tag itself is then read by an XML parser to learn the root's namespace.
import { XMLParser } from 'fast-xml-parser';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';

export interface RootInfo {
  /** Local name of the root element, e.g. 'XPlanAuszug'. */
  localName: string;
  namespace?: string;
}

export type PrologResult = { ok: true; root: RootInfo } | { ok: false; finding: Finding };

const MAX_PROLOG = 64 * 1024;

function safetyFinding(rule: RuleId, message: string, line?: number): Finding {
  return { rule, severity: 'error', stage: 'safety', message, gmlIds: [], line: line ?? null };
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Scans the prolog (XML declaration, comments, processing instructions, whitespace) and the root start tag. */
export function scanProlog(xml: Buffer): PrologResult {
  if (xml.length >= 2 && ((xml[0] === 0xfe && xml[1] === 0xff) || (xml[0] === 0xff && xml[1] === 0xfe))) {
    return { ok: false, finding: safetyFinding('safety.encoding', 'Die Datei ist UTF-16-kodiert. XPlanGML wird in UTF-8 erwartet.') };
  }
  const head = xml.subarray(0, MAX_PROLOG).toString('utf8');
  let i = head.charCodeAt(0) === 0xfeff ? 1 : 0; // UTF-8 byte order mark
  // UTF-16 or UTF-32 without a byte order mark (XML 1.0 appendix F): '<' next to NUL bytes. Read as
  // UTF-8 its names would carry NULs into the report.
  if (head[i] === '\u0000' || head[i + 1] === '\u0000') {
    return { ok: false, finding: safetyFinding('safety.encoding', 'Die Datei ist offenbar UTF-16- oder UTF-32-kodiert (sie enthält Null-Bytes im Dokumentkopf). XPlanGML wird in UTF-8 erwartet.') };
  }
  for (;;) {
    while (i < head.length && ' \t\r\n'.includes(head[i]!)) i++;
    if (i >= head.length) {
      return { ok: false, finding: safetyFinding('safety.no-root', head.trim() === '' ? 'Die Datei ist leer.' : 'Kein Wurzelelement gefunden: die Datei ist kein XML-Dokument oder ihr Kopf ist ungewöhnlich lang.') };
    }
    if (head.startsWith('<?', i)) {
      const end = head.indexOf('?>', i + 2);
      if (end < 0) return { ok: false, finding: safetyFinding('safety.malformed', 'Eine Verarbeitungsanweisung (<?…?>) im Dokumentkopf ist nicht abgeschlossen.', lineAt(head, i)) };
      i = end + 2;
    } else if (head.startsWith('<!--', i)) {
      const end = head.indexOf('-->', i + 4);
      if (end < 0) return { ok: false, finding: safetyFinding('safety.malformed', 'Ein Kommentar im Dokumentkopf ist nicht abgeschlossen.', lineAt(head, i)) };
      i = end + 3;
    } else if (head.startsWith('<!', i)) {
      return {
        ok: false,
        finding: safetyFinding('safety.doctype', 'Das Dokument enthält eine DOCTYPE- oder Entity-Deklaration. XPlanGML braucht keine; sie wird aus Sicherheitsgründen (XXE, Entity-Expansion) abgelehnt.', lineAt(head, i)),
      };
    } else if (head[i] === '<') {
      return readRootTag(head, i);
    } else {
      return { ok: false, finding: safetyFinding('safety.not-xml', 'Die Datei ist kein XML-Dokument (vor dem ersten Element steht Text).', lineAt(head, i)) };
    }
  }
}

function readRootTag(head: string, start: number): PrologResult {
  let quote: string | undefined;
  let end = -1;
  for (let j = start + 1; j < head.length; j++) {
    const c = head[j];
    if (quote) { if (c === quote) quote = undefined; }
    else if (c === '"' || c === "'") quote = c;
    else if (c === '>') { end = j; break; }
  }
  if (end < 0) return { ok: false, finding: safetyFinding('safety.malformed', 'Das Wurzelelement ist nicht abgeschlossen oder sein Start-Tag ist ungewöhnlich lang.', lineAt(head, start)) };
  const tag = head.slice(start, end).replace(/\/$/, '');
  // Parse the start tag alone (closed as an empty element) to read its name and namespace declarations.
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: false });
  let parsed: Record<string, Record<string, string> | string>;
  try {
    parsed = parser.parse(`${tag}/>`) as typeof parsed;
  } catch {
    return { ok: false, finding: safetyFinding('safety.malformed', 'Das Start-Tag des Wurzelelements ist kein wohlgeformtes XML.', lineAt(head, start)) };
  }
  const qname = Object.keys(parsed)[0];
  if (!qname) return { ok: false, finding: safetyFinding('safety.malformed', 'Das Wurzelelement konnte nicht gelesen werden.', lineAt(head, start)) };
  const attrs = typeof parsed[qname] === 'object' ? (parsed[qname] as Record<string, string>) : {};
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const localName = colon >= 0 ? qname.slice(colon + 1) : qname;
  const namespace = prefix ? attrs[`xmlns:${prefix}`] : attrs.xmlns;
  return { ok: true, root: { localName, namespace } };
}
