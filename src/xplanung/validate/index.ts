// The validation pipeline: safety → version → syntax (XSD, in a worker) → semantic → geometry.
// Plain functions over a buffer; the HTTP routes and the CLI both call validateSubmission.
import { quoteForError } from '../../core/text.ts';
import { documentOf, plansOf, text } from '../parse.ts';
import type { XPlanDocument } from '../parse.ts';
import { makeReport } from '../report.ts';
import type { Finding, Stage, ValidationReport } from '../report.ts';
import type { RuleId } from '../rules.ts';
import { SUPPORTED_VERSION_LIST, versionById, versionByNamespace, versionFromNamespace, WFS_NAMESPACE } from '../versions.ts';
import { DEFAULT_ARCHIVE_LIMITS, readXPlanArchive } from './archive.ts';
import type { ArchiveLimits } from './archive.ts';
import { beginGeometry, type GeometryOptions } from './geometry.ts';
import type { RuleOutcome } from '../konformitaet/engine.ts';
import { scanProlog } from './safety.ts';
import { ruleResults } from './rule-results.ts';
import { checkSemantics } from './semantic.ts';
import { structureOf } from './structure.ts';
import type { XsdOutcome } from './xsd.ts';
import { omittedSyntaxFinding, syntaxFinding } from './xsd-messages.ts';

/** Content types a plan may be sent as. */
export const GML_TYPES = ['application/gml+xml', 'application/xml', 'text/xml'];
export const ARCHIVE_TYPES = ['application/zip', 'application/x-zip-compressed'];

export interface ValidationOptions {
  /** Runs the XSD check (a worker pool in the gateway, in-thread in the CLI). */
  xsd: (xml: Uint8Array, version: string) => Promise<XsdOutcome>;
  skipSemantic?: boolean;
  skipGeometry?: boolean;
  /** Checks of the geometry stage switched off, the rest of it runs (GEOMETRY_SWITCHES). */
  skipFlaechenschluss?: boolean;
  skipGeltungsbereich?: boolean;
  skipLaufrichtung?: boolean;
  /** How the geometry stage may share its work with another worker (geometry.ts). */
  geometry?: GeometryOptions;
  archiveLimits?: ArchiveLimits;
  fileName?: string;
  /** Where the XSDs are: the Konformitätsregeln read their class model from them. Without it they do not run. */
  schemaDir?: string;
}

export interface ValidatedDocument {
  xml: Buffer;
  fileName: string;
  parsed: XPlanDocument;
  attachments: string[];
}

export interface ValidationResult {
  report: ValidationReport;
  /** Present when the syntax stage passed (so mapping may read it). */
  document?: ValidatedDocument;
  /** HTTP status the safety stage asks for (413, 415) when it refused the input outright. */
  refusedWith?: number;
}

/** The checks of the geometry stage a client may switch off, each with the query parameter (xPlanBox's name) that does it. */
const GEOMETRY_SWITCHES = [['flaechenschluss', 'skipFlaechenschluss'], ['geltungsbereich', 'skipGeltungsbereich'], ['laufrichtung', 'skipLaufrichtung']] as const;

const LATER: Record<Stage, Stage[]> = { safety: ['syntax', 'semantic', 'geometry'], syntax: ['semantic', 'geometry'], semantic: [], geometry: [] };

/** The media type of a Content-Type header, without parameters, lower case. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isArchiveType(contentType: string): boolean {
  return ARCHIVE_TYPES.includes(mediaType(contentType));
}

/**
 * The namespace of the first member's element of a wfs:FeatureCollection, read from the text (the
 * version must be known before the XSD stage parses the document). A declaration the scan resolves
 * wrongly does no harm: the XSD stage checks every member against the version found (xsd.ts).
 */
