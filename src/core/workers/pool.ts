// A pool of worker threads for CPU-heavy jobs (XPlanung validation, DCAT feed pages), so that the
// HTTP event loop never waits for them. Jobs queue when every worker is busy; a crashed worker fails
// its job and is replaced; idle workers do not keep the process alive. The worker side is
// `serveJobs` (./serve.ts); each worker module is loaded through ./entry.mjs.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { JobMessage, JobReply } from './serve.ts';

const ENTRY_URL = new URL('./entry.mjs', import.meta.url);

interface Pending<J, R> { message: JobMessage<J>; resolve: (r: R) => void; reject: (err: Error) => void; timer?: NodeJS.Timeout }
interface Slot<J, R> { worker: Worker; ready: boolean; busy?: Pending<J, R> }

/** The pool refused a job (queue full) or gave up on it (deadline passed); the caller answers 503. */
export class PoolBusyError extends Error {}

export interface PoolLimits {
  /** A job running longer is abandoned: its worker is terminated and replaced. */
  jobTimeoutMs: number;
  /** Jobs waiting beyond this are refused at once. */
  maxQueue: number;
}

export class WorkerPool<J, R> {
  private readonly slots: Slot<J, R>[] = [];
  private readonly queue: Pending<J, R>[] = [];
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
      const pending = { message: { id: this.nextId++, job }, resolve, reject };
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

  private spawn(): Slot<J, R> {
    const worker = new Worker(ENTRY_URL, { workerData: { module: this.workerModule.href }, ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {}) });
    const slot: Slot<J, R> = { worker, ready: false };
    worker.on('message', (reply: JobReply<R>) => {
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
        else pending.resolve(reply.result);
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.replace(slot, err));
    worker.on('exit', (code) => { if (!this.closed) this.replace(slot, new Error(`${this.what} worker exited with code ${code}`)); });
    this.slots.push(slot); // stays referenced while it boots: there is work waiting for it
    return slot;
  }

  private replace(slot: Slot<J, R>, err: Error): void {
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
      const slot = this.slots.find((s) => s.ready && !s.busy);
      if (!slot) {
        // a booting worker will call dispatch when ready; start another if the pool may grow
        if (this.slots.filter((s) => !s.ready).length < this.queue.length && this.slots.length < this.size) this.spawn();
        return;
      }
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.worker.ref();
      // a job that keeps a worker busy past the deadline costs that worker, not the gateway
      pending.timer = setTimeout(() => this.replace(slot, new PoolBusyError(`${this.what} took longer than ${Math.round(this.limits.jobTimeoutMs / 1000)} s and was stopped`)), this.limits.jobTimeoutMs);
      pending.timer.unref();
      slot.worker.postMessage(pending.message);
    }
  }
}
