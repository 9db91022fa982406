// CPU priority of the gateway's threads. On 2 cores a 20 MB plan keeps a validation worker and V8's
// helper threads (parallel scavenges, concurrent marking and compiling, shared by every isolate)
// busy for seconds; the HTTP event loop must still answer /health and small requests at once. So the
// worker threads and the helpers run nicer, and the scheduler lets the event loop run first whenever
// both want a core. libuv's thread pool, started on first use (after this, in every run measured),
// keeps the process's priority: it does the event loop's file and compression work. Linux only: there setpriority applies to the
// single thread whose id it is given. Elsewhere, or where refused, nothing changes.
import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How much nicer than the event loop the other threads run. */
export const NICE_STEP = 10;

function lower(tid: number, base: number): void {
  try {
    setPriority(tid, Math.min(19, base + NICE_STEP));
  } catch {
    // gone meanwhile, or not permitted: it keeps its priority
  }
}

/** Lowers the calling thread (a worker thread, when it starts) below its creator. */
export function lowerThisThread(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) lower(tid, getPriority(tid));
  } catch {
    // no /proc: not Linux
  }
}

/**
 * Called once on the main thread of the gateway process, first thing: lowers every other thread that
 * exists then (V8's platform threads, the module loader's). Worker threads started later lower
 * themselves (lowerThisThread).
 */
export function lowerOtherThreads(): void {
  try {
    const base = getPriority(process.pid);
    for (const entry of readdirSync('/proc/self/task')) {
      const tid = Number(entry);
      if (tid !== process.pid) lower(tid, base);
    }
  } catch {
    // no /proc: not Linux
  }
}
