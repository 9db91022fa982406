// The rules a validation report can name, each with its stage and a German title: the official
// Konformitätsregel number where the XLeitstelle numbers one, otherwise a stable id of the gateway's.
// One list for the HTML report (a title under each rule number, so that a planner need not look the
// number up) and GET /xplanung/v1/rules; the stages emit findings only under these ids (RuleId), so a
// rule missing here is a type error. docs/xplanung.md says what each checks in detail.
import type { components } from '../generated/openapi.d.ts';
import { SUPPORTED_VERSION_LIST } from './versions.ts';

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
  // semantic: the declared subset of the Konformitätsregeln (validate/semantic.ts)
  xlink: { stage: 'semantic', title: 'Jede xlink:href-Referenz zeigt auf ein Objekt im selben Dokument' },
  'gml-id': { stage: 'semantic', title: 'gml:id ist im Dokument eindeutig' },
  'bereich-nummer': { stage: 'semantic', title: 'Die Nummern der Bereiche eines Plans sind eindeutig' },
  '3.2.5.1': { stage: 'semantic', title: 'XP_Gemeinde: Konsistenz der Attribute ags und rs' },
  '4.1.1.1': { stage: 'semantic', title: 'BP_Plan: Einschränkung der Relation bereich' },
  '4.1.2.3': { stage: 'semantic', title: 'BP_Bereich: Einschränkung der Relation gehoertZuPlan' },
  '5.1.1.1': { stage: 'semantic', title: 'FP_Plan: Einschränkung der Relation bereich' },
  '5.1.1.2': { stage: 'semantic', title: 'FP_Plan: Konsistenz der Attribute planArt und sonstPlanArt' },
  '5.1.2.3': { stage: 'semantic', title: 'FP_Bereich: Einschränkung der Relation gehoertZuPlan' },
  '6.1.1.1': { stage: 'semantic', title: 'SO_Plan: Einschränkung der Relation bereich' },
  '6.1.2.3': { stage: 'semantic', title: 'SO_Bereich: Einschränkung der Relation gehoertZuPlan' },
  '6.1.3.4': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation wirdAusgeglichenDurchBPFlaeche' },
  '6.1.3.5': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation wirdAusgeglichenDurchBPABE' },
  '6.1.3.6': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation wirdAusgeglichenDurchBPSPEMassnahme' },
  '6.1.3.7': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation wirdAusgeglichenDurchBPSPEFlaeche' },
  '6.1.3.8': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation wirdAusgeglichenDurchBPMassnahme' },
  '6.1.3.11': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation zusatzkontingent' },
  '6.1.3.12': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation zusatzkontingentFlaeche' },
  '6.1.3.13': { stage: 'semantic', title: 'SO_Objekt außerhalb eines BPlans: keine Relation richtungssektorGrenze' },
  '7.1.1.1': { stage: 'semantic', title: 'RP_Plan: Einschränkung der Relation bereich' },
  '7.1.2.2': { stage: 'semantic', title: 'RP_Bereich: Einschränkung der Relation gehoertZuPlan' },
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

/** Every rule, in the order of the stages, as GET /xplanung/v1/rules gives them. */
export const RULE_LIST: ValidationRule[] = Object.entries(RULES).map(([rule, info]) => ({ rule, ...info }));

/** The title of a rule id, if it is one of RULES. */
export function ruleTitle(rule: string): string | undefined {
  return Object.hasOwn(RULES, rule) ? RULES[rule as RuleId].title : undefined;
}
