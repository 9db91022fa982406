// A pool of worker threads for CPU-heavy jobs (XPlanung validation, DCAT feed pages), so that the
// HTTP event loop never waits for them. Jobs queue when every worker is busy; a crashed worker fails
// its job and is replaced; idle workers do not keep the process alive. The worker side is
// `serveJobs` (./serve.ts); each worker module is loaded through ./entry.mjs.
//
// A worker may ask the pool to run a part of its job elsewhere (Helpers.ask in ./serve.ts): the pool
// lends it an idle worker when no job waits, so that one large job can use two cores. A job that
// arrives meanwhile waits for the part to finish, as for any running job.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { AnswerMessage, AskMessage, JobMessage, JobReply, PartMessage } from './serve.ts';

const ENTRY_URL = new URL('./entry.mjs', import.meta.url);

interface Pending<M> { message: M; resolve: (r: never) => void; reject: (err: Error) => void; timer?: NodeJS.Timeout; transfer?: ArrayBuffer[] }
interface Slot<J, P> { worker: Worker; ready: boolean; busy?: Pending<JobMessage<J> | PartMessage<P>>; jobs: number }

/** The pool refused a job (queue full) or gave up on it (deadline passed); the caller answers 503. */
export class PoolBusyError extends Error {}

export interface PoolLimits {
  /** A job running longer is abandoned: its worker is terminated and replaced. */
  jobTimeoutMs: number;
  /** Jobs waiting beyond this are refused at once. */
  maxQueue: number;
}

/** J, R: the jobs and their results; P, PR: the parts of a job one worker may hand to another. */
export class WorkerPool<J, R, P = never, PR = never> {
  private readonly slots: Slot<J, P>[] = [];
  private readonly queue: Pending<JobMessage<J>>[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * `workerModule`: the module that calls `serveJobs`; `what` names the jobs in messages;
   * `resourceLimits`: the workers' own heap sizes (V8 flags such as --max-semi-space-size would set
   * them for every thread of the process).
   */
  constructor(private readonly workerModule: URL, protected readonly size: number, private readonly limits: PoolLimits, private readonly what = 'job', private readonly resourceLimits?: ResourceLimits) {}

  /** Workers started and listening. */
  get readyWorkers(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  /** Jobs waiting for a worker. */
  get waiting(): number {
    return this.queue.length;
  }

  /** `urgent` jobs go before every waiting one (a request waits for it; the others are work ahead). */
  run(job: J, urgent = false): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`${this.what} pool is closed`));
    if (this.queue.length >= this.limits.maxQueue) return Promise.reject(new PoolBusyError(`${this.queue.length} ${this.what}s are waiting; try again shortly`));
    return new Promise((resolve, reject) => {
      const pending: Pending<JobMessage<J>> = { message: { id: this.nextId++, job }, resolve, reject };
      if (urgent) this.queue.unshift(pending);
      else this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Starts every worker ahead of the first job. */
  spawnAll(): void {
    while (this.slots.length < this.size) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error(`${this.what} pool closed`));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Slot<J, P> {
    const worker = new Worker(ENTRY_URL, { workerData: { module: this.workerModule.href }, ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {}) });
    const slot: Slot<J, P> = { worker, ready: false, jobs: 0 };
    worker.on('message', (reply: JobReply<R | PR> | AskMessage<P>) => {
      if ('ask' in reply) {
        this.lend(slot, reply);
        return;
      }
      if ('ready' in reply) {
        slot.ready = true;
        this.dispatch();
        if (!slot.busy) worker.unref();
        return;
      }
      const pending = slot.busy;
      slot.busy = undefined;
      worker.unref(); // an idle worker must not keep the process alive
      if (pending?.timer) clearTimeout(pending.timer);
      if (pending) {
        if ('error' in reply) pending.reject(new Error(reply.error));
        else (pending.resolve as (r: R | PR) => void)(reply.result);
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.replace(slot, err));
    worker.on('exit', (code) => { if (!this.closed) this.replace(slot, new Error(`${this.what} worker exited with code ${code}`)); });
    this.slots.push(slot); // stays referenced while it boots: there is work waiting for it
    return slot;
  }

  /** Runs a part of `asker`'s job in an idle worker, or answers at once that none is free. */
  private lend(asker: Slot<J, P>, { ask, part, transfer }: AskMessage<P>): void {
    const answer = (result?: PR) => asker.worker.postMessage({ answer: ask, result } satisfies AnswerMessage<PR>);
    const helper = this.queue.length === 0 ? this.slots.find((s) => s !== asker && s.ready && !s.busy) : undefined;
    if (!helper) {
      answer();
      return;
    }
    // a failed or stopped part is done by the asker itself
    this.start(helper, { message: { id: this.nextId++, part }, resolve: answer, reject: () => answer(), transfer });
  }

  private replace(slot: Slot<J, P>, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (slot.busy?.timer) clearTimeout(slot.busy.timer);
    slot.busy?.reject(err);
    slot.busy = undefined;
    void slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // the idle worker that has run the most jobs: its code is optimised and its schemas compiled,
      // and the others stay light until jobs arrive together
      let slot: Slot<J, P> | undefined;
      for (const s of this.slots) if (s.ready && !s.busy && (!slot || s.jobs > slot.jobs)) slot = s;
      if (!slot) {
        // a booting worker will call dispatch when ready; start another if the pool may grow
        if (this.slots.filter((s) => !s.ready).length < this.queue.length && this.slots.length < this.size) this.spawn();
        return;
      }
      slot.jobs++;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot<J, P>, pending: Pending<JobMessage<J> | PartMessage<P>>): void {
    slot.busy = pending;
    slot.worker.ref();
    // a job that keeps a worker busy past the deadline costs that worker, not the gateway
    pending.timer = setTimeout(() => this.replace(slot, new PoolBusyError(`${this.what} took longer than ${Math.round(this.limits.jobTimeoutMs / 1000)} s and was stopped`)), this.limits.jobTimeoutMs);
    pending.timer.unref();
    slot.worker.postMessage(pending.message, pending.transfer ?? []);
  }
}
