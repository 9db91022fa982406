// Semantic stage: the Konformitätsregeln (rules of conformity) of the plan's XPlanGML version, from
// the rule tables (../konformitaet/), under their official numbers; and the gateway's own checks
// under stable ids (../rules.ts: gml:id, xlink, Bereich numbers, dates, external references).
import { checkKonformitaet, type RuleOutcome } from '../konformitaet/engine.ts';
import { classModel } from '../konformitaet/klassen.ts';
import { ruleTable } from '../konformitaet/tables.ts';
import { all, attr, childNodes, text, walk } from '../parse.ts';
import type { XPlanDocument, XPlanFeature } from '../parse.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';
import { checkExternalReferences, REFERENCE_ELEMENTS, type ExternalReference } from './references.ts';
import { structureOf } from './structure.ts';
import type { DocumentStructure } from './structure.ts';

function finding(rule: RuleId, severity: Finding['severity'], message: string, features: Array<XPlanFeature | undefined>, gmlIds?: string[]): Finding {
  const fs = features.filter((f): f is XPlanFeature => !!f);
  return { rule, severity, stage: 'semantic', message, gmlIds: gmlIds ?? fs.map((f) => f.gmlId), line: fs[0]?.line ?? null };
}

export interface SemanticContext {
  /** The names of the XPlanArchive's other entries; undefined for a plain GML document. */
  archiveEntries?: string[];
  /** Where the XSDs are (<schemaDir>/xplanung/<version>/): the rules' class model comes from them. Without it no Konformitätsregel runs. */
  schemaDir?: string;
  /** The document's text (xsi:type, rule 2.1.5). */
  xml?: Buffer;
}

export interface SemanticResult {
  findings: Finding[];
  /** Every Konformitätsregel of the version with its result. */
  outcomes: RuleOutcome[];
}

export function checkSemantics(doc: XPlanDocument, structure: DocumentStructure = structureOf(doc), context: SemanticContext = {}): SemanticResult {
  const out: Finding[] = [];
  let outcomes: RuleOutcome[] = [];
  if (context.schemaDir) {
    const result = checkKonformitaet({ doc, structure, table: ruleTable(doc.version), model: classModel(context.schemaDir, doc.version), xml: context.xml });
    out.push(...result.findings);
    outcomes = result.outcomes;
  }
  const references: ExternalReference[] = [];

  // gml:id unique
  for (const [id, n] of doc.gmlIdCounts) {
    if (n > 1) out.push(finding('gml-id', 'error', `Die gml:id „${id}“ kommt ${n}-mal vor; sie muss im Dokument eindeutig sein.`, [doc.byId.get(id)], [id]));
  }

  // xlink references resolve inside the document
  for (const f of doc.features) {
    const seen = new Set<string>();
    const check = (name: string, value: string | undefined) => {
      if (!value || !value.startsWith('#')) return;
      const target = value.slice(1);
      if (doc.gmlIdCounts.has(target) || seen.has(`${name}${target}`)) return;
      seen.add(`${name}${target}`);
      out.push(finding('xlink', 'error', `${f.type} verweist mit „${name}“ auf „${target}“, aber kein Objekt im Dokument hat diese gml:id.`, [f]));
    };
    // the same walk collects the external references: a second one over a large plan costs tens of ms
    walk(f.node, (name, child) => {
      check(name, attr(child, 'href'));
      if (REFERENCE_ELEMENTS.has(name)) references.push({ feature: f, node: child });
    });
  }
  out.push(...checkExternalReferences(references, context.archiveEntries));

  // Bereich numbers unique within a plan
  for (const { plan, bereiche } of structure.plans) {
    const byNumber = new Map<string, XPlanFeature[]>();
    for (const b of bereiche) {
      const n = text(b.node, 'nummer');
      if (n !== undefined) byNumber.set(n, [...(byNumber.get(n) ?? []), b]);
    }
    for (const [n, bs] of byNumber) {
      if (bs.length > 1) out.push(finding('bereich-nummer', 'error', `${plan.type} „${text(plan.node, 'name') ?? plan.gmlId}“ hat ${bs.length} Bereiche mit der Nummer ${n}; Bereichsnummern müssen eindeutig sein.`, bs));
    }
  }

  for (const { plan, family } of structure.plans) {
    // ags and rs of a Gemeinde agree (rs = Land, RB, Kreis, Verband, Gemeinde; ags = Land, RB, Kreis, Gemeinde);
    // Konformitätsregel 3.2.5.1 asks only for one of the two, so a contradiction is the gateway's warning
    for (const holder of ['gemeinde', 'planaufstellendeGemeinde']) {
      for (const g of childNodes(plan.node, holder)) {
        const gemeinde = childNodes(g, 'XP_Gemeinde')[0];
        const ags = text(gemeinde, 'ags');
        const rs = text(gemeinde, 'rs');
        if (ags && rs && !(rs.length === 12 && ags.length === 8 && rs.slice(0, 5) + rs.slice(9) === ags)) {
          out.push(finding('gemeindeschluessel', 'warning', `XP_Gemeinde in ${plan.type}: Gemeindeschlüssel ${ags} und Regionalschlüssel ${rs} passen nicht zusammen.`, [plan]));
        }
      }
    }
    out.push(...checkDates(plan, family));
  }
  return { findings: out, outcomes };
}

function checkDates(plan: XPlanFeature, family: string): Finding[] {
  const out: Finding[] = [];
  const pairs: Array<[string, string, string]> = family === 'RP'
    ? [['auslegungStartDatum', 'auslegungEndDatum', 'Auslegung'], ['traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'Trägerbeteiligung']]
    : [['auslegungsStartDatum', 'auslegungsEndDatum', 'Auslegung'], ['traegerbeteiligungsStartDatum', 'traegerbeteiligungsEndDatum', 'Trägerbeteiligung']];
  for (const [startName, endName, label] of pairs) {
    const starts = all(plan.node, startName);
    const ends = all(plan.node, endName);
    for (let i = 0; i < Math.min(starts.length, ends.length); i++) {
      if (starts[i]! > ends[i]!) {
        out.push(finding('datum-konsistenz', 'error', `${plan.type}: ${label} Nr. ${i + 1} beginnt am ${starts[i]}, endet aber schon am ${ends[i]}.`, [plan]));
      }
    }
    if (ends.length > starts.length) {
      out.push(finding('datum-konsistenz', 'warning', `${plan.type}: ${ends.length} Enddaten, aber nur ${starts.length} Anfangsdaten der ${label}.`, [plan]));
    }
  }
  const sequence: Array<[string, string]> = [
    ['aufstellungsbeschlussDatum', 'Aufstellungsbeschluss'],
    ['entwurfsbeschlussDatum', 'Entwurfsbeschluss'],
    [family === 'BP' ? 'satzungsbeschlussDatum' : 'planbeschlussDatum', family === 'BP' ? 'Satzungsbeschluss' : 'Planbeschluss'],
    [family === 'BP' ? 'inkrafttretensDatum' : family === 'RP' ? 'datumDesInkrafttretens' : 'wirksamkeitsDatum', family === 'FP' ? 'Wirksamkeit' : 'Inkrafttreten'],
  ];
  let previous: [string, string] | undefined;
  for (const [name, label] of sequence) {
    const value = text(plan.node, name);
    if (!value) continue;
    if (previous && value < previous[0]) {
      out.push(finding('datum-konsistenz', 'warning', `${plan.type}: ${label} (${value}) liegt vor ${previous[1]} (${previous[0]}).`, [plan]));
    }
    previous = [value, label];
  }
  return out;
}
