// A validation worker thread: runs jobs (job.ts) one at a time. Schema sets are compiled on first
// use and kept for the worker's life (xsd.ts).
import { serveJobs } from '../../core/workers/serve.ts';
import { runValidationJob } from './job.ts';

serveJobs(runValidationJob);
