// The worker side of a WorkerPool (./pool.ts): runs the jobs it is sent, one at a time.
import { parentPort } from 'node:worker_threads';
import { lowerThisThread } from './priority.ts';

export interface JobMessage<J> { id: number; job: J }
export type JobReply<R> = { id: number; result: R } | { id: number; error: string } | { ready: true };

/** Call once from a worker module: answers each job with `handler`'s result or its error's message. */
export function serveJobs<J, R>(handler: (job: J) => Promise<R>): void {
  lowerThisThread(); // below the HTTP event loop: see priority.ts
  parentPort?.on('message', (msg: JobMessage<J>) => {
    handler(msg.job).then(
      (result) => parentPort!.postMessage({ id: msg.id, result } satisfies JobReply<R>),
      (err: unknown) => parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies JobReply<R>),
    );
  });
  // loaded and listening: job deadlines start only now, not while the thread boots
  parentPort?.postMessage({ ready: true } satisfies JobReply<R>);
}
