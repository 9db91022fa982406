// SQLite implementation of the Open311 repository. Personal data sits in its own table and is only
// read when a caller asks for it (the portal's staff view); public views never join it.
import { randomUUID } from 'node:crypto';
import type {
  NewServiceRequest, Open311Service, PersonalData, PortalStatus, ServiceRequest, ServiceRequestPatch,
  ServiceRequestQuery, ServiceRequestRepository, ServiceRequestUpdate, StoredMedia,
} from '../service-request-repository.ts';
import { ErasureCheckpoint, ReadCache, changeStamp, prepare, type Db } from './database.ts';
import { laterThan } from './store.ts';

interface RequestRow {
  id: string; tenant_id: string; service_code: string; status: PortalStatus; released: number; status_notes: string | null;
  agency_responsible: string | null; service_notice: string | null; description: string | null; lat: number | null; long: number | null;
  address: string | null; address_id: string | null; zipcode: string | null; attributes: string; media_urls: string; token: string | null;
  requested: string; updated: string; expected: string | null;
}

const now = () => new Date().toISOString();

interface UpdateRow { seq: number; request_id: string; status: PortalStatus; description: string | null; created: string; released?: number }
const toUpdate = (u: UpdateRow): ServiceRequestUpdate => ({
  update_id: String(u.seq), service_request_id: u.request_id, status: u.status, description: u.description, updated_datetime: u.created,
  ...(u.released === undefined ? {} : { released: u.released === 1 }),
});

interface PendingCreate { row: RequestRow; personal: PersonalData | null; resolve: () => void; reject: (err: unknown) => void }

export class SqliteServiceRequests implements ServiceRequestRepository {
  // categories, and the tenants that have any, are read on every Open311 call
  private readonly services: ReadCache<Open311Service>;
  private readonly served: ReadCache<string[]>;

  /** `erasures` makes erasures reach the disk (see ErasureCheckpoint); SqliteStore passes its own. */
  constructor(readonly db: Db, private readonly erasures = new ErasureCheckpoint(db)) {
    this.services = new ReadCache(db);
    this.served = new ReadCache(db);
  }

  private sql(text: string) {
    return prepare(this.db, text);
  }

  private toRequest(r: RequestRow, personal?: PersonalData | null): ServiceRequest {
    const out: ServiceRequest = {
      service_request_id: r.id, tenant: r.tenant_id, service_code: r.service_code, status: r.status, released: r.released === 1,
      status_notes: r.status_notes, agency_responsible: r.agency_responsible, service_notice: r.service_notice, description: r.description,
      lat: r.lat, long: r.long, address: r.address, address_id: r.address_id, zipcode: r.zipcode,
      attributes: JSON.parse(r.attributes) as ServiceRequest['attributes'], media_urls: JSON.parse(r.media_urls) as string[],
      token: r.token, requested_datetime: r.requested, updated_datetime: r.updated, expected_datetime: r.expected,
    };
    if (personal !== undefined) out.personal = personal;
    return out;
  }

  private personalOf(id: string): PersonalData | null {
    const p = this.sql('SELECT email, first_name, last_name, phone, device_id, account_id FROM service_request_personal WHERE request_id = ?').get(id) as PersonalData | undefined;
    return p ?? null;
  }

  async putService(tenant: string, service: Open311Service): Promise<{ service: Open311Service; created: boolean }> {
    this.services.clear();
    this.served.clear();
    const ts = now();
    return this.db.transaction(() => {
      const existing = this.sql('SELECT 1 FROM open311_service WHERE tenant_id = ? AND service_code = ?').get(tenant, service.service_code);
      this.sql(
        `INSERT INTO open311_service (tenant_id, service_code, doc, procedure_id, created, modified) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, service_code) DO UPDATE SET doc = excluded.doc, procedure_id = excluded.procedure_id, modified = excluded.modified`,
      ).run(tenant, service.service_code, JSON.stringify(service), service.procedure_id ?? null, ts, ts);
      return { service, created: !existing };
    })();
  }

