// The form of a report submission checked against schemas/open311-submission.schema.json (the
// shared ajv) before anything else looks at it: every field has a length limit, and no text may
// hold a character XML cannot carry. Problems come back as Open311 descriptions naming the field.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { unrepresentableText, validatorFor } from '../core/json-schema.ts';
import { UNREPRESENTABLE_DETAIL, quoteForError } from '../core/text.ts';

type SubmissionSchema = { properties: Record<string, { 'x-maxTotalLength'?: number }> };
const validator = () => validatorFor<Record<string, unknown>>('open311-submission.schema.json');
const properties = () => (validator().schema as SubmissionSchema).properties;

/** All attribute codes and values of one report together (JSON Schema cannot sum lengths). */
export const maxAttributeText = (): number => properties().attribute?.['x-maxTotalLength'] ?? 8000;

/** What the form parser gave for the fields the schema knows (each may also come in the query), media_url always as a list. */
export function submittedForm(body: unknown, query: Record<string, unknown>): Record<string, unknown> {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const form: Record<string, unknown> = {};
  for (const f of Object.keys(properties())) {
    if (f === 'media_url' || f === 'attribute') continue;
    const v = b[f] ?? query[f];
    if (v !== undefined && v !== '') form[f] = v;
  }
  const media = b.media_url;
  if (media !== undefined) form.media_url = (Array.isArray(media) ? media : [media]).filter((u) => u !== '');
  if (b.attribute !== undefined) form.attribute = b.attribute;
  return form;
}

/** `/attribute/schaden/2` → `attribute[schaden]`, `/media_url/1` → `media_url`. */
function fieldName(pointer: string): string {
  const [field = '', sub] = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return field === 'attribute' && sub !== undefined ? `attribute[${quoteForError(sub, 64)}]` : quoteForError(field, 64);
}

function message(e: ErrorObject): string {
  const field = fieldName(e.instancePath);
  const p = e.params as { limit?: number; type?: string };
  switch (e.keyword) {
    case 'maxLength': return `${field} must not exceed ${p.limit} characters`;
    case 'maxItems': return field === 'media_url' ? `at most ${p.limit} media_url values` : `${field} must not have more than ${p.limit} values`;
    case 'pattern': return `${field} must be an http(s) URL`;
    case 'type': return p.type === 'string' ? `${field} must be a single text value (given once)` : `${field} must be a list`;
    default: return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/** Characters of all attribute codes and text values. */
function attributeText(raw: unknown): number {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return typeof raw === 'string' ? raw.length : 0;
  let n = 0;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    n += k.length;
    for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string') n += s.length;
  }
  return n;
}

/** Open311 descriptions of every problem of the form (empty when it is within the limits). */
export function checkSubmission(form: Record<string, unknown>): string[] {
  const validate = validator();
  const messages = validate(form) ? [] : (validate.errors ?? []).map(message);
  // the one control-character rule (src/core/text.ts), for values and attribute codes alike
  messages.push(...unrepresentableText(form).map((e) => `${fieldName(e.pointer)} ${UNREPRESENTABLE_DETAIL}`));
  const attributeChars = attributeText(form.attribute);
  const max = maxAttributeText();
  if (attributeChars > max) messages.push(`the attributes must not exceed ${max} characters together (codes and values); these have ${attributeChars}`);
  return [...new Set(messages)];
}
