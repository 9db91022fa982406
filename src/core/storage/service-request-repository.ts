// Storage of Open311 services and service requests (Mängelmelder). Implemented in
// sqlite/service-request-store.ts.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the Open311 module's storage
export interface ServiceRequestRepository {}
