// `attribute[code]` values of a POST checked against the service definition: each definition is
// compiled once into a JSON Schema and validated with ajv (required, datatype, value lists).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Open311Service } from '../core/storage/service-request-repository.ts';
import { localToW3c } from './local-time.ts';

const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const cache = new Map<string, ReturnType<Ajv2020['compile']>>();

/**
 * Zone of a `datetime` attribute sent without one (a browser's datetime-local, FixMyStreet's form).
 * Every tenant is a German authority (the tenant model has no zone of its own).
 */
export const ATTRIBUTE_TIME_ZONE = 'Europe/Berlin';

/** A `number` attribute as stored: optional minus, digits, a decimal point. */
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;
/** The same with a German decimal comma (`12,5`); nothing with both marks or two of them (`1.234,5`). */
const DECIMAL_COMMA = /^-?(\d+(,\d*)?|,\d+)$/;

/**
 * The value as stored: a decimal comma becomes a point, a zone-less datetime gets the offset of
 * ATTRIBUTE_TIME_ZONE at that moment. Anything else is left as it came, for the schema to refuse.
 */
function normalised(datatype: string | undefined, value: string): string {
  if (datatype === 'number' && DECIMAL_COMMA.test(value)) return value.replace(',', '.');
  if (datatype === 'datetime') return localToW3c(value, ATTRIBUTE_TIME_ZONE) ?? value;
  return value;
}

/** The JSON Schema of the `attribute` object a service accepts. */
export function attributeSchema(service: Open311Service): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const a of service.attributes ?? []) {
    if (a.variable === false) continue; // informational text, not submitted
    const keys = (a.values ?? []).map((v) => v.key);
    switch (a.datatype) {
      case 'string': properties[a.code] = { type: 'string', maxLength: 1000 }; break;
      case 'text': properties[a.code] = { type: 'string', maxLength: 4000 }; break;
      // values arrive normalised by localValues (a decimal comma is a point by then)
      case 'number': properties[a.code] = { type: 'string', pattern: NUMBER.source }; break;
      case 'datetime': properties[a.code] = { type: 'string', format: 'date-time' }; break;
      case 'singlevaluelist': properties[a.code] = { type: 'string', enum: keys }; break;
      case 'multivaluelist': properties[a.code] = { type: 'array', items: { type: 'string', enum: keys }, minItems: a.required ? 1 : 0, uniqueItems: true }; break;
    }
    if (a.required) required.push(a.code);
  }
  // unknown attributes are accepted and ignored, as clients (FixMyStreet) send extra ones
  return { type: 'object', properties, required };
}

/** Messages for every violation (empty when the attributes are acceptable). */
export function checkAttributes(service: Open311Service, values: Record<string, string | string[]>): string[] {
  const key = JSON.stringify(service.attributes ?? []);
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(attributeSchema(service));
    cache.set(key, validate);
  }
  if (validate(values)) return [];
  const label = (code: string) => (service.attributes ?? []).find((a) => a.code === code)?.description ?? code;
  return (validate.errors ?? []).map((e) => {
    if (e.keyword === 'required') {
      const code = (e.params as { missingProperty: string }).missingProperty;
      return `attribute[${code}] is required (${label(code)})`;
    }
    const code = e.instancePath.split('/')[1] ?? '';
    if (e.keyword === 'enum') return `attribute[${code}] must be one of the listed keys: ${((e.params as { allowedValues: string[] }).allowedValues ?? []).join(', ')}`;
    if (e.keyword === 'format') return `attribute[${code}] must be a W3C date-time with zone (2026-05-01T10:00:00+02:00) or a local time in ${ATTRIBUTE_TIME_ZONE} without zone (2026-05-01T10:00, as a browser's datetime-local sends it)`;
    if (e.keyword === 'pattern') return `attribute[${code}] must be a number with a decimal point or a decimal comma (12.5 or 12,5), without thousands separators`;
    if (e.keyword === 'type') return `attribute[${code}] must be ${(e.params as { type: string }).type === 'array' ? 'a list (attribute[code][]=…)' : 'a single value'}`;
    return `attribute[${code}] ${e.message ?? 'is invalid'}`;
  });
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** Codes whose submitted value is neither text nor a list of texts (e.g. attribute[code][key]=…). */
export function malformedAttributes(raw: unknown): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw === undefined || raw === '' ? [] : ['(attribute)'];
  return Object.entries(raw as Record<string, unknown>).filter(([, v]) => !(isText(v) || (Array.isArray(v) && v.every(isText)))).map(([code]) => code);
}

/** Normalises the parsed form: attribute[code] → string (see `normalised`), attribute[code][] (or repeated) → list for multivaluelists. */
export function attributeValues(service: Open311Service, raw: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  const malformed = new Set(malformedAttributes(raw));
  for (const [code, v] of Object.entries(raw as Record<string, unknown>)) {
    if (malformed.has(code)) continue;
    const def = (service.attributes ?? []).find((a) => a.code === code);
    // an empty parameter counts as absent (Open311 "optional" semantics)
    const list = (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]).filter((s) => s !== '');
    if (def?.datatype === 'multivaluelist') out[code] = list;
    else if (list.length === 1) out[code] = normalised(def?.datatype, list[0]!);
    else if (list.length > 1) out[code] = list; // the schema reports "must be a single value"
  }
  return out;
}
