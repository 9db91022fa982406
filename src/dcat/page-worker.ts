// A feed worker thread (see pages.ts): renders catalogue pages, and validates them against the
// shapes (validation.ts), from its own read-only connection to the gateway's database.
import { openSqliteStore, type SqliteStore } from '../core/storage/sqlite/store.ts';
import { serveJobs } from '../core/workers/serve.ts';
import { Feed } from './feed.ts';
import { renderPage, type FeedJob, type FeedResult } from './pages.ts';
import { FeedValidator } from './shacl.ts';
import { validatePage } from './validation.ts';

const stores = new Map<string, SqliteStore>();
// the shapes are parsed once per thread and schema directory, on the first validation
const validators = new Map<string, FeedValidator>();

serveJobs<FeedJob, FeedResult>(async (job) => {
  const { dbFile, base } = 'page' in job ? job.page : job.validate;
  let store = stores.get(dbFile);
  if (!store) stores.set(dbFile, (store = openSqliteStore(dbFile, { readonly: true })));
  if ('page' in job) return renderPage(new Feed({ store }, base, job.page.portalContact), job.page);
  const { schemaDir } = job.validate;
  let validator = validators.get(schemaDir);
  if (!validator) validators.set(schemaDir, (validator = new FeedValidator(schemaDir)));
  return validatePage(new Feed({ store }, base, job.validate.portalContact), validator, job.validate.request);
});
