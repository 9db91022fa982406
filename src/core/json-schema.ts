// One ajv instance for every JSON Schema in schemas/: the single source of the model's shapes
// (the OpenAPI document and the generated types are built from the same files).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { badRequest, type FieldError } from './errors.ts';
import { projectRoot } from './paths.ts';
import { UNREPRESENTABLE_DETAIL, hasUnrepresentable } from './text.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

export const SCHEMA_BASE = 'https://beteiligung-gateway.example/schemas/';

export function loadJsonSchemas(dir = join(projectRoot, 'schemas')): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
}

function createAjv(opts: { useDefaults?: boolean; coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: opts.useDefaults ?? false, coerceTypes: opts.coerceTypes ?? false });
  addFormats(ajv);
  for (const schema of loadJsonSchemas()) ajv.addSchema(schema);
  return ajv;
}

let shared: Ajv2020 | undefined;
/** The shared ajv instance with all model schemas registered (defaults applied). */
export function ajv(): Ajv2020 {
  shared ??= createAjv({ useDefaults: true });
  return shared;
}

/** A compiled validator for a schema file name, e.g. `procedure-input.schema.json`. */
export function validatorFor<T>(file: string): ValidateFunction<T> {
  const fn = ajv().getSchema<T>(SCHEMA_BASE + file);
  if (!fn) throw new Error(`unknown schema ${file}`);
  return fn;
}

/** Turns ajv errors into specific field errors; drops the noise that `oneOf`/`if` branches add. */
export function fieldErrors(errors: ErrorObject[] | null | undefined, base = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    if (e.keyword === 'if' || e.keyword === 'oneOf' || e.keyword === 'allOf') continue;
    let pointer = base + e.instancePath;
    let detail: string;
    switch (e.keyword) {
      case 'required':
        pointer += `/${(e.params as { missingProperty: string }).missingProperty}`;
        detail = 'is required';
        break;
      case 'additionalProperties':
      case 'unevaluatedProperties': {
        const p = e.params as { additionalProperty?: string; unevaluatedProperty?: string };
        pointer += `/${p.additionalProperty ?? p.unevaluatedProperty}`;
        detail = 'is not a known field';
        break;
      }
      case 'enum':
        detail = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
        break;
      case 'const':
        detail = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      default:
        detail = e.message ?? 'is invalid';
    }
    const key = `${pointer} ${detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer: pointer || '/', detail });
  }
  return out;
}

/** Validates `data` against a schema file or throws a 400 naming every offending field. */
export function assertValid<T>(file: string, data: unknown, what: string): T {
  const validate = validatorFor<T>(file);
  const errors = validate(data) ? unrepresentableText(data) : fieldErrors(validate.errors);
  if (!errors.length) return data as T;
  const first = errors[0];
  throw badRequest(`${what} is invalid${first ? `: ${first.pointer} ${first.detail}` : ''}`, errors);
}

/** Pointers to every string (value or key) in `data` that contains a character XML cannot represent. */
export function unrepresentableText(data: unknown, pointer = ''): FieldError[] {
  if (typeof data === 'string') return hasUnrepresentable(data) ? [{ pointer: pointer || '/', detail: UNREPRESENTABLE_DETAIL }] : [];
  if (Array.isArray(data)) return data.flatMap((v, i) => unrepresentableText(v, `${pointer}/${i}`));
  if (data && typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).flatMap(([k, v]) => [...unrepresentableText(k, `${pointer}/${k}`).slice(0, 1), ...unrepresentableText(v, `${pointer}/${k}`)]);
  }
  return [];
}

/** A separate, coercing instance for configuration read from strings (environment variables). */
export function configValidator(): ValidateFunction {
  const a = createAjv({ useDefaults: true, coerceTypes: true });
  const fn = a.getSchema(SCHEMA_BASE + 'config.schema.json');
  if (!fn) throw new Error('config schema missing');
  return fn;
}
