// Semantic stage: a declared subset of the XLeitstelle Konformitätsregeln (rules of conformity),
// each under its official number where the XLeitstelle numbers it, otherwise under a stable id.
// ../rules.ts lists them with their titles; docs/xplanung.md describes them.
import { all, attr, childNodes, hrefs, text, walk } from '../parse.ts';
import type { XPlanDocument, XPlanFeature } from '../parse.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';
import { checkExternalReferences, REFERENCE_ELEMENTS, type ExternalReference } from './references.ts';
import { planFamily, structureOf } from './structure.ts';
import type { DocumentStructure } from './structure.ts';

/** BP-only relations of SO objects (6.0), by the rule that forbids them outside a Bebauungsplan. */
const BP_ONLY_SO_RELATIONS: Array<[string, RuleId]> = [
  ['wirdAusgeglichenDurchBPFlaeche', '6.1.3.4'],
  ['wirdAusgeglichenDurchBPABE', '6.1.3.5'],
  ['wirdAusgeglichenDurchBPSPEMassnahme', '6.1.3.6'],
  ['wirdAusgeglichenDurchBPSPEFlaeche', '6.1.3.7'],
  ['wirdAusgeglichenDurchBPMassnahme', '6.1.3.8'],
  ['zusatzkontingent', '6.1.3.11'],
  ['zusatzkontingentFlaeche', '6.1.3.12'],
  ['richtungssektorGrenze', '6.1.3.13'],
];

const RELATION_RULES: Record<string, { bereich: RuleId; gehoertZuPlan: RuleId }> = {
  BP: { bereich: '4.1.1.1', gehoertZuPlan: '4.1.2.3' },
  FP: { bereich: '5.1.1.1', gehoertZuPlan: '5.1.2.3' },
  SO: { bereich: '6.1.1.1', gehoertZuPlan: '6.1.2.3' },
  RP: { bereich: '7.1.1.1', gehoertZuPlan: '7.1.2.2' },
};

function finding(rule: RuleId, severity: Finding['severity'], message: string, features: Array<XPlanFeature | undefined>, gmlIds?: string[]): Finding {
  const fs = features.filter((f): f is XPlanFeature => !!f);
  return { rule, severity, stage: 'semantic', message, gmlIds: gmlIds ?? fs.map((f) => f.gmlId), line: fs[0]?.line ?? null };
}

export interface SemanticContext {
  /** The names of the XPlanArchive's other entries; undefined for a plain GML document. */
  archiveEntries?: string[];
}

export function checkSemantics(doc: XPlanDocument, structure: DocumentStructure = structureOf(doc), context: SemanticContext = {}): Finding[] {
  const out: Finding[] = [];
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

  // relations allowed for the plan type
  for (const { plan, family } of structure.plans) {
    const rules = RELATION_RULES[family];
    if (!rules) continue;
    for (const id of hrefs(plan.node, 'bereich')) {
      const target = doc.byId.get(id);
      if (target && target.type !== `${family}_Bereich`) {
        out.push(finding(rules.bereich, 'error', `${plan.type}: die Relation „bereich“ darf nur auf ${family}_Bereich verweisen, verweist aber auf ${target.type} „${id}“.`, [plan, target]));
      }
    }
  }
  for (const b of doc.features.filter((f) => /_Bereich$/.test(f.type))) {
    const family = planFamily(b.type);
    const rules = RELATION_RULES[family];
    if (!rules) continue;
    for (const id of hrefs(b.node, 'gehoertZuPlan')) {
      const target = doc.byId.get(id);
      if (target && target.type !== `${family}_Plan`) {
        out.push(finding(rules.gehoertZuPlan, 'error', `${b.type}: die Relation „gehoertZuPlan“ darf nur auf ${family}_Plan verweisen, verweist aber auf ${target.type} „${id}“.`, [b, target]));
      }
    }
  }
  for (const { feature, plan } of structure.objects) {
    if (!feature.type.startsWith('SO_') || !plan || plan.type === 'BP_Plan') continue;
    for (const [relation, rule] of BP_ONLY_SO_RELATIONS) {
      if (hrefs(feature.node, relation).length > 0) {
        out.push(finding(rule, 'error', `${feature.type} gehört zu einem ${plan.type}; die Relation „${relation}“ ist nur in Bebauungsplänen erlaubt.`, [feature]));
      }
    }
  }

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
    // 3.2.5.1: ags and rs of a Gemeinde agree (rs = Land, RB, Kreis, Verband, Gemeinde; ags = Land, RB, Kreis, Gemeinde)
    for (const holder of ['gemeinde', 'planaufstellendeGemeinde']) {
      for (const g of childNodes(plan.node, holder)) {
        const gemeinde = childNodes(g, 'XP_Gemeinde')[0];
        const ags = text(gemeinde, 'ags');
        const rs = text(gemeinde, 'rs');
        if (ags && rs && !(rs.length === 12 && ags.length === 8 && rs.slice(0, 5) + rs.slice(9) === ags)) {
          out.push(finding('3.2.5.1', 'error', `XP_Gemeinde in ${plan.type}: Gemeindeschlüssel ${ags} und Regionalschlüssel ${rs} passen nicht zusammen.`, [plan]));
        }
      }
    }
    // 5.1.1.2: planArt 9999 (Sonstiges) needs sonstPlanArt
    if (family === 'FP' && all(plan.node, 'planArt').includes('9999') && !plan.node.sonstPlanArt) {
      out.push(finding('5.1.1.2', 'error', 'FP_Plan: planArt ist 9999 (Sonstiges), aber sonstPlanArt fehlt.', [plan]));
    }
    out.push(...checkDates(plan, family));
  }
  return out;
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
