// Which objects 2.2.3.1 holds to which Geltungsbereich, as the XPlanValidator (xPlanBox) judges it
// (../shared/reference/xplanung-konformitaetsregeln.md §5, GeltungsbereichInspector): knowledge as
// data, read by geometry.ts. An object must lie inside its Bereich's Geltungsbereich and inside its
// plan's; these tables say where either does not apply.
import { text } from '../parse.ts';
import type { XPlanFeature } from '../parse.ts';

/** A class never held to a Geltungsbereich, in the versions given (all when none are). */
interface ExemptClass { type: string; versions?: readonly string[]; why: string }

const PRESENTATION = 'Präsentationsobjekt: beschriftet oder symbolisiert die Karte und darf über den Geltungsbereich hinausragen';
const MASS = 'Maßangabe, die über den Geltungsbereich hinaus zeigen darf';

/**
 * xPlanBox's list, compared by element name. Its XP_Nutzungsschablone (a subclass of XP_PPO) is not on
 * it and is checked; XP_Praesentationsobjekt has no geometry.
 */
export const EXEMPT_CLASSES: readonly ExemptClass[] = [
  { type: 'XP_FPO', why: PRESENTATION },
  { type: 'XP_LPO', why: PRESENTATION },
  { type: 'XP_LTO', why: PRESENTATION },
  { type: 'XP_PPO', why: PRESENTATION },
  { type: 'XP_PTO', why: PRESENTATION },
  { type: 'XP_TPO', why: PRESENTATION },
  { type: 'BP_HoehenMass', versions: ['5.3', '5.4', '6.0'], why: MASS },
  { type: 'BP_AbstandsMass', versions: ['5.3', '5.4', '6.0'], why: MASS },
];

/** Bereich `bedeutung` codes whose objects need not lie inside the plan's Geltungsbereich, only inside their Bereich's. */
interface OutsidePlan { code: string; name: string; versions?: readonly string[] }

export const OUTSIDE_PLAN_BEDEUTUNG: readonly OutsidePlan[] = [
  { code: '1800', name: 'Kompensationsbereich' },
  // not in the 4.x code list (and xPlanBox leaves it out there)
  { code: '2000', name: 'Informationen außerhalb des Geltungsbereichs', versions: ['5.0', '5.1', '5.2', '5.3', '5.4', '6.0'] },
];

const applies = (versions: readonly string[] | undefined, version: string) => !versions || versions.includes(version);

/** Whether 2.2.3.1 leaves an object of this class alone. */
export function exemptFromGeltungsbereich(type: string, version: string): boolean {
  return EXEMPT_CLASSES.some((c) => c.type === type && applies(c.versions, version));
}

/** Whether the objects of this Bereich are held to its own Geltungsbereich only, not to the plan's. */
export function bereichMayLieOutsidePlan(bereich: XPlanFeature | undefined, version: string): boolean {
  const code = bereich && text(bereich.node, 'bedeutung');
  return !!code && OUTSIDE_PLAN_BEDEUTUNG.some((b) => b.code === code && applies(b.versions, version));
}
