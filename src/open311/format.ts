// Open311 documents in XML and JSON from one canonical value (the Spark convention of the spec's
// "JSON and XML Conversion"): JSON is the value itself, without the XML root; XML wraps it in the
// root element and writes one singular element per list item.
import { xmlSafe } from '../core/text.ts';

export type Format = 'xml' | 'json';

/** List element → the element of each item. */
const ITEM: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
  service_request_updates: 'request_update',
  media_urls: 'media_url',
  notes: 'note',
  groups: 'group',
};

export type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

/** Text content as xmlbuilder2 wrote it (&, <, > escaped), without what XML cannot carry. */
function text(value: string): string {
  // text stored before the input rule may hold characters XML cannot carry: one such row must not break the document
  const safe = xmlSafe(value);
  return /[&<>]/.test(safe) ? safe.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : safe;
}

/**
 * Appends `<name>…</name>` to `out`. Written as strings, not through a DOM: a 1000-report page is
 * tens of MB and is rendered on the event loop (xmlbuilder2 took about 5 times as long for it).
 */
function write(out: string[], name: string, value: Value): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined);
    if (!items.length) { out.push(`<${name}/>`); return; }
    out.push(`<${name}>`);
    const item = ITEM[name] ?? 'item';
    for (const v of items) write(out, item, v);
    out.push(`</${name}>`);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) { out.push(`<${name}/>`); return; }
    out.push(`<${name}>`);
    for (const [k, v] of entries) write(out, k, v);
    out.push(`</${name}>`);
    return;
  }
  out.push(value === null ? `<${name}/>` : `<${name}>${text(String(value))}</${name}>`);
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
export const CONTENT_TYPE: Record<Format, string> = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' };

/**
 * A list document in pieces, for writing it an item at a time (./list.ts): `open`, the items
 * joined by `separator`, `close`; `empty` when there is no item. The same bytes as `render`.
 */
export interface ListFrame { open: string; separator: string; close: string; empty: string; item: (value: Value) => string }

export function listFrame(format: Format, root: string): ListFrame {
  if (format === 'json') return { open: '[', separator: ',', close: ']', empty: '[]', item: (v) => JSON.stringify(v) };
  const element = ITEM[root] ?? 'item';
  return {
    open: `${XML_DECLARATION}<${root}>`, separator: '', close: `</${root}>`, empty: `${XML_DECLARATION}<${root}/>`,
    item: (v) => { const out: string[] = []; write(out, element, v); return out.join(''); },
  };
}

/** `root` is the XML root element (`services`, `service_requests`, `errors` …). */
export function render(format: Format, root: string, value: Value): { contentType: string; body: string } {
  if (format === 'json') return { contentType: CONTENT_TYPE.json, body: JSON.stringify(value) };
  if (Array.isArray(value)) {
    const frame = listFrame(format, root);
    const items = value.filter((v) => v !== undefined);
    return { contentType: CONTENT_TYPE.xml, body: items.length ? frame.open + items.map(frame.item).join('') + frame.close : frame.empty };
  }
  const out = [XML_DECLARATION];
  if (value !== null && typeof value === 'object') write(out, root, value);
  else write(out, root, String(value ?? ''));
  return { contentType: CONTENT_TYPE.xml, body: out.join('') };
}
