// A feed page worker thread (see pages.ts): renders catalogue pages from its own read-only
// connection to the gateway's database.
import { openSqliteStore, type SqliteStore } from '../core/storage/sqlite/store.ts';
import { serveJobs } from '../core/workers/serve.ts';
import { Feed } from './feed.ts';
import { renderPage, type PageJob, type RenderedPage } from './pages.ts';

const stores = new Map<string, SqliteStore>();

serveJobs<PageJob, RenderedPage>(async (job) => {
  let store = stores.get(job.dbFile);
  if (!store) stores.set(job.dbFile, (store = openSqliteStore(job.dbFile, { readonly: true })));
  return renderPage(new Feed({ store }, job.base), job);
});
