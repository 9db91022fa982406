// A worker module for test/core/workers: answers each job with what its own thread looks like to
// the kernel (Linux /proc), so tests can check what serveJobs set up.
import { readFileSync } from 'node:fs';
import { serveJobs } from '../../src/core/workers/serve.ts';
import { niceFromStat } from './threads.ts';

serveJobs(async () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  return { nice: niceFromStat(stat), tid: Number(stat.slice(0, stat.indexOf(' '))), pid: process.pid };
});
