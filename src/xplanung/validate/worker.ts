// A validation worker thread: runs jobs (job.ts) one at a time, and, while idle, the share of another
// worker's geometry checks it is handed (area-checks.ts). The job code, with libxml2 in WebAssembly,
// loads with the first job (so its deadline includes ~1.3 s of loading): a worker that has only
// helped holds ~50 MB instead of ~230 MB. Schema sets are compiled on first use and kept for the
// worker's life (xsd.ts).
import { serveJobs } from '../../core/workers/serve.ts';
import { checkPackedAreaPart } from './area-checks.ts';
import type * as JobModule from './job.ts';
import type { JobHelpers, ValidationJob } from './job.ts';

// imported once: every import() call would go through the module loader's hooks again
let jobModule: Promise<typeof JobModule> | undefined;
serveJobs(async (job: ValidationJob, helpers: JobHelpers) => (await (jobModule ??= import('./job.ts'))).runValidationJob(job, helpers), checkPackedAreaPart);
