// The portal's model, as types generated from schemas/*.schema.json via the OpenAPI document.
// No shape is restated here: change the JSON Schema, then run `npm run generate:types`.
import type { components } from '../generated/openapi.d.ts';

type Schemas = components['schemas'];

/** An authority using the portal (Mandant). */
export type Tenant = Schemas['Tenant'];
/** A participation procedure (Verfahren), with derived fields. */
export type Procedure = Schemas['Procedure'];
/** The writable part of a procedure. */
export type ProcedureInput = Schemas['ProcedureInput'];
/** One step of a procedure (Verfahrensschritt) for one audience and pass (durchgang). */
export type Phase = Schemas['Phase'];
export type PhaseKind = Phase['kind'];
export type ProcedureDocument = Schemas['Document'];
export type ExternalId = Schemas['ExternalId'];
export type Geometry = Schemas['Geometry'];
export type Tombstone = Schemas['Tombstone'];
export type ApiKey = Schemas['ApiKey'];
export type CodeMapping = Schemas['CodeMapping'];
export type Problem = Schemas['Problem'];
export type ProcedureStatus = Procedure['status'];

/** Participation steps: the portal status (Ankündigung/Aktiv/Beendet) follows their dates. */
export const PARTICIPATION_KINDS: readonly PhaseKind[] = ['fruehzeitige_beteiligung', 'veroeffentlichung', 'toeb_beteiligung', 'beteiligung'];
/** Decision steps: once one has happened the procedure shows as Beschluss. */
export const DECISION_KINDS: readonly PhaseKind[] = ['satzungsbeschluss', 'feststellungsbeschluss', 'genehmigung', 'inkrafttreten', 'eingestellt'];
