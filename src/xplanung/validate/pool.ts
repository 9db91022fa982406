// A pool of worker threads for validation jobs, so that a 20 MB plan never blocks the HTTP event
// loop. Jobs queue when every worker is busy; a crashed worker fails its job and is replaced;
// idle workers do not keep the process alive.
import { Worker } from 'node:worker_threads';
import type { ValidationJob, ValidationJobResult } from './job.ts';
import type { JobMessage, JobReply } from './worker.ts';

const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);

interface Pending { message: JobMessage; resolve: (r: ValidationJobResult) => void; reject: (err: Error) => void; timer?: NodeJS.Timeout }
interface Slot { worker: Worker; ready: boolean; busy?: Pending }

/** The pool refused a job (queue full) or gave up on it (deadline passed); the caller answers 503. */
export class PoolBusyError extends Error {}

export interface PoolLimits {
  /** A job running longer is abandoned: its worker is terminated and replaced. */
  jobTimeoutMs: number;
  /** Jobs waiting beyond this are refused at once. */
  maxQueue: number;
}

export class ValidationPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number, private readonly limits: PoolLimits = { jobTimeoutMs: 120_000, maxQueue: 200 }) {}

  run(job: ValidationJob): Promise<ValidationJobResult> {
    if (this.closed) return Promise.reject(new Error('validation pool is closed'));
    if (this.queue.length >= this.limits.maxQueue) return Promise.reject(new PoolBusyError(`${this.queue.length} validations are waiting; try again shortly`));
    return new Promise((resolve, reject) => {
      this.queue.push({ message: { id: this.nextId++, job }, resolve, reject });
      this.dispatch();
    });
  }

  /** Starts every worker and compiles the given schema versions in each, ahead of the first request. */
  async warmUp(schemaDir: string, versions: string[]): Promise<void> {
    while (this.slots.length < this.size) this.spawn();
    const probe = (v: string) => Buffer.from(`<XPlanAuszug xmlns="http://www.xplanung.de/xplangml/${v.replace('.', '/')}"/>`);
    await Promise.all(this.slots.flatMap(() => versions.map((v) => this.run({ body: probe(v), contentType: 'application/xml', schemaDir }).catch(() => undefined))));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('validation pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, ready: false };
    worker.on('message', (reply: JobReply) => {
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
    worker.on('exit', (code) => { if (!this.closed) this.replace(slot, new Error(`validation worker exited with code ${code}`)); });
    this.slots.push(slot); // stays referenced while it boots: there is work waiting for it
    return slot;
  }

  private replace(slot: Slot, err: Error): void {
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
      // a document that keeps a worker busy past the deadline costs that worker, not the gateway
      pending.timer = setTimeout(() => this.replace(slot, new PoolBusyError(`validation took longer than ${Math.round(this.limits.jobTimeoutMs / 1000)} s and was stopped`)), this.limits.jobTimeoutMs);
      pending.timer.unref();
      slot.worker.postMessage(pending.message);
    }
  }
}