  /** The category (frozen: shared by every caller). */
  async getService(tenant: string, code: string): Promise<Open311Service | null> {
    return this.services.get(`${tenant}\u0000${code}`, () => {
      const row = this.sql('SELECT doc FROM open311_service WHERE tenant_id = ? AND service_code = ?').get(tenant, code) as { doc: string } | undefined;
      return row ? (JSON.parse(row.doc) as Open311Service) : undefined;
    }) ?? null;
  }

  async listServices(tenant: string): Promise<Open311Service[]> {
    return (this.sql('SELECT doc FROM open311_service WHERE tenant_id = ? ORDER BY service_code').all(tenant) as { doc: string }[]).map((r) => JSON.parse(r.doc) as Open311Service);
  }

  async deleteService(tenant: string, code: string): Promise<boolean> {
    this.services.clear();
    this.served.clear();
    return this.sql('DELETE FROM open311_service WHERE tenant_id = ? AND service_code = ?').run(tenant, code).changes > 0;
  }

  async jurisdictions(): Promise<string[]> {
    return this.served.get('', () => (this.sql('SELECT DISTINCT tenant_id FROM open311_service ORDER BY tenant_id').all() as { tenant_id: string }[]).map((r) => r.tenant_id)) ?? [];
  }

  // Group commit: reports submitted while the event loop is busy are written in one transaction
  // (at the next turn of the loop), and each caller is answered only after that commit. A commit
  // rewrites every B-tree page it touched in the WAL; sharing it between the concurrent reports is
  // what lets the Mängelmelder take bursts.
  private pendingCreates: PendingCreate[] = [];

  async create(input: NewServiceRequest): Promise<ServiceRequest> {
    const ts = now();
    const row: RequestRow = {
      id: randomUUID(), tenant_id: input.tenant, service_code: input.service_code, status: 'neu', released: input.released ? 1 : 0,
      status_notes: null, agency_responsible: null, service_notice: null, description: input.description ?? null, lat: input.lat ?? null,
      long: input.long ?? null, address: input.address ?? null, address_id: input.address_id ?? null, zipcode: input.zipcode ?? null,
      attributes: JSON.stringify(input.attributes), media_urls: JSON.stringify(input.media_urls), token: input.token, requested: ts, updated: ts, expected: null,
    };
    const personal = input.personal && Object.values(input.personal).some((v) => v) ? input.personal : null;
    await new Promise<void>((resolve, reject) => {
      if (this.pendingCreates.push({ row, personal, resolve, reject }) === 1) setImmediate(() => this.flushCreates());
    });
    return this.toRequest(row, personal ? { email: null, first_name: null, last_name: null, phone: null, device_id: null, account_id: null, ...personal } : null);
  }

  /** Writes the waiting reports; called by the loop, and by close() so that none is lost. */
  flushCreates(): void {
    const batch = this.pendingCreates;
    if (!batch.length) return;
    this.pendingCreates = [];
    try {
      this.db.transaction(() => { for (const c of batch) this.insertRequest(c); })();
      for (const c of batch) c.resolve();
    } catch {
      // one failing report must not take the others with it: retry each on its own
      for (const c of batch) {
        try {
          this.db.transaction(() => this.insertRequest(c))();
          c.resolve();
        } catch (err) {
          c.reject(err);
        }
      }
    }
  }

