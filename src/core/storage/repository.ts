// The storage contract of the core. Standards modules and HTTP handlers only see these
// promise-based interfaces, so a PostgreSQL implementation can be added without touching them.
// Every method that writes is atomic (one transaction).
import type { ApiKey, CodeMapping, Procedure, ProcedureInput, Tenant, Tombstone } from '../model.ts';
import type { PlanRepository } from './plan-repository.ts';
import type { ServiceRequestRepository } from './service-request-repository.ts';

export type Scope = NonNullable<ApiKey['scopes']>[number];

export interface StoredApiKey {
  id: string;
  tenant: string;
  label: string;
  scopes: Scope[];
  created: string;
  revoked: string | null;
}

export interface TenantRepository {
  create(tenant: Tenant): Promise<Tenant>;
  get(id: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  update(tenant: Tenant): Promise<Tenant>;
}

export interface ApiKeyRepository {
  /** Stores the hash of a new secret; returns the stored record (never the secret). */
  create(tenant: string, label: string, scopes: Scope[], keyHash: string): Promise<StoredApiKey>;
  findByHash(keyHash: string): Promise<StoredApiKey | null>;
  list(tenant: string): Promise<StoredApiKey[]>;
  revoke(tenant: string, id: string): Promise<boolean>;
  /** Revokes every live key whose hash is one of `keyHashes`, in any tenant; returns how many. */
  revokeByHash(keyHashes: string[]): Promise<number>;
  /** Makes the revoked key with this hash valid again; false when there is none (or it is live). */
  reinstateByHash(keyHash: string): Promise<boolean>;
}

export interface ProcedureQuery {
  tenant?: string;
  planKind?: string;
  family?: string;
  status?: Procedure['status'];
  modifiedSince?: string;
  /** keyset cursor: continue after this (modified, id) */
  after?: { modified: string; id: string };
  limit: number;
  /** the day the status is derived for (YYYY-MM-DD); default today (UTC) */
  today?: string;
}

export interface ProcedurePage {
  items: Procedure[];
  total: number;
  /** present when more items follow */
  nextAfter?: { modified: string; id: string };
}

export interface StoredProcedure {
  procedure: Procedure;
  version: number;
}

export interface HarvestQuery {
  tenant?: string;
  /** only procedures created at or before this instant (the harvest's snapshot) */
  snapshot: string;
  modifiedSince?: string;
  /** continue after this creation sequence number */
  afterSeq?: number;
  /** without afterSeq: skip this many (for `?page=N` addressed without a cursor) */
  offset?: number;
  limit: number;
}

export interface HarvestPage {
  items: { seq: number; procedure: Procedure }[];
  total: number;
  /** the seq to continue after when more items follow */
  nextSeq?: number;
}

export interface ProcedureRepository {
  create(tenant: string, input: ProcedureInput): Promise<StoredProcedure>;
  /** The live procedure, or a tombstone when it was deleted, or null when it never existed. */
  get(tenant: string, id: string, today?: string): Promise<StoredProcedure | { tombstone: Tombstone } | null>;
  /** Replaces the writable fields; fails with a conflict when `expectedVersion` is stale. */
  replace(tenant: string, id: string, input: ProcedureInput, expectedVersion?: number): Promise<StoredProcedure>;
  delete(tenant: string, id: string, expectedVersion?: number): Promise<Tombstone>;
  list(query: ProcedureQuery): Promise<ProcedurePage>;
  deletedSince(since: string, tenant?: string): Promise<Tombstone[]>;
  /**
   * Live procedures in creation order, for harvesters: every procedure that existed at `snapshot`
   * and still exists is returned exactly once however the data changes between pages.
   */
  harvest(query: HarvestQuery): Promise<HarvestPage>;
  /**
   * The `afterSeq` cursors of the next `pages` pages that follow the page `query` asks for (as
   * `harvest` would hand them out, page by page, if nothing changes); fewer when the data ends.
   */
  harvestCursors(query: HarvestQuery, pages: number): Promise<number[]>;
  /**
   * The instant of the latest creation, change or deletion of a procedure (of `tenant`), null when
   * there is none: the catalogue's dct:modified and the start of a harvest's snapshot.
   */
  lastChange(tenant?: string): Promise<string | null>;
  /** The tenant a procedure (live or deleted) belongs to; null when the id is unknown. */
  tenantOf(id: string): Promise<string | null>;
  /** The procedure an external id points at, e.g. (tenant, 'xplanung', gml:id). */
  findByExternalId(tenant: string, system: string, externalId: string): Promise<string | null>;
}

export interface CodeMappingRepository {
  /** The tenant's value for a code, falling back to the gateway-wide default. */
  resolve(tenant: string, list: string, code: string): Promise<string | null>;
  /** All effective entries of a list for a tenant (defaults overlaid with overrides). */
  list(tenant: string, list?: string): Promise<CodeMapping[]>;
  setOverride(tenant: string, mapping: Omit<CodeMapping, 'tenant'>): Promise<CodeMapping>;
  removeOverride(tenant: string, list: string, code: string): Promise<boolean>;
}

export interface Store {
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  procedures: ProcedureRepository;
  codeMappings: CodeMappingRepository;
  /** XPlanung plans pushed by planning software and their procedure mapping (see plan-repository.ts). */
  plans: PlanRepository;
  /** Open311 services and service requests (Mängelmelder; see service-request-repository.ts). */
  serviceRequests: ServiceRequestRepository;
  /** Cheap liveness check of the database. */
  ping(): Promise<void>;
  /**
   * Changes whenever anything in the store may have changed (a write through this store or a commit
   * by any other connection): answers derived from many rows are reused while it holds.
   */
  changeStamp(): Promise<string>;
  close(): Promise<void>;
}
