// Thread facts from Linux /proc, for tests of thread priorities.
import { readFileSync } from 'node:fs';

/** The nice value in a /proc/.../stat line: the 19th field, counted after the command name (which may contain spaces). */
export function niceFromStat(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The nice value of thread `tid` of process `pid`. */
export function niceOf(pid: number, tid: number): number {
  return niceFromStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
}
