// SQLite implementation of the core Store. better-sqlite3 is synchronous; each method runs in one
// transaction and resolves a promise, so callers are ready for an asynchronous backend.
import { randomUUID } from 'node:crypto';
import { conflict, gone, notFound, preconditionFailed } from '../../errors.ts';
import type { CodeMapping, Phase, Procedure, ProcedureInput, Tenant, Tombstone } from '../../model.ts';
import { deriveStatus, statusSql, todayUtc } from '../../status.ts';
import type {
  ApiKeyRepository, CodeMappingRepository, HarvestPage, HarvestQuery, ProcedurePage, ProcedureQuery, ProcedureRepository, Scope, Store,
  StoredApiKey, StoredProcedure, TenantRepository,
} from '../repository.ts';
import { defaultCodeLists } from '../../codelists.ts';
import type { Logger } from '../../logger.ts';
import { ErasureCheckpoint, ReadCache, changeStamp, openDatabase, prepare, truncateWal, type Db } from './database.ts';
import { SqlitePlans } from './plan-store.ts';
import { SqliteServiceRequests } from './service-request-store.ts';


const nowIso = () => new Date().toISOString();

interface ProcedureRow {
  id: string; tenant_id: string; title: string; family: string; plan_kind: string; doc: string | null;
  version: number; created: string; modified: string; deleted: string | null;
}
interface PhaseRow { kind: Phase['kind']; audience: Phase['audience']; durchgang: number; start: string; end: string | null; title: string | null }

export class SqliteStore implements Store {
  readonly db: Db;
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly procedures: ProcedureRepository;
  readonly codeMappings: CodeMappingRepository;
  readonly plans: SqlitePlans;
  readonly serviceRequests: SqliteServiceRequests;
  private readonly erasures: ErasureCheckpoint;

  /** `logger`: told when an erasure's checkpoint has to wait for readers (see ErasureCheckpoint). */
  constructor(db: Db, logger?: Logger) {
    this.db = db;
    this.erasures = new ErasureCheckpoint(db, logger);
    const procedures = new SqliteProcedures(db);
    this.tenants = new SqliteTenants(db);
    this.apiKeys = new SqliteApiKeys(db);
    this.procedures = procedures;
    this.codeMappings = new SqliteCodeMappings(db);
    this.plans = new SqlitePlans(db, procedures);
    this.serviceRequests = new SqliteServiceRequests(db, this.erasures);
    if (!db.readonly) seedCodeLists(db);
  }

  async ping(): Promise<void> {
    prepare(this.db, 'SELECT 1').get();
  }

  async changeStamp(): Promise<string> {
    return changeStamp(this.db);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.serviceRequests.flushCreates();
    this.erasures.stop();
    // closing truncates the WAL only when no other connection (a worker's reader) is open
    truncateWal(this.db);
    this.db.close();
  }
}

/**
 * `readonly`: a reading connection to a database another connection has opened (and migrated), e.g.
 * in a worker thread. `logger`: see SqliteStore.
 */
export function openSqliteStore(file: string, options: { readonly?: boolean; logger?: Logger } = {}): SqliteStore {
  return new SqliteStore(openDatabase(file, options), options.logger);
}

/** Loads the default code-list mappings shipped in src/core/codelists/*.json (tenant '' = default). */
function seedCodeLists(db: Db): void {
  const upsert = db.prepare("INSERT INTO code_mapping (tenant_id, list, code, value) VALUES ('', ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value");
  db.transaction(() => {
    for (const [list, entries] of Object.entries(defaultCodeLists())) for (const [code, value] of Object.entries(entries)) upsert.run(list, code, value);
  })();
}

class SqliteTenants implements TenantRepository {
  private readonly cache: ReadCache<Tenant>;

  constructor(private readonly db: Db) {
    this.cache = new ReadCache(db);
  }

