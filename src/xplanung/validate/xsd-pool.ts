// A small pool of worker threads for the syntax stage, so that validating a 20 MB plan never
// blocks the HTTP event loop. Tasks queue when every worker is busy; a crashed worker fails
// its task and is replaced.
import { Worker } from 'node:worker_threads';
import type { XsdIssue } from './xsd.ts';
import type { XsdReply, XsdTask } from './xsd-worker.ts';

const WORKER_URL = new URL('./xsd-worker-entry.mjs', import.meta.url);

interface Pending { task: XsdTask; resolve: (issues: XsdIssue[]) => void; reject: (err: Error) => void }

interface Slot { worker: Worker; busy?: Pending }

export class XsdWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly schemaDir: string, private readonly size: number) {}

  validate(xml: Uint8Array, version: string): Promise<XsdIssue[]> {
    if (this.closed) return Promise.reject(new Error('validation pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, xml, version, schemaDir: this.schemaDir }, resolve, reject });
      this.dispatch();
    });
  }

  /** Compiles the given versions in every worker ahead of the first request. */
  async warmUp(versions: string[], probe: Uint8Array): Promise<void> {
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.flatMap(() => versions.map((v) => this.validate(probe, v).catch(() => []))));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('validation pool closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker };
    worker.on('message', (reply: XsdReply) => {
      const pending = slot.busy;
      slot.busy = undefined;
      slot.worker.unref(); // an idle worker must not keep the process alive
      if (pending) {
        if ('error' in reply) pending.reject(new Error(reply.error));
        else pending.resolve(reply.issues);
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.replace(slot, err));
    worker.on('exit', (code) => { if (!this.closed) this.replace(slot, new Error(`validation worker exited with code ${code}`)); });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private replace(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.busy?.reject(err);
    slot.busy = undefined;
    void slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.task);
    }
  }
}