  private insertRequest({ row: r, personal: p }: PendingCreate): void {
    this.sql(
      `INSERT INTO service_request (id, tenant_id, service_code, status, released, description, lat, long, address, address_id, zipcode, attributes, media_urls, token, requested, updated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.id, r.tenant_id, r.service_code, r.status, r.released, r.description, r.lat, r.long, r.address, r.address_id, r.zipcode, r.attributes, r.media_urls, r.token, r.requested, r.updated);
    if (p) {
      this.sql('INSERT INTO service_request_personal (request_id, email, first_name, last_name, phone, device_id, account_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(r.id, p.email ?? null, p.first_name ?? null, p.last_name ?? null, p.phone ?? null, p.device_id ?? null, p.account_id ?? null);
    }
    this.sql('INSERT INTO service_request_update (request_id, tenant_id, status, description, created) VALUES (?, ?, ?, ?, ?)').run(r.id, r.tenant_id, r.status, null, r.requested);
  }

  async get(tenant: string, id: string, withPersonal: boolean): Promise<ServiceRequest | null> {
    const row = this.sql('SELECT * FROM service_request WHERE tenant_id = ? AND id = ?').get(tenant, id) as RequestRow | undefined;
    if (!row) return null;
    return this.toRequest(row, withPersonal ? this.personalOf(row.id) : undefined);
  }

  async byToken(tenant: string, token: string): Promise<ServiceRequest | null> {
    const row = this.sql('SELECT * FROM service_request WHERE tenant_id = ? AND token = ?').get(tenant, token) as RequestRow | undefined;
    return row ? this.toRequest(row) : null;
  }

  /** The WHERE clause and parameters of a list query (shared by list and listBatches). */
  private listFilter(q: ServiceRequestQuery): { where: string[]; params: Record<string, unknown> } {
    const where = ['r.tenant_id = @tenant'];
    const params: Record<string, unknown> = { tenant: q.tenant };
    if (q.releasedOnly) where.push('r.released = 1');
    // in the query, before LIMIT/OFFSET: the moderation queue must not be a page of all reports filtered afterwards
    if (q.released !== undefined) where.push(q.released ? 'r.released = 1' : 'r.released = 0');
    const inList = (name: string, column: string, values: string[]) => {
      const keys = values.map((v, i) => { params[`${name}${i}`] = v; return `@${name}${i}`; });
      where.push(`${column} IN (${keys.join(', ')})`);
    };
    if (q.ids?.length) inList('id', 'r.id', q.ids);
    if (q.serviceCodes?.length) inList('code', 'r.service_code', q.serviceCodes);
    if (q.statuses?.length) inList('status', 'r.status', q.statuses);
    if (q.requestedFrom) { where.push('r.requested >= @rfrom'); params.rfrom = q.requestedFrom; }
    if (q.requestedTo) { where.push('r.requested <= @rto'); params.rto = q.requestedTo; }
    if (q.updatedAfter) { where.push('r.updated > @uafter'); params.uafter = q.updatedAfter; }
    if (q.updatedBefore) { where.push('r.updated < @ubefore'); params.ubefore = q.updatedBefore; }
    if (q.procedureId) {
      where.push('r.service_code IN (SELECT service_code FROM open311_service s WHERE s.tenant_id = r.tenant_id AND s.procedure_id = @procedure)');
      params.procedure = q.procedureId;
    }
    return { where, params };
  }

  async list(q: ServiceRequestQuery, withPersonal: boolean): Promise<ServiceRequest[]> {
    const { where, params } = this.listFilter(q);
    const rows = this.sql(`SELECT r.* FROM service_request r WHERE ${where.join(' AND ')} ORDER BY r.requested DESC, r.seq DESC LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit, offset: q.offset }) as RequestRow[];
    return rows.map((r) => this.toRequest(r, withPersonal ? this.personalOf(r.id) : undefined));
  }

  /**
   * The first batch skips `offset` rows; each later one continues after the last row read, by the
   * order key (requested, seq), which never changes and which a new report (requested = now, a
   * higher seq) can only enter above the window. So a report created between two batches neither
   * appears twice nor shifts rows, without holding a read transaction across turns of the event loop
   * (on the one shared connection, that transaction would take in the gateway's own writes). Every
   * batch applies all filters again: a report withdrawn from publication between batches is left out.
   */
  async *listBatches(q: ServiceRequestQuery, batchSize: number): AsyncGenerator<ServiceRequest[]> {
    const { where, params } = this.listFilter(q);
    const filter = where.join(' AND ');
    let remaining = q.limit;
    let last: (RequestRow & { seq: number }) | undefined;
    while (remaining > 0) {
      const limit = Math.min(batchSize, remaining);
      const rows = (last
        ? this.sql(`SELECT r.* FROM service_request r WHERE ${filter} AND r.requested <= @lastRequested AND (r.requested < @lastRequested OR r.seq < @lastSeq) ORDER BY r.requested DESC, r.seq DESC LIMIT @limit`)
          .all({ ...params, limit, lastRequested: last.requested, lastSeq: last.seq })
        : this.sql(`SELECT r.* FROM service_request r WHERE ${filter} ORDER BY r.requested DESC, r.seq DESC LIMIT @limit OFFSET @offset`)
          .all({ ...params, limit, offset: q.offset })) as Array<RequestRow & { seq: number }>;
      if (rows.length) yield rows.map((r) => this.toRequest(r));
      if (rows.length < limit) return;
      remaining -= rows.length;
      last = rows[rows.length - 1];
    }
  }

  async patch(tenant: string, id: string, patch: ServiceRequestPatch): Promise<ServiceRequest | null> {
    const done = this.db.transaction(() => {
      const row = this.sql('SELECT * FROM service_request WHERE tenant_id = ? AND id = ?').get(tenant, id) as RequestRow | undefined;
      if (!row) return false;
      const next = {
        status: patch.status ?? row.status,
        released: patch.released === undefined ? row.released : patch.released ? 1 : 0,
        status_notes: patch.status_notes === undefined ? row.status_notes : patch.status_notes,
        agency_responsible: patch.agency_responsible === undefined ? row.agency_responsible : patch.agency_responsible,
        service_notice: patch.service_notice === undefined ? row.service_notice : patch.service_notice,
        expected: patch.expected_datetime === undefined ? row.expected : patch.expected_datetime,
      };
      const updated = laterThan(row.updated);
      this.sql('UPDATE service_request SET status = @status, released = @released, status_notes = @status_notes, agency_responsible = @agency_responsible, service_notice = @service_notice, expected = @expected, updated = @updated WHERE id = @id')
        .run({ ...next, updated, id });
      if (next.status !== row.status || (patch.status_notes !== undefined && patch.status_notes !== row.status_notes)) {
        this.sql('INSERT INTO service_request_update (request_id, tenant_id, status, description, created) VALUES (?, ?, ?, ?, ?)').run(id, tenant, next.status, next.status_notes, updated);
      }
      return true;
    })();
    return done ? this.get(tenant, id, true) : null;
  }

  /**
   * Deletes the reporter's data (secure_delete zeroes it in the page), then truncates the WAL, which
   * still holds the page images from before (GDPR Art. 17: erased, not only unlinked).
   */
  async erasePersonalData(tenant: string, id: string): Promise<boolean> {
    const outcome = this.db.transaction(() => {
      const exists = this.sql('SELECT 1 FROM service_request WHERE tenant_id = ? AND id = ?').get(tenant, id);
      if (!exists) return 'unknown';
      return this.sql('DELETE FROM service_request_personal WHERE request_id = ?').run(id).changes > 0 ? 'erased' : 'nothing';
    })();
    if (outcome === 'erased') this.erasures.request();
    return outcome !== 'unknown';
  }

  private updateFilter(tenant: string, q: { from?: string; to?: string; ids?: string[] }): { where: string[]; params: Record<string, unknown> } {
    // a report closed without release still closes for its submitter (the view withholds the note)
    const where = ['u.tenant_id = @tenant', "(r.released = 1 OR u.status IN ('geschlossen', 'erledigt', 'abgelehnt'))"];
    const params: Record<string, unknown> = { tenant };
    if (q.from) { where.push('u.created >= @from'); params.from = q.from; }
    if (q.to) { where.push('u.created <= @to'); params.to = q.to; }
    if (q.ids?.length) {
      where.push(`u.request_id IN (${q.ids.map((v, i) => { params[`id${i}`] = v; return `@id${i}`; }).join(', ')})`);
    }
    return { where, params };
  }

  async updates(tenant: string, q: { from?: string; to?: string; ids?: string[]; limit: number }): Promise<ServiceRequestUpdate[]> {
    const { where, params } = this.updateFilter(tenant, q);
    return (this.sql(`SELECT u.seq, u.request_id, u.status, u.description, u.created, r.released FROM service_request_update u JOIN service_request r ON r.id = u.request_id WHERE ${where.join(' AND ')} ORDER BY u.created, u.seq LIMIT @limit`).all({ ...params, limit: q.limit }) as UpdateRow[])
      .map(toUpdate);
  }

  /** As listBatches: each batch continues after the last update read, by (created, seq); updates are never changed. */
  async *updateBatches(tenant: string, q: { from?: string; to?: string; ids?: string[]; limit: number }, batchSize: number): AsyncGenerator<ServiceRequestUpdate[]> {
    const { where, params } = this.updateFilter(tenant, q);
    const filter = where.join(' AND ');
    let remaining = q.limit;
    let last: UpdateRow | undefined;
    while (remaining > 0) {
      const limit = Math.min(batchSize, remaining);
      const rows = (last
        ? this.sql(`SELECT u.seq, u.request_id, u.status, u.description, u.created, r.released FROM service_request_update u JOIN service_request r ON r.id = u.request_id WHERE ${filter} AND u.created >= @lastCreated AND (u.created > @lastCreated OR u.seq > @lastSeq) ORDER BY u.created, u.seq LIMIT @limit`)
          .all({ ...params, limit, lastCreated: last.created, lastSeq: last.seq })
        : this.sql(`SELECT u.seq, u.request_id, u.status, u.description, u.created, r.released FROM service_request_update u JOIN service_request r ON r.id = u.request_id WHERE ${filter} ORDER BY u.created, u.seq LIMIT @limit`)
          .all({ ...params, limit })) as UpdateRow[];
      if (rows.length) yield rows.map(toUpdate);
      if (rows.length < limit) return;
      remaining -= rows.length;
      last = rows[rows.length - 1];
    }
  }

  async history(tenant: string, id: string): Promise<ServiceRequestUpdate[]> {
    return (this.sql('SELECT seq, request_id, status, description, created FROM service_request_update WHERE request_id = ? AND +tenant_id = ? ORDER BY created, seq').all(id, tenant) as UpdateRow[])
      .map(toUpdate);
  }

  /**
   * One query for a batch of reports (one per report scanned the tenant's updates each time: the
   * table is indexed by time, not by report). An update is never older than its report, so the
   * scan starts at the oldest report of the batch.
   */
  async histories(tenant: string, ids: string[]): Promise<Map<string, ServiceRequestUpdate[]>> {
    const out = new Map<string, ServiceRequestUpdate[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const list = JSON.stringify(ids);
    const rows = this.sql(
      // by the index on (request_id, created, seq), one probe per report of the batch (the unary + keeps
      // the planner off the tenant index, which without statistics it would prefer)
      `SELECT seq, request_id, status, description, created FROM service_request_update
       WHERE request_id IN (SELECT value FROM json_each(@list)) AND +tenant_id = @tenant ORDER BY created, seq`,
    ).all({ tenant, list }) as UpdateRow[];
    for (const u of rows) out.get(u.request_id)?.push(toUpdate(u));
    return out;
  }

  async putMedia(media: StoredMedia): Promise<void> {
    this.sql('INSERT OR IGNORE INTO open311_media (hash, content_type, bytes, created) VALUES (?, ?, ?, ?)').run(media.hash, media.contentType, media.bytes, now());
  }

  async publicMedia(tenant: string, hash: string): Promise<StoredMedia | null> {
    const row = this.sql('SELECT hash, content_type, bytes FROM open311_media WHERE hash = ?').get(hash) as { hash: string; content_type: string; bytes: Buffer } | undefined;
    if (!row) return null;
    // only images of released reports of this tenant are public
    const used = this.sql("SELECT 1 FROM service_request r, json_each(r.media_urls) m WHERE r.tenant_id = ? AND r.released = 1 AND instr(m.value, ?) > 0").get(tenant, `/media/${hash}`);
    return used ? { hash: row.hash, contentType: row.content_type, bytes: row.bytes } : null;
  }

  async changeStamp(): Promise<string> {
    return changeStamp(this.db);
  }

  async publicSummary(tenant: string): Promise<{ count: number; lastModified: string | null; bbox: [number, number, number, number] | null }> {
    const r = this.sql('SELECT count(*) AS n, max(updated) AS last, min(long) AS w, min(lat) AS s, max(long) AS e, max(lat) AS nn FROM service_request WHERE tenant_id = ? AND released = 1')
      .get(tenant) as { n: number; last: string | null; w: number | null; s: number | null; e: number | null; nn: number | null };
    return { count: r.n, lastModified: r.last, bbox: r.w === null || r.s === null || r.e === null || r.nn === null ? null : [r.w, r.s, r.e, r.nn] };
  }
}
