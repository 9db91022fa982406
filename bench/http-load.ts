// HTTP load for the benches: wrk (Debian package `wrk`, written in C) when it is installed, else
// autocannon. A load generator in Node spends more time reading a 448 KB answer than the server
// spends sending it (autocannon: 360 req/s where wrk sees 2 500 from the same plain server), so
// figures for large answers are only meaningful with wrk; the row names the tool used.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadResult { rate: number; p99Ms: number; non2xx: number; errors: number; tool: 'wrk' | 'autocannon' }
export interface LoadOptions { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; connections?: number; seconds?: number }

let wrkAvailable: boolean | undefined;
export function hasWrk(): boolean {
  if (wrkAvailable === undefined) {
    try { execFileSync('wrk', ['--version'], { stdio: 'ignore' }); wrkAvailable = true; } catch (e) {
      // wrk --version prints its banner and exits 1; only a missing binary throws ENOENT
      wrkAvailable = (e as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }
  return wrkAvailable;
}

export async function load(opts: LoadOptions): Promise<LoadResult> {
  return hasWrk() ? wrk(opts) : cannon(opts);
}

async function wrk({ url, method = 'GET', headers = {}, body, connections = 50, seconds = 10 }: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bgw-wrk-'));
  try {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
    if (method !== 'GET' || body !== undefined) {
      // the request method and body go through wrk's Lua API; JSON.stringify gives a valid Lua string literal for ASCII bodies
      const script = join(dir, 'request.lua');
      writeFileSync(script, `wrk.method = ${JSON.stringify(method)}\nwrk.body = ${JSON.stringify(body ?? '')}\n`);
      args.push('-s', script);
    }
    args.push(url);
    const out = await new Promise<string>((resolve, reject) => execFile('wrk', args, { encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
    const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
    const p99Ms = p99 ? Number(p99[1]) * ({ us: 0.001, ms: 1, s: 1000 } as const)[p99[2] as 'us' | 'ms' | 's'] : NaN;
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return { rate: num(/Requests\/sec:\s+([\d.]+)/), p99Ms, non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0, errors: sock ? sock.slice(1).reduce((a, n) => a + Number(n), 0) : 0, tool: 'wrk' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cannon({ url, method = 'GET', headers, body, connections = 50, seconds = 10 }: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => autocannon({ url, method, headers, body, connections, duration: seconds }, (err, r) => (err ? reject(err) : resolve({ rate: r.requests.average, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, tool: 'autocannon' }))));
}
