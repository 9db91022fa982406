// libxml2's messages in German, in the terms a planner knows: element names with the prefixes of the
// XPlanGML files (xplan:, gml:) instead of namespace URIs, what value a type allows, what is missing.
// libxml2 (xmlschemas.c, parser.c) words its messages from fixed templates; these patterns read the
// templates it uses, and anything else keeps libxml2's own text. The original stays in the finding's
// `detail`, for support and for searching the web.
import { germanCount, germanLiteral } from '../german-number.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';
import type { XsdIssue } from './xsd.ts';

const PREFIXES: ReadonlyArray<[RegExp, string]> = [
  [/^http:\/\/www\.xplanung\.de\/xplangml\/\d+\/\d+$/, 'xplan'],
  [/^http:\/\/www\.opengis\.net\/gml\/3\.2$/, 'gml'],
  [/^http:\/\/www\.opengis\.net\/gml$/, 'gml'],
  [/^http:\/\/www\.w3\.org\/1999\/xlink$/, 'xlink'],
  [/^http:\/\/www\.w3\.org\/2001\/XMLSchema-instance$/, 'xsi'],
];

/** `{namespace}local` as `prefix:local` for the namespaces of XPlanGML; other names stay as they are. */
export function shortName(name: string): string {
  const m = /^\{([^}]*)\}(.+)$/.exec(name);
  if (!m) return name;
  const prefix = PREFIXES.find(([ns]) => ns.test(m[1]!))?.[1];
  return prefix ? `${prefix}:${m[2]}` : name;
}

/** Every `{namespace}local` inside a message shortened. */
export function shortenNames(text: string): string {
  return text.replace(/\{[^}\s]+\}[\w.-]+/g, shortName);
}

const q = (s: string) => `„${s}“`;

/** What a value of an XSD built-in type looks like, said for people. */
const TYPE_HINTS: Record<string, string> = {
  'xs:boolean': '„true“ oder „false“',
  'xs:date': 'ein Datum in der Form JJJJ-MM-TT, z. B. 2024-03-31',
  'xs:dateTime': 'Datum und Uhrzeit in der Form JJJJ-MM-TTThh:mm:ss',
  'xs:gYear': 'eine Jahreszahl (JJJJ)',
  'xs:int': 'eine ganze Zahl',
  'xs:integer': 'eine ganze Zahl',
  'xs:long': 'eine ganze Zahl',
  'xs:short': 'eine ganze Zahl',
  'xs:nonNegativeInteger': 'eine ganze Zahl ab 0',
  'xs:positiveInteger': 'eine ganze Zahl ab 1',
  'xs:double': 'eine Zahl mit Punkt als Dezimaltrennzeichen, z. B. 12.5',
  'xs:decimal': 'eine Zahl mit Punkt als Dezimaltrennzeichen, z. B. 12.5',
  'xs:float': 'eine Zahl mit Punkt als Dezimaltrennzeichen, z. B. 12.5',
  'xs:anyURI': 'eine URI',
  'gml:doubleList': 'eine Liste von Zahlen mit Punkt als Dezimaltrennzeichen, durch Leerzeichen getrennt',
};

// an XML name without a colon (xs:NCName), the form an xs:ID must have
const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{Mn}\p{Mc}._\-\u00B7]*$/u;

/** The properties of gml:AbstractFeature, which every XPlanung object may start with. */
const GML_HEADER = new Set(['gml:metaDataProperty', 'gml:description', 'gml:descriptionReference', 'gml:identifier', 'gml:name', 'gml:boundedBy', 'gml:location']);

// libxml2 names at most 10 expected elements (xmlRegExecErrInfo's buffer in xmlschemas.c)
const EXPECTED_SHOWN = 10;
/** The element names of libxml2's "Expected is ( … )" list, shortened. */
const expectedNames = (items: string) => items.split(', ').map((s) => shortName(s.trim()));
/** Such a list for people, saying when libxml2 cut it off. */
const listed = (names: string[]) => names.join(', ') + (names.length >= EXPECTED_SHOWN ? ', …' : '');

/** Edit distance (Levenshtein) of two short names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The expected element a misplaced one was probably meant to be: a typo (edit distance ≤ 2, case
 * ignored) or a longer or shorter form of the name (planArtCode for planArt); only when one is closest.
 */
