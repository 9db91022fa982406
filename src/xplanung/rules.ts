// The rules a validation report can name, each with its stage and a German title: the official
// Konformitätsregel number where the XLeitstelle numbers one, otherwise a stable id of the gateway's.
// One list for the HTML report (a title under each rule number, so that a planner need not look the
// number up) and GET /xplanung/v1/rules; the stages emit findings only under these ids (RuleId), so a
// rule missing here is a type error. docs/xplanung.md says what each checks in detail.
import type { components } from '../generated/openapi.d.ts';
import { compareIds, ruleTable } from './konformitaet/tables.ts';
import { SUPPORTED_VERSION_LIST, XPLAN_VERSIONS } from './versions.ts';

/** One rule as GET /xplanung/v1/rules lists it (schemas/xplanung-rule.schema.json). */
export type ValidationRule = components['schemas']['ValidationRule'];
export type RuleInfo = Omit<ValidationRule, 'rule'>;

export const RULES = {
  // safety: before anything parses the document
  'safety.doctype': { stage: 'safety', title: 'Keine DOCTYPE- oder Entity-Deklaration (Schutz vor XXE und Entity-Expansion)' },
  'safety.encoding': { stage: 'safety', title: 'Das Dokument ist UTF-8-kodiert' },
  'safety.no-root': { stage: 'safety', title: 'Die Datei enthält ein XML-Wurzelelement' },
  'safety.not-xml': { stage: 'safety', title: 'Die Datei ist ein XML-Dokument' },
  'safety.malformed': { stage: 'safety', title: 'Wohlgeformter Dokumentkopf' },
  'safety.archive': { stage: 'safety', title: 'Lesbares ZIP-Archiv' },
  'safety.archive-entries': { stage: 'safety', title: 'Höchstzahl der Einträge eines XPlanArchivs' },
  'safety.archive-path': { stage: 'safety', title: 'Archiveinträge bleiben im Archiv (kein absoluter Pfad, kein „..“)' },
  'safety.archive-type': { stage: 'safety', title: 'Nur Dateitypen, die ein XPlanArchiv enthalten darf' },
  'safety.archive-size': { stage: 'safety', title: 'Höchstgröße des entpackten Archivs' },
  'safety.archive-ratio': { stage: 'safety', title: 'Höchstes Kompressionsverhältnis je Eintrag (Schutz vor ZIP-Bomben)' },
  'safety.archive-no-gml': { stage: 'safety', title: 'Das XPlanArchiv enthält xplan.gml' },
  // archives every extractor reads alike (validate/archive.ts, validate/zip.ts)
  'safety.archive-duplicate': { stage: 'safety', title: 'Jeder Eintragsname kommt nur einmal vor (auch ohne Unterschied in Groß-/Kleinschreibung, Unicode-Normalisierung und Schrägstrichen)' },
  'safety.archive-header-mismatch': { stage: 'safety', title: 'Lokale Dateiköpfe stimmen mit dem Inhaltsverzeichnis überein (Name, Kennzeichen, Verfahren, Größen, Prüfsumme)' },
  'safety.archive-name-encoding': { stage: 'safety', title: 'Eindeutig kodierte Eintragsnamen (UTF-8 gekennzeichnet oder ASCII, kein abweichender Unicode-Pfad, keine Steuerzeichen)' },
  'safety.archive-entry-kind': { stage: 'safety', title: 'Nur gewöhnliche Dateien und Ordner (keine symbolischen Links oder Gerätedateien)' },
  'safety.archive-encrypted': { stage: 'safety', title: 'Keine verschlüsselten Archiveinträge' },
  'safety.archive-method': { stage: 'safety', title: 'Nur die Kompressionsverfahren „stored“ und „deflate“' },
  'safety.archive-integrity': { stage: 'safety', title: 'Jeder Eintrag entpackt genau zur angegebenen Größe und Prüfsumme (CRC-32)' },
  'safety.archive-overlap': { stage: 'safety', title: 'Archiveinträge teilen keine Daten (Schutz vor ZIP-Bomben aus überlappenden Einträgen)' },
  'safety.archive-layout': { stage: 'safety', title: 'Keine Daten vor, zwischen oder nach den Archiveinträgen, die Entpackprogramme unterschiedlich lesen könnten' },
  'safety.archive-nesting': { stage: 'safety', title: 'Eingebettete ZIP-Archive höchstens zwei Ebenen tief, geprüft wie das XPlanArchiv selbst' },
  // syntax
  version: { stage: 'syntax', title: `Eine unterstützte XPlanGML-Version (${SUPPORTED_VERSION_LIST})` },
  xml: { stage: 'syntax', title: 'Wohlgeformtes XML' },
  xsd: { stage: 'syntax', title: 'Gültig gegen das XML-Schema (XSD) der XPlanGML-Version' },
  // semantic: the gateway's own checks beside the Konformitätsregeln of the rule tables (konformitaet/)
  xlink: { stage: 'semantic', title: 'Jede xlink:href-Referenz zeigt auf ein Objekt im selben Dokument' },
  'gml-id': { stage: 'semantic', title: 'gml:id ist im Dokument eindeutig' },
  'bereich-nummer': { stage: 'semantic', title: 'Die Nummern der Bereiche eines Plans sind eindeutig' },
  'gemeindeschluessel': { stage: 'semantic', title: 'XP_Gemeinde: Gemeindeschlüssel (ags) und Regionalschlüssel (rs) widersprechen sich nicht (Warnung)' },
  'datum-konsistenz': { stage: 'semantic', title: 'Verfahrensdaten: Beginn nicht nach Ende, Beschlüsse in zeitlicher Folge' },
  'externe-referenz': { stage: 'semantic', title: 'Externe Referenzen: ein relativer Verweis nennt eine Datei des XPlanArchivs, kein lokaler Pfad' },
  // semantic, push only: the plan as a procedure of the pushing tenant (to-procedure.ts)
  'mandant-ags': { stage: 'semantic', title: 'Der Plan gehört zu einer Gemeinde des Mandanten (Gemeindeschlüssel)' },
  mapping: { stage: 'semantic', title: 'Der Plan lässt sich als Verfahren des Portals speichern' },
  'mapping.no-plan': { stage: 'semantic', title: 'Das Dokument enthält einen Plan' },
  'mapping.crs': { stage: 'semantic', title: 'Geltungsbereich in einem unterstützten Koordinatenreferenzsystem (für die Fläche des Verfahrens)' },
  'mapping.planart': { stage: 'semantic', title: 'planArt ist einer Verfahrensart des Portals zugeordnet' },
  // geometry (validate/geometry.ts, validate/area-checks.ts)
  '2.1.3.1': { stage: 'geometry', title: 'Angabe eines unterstützten Koordinatenreferenzsystems' },
  '2.2.2.1': { stage: 'geometry', title: 'Gültige Geometrie (geschlossene Ringe, keine Selbstüberschneidung, keine doppelten Stützpunkte, Orientierung, Löcher im Inneren, zusammenhängende Patches)' },
  '2.2.3.1': { stage: 'geometry', title: 'Objekte liegen innerhalb des Geltungsbereichs ihres Bereichs und ihres Plans (Toleranz 0,002 m; in Kompensationsbereichen und Bereichen für Informationen außerhalb des Geltungsbereichs nur der des Bereichs; Präsentationsobjekte ausgenommen)' },
  '2.2.1.1': { stage: 'geometry', title: 'Flächenschlussbedingung: keine Überlappungen (Fehler), keine Lücken (bis XPlanGML 5.4 Warnung, ab 6.0 Fehler), Toleranz 0,002 m' },
  // validate/doppelbelegung.ts; xPlanBox gives it no title, this one says what its DoppelbelegungInspector checks
  '4.5.2.4': { stage: 'geometry', title: 'Verbot der Doppelbelegung: ein Attribut zu Maß und Bauweise (GRZ, Z, bauweise …) steht nicht zugleich an einer Baugebiets-, Gemeinbedarfs-, Grün- oder ähnlichen Fläche und an einer sie überlagernden BP_UeberbaubareGrundstuecksFlaeche (nur XPlanGML 6.0, Toleranz 0,002 m)' },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

const STAGES = ['safety', 'syntax', 'semantic', 'geometry'] as const;

/** The Konformitätsregeln of every version's table, one entry per id: the versions it exists in, where it is not checked, its titles. */
function konformitaetsregeln(): ValidationRule[] {
  const byId = new Map<string, ValidationRule & { titles: Record<string, string> }>();
  for (const { version } of XPLAN_VERSIONS) {
    for (const r of ruleTable(version).rules) {
      // checked by the geometry stage, listed there (RULES) for every version
      if (r.kind === 'builtin' && r.builtin === 'geometry-stage') continue;
      let entry = byId.get(r.id);
      if (!entry) byId.set(r.id, (entry = { rule: r.id, stage: 'semantic', title: r.title, versions: [], titles: {} }));
      entry.versions!.push(version);
      entry.titles[version] = r.title;
      entry.title = r.title; // the newest version's (XPLAN_VERSIONS is in ascending order)
      if (r.kind === 'not-checked') (entry.notCheckedIn ??= []).push(version);
    }
  }
  return [...byId.values()].sort((a, b) => compareIds(a.rule, b.rule)).map(({ titles, ...rule }) =>
    new Set(Object.values(titles)).size > 1 ? { ...rule, titles } : rule);
}

let list: ValidationRule[] | undefined;

/** Every rule, in the order of the stages, as GET /xplanung/v1/rules gives them: the gateway's own and every version's Konformitätsregeln. */
export function ruleList(): ValidationRule[] {
  if (!list) {
    const own: ValidationRule[] = Object.entries(RULES).map(([rule, info]) => (rule === '4.5.2.4' ? { rule, ...info, versions: ['6.0'] } : { rule, ...info }));
    const tables = konformitaetsregeln().filter((r) => !Object.hasOwn(RULES, r.rule));
    list = STAGES.flatMap((stage) => [...own.filter((r) => r.stage === stage), ...tables.filter((r) => r.stage === stage)]);
  }
  return list;
}

/** The title of a rule id: a Konformitätsregel's official title in `version` (the newest where not given), or the gateway rule's. */
export function ruleTitle(rule: string, version?: string | null): string | undefined {
  if (version) {
    const r = ruleTable(version).rules.find((x) => x.id === rule);
    if (r) return r.title;
  }
  if (Object.hasOwn(RULES, rule)) return RULES[rule as RuleId].title;
  return ruleList().find((r) => r.rule === rule)?.title;
}
