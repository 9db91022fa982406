// Checks a ProcedureInput beyond what JSON Schema can say, and applies JSON Merge Patches.
import { badRequest, type FieldError } from './errors.ts';
import { assertValid, validatorFor } from './json-schema.ts';
import type { Procedure, ProcedureInput } from './model.ts';

const READ_ONLY = ['id', 'tenant', 'status', 'created', 'modified'] as const;

function inputProperties(): Set<string> {
  const schema = validatorFor('procedure-input.schema.json').schema as { properties: Record<string, unknown> };
  return new Set(Object.keys(schema.properties));
}

/** Validates a body as ProcedureInput: read-only fields a client echoes back are dropped, unknown ones refused. */
export function parseProcedureInput(body: unknown): ProcedureInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object (a ProcedureInput)');
  const data: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of READ_ONLY) delete data[k];
  const known = inputProperties();
  const unknown = Object.keys(data).filter((k) => !known.has(k));
  if (unknown.length) throw badRequest(`unknown field ${unknown[0]}`, unknown.map((k) => ({ pointer: `/${k}`, detail: 'is not a known field' })));
  const input = assertValid<ProcedureInput>('procedure-input.schema.json', data, 'the procedure');
  const errors: FieldError[] = [];
  (input.phases ?? []).forEach((p, i) => {
    if (p.end != null && p.end < p.start) errors.push({ pointer: `/phases/${i}/end`, detail: `ends (${p.end}) before it starts (${p.start})` });
  });
  const seen = new Set<string>();
  (input.externalIds ?? []).forEach((x, i) => {
    const k = `${x.system}\u0000${x.id}`;
    if (seen.has(k)) errors.push({ pointer: `/externalIds/${i}`, detail: `duplicates ${x.system}:${x.id}` });
    seen.add(k);
  });
  if (errors.length) throw badRequest(`the procedure is invalid: ${errors[0]?.pointer} ${errors[0]?.detail}`, errors);
  return input;
}

/** The writable part of a stored procedure. */
export function inputOf(p: Procedure): ProcedureInput {
  const { id: _i, tenant: _t, status: _s, created: _c, modified: _m, ...input } = p;
  return input;
}

/** RFC 7396 JSON Merge Patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
