// Open311 documents in XML and JSON from one canonical value (the Spark convention of the spec's
// "JSON and XML Conversion"): JSON is the value itself, without the XML root; XML wraps it in the
// root element and writes one singular element per list item. Built with xmlbuilder2.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

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

type Value = string | number | boolean | null | undefined | Value[] | { [k: string]: Value };

function write(parent: XMLBuilder, name: string, value: Value): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    const list = parent.ele(name);
    const item = ITEM[name] ?? 'item';
    for (const v of value) write(list, item, v);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const el = parent.ele(name);
    for (const [k, v] of Object.entries(value)) write(el, k, v);
    return;
  }
  const el = parent.ele(name);
  if (value !== null) el.txt(String(value));
}

/** `root` is the XML root element (`services`, `service_requests`, `errors` …). */
export function render(format: Format, root: string, value: Value): { contentType: string; body: string } {
  if (format === 'json') return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
  const doc = create({ version: '1.0', encoding: 'utf-8' });
  if (Array.isArray(value)) {
    const el = doc.ele(root);
    const item = ITEM[root] ?? 'item';
    for (const v of value) write(el, item, v);
  } else if (value !== null && typeof value === 'object') {
    const el = doc.ele(root);
    for (const [k, v] of Object.entries(value)) write(el, k, v);
  } else doc.ele(root).txt(String(value ?? ''));
  return { contentType: 'text/xml; charset=utf-8', body: doc.end({ prettyPrint: false }) };
}
