// Storage of XPlanung plans pushed by planning software: the source document byte for byte, its
// hash, and the mapping plan gml:id ↔ procedure. Implemented in sqlite/plan-store.ts.
import type { components } from '../../generated/openapi.d.ts';
import type { ProcedureInput } from '../model.ts';
import type { StoredProcedure } from './repository.ts';

/** A plan pushed by planning software and the procedure it is mapped to (schemas/xplanung-plan.schema.json). */
export type StoredPlan = components['schemas']['XPlanPlan'];

/** One plan of a pushed document, already mapped to a procedure. */
export interface PlanPush {
  planId: string;
  planType: string;
  procedure: ProcedureInput;
}

export interface PlanPushResult {
  planId: string;
  outcome: 'created' | 'updated' | 'unchanged';
  procedure: StoredProcedure;
}

export interface PushedDocument {
  bytes: Buffer;
  contentHash: string;
  fileName: string;
  contentType: string;
  xplanVersion: string;
  epsg?: number;
}

/** What the pusher may do beyond pushing plans. */
export interface PushPermissions {
  /**
   * Whether a plan may be linked to a procedure kept through the portal API (mapped to no plan yet),
   * which it then overwrites: that is a procedure write (scope procedures:write). Default false.
   */
  linkPortalProcedures?: boolean;
}

export interface PlanRepository {
  /**
   * Stores a pushed document and creates or updates the procedure of each of its plans, all in
   * one transaction: a plan already known (same tenant and gml:id) updates its procedure; the
   * same content pushed again changes nothing. A new plan whose gml:id names a live procedure (its
   * xplanung external id, or GML_<procedure id> as minted on export) updates that procedure; when
   * that procedure is mapped to no plan yet, only with `linkPortalProcedures`, else the whole push
   * is refused (403) and nothing is stored.
   */
  push(tenant: string, document: PushedDocument, plans: PlanPush[], permissions?: PushPermissions): Promise<PlanPushResult[]>;
  get(tenant: string, planId: string): Promise<StoredPlan | null>;
  /** The stored source document of a plan, byte for byte. */
  source(tenant: string, planId: string): Promise<{ plan: StoredPlan; bytes: Buffer } | null>;
  /** The plan a procedure was mapped from, if any. */
  byProcedure(tenant: string, procedureId: string): Promise<StoredPlan | null>;
  /** `byProcedure` for many procedures at once (a feed page): procedure id → plan, for those that have one. */
  byProcedures(procedures: readonly { tenant: string; id: string }[]): Promise<Map<string, StoredPlan>>;
  list(tenant: string): Promise<StoredPlan[]>;
}
