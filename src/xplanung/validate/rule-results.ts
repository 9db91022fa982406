// The report's list of every rule with its result (report.rules): what a planner needs to see what
// was checked, not only what failed, as the reference validator lists every rule.
import type { RuleOutcome } from '../konformitaet/engine.ts';
import { ruleTable } from '../konformitaet/tables.ts';import type { Finding, Stage, ValidationReport } from '../report.ts';
import { RULES, type RuleId } from '../rules.ts';

export type RuleResult = NonNullable<ValidationReport['rules']>[number];

/** The gateway's own semantic checks every plan goes through (not the push-only mapping checks). */
const GATEWAY_SEMANTIC: RuleId[] = ['gml-id', 'xlink', 'bereich-nummer', 'gemeindeschluessel', 'datum-konsistenz', 'externe-referenz'];
/** The geometry stage's rules; 4.5.2.4 exists in 6.0 only. */
const GEOMETRY: RuleId[] = ['2.1.3.1', '2.2.2.1', '2.2.3.1', '2.2.1.1', '4.5.2.4'];

export interface RuleResultInput {
  version: string;
  findings: Finding[];
  skipped: ValidationReport['skipped'];
  /** The Konformitätsregeln's outcomes (semantic stage), empty when it did not run. */
  outcomes: RuleOutcome[];
  /** Whether the syntax stage passed (the later stages ran or were skipped on request). */
  syntaxPassed: boolean;
}

export function ruleResults({ version, findings, skipped, outcomes, syntaxPassed }: RuleResultInput): RuleResult[] {
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const f of findings) {
    const c = counts.get(f.rule) ?? { errors: 0, warnings: 0 };
    if (f.severity === 'error') c.errors++;
    else c.warnings++;
    counts.set(f.rule, c);
  }
  const skippedReason = new Map(skipped.map((s) => [s.stage, s.reason]));
  const fromFindings = (rule: string, title: string, stage: Stage, skippedAs: string[]): RuleResult => {
    const c = counts.get(rule) ?? { errors: 0, warnings: 0 };
    const reason = skippedAs.map((s) => skippedReason.get(s as never)).find(Boolean);
    if (reason && c.errors === 0 && c.warnings === 0) return { rule, title, stage, result: 'not-checked', reason };
    return { rule, title, stage, result: c.errors > 0 ? 'failed' : 'passed', ...(c.errors ? { errors: c.errors } : {}), ...(c.warnings ? { warnings: c.warnings } : {}) };
  };
  const out: RuleResult[] = [fromFindings('xsd', RULES.xsd.title, 'syntax', [])];
  const semanticSkipped = skippedReason.get('semantic');
  for (const rule of GATEWAY_SEMANTIC) out.push(fromFindings(rule, RULES[rule].title, 'semantic', ['semantic']));
  const geometryInTable = new Map<string, RuleOutcome>();
  if (outcomes.length === 0) {
    // the semantic stage did not run: its rules are listed as not checked, with the stage's reason
    const reason = semanticSkipped ?? (syntaxPassed ? 'Der Prüfschritt lief nicht.' : 'Aufgrund syntaktischer Fehler nicht ausgeführt.');
    for (const o of outcomesWithoutRun(version)) out.push({ rule: o.rule, title: o.title, stage: 'semantic', result: 'not-checked', reason });
  }
  for (const o of outcomes) {
    if (o.result === 'not-checked' && o.reason === 'geometry-stage') {
      geometryInTable.set(o.rule, o);
      continue;
    }
    const c = counts.get(o.rule);
    out.push({ rule: o.rule, title: o.title, stage: 'semantic', result: o.result, ...(o.reason ? { reason: o.reason } : {}), ...(c?.errors ? { errors: c.errors } : {}) });
  }
  for (const rule of GEOMETRY) {
    if (rule === '4.5.2.4' && version !== '6.0') continue;
    const title = geometryInTable.get(rule)?.title ?? RULES[rule].title;
    const switches = rule === '2.2.1.1' ? ['geometry', 'flaechenschluss'] : rule === '2.2.3.1' ? ['geometry', 'geltungsbereich'] : ['geometry'];
    out.push(fromFindings(rule, title, 'geometry', switches));
  }
  return out;
}

function outcomesWithoutRun(version: string): Array<{ rule: string; title: string }> {
  return ruleTable(version).rules.filter((r) => !(r.kind === 'builtin' && r.builtin === 'geometry-stage')).map((r) => ({ rule: r.id, title: r.title }));
}