  async create(tenant: Tenant): Promise<Tenant> {
    const created = nowIso();
    const doc = { ...tenant, created };
    this.cache.clear();
    try {
      prepare(this.db, 'INSERT INTO tenant (id, doc, created) VALUES (?, ?, ?)').run(tenant.id, JSON.stringify(doc), created);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw conflict(`tenant ${tenant.id} exists already`);
      throw e;
    }
    return doc;
  }

  /** The tenant (frozen: shared by every caller). */
  async get(id: string): Promise<Tenant | null> {
    return this.cache.get(id, () => {
      const row = prepare(this.db, 'SELECT doc FROM tenant WHERE id = ?').get(id) as { doc: string } | undefined;
      return row ? (JSON.parse(row.doc) as Tenant) : undefined;
    }) ?? null;
  }

  async list(): Promise<Tenant[]> {
    return (prepare(this.db, 'SELECT doc FROM tenant ORDER BY id').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as Tenant);
  }

  async update(tenant: Tenant): Promise<Tenant> {
    const existing = await this.get(tenant.id);
    if (!existing) throw notFound(`tenant ${tenant.id} does not exist`);
    const doc = { ...tenant, created: existing.created };
    this.cache.clear();
    prepare(this.db, 'UPDATE tenant SET doc = ? WHERE id = ?').run(JSON.stringify(doc), tenant.id);
    return doc;
  }
}

class SqliteApiKeys implements ApiKeyRepository {
  // asked on every authenticated request
  private readonly cache: ReadCache<StoredApiKey>;

  constructor(private readonly db: Db) {
    this.cache = new ReadCache(db);
  }

  private static toKey(r: { id: string; tenant_id: string; label: string; scopes: string; created: string; revoked: string | null }): StoredApiKey {
    return { id: r.id, tenant: r.tenant_id, label: r.label, scopes: JSON.parse(r.scopes) as Scope[], created: r.created, revoked: r.revoked };
  }

  async create(tenant: string, label: string, scopes: Scope[], keyHash: string): Promise<StoredApiKey> {
    const row = { id: randomUUID(), tenant_id: tenant, label, scopes: JSON.stringify(scopes), created: nowIso(), revoked: null };
    this.cache.clear();
    prepare(this.db, 'INSERT INTO api_key (id, tenant_id, label, scopes, key_hash, created) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, tenant, label, row.scopes, keyHash, row.created);
    return SqliteApiKeys.toKey(row);
  }

  async findByHash(keyHash: string): Promise<StoredApiKey | null> {
    return this.cache.get(keyHash, () => {
      const r = prepare(this.db, 'SELECT * FROM api_key WHERE key_hash = ? AND revoked IS NULL').get(keyHash) as Parameters<typeof SqliteApiKeys.toKey>[0] | undefined;
      return r ? SqliteApiKeys.toKey(r) : undefined;
    }) ?? null;
  }

  async list(tenant: string): Promise<StoredApiKey[]> {
    return (prepare(this.db, 'SELECT * FROM api_key WHERE tenant_id = ? ORDER BY created, id').all(tenant) as Parameters<typeof SqliteApiKeys.toKey>[0][]).map(SqliteApiKeys.toKey);
  }

  async revoke(tenant: string, id: string): Promise<boolean> {
    this.cache.clear();
    return prepare(this.db, 'UPDATE api_key SET revoked = ? WHERE tenant_id = ? AND id = ? AND revoked IS NULL').run(nowIso(), tenant, id).changes > 0;
  }

  async revokeByHash(keyHashes: string[]): Promise<number> {
    this.cache.clear();
    return prepare(this.db, 'UPDATE api_key SET revoked = ? WHERE revoked IS NULL AND key_hash IN (SELECT value FROM json_each(?))').run(nowIso(), JSON.stringify(keyHashes)).changes;
  }

  async reinstateByHash(keyHash: string): Promise<boolean> {
    this.cache.clear();
    return prepare(this.db, 'UPDATE api_key SET revoked = NULL WHERE key_hash = ? AND revoked IS NOT NULL').run(keyHash).changes > 0;
  }
}

/**
 * Procedures. The *Sync methods run inside a caller's transaction (better-sqlite3 nests them as
 * savepoints), so other SQLite repositories (plans) can write a procedure and their own rows atomically.
 */
export class SqliteProcedures implements ProcedureRepository {
  private totals: { stamp: string; counts: Map<string, number> } = { stamp: '', counts: new Map() };
  private readonly insertPhase;
  private readonly insertExternalId;

