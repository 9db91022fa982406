// Kinds of a procedure's documents as XPlanung names them: the XP_ExterneReferenzTyp code a document
// mapped from a plan keeps as its docType (to-procedure.ts) and gets back on export (export.ts), and
// the Bereich's georeferenced plan image (refScan).

/** The docType of a Bereich's georeferenced plan image (refScan): DCAT-AP.PLU's Planzeichnung. */
export const PLAN_DRAWING = 'planDrawing';

/**
 * XP_ExterneReferenzTyp (XPlanGML_Basisschema.xsd of 5.4 and 6.0; 6000 Schutzgebietsverordnung only in 6.0):
 * a document mapped from a plan keeps its typ as docType and gets it back; any other is 9999 (Informell).
 */
const REFERENCE_TYPES = new Set(['1000', '1010', '1020', '1030', '1040', '1050', '1060', '1065', '1070', '1080', '1090', '2000', '2100', '2200', '2300', '2400', '2500', '2600', '2700', '2800', '2900', '3000', '3100', '4000', '5000', '9998', '9999']);

export function referenceTypeFor(docType: string | undefined, version: string): string {
  if (docType && (REFERENCE_TYPES.has(docType) || (docType === '6000' && version === '6.0'))) return docType;
  return '9999';
}
