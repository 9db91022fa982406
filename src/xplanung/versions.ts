// XPlanGML versions the gateway understands, detected by the namespace of the root element.
// Each version has its official schema set in the schema directory (GATEWAY_SCHEMA_DIR/xplanung/<v>/).

export interface XPlanVersion {
  version: string;
  namespace: string;
  /** Path of the entry schema inside the schema directory. */
  xsd: string;
}

export const XPLAN_VERSIONS: readonly XPlanVersion[] = [
  // older plans still in circulation; read and checked like 5.x, never written (EXPORT_VERSIONS)
  { version: '4.1', namespace: 'http://www.xplanung.de/xplangml/4/1', xsd: 'xplanung/4.1/XPlanung-Operationen.xsd' },
  { version: '5.0', namespace: 'http://www.xplanung.de/xplangml/5/0', xsd: 'xplanung/5.0/XPlanung-Operationen.xsd' },
  { version: '5.1', namespace: 'http://www.xplanung.de/xplangml/5/1', xsd: 'xplanung/5.1/XPlanung-Operationen.xsd' },
  { version: '5.2', namespace: 'http://www.xplanung.de/xplangml/5/2', xsd: 'xplanung/5.2/XPlanung-Operationen.xsd' },
  { version: '5.3', namespace: 'http://www.xplanung.de/xplangml/5/3', xsd: 'xplanung/5.3/XPlanung-Operationen.xsd' },
  { version: '5.4', namespace: 'http://www.xplanung.de/xplangml/5/4', xsd: 'xplanung/5.4/XPlanung-Operationen.xsd' },
  { version: '6.0', namespace: 'http://www.xplanung.de/xplangml/6/0', xsd: 'xplanung/6.0/XPlanung-Operationen.xsd' },
];

/** A WFS 2.0 GetFeature answer (wfs:FeatureCollection, plans in wfs:member) is accepted as the root, as the reference does. */
export const WFS_NAMESPACE = 'http://www.opengis.net/wfs/2.0';

/** Versions the gateway can export to (the two sets the portal's planning software writes today). */
export const EXPORT_VERSIONS = ['6.0', '5.4'] as const;
export type ExportVersion = (typeof EXPORT_VERSIONS)[number];

export const SUPPORTED_VERSION_LIST = XPLAN_VERSIONS.map((v) => v.version).join(', ');

export function versionByNamespace(ns: string | undefined): XPlanVersion | undefined {
  return XPLAN_VERSIONS.find((v) => v.namespace === ns);
}

export function versionById(version: string): XPlanVersion | undefined {
  return XPLAN_VERSIONS.find((v) => v.version === version);
}

/** XPlanung 3.x/4.x namespaces look like http://www.xplanung.de/xplangml/4/1; used to name the version in findings. */
export function versionFromNamespace(ns: string): string | undefined {
  const m = /^http:\/\/www\.xplanung\.de\/xplangml\/(\d+)\/(\d+)$/.exec(ns);
  return m ? `${m[1]}.${m[2]}` : undefined;
}
