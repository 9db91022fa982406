// Storage of Open311 services (defect categories) and service requests (Mängelmelder reports).
// The reporter's personal data lives apart from the report and can be erased on its own.
// Implemented in sqlite/service-request-store.ts.
import type { components } from '../../generated/openapi.d.ts';

export type Open311Service = components['schemas']['Open311Service'];
export type ServiceRequest = components['schemas']['ServiceRequest'];
export type ServiceRequestPatch = components['schemas']['ServiceRequestPatch'];
export type PortalStatus = components['schemas']['ServiceRequest_portalStatus'];
export type PersonalData = NonNullable<ServiceRequest['personal']>;

export interface NewServiceRequest {
  tenant: string;
  service_code: string;
  released: boolean;
  description?: string | null;
  lat?: number | null;
  long?: number | null;
  address?: string | null;
  address_id?: string | null;
  zipcode?: string | null;
  attributes: Record<string, string | string[]>;
  media_urls: string[];
  token: string | null;
  personal: PersonalData | null;
}

export interface ServiceRequestQuery {
  tenant: string;
  /** Only released reports (public views). */
  releasedOnly: boolean;
  /** Only reports whose release flag is this (the staff's moderation queue: false). */
  released?: boolean;
  ids?: string[];
  serviceCodes?: string[];
  statuses?: PortalStatus[];
  requestedFrom?: string;
  requestedTo?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  procedureId?: string;
  limit: number;
  offset: number;
}

/** A status change, as FixMyStreet's servicerequestupdates reads it. */
export interface ServiceRequestUpdate {
  update_id: string;
  service_request_id: string;
  status: PortalStatus;
  description: string | null;
  updated_datetime: string;
  /** Whether the report is released (set by `updates`/`updateBatches`; their updates of unreleased reports close it). */
  released?: boolean;
}

export interface StoredMedia { hash: string; contentType: string; bytes: Buffer }

export interface ServiceRequestRepository {
  putService(tenant: string, service: Open311Service): Promise<{ service: Open311Service; created: boolean }>;
  getService(tenant: string, code: string): Promise<Open311Service | null>;
  listServices(tenant: string): Promise<Open311Service[]>;
  deleteService(tenant: string, code: string): Promise<boolean>;
  /** Tenants with at least one service (the jurisdictions of the Open311 endpoint). */
  jurisdictions(): Promise<string[]>;

  create(input: NewServiceRequest): Promise<ServiceRequest>;
  get(tenant: string, id: string, withPersonal: boolean): Promise<ServiceRequest | null>;
  byToken(tenant: string, token: string): Promise<ServiceRequest | null>;
  list(q: ServiceRequestQuery, withPersonal: boolean): Promise<ServiceRequest[]>;
  /**
   * The public rows of `list` (no personal data), at most `batchSize` per batch, each batch read in
   * one go when asked for: a caller can let other work run between batches. A report created in
   * between neither appears twice nor shifts rows.
   */
  listBatches(q: ServiceRequestQuery, batchSize: number): AsyncIterable<ServiceRequest[]>;
  /** Applies a staff change; a status change (or release) also records an update. */
  patch(tenant: string, id: string, patch: ServiceRequestPatch): Promise<ServiceRequest | null>;
  erasePersonalData(tenant: string, id: string): Promise<boolean>;
  /**
   * Status updates, oldest first: those of released reports, and the closing ones (status
   * geschlossen, erledigt, abgelehnt) of reports closed without release, so that the client that
   * submitted one learns it is closed.
   */
  updates(tenant: string, q: { from?: string; to?: string; ids?: string[]; limit: number }): Promise<ServiceRequestUpdate[]>;
  /** The same as `updates`, at most `batchSize` per batch (as listBatches). */
  updateBatches(tenant: string, q: { from?: string; to?: string; ids?: string[]; limit: number }, batchSize: number): AsyncIterable<ServiceRequestUpdate[]>;
  /** Status history of one report. */
  history(tenant: string, id: string): Promise<ServiceRequestUpdate[]>;
  /** Status histories of several reports in one read, by report id (each oldest first; empty for an unknown id). */
  histories(tenant: string, ids: string[]): Promise<Map<string, ServiceRequestUpdate[]>>;

  putMedia(media: StoredMedia): Promise<void>;
  /** A stored image, only if a released report of the tenant uses it. */
  publicMedia(tenant: string, hash: string): Promise<StoredMedia | null>;

  /**
   * Changes whenever any stored data changes (reports, categories, tenants; also by another
   * process), for answers replayed from memory: coarse, but never stale.
   */
  changeStamp(): Promise<string>;
  /** Facts about the released reports of a tenant, for the open-data catalogue. */
  publicSummary(tenant: string): Promise<{ count: number; lastModified: string | null; bbox: [number, number, number, number] | null }>;
}
