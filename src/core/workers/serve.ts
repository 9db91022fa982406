// The worker side of a WorkerPool (./pool.ts): runs the jobs it is sent, one at a time, and the parts
// of other workers' jobs the pool hands it while it is idle (see Helpers).
import { parentPort } from 'node:worker_threads';
import { lowerThisThread } from './priority.ts';

export interface JobMessage<J> { id: number; job: J }
/** A part of another worker's job, sent to this idle worker by the pool. */
export interface PartMessage<P> { id: number; part: P }
/** A worker asks the pool to run `part` elsewhere; `transfer` lists the buffers moved with it. */
export interface AskMessage<P> { ask: number; part: P; transfer: ArrayBuffer[] }
/** The pool's answer to an ask: the part's result, or none (no worker was idle, or the part failed). */
export interface AnswerMessage<PR> { answer: number; result?: PR }
export type JobReply<R> = { id: number; result: R } | { id: number; error: string } | { ready: true };

export interface Helpers<P, PR> {
  /**
   * Hands `part` of the current job to another worker of the pool, if one is idle and no job waits.
   * Resolves to its result, or to undefined when no worker took it or it failed: then the caller
   * does the part itself. Send the request first, do the rest of the job, then await the answer.
   */
  ask(part: P, transfer?: ArrayBuffer[]): Promise<PR | undefined>;
}

/**
 * Call once from a worker module: answers each job with `handler`'s result or its error's message,
 * and each part another worker asked for with `partHandler`'s.
 */
export function serveJobs<J, R, P = never, PR = never>(handler: (job: J, helpers: Helpers<P, PR>) => Promise<R>, partHandler?: (part: P) => PR | Promise<PR>): void {
  lowerThisThread(); // below the HTTP event loop: see priority.ts
  const port = parentPort;
  if (!port) return;
  const asked = new Map<number, (result: PR | undefined) => void>();
  let nextAsk = 1;
  const helpers: Helpers<P, PR> = {
    ask(part, transfer = []) {
      if (!partHandler) return Promise.resolve(undefined);
      const ask = nextAsk++;
      return new Promise((resolve) => {
        asked.set(ask, resolve);
        port.postMessage({ ask, part, transfer } satisfies AskMessage<P>, transfer);
      });
    },
  };
  const reply = (id: number, work: () => Promise<unknown>) => {
    work().then(
      (result) => port.postMessage({ id, result }),
      (err: unknown) => port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies JobReply<R>),
    );
  };
  port.on('message', (msg: JobMessage<J> | PartMessage<P> | AnswerMessage<PR>) => {
    if ('answer' in msg) {
      asked.get(msg.answer)?.(msg.result);
      asked.delete(msg.answer);
    } else if ('part' in msg) {
      reply(msg.id, async () => {
        if (!partHandler) throw new Error('this worker takes no parts');
        return partHandler(msg.part);
      });
    } else {
      reply(msg.id, () => handler(msg.job, helpers));
    }
  });
  // loaded and listening: job deadlines start only now, not while the thread boots
  port.postMessage({ ready: true } satisfies JobReply<R>);
}