function firstMemberNamespace(xml: Buffer): string | undefined {
  const head = xml.subarray(0, 1024 * 1024).toString('utf8');
  const member = /<(?:[\w.-]+:)?member[\s>]/.exec(head);
  if (!member) return undefined;
  const startTag = /<([\w.-]+:)?[\w.-]+[^>]*>/y;
  for (let i = head.indexOf('<', head.indexOf('>', member.index)); i >= 0; i = head.indexOf('<', i + 1)) {
    if (head.startsWith('<!--', i)) { i = head.indexOf('-->', i); if (i < 0) return undefined; continue; }
    if (head.startsWith('<?', i)) continue;
    startTag.lastIndex = i;
    const m = startTag.exec(head);
    if (!m) return undefined;
    const prefix = m[1] ? m[1].slice(0, -1) : '';
    const declaration = prefix ? `xmlns:${prefix}` : 'xmlns';
    let ns: string | undefined;
    // the nearest declaration before the end of the element's start tag (root, member or the element itself)
    for (const d of head.slice(0, startTag.lastIndex).matchAll(/(xmlns(?::[\w.-]+)?)\s*=\s*(["'])(.*?)\2/g)) if (d[1] === declaration) ns = d[3];
    return ns;
  }
  return undefined;
}

export async function validateSubmission(body: Buffer, contentType: string, options: ValidationOptions): Promise<ValidationResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  const skipped: ValidationReport['skipped'] = [];
  let fileName = options.fileName ?? 'plan.gml';
  let outcomes: RuleOutcome[] = [];
  let syntaxPassed = false;
  const done = (version: string | null, extra: Partial<ValidationResult> = {}, plans: ValidationReport['plans'] = []): ValidationResult => {
    // every rule of a recognised version with its result; a version that was not recognised has no rule list
    const rules = version && versionById(version) && options.schemaDir ? ruleResults({ version, findings, skipped, outcomes, syntaxPassed }) : undefined;
    return {
      report: makeReport({ version, fileName, plans, findings, skipped, ...(rules ? { rules } : {}), durationMs: Math.round((performance.now() - started) * 10) / 10 }),
      ...extra,
    };
  };
  const stop = (failed: Stage, reason: string) => {
    for (const s of LATER[failed]) skipped.push({ stage: s, reason });
  };

  let xml = body;
  let attachments: string[] = [];
  if (isArchiveType(contentType)) {
    const archive = await readXPlanArchive(body, options.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS);
    if (!archive.ok) {
      findings.push(archive.finding);
      stop('safety', 'Das Archiv wurde bei der Sicherheitsprüfung abgelehnt.');
      return done(null, { refusedWith: archive.status === 422 ? undefined : archive.status });
    }
    xml = archive.content.gml;
    attachments = archive.content.attachments;
    // the archive's own name, where the client gave one (the upload form, the CLI), says which archive
    fileName = options.fileName ? `${options.fileName} › xplan.gml` : 'xplan.gml';
  }

  const prolog = scanProlog(xml);
  if (!prolog.ok) {
    findings.push(prolog.finding);
    stop('safety', 'Das Dokument wurde bei der Sicherheitsprüfung abgelehnt.');
    return done(null);
  }
  // a WFS 2.0 GetFeature answer holds the plans in wfs:member; its members' namespace gives the version
  const wfs = prolog.root.namespace === WFS_NAMESPACE && prolog.root.localName === 'FeatureCollection';
  const ns = wfs ? firstMemberNamespace(xml) : prolog.root.namespace;
  const version = versionByNamespace(ns);
  if (!version) {
    const named = ns ? versionFromNamespace(ns) : undefined;
    findings.push({
      rule: 'version' satisfies RuleId,
      severity: 'error',
      stage: 'syntax',
      message: named
        ? `XPlanGML ${named} wird nicht unterstützt. Unterstützt werden die Versionen ${SUPPORTED_VERSION_LIST}.`
        : wfs
        ? `Die wfs:FeatureCollection enthält kein XPlanGML: ihr erstes wfs:member ist ${ns ? `im Namensraum ${quoteForError(ns)}` : 'leer oder ohne Namensraum'}. Unterstützt werden die Versionen ${SUPPORTED_VERSION_LIST}.`
        // quoted from the document: made safe for the JSON and HTML report (no NUL or other control characters)
        : `Das Wurzelelement „${quoteForError(prolog.root.localName, 100)}“${ns ? ` im Namensraum ${quoteForError(ns)}` : ' ohne Namensraum'} ist kein XPlanGML. Unterstützt werden die Versionen ${SUPPORTED_VERSION_LIST}.`,
      gmlIds: [],
      line: null,
    });
    stop('syntax', 'Die XPlanGML-Version wurde nicht erkannt oder wird nicht unterstützt.');
    return done(named ?? null);
  }

  const outcome = await options.xsd(xml, version.version);
  const { issues, tree } = outcome;
  if (!tree) {
    for (const [n, i] of issues.entries()) findings.push(syntaxFinding(i, version.version, n));
    if (outcome.omitted) findings.push(omittedSyntaxFinding(issues[0]?.kind ?? 'schema', outcome.omitted, issues.length));
    stop('syntax', 'Aufgrund syntaktischer Fehler konnten die weiteren Prüfschritte nicht ausgeführt werden.');
    return done(version.version);
  }

  syntaxPassed = true;
  const parsed = documentOf(tree, version);
  const plans = plansOf(parsed).map((p) => ({
    gmlId: p.gmlId,
    type: p.type,
    ...(text(p.node, 'name') ? { name: text(p.node, 'name') } : {}),
    ...(text(p.node, 'nummer') ? { number: text(p.node, 'nummer') } : {}),
    ...(parsed.srsName ? { srsName: parsed.srsName } : {}),
  }));
  const structure = structureOf(parsed);
  // a large plan's geometry stage hands a share to another worker first; the semantic rules run meanwhile
  const skip = { flaechenschluss: options.skipFlaechenschluss, geltungsbereich: options.skipGeltungsbereich, laufrichtung: options.skipLaufrichtung };
  const geometry = options.skipGeometry ? undefined : beginGeometry(parsed, structure, { ...options.geometry, skip });
  if (options.skipSemantic) skipped.push({ stage: 'semantic', reason: 'Auf Anfrage übersprungen (skipSemantisch=true).' });
  else {
    const semantic = checkSemantics(parsed, structure, { archiveEntries: isArchiveType(contentType) ? attachments : undefined, schemaDir: options.schemaDir, xml });
    findings.push(...semantic.findings);
    outcomes = semantic.outcomes;
  }
  if (!geometry) skipped.push({ stage: 'geometry', reason: 'Auf Anfrage übersprungen (skipGeometrisch=true).' });
  else {
    for (const [check, query] of GEOMETRY_SWITCHES) if (skip[check]) skipped.push({ stage: check, reason: `Auf Anfrage übersprungen (${query}=true); die übrigen geometrischen Prüfungen liefen.` });
    findings.push(...(await geometry.finish()));
  }
  const outlined = plans.map((p) => {
    const outline = geometry?.outlines.get(p.gmlId);
    return outline ? { ...p, outline } : p;
  });
  return done(version.version, { document: { xml, fileName, parsed, attachments } }, outlined);
}
