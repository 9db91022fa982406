// Admin API (/admin/v1): tenants, their API keys and code-list overrides. Admin token only.
import { Router } from 'express';
import { jsonBody } from '../body.ts';
import { generateApiKey, hashApiKey, requireAdmin } from '../../core/auth.ts';
import type { GatewayContext } from '../../core/context.ts';
import { badRequest, notFound, unprocessable } from '../../core/errors.ts';
import { assertValid } from '../../core/json-schema.ts';
import { tenantVocabularyErrors } from '../../dcat/vocab.ts';
import type { ApiKey, CodeMapping, Tenant } from '../../core/model.ts';
import type { StoredApiKey } from '../../core/storage/repository.ts';
import { authState } from '../credentials.ts';
import { requireContentType } from '../security.ts';

const publicKey = (k: StoredApiKey): ApiKey & { revoked: string | null } => ({ id: k.id, tenant: k.tenant, label: k.label, scopes: k.scopes, created: k.created, revoked: k.revoked });

function parseTenant(body: unknown, id?: string): Tenant {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = { ...(body as Record<string, unknown>) };
    delete b.created;
    if (id !== undefined) {
      if (b.id !== undefined && b.id !== id) throw badRequest(`the body's id ${String(b.id)} differs from the URL's ${id}`, [{ pointer: '/id', detail: `must be ${id}` }]);
      b.id = id;
    }
    const tenant = assertValid<Tenant>('tenant.schema.json', b, 'the tenant');
    // well-formed IRIs that the DCAT-AP.de vocabularies do not know: GovData would not place the datasets
    const vocab = tenantVocabularyErrors(tenant);
    if (vocab.length) throw unprocessable(`the tenant's ${vocab.map((e) => e.pointer.slice(1)).join(' and ')} ${vocab.length > 1 ? 'are' : 'is'} not in the DCAT-AP.de vocabulary: ${vocab[0]!.detail}`, vocab);
    return tenant;
  }
  throw badRequest('the body must be a JSON object (a Tenant)');
}

export function adminRoutes(ctx: GatewayContext): Router {
  const r = Router();
  const { store } = ctx;
  const body = jsonBody(ctx.config.maxJsonBytes);
  r.use('/admin/v1', (_req, res, next) => {
    requireAdmin(authState(res).principal, authState(res).presented);
    next();
  });

  const tenantOr404 = async (id: string) => {
    const t = await store.tenants.get(id);
    if (!t) throw notFound(`tenant ${id} does not exist`);
    return t;
  };

  r.get('/admin/v1/tenants', async (_req, res) => { res.json(await store.tenants.list()); });

  r.post('/admin/v1/tenants', requireContentType('application/json'), body, async (req, res) => {
    const tenant = await store.tenants.create(parseTenant(req.body));
    res.status(201).setHeader('Location', `/admin/v1/tenants/${tenant.id}`);
    res.json(tenant);
  });

  r.get('/admin/v1/tenants/:tenant', async (req, res) => { res.json(await tenantOr404(req.params.tenant)); });

  r.put('/admin/v1/tenants/:tenant', requireContentType('application/json'), body, async (req, res) => {
    const tenant = parseTenant(req.body, req.params.tenant);
    await tenantOr404(req.params.tenant);
    res.json(await store.tenants.update(tenant));
  });

  r.get('/admin/v1/tenants/:tenant/keys', async (req, res) => {
    await tenantOr404(req.params.tenant);
    res.json((await store.apiKeys.list(req.params.tenant)).map(publicKey));
  });

  r.post('/admin/v1/tenants/:tenant/keys', requireContentType('application/json'), body, async (req, res) => {
    await tenantOr404(req.params.tenant);
    const b = (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) ? { ...(req.body as Record<string, unknown>) } : req.body;
    const spec = assertValid<ApiKey>('api-key.schema.json', b, 'the API key request');
    if (spec.key !== undefined || spec.id !== undefined) throw badRequest('id and key are chosen by the gateway', [{ pointer: spec.key !== undefined ? '/key' : '/id', detail: 'is read-only' }]);
    const secret = generateApiKey();
    const stored = await store.apiKeys.create(req.params.tenant, spec.label, spec.scopes, hashApiKey(secret));
    res.status(201).setHeader('Cache-Control', 'no-store');
    res.json({ ...publicKey(stored), key: secret });
  });

  r.delete('/admin/v1/tenants/:tenant/keys/:keyId', async (req, res) => {
    await tenantOr404(req.params.tenant);
    if (!(await store.apiKeys.revoke(req.params.tenant, req.params.keyId))) throw notFound(`no active key ${req.params.keyId} in tenant ${req.params.tenant}`);
    res.status(204).end();
  });

  r.get('/admin/v1/tenants/:tenant/code-mappings', async (req, res) => {
    await tenantOr404(req.params.tenant);
    const list = typeof req.query.list === 'string' ? req.query.list : undefined;
    res.json(await store.codeMappings.list(req.params.tenant, list));
  });

  r.put('/admin/v1/tenants/:tenant/code-mappings', requireContentType('application/json'), body, async (req, res) => {
    await tenantOr404(req.params.tenant);
    const m = assertValid<CodeMapping>('code-mapping.schema.json', req.body, 'the code mapping');
    res.json(await store.codeMappings.setOverride(req.params.tenant, { list: m.list, code: m.code, value: m.value }));
  });

  return r;
}
