// A validation worker thread: runs jobs (job.ts) one at a time. Schema sets are compiled on first
// use and kept for the worker's life (xsd.ts).
import { parentPort } from 'node:worker_threads';
import { runValidationJob } from './job.ts';
import type { ValidationJob, ValidationJobResult } from './job.ts';

export interface JobMessage { id: number; job: ValidationJob }
export type JobReply = { id: number; result: ValidationJobResult } | { id: number; error: string } | { ready: true };

parentPort?.on('message', (msg: JobMessage) => {
  runValidationJob(msg.job).then(
    (result) => parentPort!.postMessage({ id: msg.id, result } satisfies JobReply),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies JobReply),
  );
});

// loaded and listening: job deadlines start only now, not while the thread boots
parentPort?.postMessage({ ready: true } satisfies JobReply);
