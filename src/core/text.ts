// The one rule for text that comes from outside, for every module: which characters may be stored,
// how long each kind of field may be, and how a value is shown back in an error message. XML 1.0
// cannot carry C0 controls (but tab, LF, CR), U+FFFE/U+FFFF or lone surrogates; stored, one such
// character would make every XML, RDF/XML and Open311 answer that shows the text ill-formed.

// eslint-disable-next-line no-control-regex -- control characters are what this finds
export const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/u;
// eslint-disable-next-line no-control-regex -- the same set, every occurrence
const NOT_IN_XML_ALL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

/** Whether `text` holds a character that XML 1.0 cannot represent. */
export function hasUnrepresentable(text: string): boolean {
  return NOT_IN_XML.test(text);
}

/** The detail every module gives for such a value. */
export const UNREPRESENTABLE_DETAIL = 'contains a control character or lone surrogate that XML cannot represent';

/**
 * A value from the request (a URL parameter, a header) made safe to quote in an error document:
 * unrepresentable characters become U+FFFD, and it is cut to `max` characters.
 */
export function quoteForError(value: string, max = 200): string {
  const clean = value.replace(NOT_IN_XML_ALL, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Text that is about to be written into an XML document but may predate the input rule (stored
 * before it existed): unrepresentable characters become U+FFFD instead of breaking the document.
 */
export function xmlSafe(text: string): string {
  return NOT_IN_XML.test(text) ? text.replace(NOT_IN_XML_ALL, '\uFFFD') : text;
}

/**
 * The largest integer a paging parameter (page number, offset) may take. Larger values are refused
 * as a client error: bound into SQL they overflow SQLite's 64-bit integers, and no real list has a
 * billion pages.
 */
export const MAX_PAGING_INTEGER = 1_000_000_000;

/** `raw` as an integer in [min, max], or null when it is not one (decimal digits only: no 1e3, no 0x10). */
export function boundedInteger(raw: string, min: number, max: number): number | null {
  if (!/^\s*[+-]?\d{1,16}\s*$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

/** Deepest nesting of arrays and objects a JSON body may have: the model needs 6, clients never send 30. */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of a JSON text, counted on the bytes before it is parsed (strings skipped), so
 * that a deeply nested body is refused before any recursive code walks it.
 */
export function jsonDepth(bytes: Uint8Array, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAt) return deepest;
      }
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return deepest;
}