function closest(found: string, expected: string[]): string | undefined {
  const [prefix, local = ''] = found.includes(':') ? found.split(':') : ['', found];
  const scored = expected.flatMap((name) => {
    const [p, l = ''] = name.includes(':') ? name.split(':') : ['', name];
    if (p !== prefix || l === local) return [];
    const a = local.toLowerCase();
    const b = l.toLowerCase();
    const d = distance(a, b);
    if (d <= 2) return [{ name, d }];
    if (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a))) return [{ name, d: 3 }];
    return [];
  }).sort((x, y) => x.d - y.d);
  return scored.length > 0 && (scored.length === 1 || scored[1]!.d > scored[0]!.d) ? scored[0]!.name : undefined;
}

const SUBJECT = /^Element '([^']+)'(?:, attribute '([^']+)')?: ([\s\S]+)$/;
const ENUMERATION = /^\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}\.$/;
const setValues = (set: string) => set.split(', ').map((s) => s.replace(/^'|'$/g, ''));

/** The allowed codes an enumeration error lists, so that their names can be looked up (code-labels.ts). */
export function enumerationValues(message: string): string[] | undefined {
  const m = ENUMERATION.exec(SUBJECT.exec(message.trim())?.[3]?.trim() ?? '');
  return m ? setValues(m[2]!) : undefined;
}

/** The part of an XSD message after its subject ("Element '…'" or "Element '…', attribute '…'"), in German. */
function schemaText(element: string, attribute: string | undefined, rest: string, names?: Record<string, string>): string | undefined {
  const el = q(element);
  const subject = attribute ? `Das Attribut ${q(attribute)} von ${el}` : el;
  let m: RegExpExecArray | null;
  if ((m = /^This element is not expected\.(?: Expected is (one of )?\( (.+) \)\.)?$/.exec(rest))) {
    if (!m[2]) return `${el} ist an dieser Stelle nicht erlaubt.`;
    if (!m[1]) {
      const expected = shortName(m[2]);
      return closest(element, [expected])
        ? `${el} ist an dieser Stelle nicht erlaubt. Erwartet wird ${q(expected)}: ist es gemeint?`
        : `${el} ist an dieser Stelle nicht erlaubt. Erwartet wird ${q(expected)}: fehlt dieses Pflichtelement, oder stehen die Elemente in anderer Reihenfolge als im Schema?`;
    }
    const names = expectedNames(m[2]);
    const meant = closest(element, names);
    // before an object's first own element, the GML properties every object may have (gml:name …) are
    // expected too; when one XPlanung element is left besides them, that one is what is missing
    const own = names.filter((n) => !GML_HEADER.has(n));
    if (!meant && own.length === 1 && names.length < EXPECTED_SHOWN) {
      return `${el} ist an dieser Stelle nicht erlaubt. Erwartet wird ${q(own[0]!)} (oder davor eines der GML-Elemente ${names.filter((n) => GML_HEADER.has(n)).join(', ')}): fehlt dieses Pflichtelement, oder stehen die Elemente in anderer Reihenfolge als im Schema?`;
    }
    return `${el} ist an dieser Stelle nicht erlaubt. Erwartet wird eines von: ${listed(names)}.${meant ? ` Ist ${q(meant)} gemeint?` : ' Die Elemente eines Objekts stehen in der Reihenfolge des Schemas.'}`;
  }
  if ((m = /^Missing child element\(s\)\. Expected is (one of )?\( (.+) \)\.$/.exec(rest))) {
    return m[1] ? `In ${el} fehlt ein Pflichtelement, eines von: ${listed(expectedNames(m[2]!))}.` : `In ${el} fehlt das Pflichtelement ${q(shortName(m[2]!))}.`;
  }
  if ((m = ENUMERATION.exec(rest))) {
    const allowed = setValues(m[2]!).map((code) => (names?.[code] ? `${code} (${names[code]})` : code)).join(', ');
    return `${subject} hat den Wert ${q(m[1]!)}, der keiner der zulässigen Codes ist. Zulässig: ${allowed}.`;
  }
  if ((m = /^'(.*)' is not a valid value of the (?:local )?(?:atomic|list|union) type(?: '([^']+)')?\.$/.exec(rest))) {
    const [, value, rawType] = m;
    const type = rawType ? shortName(rawType) : undefined;
    if (type === 'xs:ID') {
      return NCNAME.test(value!)
        ? `Die gml:id ${q(value!)} von ${el} ist im Dokument mehrfach vergeben; jede gml:id muss eindeutig sein.`
        : `Die gml:id ${q(value!)} von ${el} ist keine gültige Kennung: sie muss mit einem Buchstaben oder „_“ beginnen und darf keine Leerzeichen und keinen Doppelpunkt enthalten.`;
    }
    const hint = type ? TYPE_HINTS[type] : undefined;
    if (hint) return `${subject} hat den Wert ${q(value!)}; erlaubt ist ${hint}.`;
    return `${subject} hat den Wert ${q(value!)}, den der Typ${type ? ` ${type}` : ''} nicht zulässt.`;
  }
  if ((m = /^The attribute '(.*)' is not allowed\.$/.exec(rest))) return `Das Attribut ${q(shortName(m[1]!))} ist an ${el} nicht erlaubt.`;
  if ((m = /^The attribute '(.*)' is required but missing\.$/.exec(rest))) return `An ${el} fehlt das Pflichtattribut ${q(shortName(m[1]!))}.`;
  if (/^Character content other than whitespace is not allowed because the content type is 'element-only'\.$/.test(rest)) {
    return `${el} darf keinen Text enthalten, nur Unterelemente.`;
  }
  if (/^(?:Character|Element) content is not allowed, because the content type is empty\.$/.test(rest)) return `${el} muss leer sein.`;
  if (/^Element content is not allowed, because the type definition is simple\.$/.test(rest)) return `${el} darf nur einen Wert enthalten, keine Unterelemente.`;
  if ((m = /^\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '(.*)'\.$/.exec(rest))) {
    return `${subject} hat den Wert ${q(m[1]!)}, der nicht dem vorgeschriebenen Muster ${q(m[2]!)} entspricht.`;
  }
  if ((m = /^\[facet '(?:minInclusive|minExclusive)'\] The value '(.*)' (?:is less than the minimum value allowed \('(.*)'\)|must be greater than '(.*)')\.$/.exec(rest))) {
    return `${subject} hat den Wert ${q(m[1]!)}; ${m[2] !== undefined ? `der kleinste zulässige Wert ist ${germanLiteral(m[2])}` : `er muss größer als ${germanLiteral(m[3]!)} sein`}.`;
  }
  if ((m = /^\[facet '(?:maxInclusive|maxExclusive)'\] The value '(.*)' (?:is greater than the maximum value allowed \('(.*)'\)|must be less than '(.*)')\.$/.exec(rest))) {
    return `${subject} hat den Wert ${q(m[1]!)}; ${m[2] !== undefined ? `der größte zulässige Wert ist ${germanLiteral(m[2])}` : `er muss kleiner als ${germanLiteral(m[3]!)} sein`}.`;
  }
  if ((m = /^\[facet '(length|minLength|maxLength)'\] The value has a length of '(\d+)'; this (?:differs from the allowed length|underruns the allowed minimum length|exceeds the allowed maximum length) of '(\d+)'\.$/.exec(rest))) {
    const bound = m[1] === 'length' ? 'genau' : m[1] === 'minLength' ? 'mindestens' : 'höchstens';
    return `${subject} hat die Länge ${m[2]}; erlaubt ist ${bound} ${m[3]}.`;
  }
  if (/^No matching global declaration available for the validation root\.$/.test(rest)) {
    return `Das Wurzelelement ${el} ist im XML-Schema nicht deklariert.`;
  }
  return undefined;
}

