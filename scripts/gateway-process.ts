// Starts the gateway as a child process on loopback (for crashtest and load), waits until /health answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/core/paths.ts';

export const ADMIN = 'script-admin-token-0123456789abcdef';

/**
 * How the gateway runs: the same as `npm start` and the Dockerfile's CMD. No V8 heap-size flags: they
 * would apply to every thread, and the XPlanung validation workers with 64 MB semi-spaces grew by 14×
 * a 20 MB plan instead of 9.5×; the feed workers set their own young generation (src/dcat/pages.ts).
 * One GC flag: no allocation-site pretenuring. V8 tenures an allocation site once most of its
 * objects survived a scavenge; validating a plan, the tree and the geometries read at the start
 * survive while the same code's later garbage does not, and whether a site flipped depended on when
 * the scavenges fell. In 3 of 4 runs of the 20 MB plan it did, and then 870 MB instead of 310 MB were
 * promoted and the worker grew by 224–226 MB (11×) instead of 176–180 MB; 500 small plans over
 * HTTP went from 229–261 to 269–283 files/s with the flag (2026-12-02, docs/xplanung.md).
 */
export const GATEWAY_ARGV = ['--no-allocation-site-pretenuring', '--import', 'tsx', join(projectRoot, 'src', 'main.ts')];

export interface GatewayProcess { child: ChildProcess; base: string; pid: number }

export async function startGateway(db: string, port: number, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, GATEWAY_ARGV, {
    env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', GATEWAY_DB: db, GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: ADMIN, GATEWAY_LOG_LEVEL: 'error', GATEWAY_OPEN311_RATE_PER_MINUTE: '1000000', GATEWAY_PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    try { if ((await fetch(`${base}/health`)).ok) return { child, base, pid: child.pid! }; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('gateway did not start');
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}
