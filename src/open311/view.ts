// What Open311 clients see of services and reports: the spec's fields, never personal data.
import type { Open311Service, ServiceRequest, ServiceRequestUpdate } from '../core/storage/service-request-repository.ts';
import { DETAILED_STATUS, FMS_STATUS, OPEN311_STATUS } from './status.ts';

export const serviceType = (s: Open311Service) => s.type ?? ((s.moderated ?? true) ? 'batch' : 'realtime');

export function serviceListItem(s: Open311Service) {
  return {
    service_code: s.service_code,
    service_name: s.service_name,
    description: s.description ?? '',
    metadata: (s.attributes ?? []).length > 0,
    type: serviceType(s),
    keywords: (s.keywords ?? []).join(','),
    group: s.group ?? '',
  };
}

export function serviceDefinition(s: Open311Service) {
  const attrs = [...(s.attributes ?? [])].map((a, i) => ({ ...a, order: a.order ?? i + 1 })).sort((a, b) => a.order - b.order);
  return {
    service_code: s.service_code,
    attributes: attrs.map((a) => ({
      variable: a.variable ?? true,
      code: a.code,
      datatype: a.datatype,
      required: a.required ?? false,
      datatype_description: a.datatype_description ?? '',
      order: a.order,
      description: a.description,
      ...(a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist' ? { values: (a.values ?? []).map((v) => ({ key: v.key, name: v.name })) } : {}),
    })),
  };
}

/** What Open311 shows for a report staff have not released (in moderation, or closed without release). */
export const WITHHELD_NOTICE = {
  open: 'Die Meldung wird geprüft und erst danach veröffentlicht.',
  closed: 'Die Meldung wurde geprüft und nicht veröffentlicht; sie ist abgeschlossen.',
} as const;

/**
 * A report that is not released, for the client that submitted it (it knows the id from the token):
 * its id, category, status and times only. Nothing the citizen wrote (text, place, images,
 * attributes) and no staff note: that is public only once staff release it.
 */
function withheldRequest(r: ServiceRequest, service: Open311Service | undefined, extensions: boolean) {
  const status = OPEN311_STATUS[r.status];
  const base = {
    service_request_id: r.service_request_id,
    status,
    status_notes: null,
    service_name: service?.service_name ?? r.service_code,
    service_code: r.service_code,
    description: null,
    agency_responsible: null,
    service_notice: WITHHELD_NOTICE[status],
    requested_datetime: r.requested_datetime,
    updated_datetime: r.updated_datetime,
    expected_datetime: null,
    address: null,
    address_id: null,
    zipcode: null,
    lat: null,
    long: null,
    media_url: null,
  };
  if (!extensions) return base;
  return { ...base, extended_attributes: { detailed_status: DETAILED_STATUS[r.status], detailed_status_datetime: r.updated_datetime, media_urls: [], attributes: [], notes: [] } };
}

/** One `<request>` of GET requests: the released report, or what may be shown of one that is not. */
export function publicRequest(r: ServiceRequest, service: Open311Service | undefined, extensions: boolean, history: ServiceRequestUpdate[] = []) {
  if (!r.released) return withheldRequest(r, service, extensions);
  const base = {
    service_request_id: r.service_request_id,
    status: OPEN311_STATUS[r.status],
    status_notes: r.status_notes ?? null,
    service_name: service?.service_name ?? r.service_code,
    service_code: r.service_code,
    description: r.description ?? null,
    agency_responsible: r.agency_responsible ?? null,
    service_notice: r.service_notice ?? null,
    requested_datetime: r.requested_datetime,
    updated_datetime: r.updated_datetime,
    expected_datetime: r.expected_datetime ?? null,
    address: r.address ?? null,
    address_id: r.address_id ?? null,
    zipcode: r.zipcode ?? null,
    lat: r.lat ?? null,
    long: r.long ?? null,
    media_url: r.media_urls[0] ?? null,
  };
  if (!extensions) return base;
  return {
    ...base,
    extended_attributes: {
      detailed_status: DETAILED_STATUS[r.status],
      detailed_status_datetime: r.updated_datetime,
      media_urls: r.media_urls,
      attributes: Object.entries(r.attributes).map(([code, value]) => ({ code, value: Array.isArray(value) ? value.join(',') : value })),
      notes: history.map((h) => ({ datetime: h.updated_datetime, status: OPEN311_STATUS[h.status], detailed_status: DETAILED_STATUS[h.status], description: h.description ?? null })),
    },
  };
}

export function requestUpdate(u: ServiceRequestUpdate) {
  return {
    update_id: u.update_id,
    service_request_id: u.service_request_id,
    status: FMS_STATUS[u.status],
    updated_datetime: u.updated_datetime,
    // a report closed without release: the client learns it is closed, not the staff's note on it
    description: u.released === false ? WITHHELD_NOTICE[OPEN311_STATUS[u.status]] : u.description ?? '',
    media_url: '',
  };
}