/**
 * An XSD violation as libxml2 reports it, in German; undefined for a message of another form.
 * `names`: the names of an enumeration's codes, to list them with the codes.
 */
export function germanXsdMessage(message: string, names?: Record<string, string>): string | undefined {
  const m = SUBJECT.exec(message.trim());
  if (!m) return undefined;
  return schemaText(shortName(m[1]!), m[2] ? shortName(m[2]) : undefined, m[3]!.trim(), names);
}

/** A well-formedness error as libxml2's parser reports it, in German; undefined for other messages. */
export function germanParseMessage(message: string): string | undefined {
  const text = message.trim();
  let m: RegExpExecArray | null;
  if ((m = /^Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)$/.exec(text))) {
    return `Das Element ${q(m[1]!)} aus Zeile ${m[2]} wird mit ${q(m[3]!)} geschlossen: Start- und End-Tag passen nicht zusammen.`;
  }
  if ((m = /^Premature end of data in tag (\S+) line (\d+)$/.exec(text))) {
    return `Die Datei endet, bevor das Element ${q(m[1]!)} aus Zeile ${m[2]} geschlossen ist. Ist sie vollständig übertragen worden?`;
  }
  if (/^(?:xmlParseEntityRef: no name|EntityRef: expecting ';')$/.test(text)) {
    return 'Ein „&“ im Text muss als „&amp;“ geschrieben werden.';
  }
  if (/^StartTag: invalid element name$/.test(text)) return 'Ein „<“ im Text muss als „&lt;“ geschrieben werden, oder ein Elementname ist ungültig.';
  if (/^Extra content at the end of the document$/.test(text)) return 'Nach dem Ende des Wurzelelements folgt weiterer Inhalt.';
  if ((m = /^Couldn't find end of Start Tag (\S+)(?: line \d+)?$/.exec(text))) return `Das Start-Tag von ${q(m[1]!)} ist nicht richtig abgeschlossen.`;
  if (/^AttValue: " or ' expected$/.test(text)) return 'Der Wert eines Attributs steht nicht in Anführungszeichen.';
  if (/^attributes construct error$/.test(text)) return 'Die Attribute eines Elements sind fehlerhaft geschrieben.';
  if ((m = /^Attribute (\S+) redefined$/.exec(text))) return `Das Attribut ${q(m[1]!)} steht zweimal an einem Element.`;
  if ((m = /^Namespace prefix (\S+) on (\S+) is not defined$/.exec(text))) return `Das Präfix ${q(m[1]!)} von ${q(m[2]!)} ist keinem Namensraum zugeordnet (xmlns:${m[1]} fehlt).`;
  if (/^(?:Comment must not contain '--' \(double-hyphen\)|Double hyphen within comment)/.test(text)) return 'Ein Kommentar (<!-- … -->) enthält „--“; das ist in XML nicht erlaubt.';
  if (/^expected '>'$/.test(text)) return 'Ein Tag ist nicht mit „>“ abgeschlossen.';
  if ((m = /^PCDATA invalid Char value (\d+)$/.exec(text))) return `Der Text enthält ein in XML unzulässiges Steuerzeichen (Code ${m[1]}).`;
  if (/^(?:Input is not proper UTF-8|Invalid bytes in character encoding)/.test(text)) {
    return 'Das Dokument enthält Bytes, die in seiner Kodierung ungültig sind. Wurde es in einer anderen Kodierung gespeichert, als es angibt (z. B. ISO-8859-1 statt UTF-8)?';
  }
  return undefined;
}

/**
 * A finding of the syntax stage (`position`: its place among the document's syntax findings): German where the message has a known form, with the object it lies in
 * (its type in the message, its gml:id in `gmlIds`), and libxml2's original text as `detail`.
 */
export function syntaxFinding(issue: XsdIssue, version: string, position = 0): Finding {
  const parse = issue.kind === 'parse';
  const german = parse ? germanParseMessage(issue.message) : germanXsdMessage(issue.message, issue.codeNames);
  const fallback = parse ? `Das Dokument ist kein wohlgeformtes XML: ${issue.message}` : `Verstoß gegen das XML-Schema XPlanGML ${version}: ${shortenNames(issue.message)}`;
  const { feature } = issue;
  // an error on the object's own start tag names the object already
  const where = feature && feature.line !== issue.line ? `Im Objekt ${feature.type}: ` : '';
  return {
    rule: (parse ? 'xml' : 'xsd') satisfies RuleId,
    severity: 'error',
    stage: 'syntax',
    // libxml2 reads on after a well-formedness error; what it finds then mostly follows from the first
    message: `${where}${german ?? fallback}${parse && position > 0 ? ' (Möglicherweise eine Folge des ersten Fehlers.)' : ''}`,
    gmlIds: feature?.gmlId ? [feature.gmlId] : [],
    line: issue.line ?? null,
    ...(issue.column ? { column: issue.column } : {}),
    ...(german ? { detail: issue.message } : {}),
  };
}

/** Says that the report lists only the first `shown` syntax findings (a warning, as for the geometry rules). */
export function omittedSyntaxFinding(kind: XsdIssue['kind'], omitted: number, shown: number): Finding {
  return {
    rule: (kind === 'parse' ? 'xml' : 'xsd') satisfies RuleId,
    severity: 'warning',
    stage: 'syntax',
    message: `${germanCount(omitted)} weitere Syntaxfehler ausgelassen; gezeigt werden die ersten ${germanCount(shown)}. Oft haben viele Meldungen eine gemeinsame Ursache: die ersten beheben und neu prüfen.`,
    gmlIds: [],
    line: null,
  };
}
