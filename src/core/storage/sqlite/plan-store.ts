import type { PlanRepository } from '../plan-repository.ts';
import type { Db } from './database.ts';
import type { SqliteProcedures } from './store.ts';

export class SqlitePlans implements PlanRepository {
  constructor(readonly db: Db, readonly procedures: SqliteProcedures) {}
}
