// A worker module for test/core/workers: a job asks the pool to run a part elsewhere (Helpers.ask)
// and reports who ran it. A part carries a buffer, moved to the helper, and fails when told to.
import { threadId } from 'node:worker_threads';
import { serveJobs } from '../../src/core/workers/serve.ts';

export interface HelpJob { bytes: number; failPart?: boolean; holdMs?: number }
export interface HelpPart { buffer: ArrayBuffer; fail?: boolean }
export interface PartResult { thread: number; received: number }
export interface HelpResult { thread: number; helped?: PartResult; leftBehind: number }

serveJobs<HelpJob, HelpResult, HelpPart, PartResult>(
  async (job, helpers) => {
    const buffer = new ArrayBuffer(job.bytes);
    const asked = helpers.ask({ buffer, fail: job.failPart }, [buffer]);
    // the asker goes on with its own share meanwhile
    if (job.holdMs) await new Promise((r) => setTimeout(r, job.holdMs));
    return { thread: threadId, helped: await asked, leftBehind: buffer.byteLength };
  },
  (part) => {
    if (part.fail) throw new Error('this part fails');
    return { thread: threadId, received: part.buffer.byteLength };
  },
);
