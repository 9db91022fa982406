// The portal's report statuses and what Open311 clients see of them (procedure-model.md §7.5).
import type { PortalStatus } from '../core/storage/service-request-repository.ts';

export const OPEN311_STATUS: Record<PortalStatus, 'open' | 'closed'> = {
  neu: 'open',
  in_bearbeitung: 'open',
  geschlossen: 'closed',
  erledigt: 'closed',
  abgelehnt: 'closed',
};

/** CitySDK detailed status (as Klarschiff names it), shown with extensions=true. */
export const DETAILED_STATUS: Record<PortalStatus, string> = {
  neu: 'RECEIVED',
  in_bearbeitung: 'IN_PROCESS',
  geschlossen: 'PROCESSED',
  erledigt: 'PROCESSED',
  abgelehnt: 'REJECTED',
};

/** Status vocabulary of FixMyStreet's servicerequestupdates. */
export const FMS_STATUS: Record<PortalStatus, string> = {
  neu: 'open',
  in_bearbeitung: 'in_progress',
  geschlossen: 'closed',
  erledigt: 'fixed',
  abgelehnt: 'no_further_action',
};

export function portalStatusesFor(open311: string): PortalStatus[] {
  return (Object.keys(OPEN311_STATUS) as PortalStatus[]).filter((s) => OPEN311_STATUS[s] === open311);
}
