// The portal's side of the Mängelmelder under /api/v1: staff manage categories (services) and
// moderate reports. JSON with RFC 9457 errors like the rest of the portal API.
import { Router, type Request, type Response } from 'express';
import { jsonBody } from '../../http/body.ts';
import { authorize } from '../../core/auth.ts';
import type { GatewayContext } from '../../core/context.ts';
import { badRequest, conflict, notFound, unprocessable } from '../../core/errors.ts';
import { assertValid } from '../../core/json-schema.ts';
import { MAX_PAGING_INTEGER, boundedInteger } from '../../core/text.ts';
import type { Open311Service, ServiceRequestPatch, ServiceRequestQuery } from '../../core/storage/service-request-repository.ts';
import { authState } from '../../http/credentials.ts';
import { OPEN311_STATUS } from '../status.ts';
import { requireContentType } from '../../http/security.ts';

export function portalRoutes(ctx: GatewayContext): Router {
  const r = Router();
  const { store } = ctx;
  const repo = store.serviceRequests;
  const body = jsonBody(ctx.config.maxJsonBytes, ['application/json', 'application/merge-patch+json']);

  async function staff(req: Request, res: Response): Promise<string> {
    const tenant = String(req.params.tenant);
    authorize(authState(res).principal, authState(res).presented, tenant, 'open311:manage');
    if (!(await store.tenants.get(tenant))) throw notFound(`tenant ${tenant} does not exist`);
    return tenant;
  }

  async function checkService(tenant: string, input: unknown, code?: string): Promise<Open311Service> {
    const service = assertValid<Open311Service>('open311-service.schema.json', input, 'the service');
    if (code !== undefined && service.service_code !== code) throw badRequest(`service_code in the body (${service.service_code}) differs from the URL (${code})`, [{ pointer: '/service_code', detail: 'must equal the code in the URL' }]);
    const codes = (service.attributes ?? []).map((a) => a.code);
    if (new Set(codes).size !== codes.length) throw badRequest('attribute codes must be unique within a service', [{ pointer: '/attributes', detail: 'duplicate code' }]);
    for (const [i, a] of (service.attributes ?? []).entries()) {
      const list = a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist';
      if (list && !(a.values ?? []).length) throw badRequest(`attribute ${a.code} is a ${a.datatype} and needs values`, [{ pointer: `/attributes/${i}/values`, detail: 'is required for list datatypes' }]);
    }
    if (service.procedure_id) {
      const p = await store.procedures.get(tenant, service.procedure_id);
      if (!p || 'tombstone' in p) throw unprocessable(`procedure ${service.procedure_id} does not exist in tenant ${tenant}`, [{ pointer: '/procedure_id', detail: 'unknown procedure' }]);
      if (p.procedure.planKind !== 'meldeverfahren') throw unprocessable(`procedure ${service.procedure_id} is a ${p.procedure.planKind}, not a Meldeverfahren`, [{ pointer: '/procedure_id', detail: 'must be a procedure with planKind meldeverfahren' }]);
    }
    return service;
  }

  r.get('/api/v1/tenants/:tenant/services', async (req, res) => {
    const tenant = await staff(req, res);
    res.json({ items: await repo.listServices(tenant) });
  });

  r.post('/api/v1/tenants/:tenant/services', requireContentType('application/json'), body, async (req, res) => {
    const tenant = await staff(req, res);
    const service = await checkService(tenant, req.body);
    if (await repo.getService(tenant, service.service_code)) throw conflict(`service ${service.service_code} exists; use PUT to change it`);
    await repo.putService(tenant, service);
    res.status(201).location(`/api/v1/tenants/${encodeURIComponent(tenant)}/services/${encodeURIComponent(service.service_code)}`).json(service);
  });

  r.put('/api/v1/tenants/:tenant/services/:service_code', requireContentType('application/json'), body, async (req, res) => {
    const tenant = await staff(req, res);
    const service = await checkService(tenant, req.body, String(req.params.service_code));
    const { created } = await repo.putService(tenant, service);
    res.status(created ? 201 : 200).json(service);
  });

  r.delete('/api/v1/tenants/:tenant/services/:service_code', async (req, res) => {
    const tenant = await staff(req, res);
    if (!(await repo.deleteService(tenant, String(req.params.service_code)))) throw notFound(`service ${String(req.params.service_code)} does not exist`);
    res.status(204).end();
  });

  r.get('/api/v1/tenants/:tenant/requests', async (req, res) => {
    const tenant = await staff(req, res);
    const q: ServiceRequestQuery = { tenant, releasedOnly: false, limit: 100, offset: 0 };
    const { released, status, limit, offset } = req.query;
    // decimal integers in range only: 1e20 was an integer to Number() but a REAL to SQLite (a 500)
    if (limit !== undefined) {
      const n = typeof limit === 'string' ? boundedInteger(limit, 1, 1000) : null;
      if (n === null) throw badRequest('limit must be an integer from 1 to 1000', [{ pointer: 'limit', detail: 'must be an integer from 1 to 1000' }]);
      q.limit = n;
    }
    if (offset !== undefined) {
      const n = typeof offset === 'string' ? boundedInteger(offset, 0, MAX_PAGING_INTEGER) : null;
      if (n === null) throw badRequest(`offset must be an integer from 0 to ${MAX_PAGING_INTEGER}`, [{ pointer: 'offset', detail: `must be an integer from 0 to ${MAX_PAGING_INTEGER}` }]);
      q.offset = n;
    }
    if (status !== undefined && status !== '') {
      const known = Object.keys(OPEN311_STATUS);
      const statuses = typeof status === 'string' ? status.split(',') : [];
      if (!statuses.length || statuses.some((s) => !known.includes(s))) throw badRequest(`status must be a comma list of ${known.join(', ')}`, [{ pointer: 'status', detail: `must be a comma list of ${known.join(', ')}` }]);
      q.statuses = statuses as ServiceRequestQuery['statuses'];
    }
    if (released !== undefined) {
      if (released !== 'true' && released !== 'false') throw badRequest('released must be true or false', [{ pointer: 'released', detail: 'must be true or false' }]);
      // filtered in the query, before limit and offset (a page filtered afterwards came back short or empty)
      q.released = released === 'true';
    }
    const items = await repo.list(q, true);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items });
  });

  r.patch('/api/v1/tenants/:tenant/requests/:id', requireContentType('application/json', 'application/merge-patch+json'), body, async (req, res) => {
    const tenant = await staff(req, res);
    const patch = assertValid<ServiceRequestPatch>('open311-request-patch.schema.json', req.body, 'the change');
    const updated = await repo.patch(tenant, String(req.params.id), patch);
    if (!updated) throw notFound(`report ${String(req.params.id)} does not exist in tenant ${tenant}`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(updated);
  });

  r.delete('/api/v1/tenants/:tenant/requests/:id/personal-data', async (req, res) => {
    const tenant = await staff(req, res);
    if (!(await repo.erasePersonalData(tenant, String(req.params.id)))) throw notFound(`report ${String(req.params.id)} does not exist in tenant ${tenant}`);
    res.status(204).end();
  });

  return r;
}
