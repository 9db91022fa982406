import type { ServiceRequestRepository } from '../service-request-repository.ts';
import type { Db } from './database.ts';

export class SqliteServiceRequests implements ServiceRequestRepository {
  constructor(readonly db: Db) {}
}
