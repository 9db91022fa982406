// A worker module for test/core/workers: answers each job with what its own thread looks like to
// the kernel (Linux /proc), so tests can check what serveJobs set up.
import { readFileSync } from 'node:fs';
import { serveJobs } from '../../src/core/workers/serve.ts';

serveJobs(async () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  // fields after the command name (which may contain spaces): state is the 3rd field, nice the 19th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { nice: Number(fields[16]), tid: Number(stat.slice(0, stat.indexOf(' '))), pid: process.pid };
});
