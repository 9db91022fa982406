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

/** One `<request>` of GET requests (public, released reports only). */
export function publicRequest(r: ServiceRequest, service: Open311Service | undefined, extensions: boolean, history: ServiceRequestUpdate[] = []) {
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
    description: u.description ?? '',
    media_url: '',
  };
}
