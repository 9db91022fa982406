// The portal status of a procedure (procedure-model §7.4), derived from its phases and a day.
// Beschluss once a decision step has taken place; otherwise Aktiv while a participation step
// runs, Ankündigung while one is still ahead (or none is scheduled yet), Beendet when all are over.
import { DECISION_KINDS, PARTICIPATION_KINDS, type Phase, type ProcedureStatus } from './model.ts';

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function deriveStatus(phases: readonly Pick<Phase, 'kind' | 'start' | 'end'>[], today: string = todayUtc()): ProcedureStatus {
  if (phases.some((p) => DECISION_KINDS.includes(p.kind) && p.start <= today)) return 'Beschluss';
  const participation = phases.filter((p) => PARTICIPATION_KINDS.includes(p.kind));
  if (participation.some((p) => p.start <= today && (p.end == null || p.end >= today))) return 'Aktiv';
  if (participation.length === 0 || participation.some((p) => p.start > today)) return 'Ankündigung';
  return 'Beendet';
}

/**
 * The same rule as an SQL expression over the `phase` table, for filtering lists by status in the
 * database. Kept beside deriveStatus; test/core/status.test.ts checks both agree.
 */
export function statusSql(procedureAlias: string, todayParam: string): string {
  const list = (kinds: readonly string[]) => kinds.map((k) => `'${k}'`).join(',');
  const exists = (cond: string) => `EXISTS (SELECT 1 FROM phase ph WHERE ph.procedure_id = ${procedureAlias}.id AND ${cond})`;
  const part = `ph.kind IN (${list(PARTICIPATION_KINDS)})`;
  return `CASE
    WHEN ${exists(`ph.kind IN (${list(DECISION_KINDS)}) AND ph.start <= ${todayParam}`)} THEN 'Beschluss'
    WHEN ${exists(`${part} AND ph.start <= ${todayParam} AND (ph.end IS NULL OR ph.end >= ${todayParam})`)} THEN 'Aktiv'
    WHEN NOT ${exists(part)} OR ${exists(`${part} AND ph.start > ${todayParam}`)} THEN 'Ankündigung'
    ELSE 'Beendet' END`;
}
