// Portal API: /api/v1/tenants/{tenant}/procedures. Thin handlers over the core repository.
import { Router, type Request, type Response } from 'express';
import { jsonBody } from '../body.ts';
import { authorize } from '../../core/auth.ts';
import type { GatewayContext } from '../../core/context.ts';
import { badRequest, gone, notFound } from '../../core/errors.ts';
import type { Procedure } from '../../core/model.ts';
import { inputOf, mergePatch, parseProcedureInput } from '../../core/procedure-input.ts';
import type { ProcedureQuery, StoredProcedure } from '../../core/storage/repository.ts';
import { authState } from '../credentials.ts';
import { baseUrl, requireContentType } from '../security.ts';

const STATUSES = ['Ankündigung', 'Aktiv', 'Beendet', 'Beschluss'] as const;

export const etagOf = (s: StoredProcedure) => `"${s.procedure.id}.${s.version}"`;

/** The version an If-Match header asks for; undefined when absent or `*`. A foreign ETag can never match. */
function expectedVersion(req: Request, id: string): number | undefined {
  const h = req.get('if-match');
  if (!h || h.trim() === '*') return undefined;
  const m = /^(?:W\/)?"([^"]+)\.(\d+)"$/.exec(h.trim());
  if (!m || m[1] !== id) return -1;
  return Number(m[2]);
}

function encodeCursor(after: { modified: string; id: string }): string {
  return Buffer.from(JSON.stringify([after.modified, after.id])).toString('base64url');
}

function decodeCursor(cursor: string): { modified: string; id: string } {
  try {
    const [modified, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof modified === 'string' && typeof id === 'string') return { modified, id };
  } catch { /* fall through */ }
  throw badRequest('cursor is not a cursor this API issued', [{ pointer: 'cursor', detail: 'is malformed' }]);
}

function single(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`query parameter ${name} must be given once`, [{ pointer: name, detail: 'must be a single value' }]);
  return v;
}

function parseQuery(req: Request, tenant: string): ProcedureQuery {
  const q: ProcedureQuery = { tenant, limit: 50 };
  const kind = single(req, 'kind');
  if (kind) q.planKind = kind;
  const family = single(req, 'family');
  if (family) q.family = family;
  const status = single(req, 'status');
  if (status) {
    if (!(STATUSES as readonly string[]).includes(status)) throw badRequest(`status must be one of ${STATUSES.join(', ')}`, [{ pointer: 'status', detail: `must be one of ${STATUSES.join(', ')}` }]);
    q.status = status as Procedure['status'];
  }
  const since = single(req, 'modifiedSince');
  if (since) {
    const t = Date.parse(since);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(since) || Number.isNaN(t)) throw badRequest('modifiedSince must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z', [{ pointer: 'modifiedSince', detail: 'must be a date-time' }]);
    q.modifiedSince = new Date(t).toISOString();
  }
  const limit = single(req, 'limit');
  if (limit) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 500) throw badRequest('limit must be an integer from 1 to 500', [{ pointer: 'limit', detail: 'must be an integer from 1 to 500' }]);
    q.limit = Number(limit);
  }
  const cursor = single(req, 'cursor');
  if (cursor) q.after = decodeCursor(cursor);
  return q;
}

export function procedureRoutes(ctx: GatewayContext): Router {
  const r = Router();
  const store = ctx.store;
  const body = jsonBody(ctx.config.maxJsonBytes, ['application/json', 'application/merge-patch+json']);

  async function tenantOr404(tenant: string): Promise<void> {
    if (!(await store.tenants.get(tenant))) throw notFound(`tenant ${tenant} does not exist`);
  }

  async function live(tenant: string, id: string): Promise<StoredProcedure> {
    const got = await store.procedures.get(tenant, id);
    if (!got) throw notFound(`procedure ${id} does not exist in tenant ${tenant}`);
    if ('tombstone' in got) throw gone(`procedure ${id} was deleted at ${got.tombstone.deleted}`);
    return got;
  }

  const send = (res: Response, s: StoredProcedure, status = 200) => {
    res.status(status).setHeader('ETag', etagOf(s));
    res.json(s.procedure);
  };

  r.get('/api/v1/tenants/:tenant/procedures', async (req, res) => {
    const { tenant } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant);
    await tenantOr404(tenant);
    const page = await store.procedures.list(parseQuery(req, tenant));
    let next: string | null = null;
    if (page.nextAfter) {
      const u = new URL(`${baseUrl(req, ctx.config.publicBaseUrl, ctx.config.trustProxy)}${req.path}`);
      for (const [k, v] of Object.entries(req.query)) if (k !== 'cursor' && typeof v === 'string') u.searchParams.set(k, v);
      u.searchParams.set('cursor', encodeCursor(page.nextAfter));
      next = u.toString();
      res.setHeader('Link', `<${next}>; rel="next"`);
    }
    res.json({ items: page.items, total: page.total, next });
  });

  r.post('/api/v1/tenants/:tenant/procedures', requireContentType('application/json'), body, async (req, res) => {
    const { tenant } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant, 'procedures:write');
    await tenantOr404(tenant);
    const created = await store.procedures.create(tenant, parseProcedureInput(req.body));
    res.setHeader('Location', `${baseUrl(req, ctx.config.publicBaseUrl, ctx.config.trustProxy)}/api/v1/tenants/${tenant}/procedures/${created.procedure.id}`);
    send(res, created, 201);
  });

  r.get('/api/v1/tenants/:tenant/procedures/:procedureId', async (req, res) => {
    const { tenant, procedureId: id } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant);
    const s = await live(tenant, id);
    if (req.get('if-none-match') === etagOf(s)) { res.status(304).setHeader('ETag', etagOf(s)); res.end(); return; }
    send(res, s);
  });

  r.put('/api/v1/tenants/:tenant/procedures/:procedureId', requireContentType('application/json'), body, async (req, res) => {
    const { tenant, procedureId: id } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant, 'procedures:write');
    const input = parseProcedureInput(req.body);
    await live(tenant, id);
    send(res, await store.procedures.replace(tenant, id, input, expectedVersion(req, id)));
  });

  r.patch('/api/v1/tenants/:tenant/procedures/:procedureId', requireContentType('application/merge-patch+json', 'application/json'), body, async (req, res) => {
    const { tenant, procedureId: id } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant, 'procedures:write');
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('a merge patch must be a JSON object');
    const current = await live(tenant, id);
    const input = parseProcedureInput(mergePatch(inputOf(current.procedure), req.body));
    send(res, await store.procedures.replace(tenant, id, input, expectedVersion(req, id) ?? current.version));
  });

  r.delete('/api/v1/tenants/:tenant/procedures/:procedureId', async (req, res) => {
    const { tenant, procedureId: id } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant, 'procedures:write');
    await store.procedures.delete(tenant, id, expectedVersion(req, id));
    res.status(204).end();
  });

  r.get('/api/v1/tenants/:tenant/deleted-procedures', async (req, res) => {
    const { tenant } = req.params;
    authorize(authState(res).principal, authState(res).presented, tenant);
    await tenantOr404(tenant);
    const since = single(req, 'since');
    if (!since || Number.isNaN(Date.parse(since)) || !/^\d{4}-\d{2}-\d{2}/.test(since)) {
      throw badRequest('since is required: an ISO 8601 date-time', [{ pointer: 'since', detail: 'must be a date-time' }]);
    }
    res.json(await store.procedures.deletedSince(new Date(Date.parse(since)).toISOString(), tenant));
  });

  return r;
}