  constructor(private readonly db: Db) {
    this.insertPhase = db.prepare('INSERT INTO phase (procedure_id, position, kind, audience, durchgang, start, end, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertExternalId = db.prepare('INSERT INTO external_id (tenant_id, system, external_id, procedure_id) VALUES (?, ?, ?, ?)');
  }

  private writeChildren(tenant: string, id: string, input: ProcedureInput): void {
    prepare(this.db, 'DELETE FROM phase WHERE procedure_id = ?').run(id);
    (input.phases ?? []).forEach((p, i) => this.insertPhase.run(id, i, p.kind, p.audience, p.durchgang ?? 1, p.start, p.end ?? null, p.title ?? null));
    prepare(this.db, 'DELETE FROM external_id WHERE procedure_id = ?').run(id);
    for (const x of input.externalIds ?? []) {
      const owner = prepare(this.db, 'SELECT procedure_id FROM external_id WHERE tenant_id = ? AND system = ? AND external_id = ?').get(tenant, x.system, x.id) as { procedure_id: string } | undefined;
      if (owner) throw conflict(`external id ${x.system}:${x.id} already belongs to procedure ${owner.procedure_id}`);
      this.insertExternalId.run(tenant, x.system, x.id, id);
    }
  }

  private static docOf(input: ProcedureInput): string {
    const { phases: _p, externalIds: _x, ...rest } = input;
    return JSON.stringify(rest);
  }

  private hydrate(row: ProcedureRow, today: string): Procedure {
    return this.hydrateAll([row], today)[0]!;
  }

  /**
   * Procedures with their phases and external ids: two queries for all rows instead of two per row
   * (a harvest page hydrates 100 procedures; 200 statements were a third of its store time).
   */
  private hydrateAll(rows: ProcedureRow[], today: string): Procedure[] {
    if (rows.length === 0) return [];
    const ids = JSON.stringify(rows.map((r) => r.id));
    const phases = new Map<string, Phase[]>();
    for (const p of prepare(this.db, 'SELECT procedure_id, kind, audience, durchgang, start, end, title FROM phase WHERE procedure_id IN (SELECT value FROM json_each(?)) ORDER BY procedure_id, position').all(ids) as (PhaseRow & { procedure_id: string })[]) {
      let list = phases.get(p.procedure_id);
      if (!list) phases.set(p.procedure_id, (list = []));
      list.push({ kind: p.kind, audience: p.audience, durchgang: p.durchgang, start: p.start, end: p.end, ...(p.title ? { title: p.title } : {}) });
    }
    const externalIds = new Map<string, { system: string; id: string }[]>();
    for (const x of prepare(this.db, 'SELECT procedure_id, system, external_id FROM external_id WHERE procedure_id IN (SELECT value FROM json_each(?)) ORDER BY procedure_id, system, external_id').all(ids) as { procedure_id: string; system: string; external_id: string }[]) {
      let list = externalIds.get(x.procedure_id);
      if (!list) externalIds.set(x.procedure_id, (list = []));
      list.push({ system: x.system, id: x.external_id });
    }
    return rows.map((row) => {
      const doc = JSON.parse(row.doc ?? '{}') as ProcedureInput;
      const ph = phases.get(row.id) ?? [];
      return {
        id: row.id,
        tenant: row.tenant_id,
        ...doc,
        documents: doc.documents ?? [],
        phases: ph,
        externalIds: externalIds.get(row.id) ?? [],
        status: deriveStatus(ph, today),
        created: row.created,
        modified: row.modified,
      };
    });
  }

  private row(tenant: string, id: string): ProcedureRow | undefined {
    return prepare(this.db, 'SELECT * FROM procedure WHERE tenant_id = ? AND id = ?').get(tenant, id) as ProcedureRow | undefined;
  }

  private static tombstone(row: ProcedureRow): Tombstone {
    return { id: row.id, tenant: row.tenant_id, title: row.title, deleted: row.deleted ?? '' };
  }

  async create(tenant: string, input: ProcedureInput): Promise<StoredProcedure> {
    return this.createSync(tenant, input);
  }

  createSync(tenant: string, input: ProcedureInput): StoredProcedure {
    const id = randomUUID();
    const ts = nowIso();
    this.db.transaction(() => {
      prepare(this.db, 'INSERT INTO procedure (id, tenant_id, title, family, plan_kind, doc, version, created, modified) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)')
        .run(id, tenant, input.title, input.family, input.planKind, SqliteProcedures.docOf(input), ts, ts);
      this.writeChildren(tenant, id, input);
    })();
    const row = this.row(tenant, id);
    if (!row) throw new Error('procedure vanished after insert');
    return { procedure: this.hydrate(row, todayUtc()), version: 1 };
  }

  /** A live procedure, inside a caller's transaction. */
  getSync(tenant: string, id: string): StoredProcedure {
    const row = this.liveRow(tenant, id);
    return { procedure: this.hydrate(row, todayUtc()), version: row.version };
  }

  async get(tenant: string, id: string, today = todayUtc()): Promise<StoredProcedure | { tombstone: Tombstone } | null> {
    const row = this.row(tenant, id);
    if (!row) return null;
    if (row.deleted) return { tombstone: SqliteProcedures.tombstone(row) };
    return { procedure: this.hydrate(row, today), version: row.version };
  }

  private liveRow(tenant: string, id: string, expectedVersion?: number): ProcedureRow {
    const row = this.row(tenant, id);
    if (!row) throw notFound(`procedure ${id} does not exist in tenant ${tenant}`);
    if (row.deleted) throw gone(`procedure ${id} was deleted at ${row.deleted}`);
    if (expectedVersion !== undefined && row.version !== expectedVersion) {
      throw preconditionFailed(`procedure ${id} was changed by someone else (your version ${expectedVersion}, current ${row.version}); read it again and retry`);
    }
    return row;
  }

  async replace(tenant: string, id: string, input: ProcedureInput, expectedVersion?: number): Promise<StoredProcedure> {
    return this.replaceSync(tenant, id, input, expectedVersion);
  }

  replaceSync(tenant: string, id: string, input: ProcedureInput, expectedVersion?: number): StoredProcedure {
    const row = this.db.transaction(() => {
      const current = this.liveRow(tenant, id, expectedVersion);
      // modified must grow strictly so keyset cursors (modified, id) never skip a change
      const modified = laterThan(current.modified);
      prepare(this.db, 'UPDATE procedure SET title = ?, family = ?, plan_kind = ?, doc = ?, version = version + 1, modified = ? WHERE id = ?')
        .run(input.title, input.family, input.planKind, SqliteProcedures.docOf(input), modified, id);
      this.writeChildren(tenant, id, input);
      return this.row(tenant, id) as ProcedureRow;
    })();
    return { procedure: this.hydrate(row, todayUtc()), version: row.version };
  }

  async delete(tenant: string, id: string, expectedVersion?: number): Promise<Tombstone> {
    const row = this.db.transaction(() => {
      const current = this.liveRow(tenant, id, expectedVersion);
      const ts = laterThan(current.modified);
      prepare(this.db, 'UPDATE procedure SET doc = NULL, deleted = ?, modified = ?, version = version + 1 WHERE id = ?').run(ts, ts, id);
      prepare(this.db, 'DELETE FROM phase WHERE procedure_id = ?').run(id);
      prepare(this.db, 'DELETE FROM external_id WHERE procedure_id = ?').run(id);
      return this.row(tenant, id) as ProcedureRow;
    })();
    return SqliteProcedures.tombstone(row);
  }

  async list(q: ProcedureQuery): Promise<ProcedurePage> {
    const today = q.today ?? todayUtc();
    const where = ['p.deleted IS NULL'];
    const params: Record<string, unknown> = { today };
    if (q.tenant) { where.push('p.tenant_id = @tenant'); params.tenant = q.tenant; }
    if (q.planKind) { where.push('p.plan_kind = @planKind'); params.planKind = q.planKind; }
    if (q.family) { where.push('p.family = @family'); params.family = q.family; }
    if (q.modifiedSince) { where.push('p.modified >= @since'); params.since = q.modifiedSince; }
    if (q.status) { where.push(`(${statusSql('p', '@today')}) = @status`); params.status = q.status; }
    const filter = where.join(' AND ');
    const total = (prepare(this.db, `SELECT count(*) AS n FROM procedure p WHERE ${filter}`).get(params) as { n: number }).n;
    let page = filter;
    if (q.after) { page += ' AND (p.modified, p.id) > (@afterModified, @afterId)'; params.afterModified = q.after.modified; params.afterId = q.after.id; }
    const rows = prepare(this.db, `SELECT p.* FROM procedure p WHERE ${page} ORDER BY p.modified, p.id LIMIT @limit`).all({ ...params, limit: q.limit + 1 }) as ProcedureRow[];
    const more = rows.length > q.limit;
    const items = this.hydrateAll(rows.slice(0, q.limit), today);
    const last = items[items.length - 1];
    return { items, total, ...(more && last ? { nextAfter: { modified: last.modified, id: last.id } } : {}) };
  }

  async deletedSince(since: string, tenant?: string): Promise<Tombstone[]> {
    const rows = prepare(this.db, `SELECT * FROM procedure WHERE deleted IS NOT NULL AND deleted >= ? ${tenant ? 'AND tenant_id = ?' : ''} ORDER BY deleted, id`)
      .all(...(tenant ? [since, tenant] : [since])) as ProcedureRow[];
    return rows.map(SqliteProcedures.tombstone);
  }

  /**
   * hydra:totalItems of a harvest: the same for every page of a snapshot until something is written,
   * so it is counted once per snapshot and filter (counting 100 000 rows was a tenth of a page).
   */
  private harvestTotal(filter: string, params: Record<string, unknown>): number {
    const key = `${filter}\u0000${JSON.stringify(params)}`;
    const stamp = changeStamp(this.db);
    if (this.totals.stamp !== stamp) this.totals = { stamp, counts: new Map() };
    let n = this.totals.counts.get(key);
    if (n === undefined) {
      n = (prepare(this.db, `SELECT count(*) AS n FROM procedure p WHERE ${filter}`).get(params) as { n: number }).n;
      // harvests are few at a time; a flood of distinct snapshots must not fill memory
      if (this.totals.counts.size >= 1000) this.totals.counts.clear();
      this.totals.counts.set(key, n);
    }
    return n;
  }

  private static harvestFilter(q: HarvestQuery): { filter: string; params: Record<string, unknown> } {
    const where = ['p.deleted IS NULL', 'p.created <= @snapshot'];
    const params: Record<string, unknown> = { snapshot: q.snapshot };
    if (q.tenant) { where.push('p.tenant_id = @tenant'); params.tenant = q.tenant; }
    if (q.modifiedSince) { where.push('p.modified >= @since'); params.since = q.modifiedSince; }
    return { filter: where.join(' AND '), params };
  }

  async harvest(q: HarvestQuery): Promise<HarvestPage> {
    const { filter, params } = SqliteProcedures.harvestFilter(q);
    const total = this.harvestTotal(filter, params);
    const rows = prepare(this.db, `SELECT p.* FROM procedure p WHERE ${filter} AND p.seq > @afterSeq ORDER BY p.seq LIMIT @limit OFFSET @offset`)
      .all({ ...params, afterSeq: q.afterSeq ?? 0, offset: q.afterSeq === undefined ? (q.offset ?? 0) : 0, limit: q.limit + 1 }) as (ProcedureRow & { seq: number })[];
    const today = todayUtc();
    const page = rows.slice(0, q.limit);
    const items = this.hydrateAll(page, today).map((procedure, i) => ({ seq: page[i]!.seq, procedure }));
    const last = items[items.length - 1];
    return { items, total, ...(rows.length > q.limit && last ? { nextSeq: last.seq } : {}) };
  }

  async harvestCursors(q: HarvestQuery, pages: number): Promise<number[]> {
    const { filter, params } = SqliteProcedures.harvestFilter(q);
    const seqs = (prepare(this.db, `SELECT p.seq FROM procedure p WHERE ${filter} AND p.seq > @afterSeq ORDER BY p.seq LIMIT @n OFFSET @offset`)
      .all({ ...params, afterSeq: q.afterSeq ?? 0, offset: q.afterSeq === undefined ? (q.offset ?? 0) : 0, n: (pages + 1) * q.limit + 1 }) as { seq: number }[]).map((r) => r.seq);
    const cursors: number[] = [];
    // page k+1 exists when the row after page k's last one does, and starts after that last one
    for (let k = 1; k <= pages && seqs.length > k * q.limit; k++) cursors.push(seqs[k * q.limit - 1]!);
    return cursors;
  }

  async lastChange(tenant?: string): Promise<string | null> {
    // every write sets modified (a deletion too), and modified >= created: one index lookup
    const r = (tenant
      ? prepare(this.db, 'SELECT max(modified) AS m FROM procedure WHERE tenant_id = ?').get(tenant)
      : prepare(this.db, 'SELECT max(modified) AS m FROM procedure').get()) as { m: string | null };
    return r.m;
  }

  async tenantOf(id: string): Promise<string | null> {
    const r = prepare(this.db, 'SELECT tenant_id FROM procedure WHERE id = ?').get(id) as { tenant_id: string } | undefined;
    return r?.tenant_id ?? null;
  }

  async findByExternalId(tenant: string, system: string, externalId: string): Promise<string | null> {
    const r = prepare(this.db, 'SELECT procedure_id FROM external_id WHERE tenant_id = ? AND system = ? AND external_id = ?').get(tenant, system, externalId) as { procedure_id: string } | undefined;
    return r?.procedure_id ?? null;
  }
}

/** Now, or one millisecond after `previous` when the clock has not moved past it. */
export function laterThan(previous: string): string {
  const now = Date.now();
  const prev = Date.parse(previous);
  return new Date(Math.max(now, prev + 1)).toISOString();
}

class SqliteCodeMappings implements CodeMappingRepository {
  constructor(private readonly db: Db) {}

