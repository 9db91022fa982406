// Storage of XPlanung plans (owned by the XPlanung work): the pushed source, its hash, and the
// mapping plan gml:id <-> procedure. Implemented in sqlite/plan-store.ts.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the XPlanung module's storage
export interface PlanRepository {}
