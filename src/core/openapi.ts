// Builds the one OpenAPI 3.1 document: openapi/openapi.yaml (root), one fragment per standard in
// openapi/paths/*.yaml, and the model's JSON Schemas from schemas/*.schema.json as components.
// The same bundle feeds /openapi.json, the generated types and the authorisation matrix test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadJsonSchemas } from './json-schema.ts';
import { projectRoot } from './paths.ts';

type Json = Record<string, unknown>;

const SKIP = new Set(['GatewayConfig']);

/** Inlines a JSON Schema as a component: file refs become component refs, `#/$defs` refs stay local to it. */
function toComponent(schema: Json, titleByFile: Map<string, string>, title: string): Json {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$id' || k === '$schema') continue;
      if (k === '$ref' && typeof v === 'string') {
        if (v.startsWith('#/$defs/')) out[k] = `#/components/schemas/${title}_${v.slice(8)}`;
        else {
          const [file, fragment] = v.split('#');
          const target = titleByFile.get(file ?? '');
          if (!target) throw new Error(`unresolved $ref ${v} in ${title}`);
          // another file's $defs entry is hoisted as <Title>_<name>, like local ones
          out[k] = fragment?.startsWith('/$defs/') ? `#/components/schemas/${target}_${fragment.slice(7)}` : `#/components/schemas/${target}`;
        }
      } else out[k] = rewrite(v);
    }
    return out;
  };
  return rewrite(schema) as Json;
}

export function buildOpenApi(root = projectRoot): Json {
  const doc = parse(readFileSync(join(root, 'openapi', 'openapi.yaml'), 'utf8')) as Json;
  const paths: Json = {};
  const components = doc.components as Json;
  const schemas: Json = {};
  const fragmentDir = join(root, 'openapi', 'paths');
  for (const f of readdirSync(fragmentDir).filter((n) => n.endsWith('.yaml')).sort()) {
    const frag = parse(readFileSync(join(fragmentDir, f), 'utf8')) as { paths?: Json; components?: Json };
    for (const [p, item] of Object.entries(frag.paths ?? {})) {
      if (p in paths) throw new Error(`path ${p} defined twice (${f})`);
      paths[p] = item;
    }
    for (const [section, entries] of Object.entries(frag.components ?? {})) {
      const target = (section === 'schemas' ? schemas : ((components[section] ??= {}) as Json));
      for (const [name, value] of Object.entries(entries as Json)) {
        if (name in target) throw new Error(`component ${section}/${name} defined twice (${f})`);
        target[name] = value;
      }
    }
  }
  const jsonSchemas = loadJsonSchemas(join(root, 'schemas'));
  const titleByFile = new Map<string, string>();
  for (const s of jsonSchemas) titleByFile.set(String(s.$id).split('/').pop() ?? '', String(s.title));
  for (const s of jsonSchemas) {
    const title = String(s.title);
    if (SKIP.has(title)) continue;
    if (title in schemas) throw new Error(`component schema ${title} defined twice`);
    // $defs become components of their own (Geometry_position ...): OpenAPI has no nested $defs scope
    const { $defs, ...rest } = s as Json & { $defs?: Json };
    schemas[title] = toComponent(rest, titleByFile, title);
    for (const [name, def] of Object.entries($defs ?? {})) schemas[`${title}_${name}`] = toComponent(def as Json, titleByFile, title);
  }
  components.schemas = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  doc.paths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return doc;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'] as const;

export interface OperationInfo {
  path: string;
  method: (typeof HTTP_METHODS)[number];
  operationId: string;
  auth: 'public' | 'admin' | 'tenant' | 'open311-key';
  scope?: string;
}

/** Every operation with its declared protection (`x-auth`, `x-scope`): the source of the authorisation matrix. */
export function listOperations(doc: Json): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of HTTP_METHODS) {
      const op = (item as Json)[method] as Json | undefined;
      if (!op) continue;
      out.push({ path, method, operationId: String(op.operationId), auth: (op['x-auth'] ?? 'public') as OperationInfo['auth'], scope: op['x-scope'] as string | undefined });
    }
  }
  return out;
}