  async resolve(tenant: string, list: string, code: string): Promise<string | null> {
    const r = prepare(this.db, "SELECT value FROM code_mapping WHERE list = ? AND code = ? AND tenant_id IN (?, '') ORDER BY tenant_id DESC LIMIT 1").get(list, code, tenant) as { value: string } | undefined;
    return r?.value ?? null;
  }

  async list(tenant: string, list?: string): Promise<CodeMapping[]> {
    const rows = prepare(this.db, `SELECT tenant_id, list, code, value FROM code_mapping WHERE tenant_id IN (?, '') ${list ? 'AND list = ?' : ''} ORDER BY list, code, tenant_id`)
      .all(...(list ? [tenant, list] : [tenant])) as { tenant_id: string; list: string; code: string; value: string }[];
    const effective = new Map<string, CodeMapping>();
    for (const r of rows) effective.set(`${r.list}\u0000${r.code}`, { list: r.list, code: r.code, value: r.value, tenant: r.tenant_id || null });
    return [...effective.values()];
  }

  async setOverride(tenant: string, m: Omit<CodeMapping, 'tenant'>): Promise<CodeMapping> {
    prepare(this.db, 'INSERT INTO code_mapping (tenant_id, list, code, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value').run(tenant, m.list, m.code, m.value);
    return { list: m.list, code: m.code, value: m.value, tenant };
  }

  async removeOverride(tenant: string, list: string, code: string): Promise<boolean> {
    return prepare(this.db, 'DELETE FROM code_mapping WHERE tenant_id = ? AND list = ? AND code = ?').run(tenant, list, code).changes > 0;
  }
}
