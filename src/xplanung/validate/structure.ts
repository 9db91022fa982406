// How the features of an XPlanGML document hang together: plans, their Bereiche (sections) and the
// objects (Fachobjekte) in each Bereich. Used by the semantic and geometry rules and the mapping.
import { childNodes, firstElement, href, hrefs } from '../parse.ts';
import type { XPlanDocument, XPlanFeature, XmlNode } from '../parse.ts';

export interface PlanStructure {
  plan: XPlanFeature;
  /** 'BP', 'FP', 'RP', 'SO' or 'LP'. */
  family: string;
  bereiche: XPlanFeature[];
}

export interface DocumentStructure {
  plans: PlanStructure[];
  /** Bereich gml:id → its plan. */
  planOfBereich: Map<string, XPlanFeature>;
  /** Fachobjekte: features that belong to a Bereich. */
  objects: Array<{ feature: XPlanFeature; bereich?: XPlanFeature; plan?: XPlanFeature }>;
}

export const planFamily = (type: string): string => type.slice(0, 2);
export const isPlan = (f: XPlanFeature) => /^(BP|FP|RP|SO|LP)_Plan$/.test(f.type);
export const isBereich = (f: XPlanFeature) => /^(BP|FP|RP|SO|LP)_Bereich$/.test(f.type);

/** How an object names its Bereich: gehoertZuBereich (5.x, 6.0), in 4.1 one relation per plan type. */
const UPWARD = ['gehoertZuBereich', 'gehoertZuBP_Bereich', 'gehoertZuFP_Bereich', 'gehoertZuSO_Bereich', 'gehoertZuRP_Bereich', 'gehoertZuLP_Bereich'];

export function structureOf(doc: XPlanDocument): DocumentStructure {
  const plans: PlanStructure[] = [];
  const planOfBereich = new Map<string, XPlanFeature>();
  for (const plan of doc.features.filter(isPlan)) {
    const bereiche = hrefs(plan.node, 'bereich').map((id) => doc.byId.get(id)).filter((b): b is XPlanFeature => !!b);
    plans.push({ plan, family: planFamily(plan.type), bereiche });
    for (const b of bereiche) planOfBereich.set(b.gmlId, plan);
  }
  // Bereiche that only point upwards (gehoertZuPlan) still belong to their plan
  for (const b of doc.features.filter(isBereich)) {
    if (planOfBereich.has(b.gmlId)) continue;
    const plan = doc.byId.get(href(b.node, 'gehoertZuPlan') ?? '');
    if (plan && isPlan(plan)) {
      planOfBereich.set(b.gmlId, plan);
      plans.find((p) => p.plan === plan)?.bereiche.push(b);
    }
  }
  const bereichOfObject = new Map<string, XPlanFeature>();
  for (const b of doc.features.filter(isBereich)) {
    for (const id of [...hrefs(b.node, 'planinhalt'), ...hrefs(b.node, 'inhaltBPlan'), ...hrefs(b.node, 'inhaltFPlan'), ...hrefs(b.node, 'inhaltRPlan'), ...hrefs(b.node, 'inhaltSoPlan'), ...hrefs(b.node, 'inhaltLPlan')]) {
      bereichOfObject.set(id, b);
    }
  }
  const objects: DocumentStructure['objects'] = [];
  for (const f of doc.features) {
    if (isPlan(f) || isBereich(f)) continue;
    const up = UPWARD.reduce<string | undefined>((found, name) => found ?? href(f.node, name), undefined);
    const bereich = doc.byId.get(up ?? '') ?? bereichOfObject.get(f.gmlId);
    if (!bereich && !f.node.position) continue; // texts, Präsentationsobjekte without Bereich, etc.
    objects.push({ feature: f, bereich, plan: bereich ? planOfBereich.get(bereich.gmlId) : undefined });
  }
  return { plans, planOfBereich, objects };
}

/** The geometry element inside a property such as `position` or `raeumlicherGeltungsbereich`. */
export function geometryIn(node: XmlNode, property: string): { name: string; node: XmlNode } | undefined {
  return firstElement(childNodes(node, property)[0]);
}

