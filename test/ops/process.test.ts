// Operating the gateway as a real process: the README's start command, signals from a supervisor
// (systemd, a CI harness, a shell's `$!`), and a second start on a port that is taken.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';

/** The start command of README.md's "two commands" block (the line with `npm start`, after `npm ci &&`). */
export function readmeStartCommand(): string[] {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const block = /## The two commands\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has no "The two commands" block');
  const line = block.split('\n').find((l) => /starts the gateway/.test(l));
  assert.ok(line, 'no start line in the two commands block');
  const command = line.split('#', 1)[0]!.split('&&').at(-1)!.trim();
  return command.split(/\s+/);
}

/** A port that was free a moment ago (the kernel picks it). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Every live descendant of `pid`, from /proc (ppid is the 4th field of /proc/PID/stat, after "(comm)"). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parent.set(Number(d), Number(fields[1]));
    } catch { /* gone meanwhile */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, pp] of parent) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

const alive = (pid: number) => { try { process.kill(pid, 0); return existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function portAnswers(port: number): Promise<boolean> {
  try { await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) }); return true; } catch { return false; }
}

/** Polls `check` every 100 ms, at most `tries` times. */
async function until(check: () => boolean | Promise<boolean>, tries: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) { if (await check()) return true; await sleep(100); }
  return false;
}

describe('ops: the README start command as a supervised process', function () {
  this.timeout(120_000);
  const started: ChildProcess[] = [];
  const leftovers = new Set<number>();
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bgw-ops-')); });
  afterEach(() => {
    // whatever a failing test left serving is ended by its own pid, never by name
    for (const c of started.splice(0)) if (c.pid && alive(c.pid)) process.kill(c.pid, 'SIGKILL');
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    leftovers.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the PID of the README's start command ends the gateway and frees its port`, async () => {
      const argv = readmeStartCommand();
      assert.deepEqual(argv.slice(0, 1), ['npm'], `expected an npm command, README says ${argv.join(' ')}`);
      const port = await freePort();
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: projectRoot,
        env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_LOG_LEVEL: 'warn', GATEWAY_VALIDATION_WORKERS: '1', GATEWAY_FEED_WORKERS: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      started.push(child);
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => { stderr += String(c); });
      assert.ok(await until(async () => child.exitCode === null && (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)), 600), `gateway did not answer /health: ${stderr}`);
      const tree = descendants(child.pid!);
      for (const pid of tree) leftovers.add(pid);
      assert.ok(tree.length > 0, 'npm started no process');

      child.kill(signal);
      const gone = await until(async () => tree.every((pid) => !alive(pid)) && !(await portAnswers(port)), 300);
      const still = tree.filter(alive).map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
      assert.ok(gone, `after ${signal} to ${child.pid}: still running ${still.join('; ') || '(none)'}; port ${port} answers: ${await portAnswers(port)}`);
    });
  }

  it('Ctrl-C in a terminal (SIGINT to the whole process group: npm and node alike) stops gracefully', async () => {
    const argv = readmeStartCommand();
    const port = await freePort();
    // its own process group, as a terminal's foreground job has
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: projectRoot, detached: true,
      env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_LOG_LEVEL: 'info', GATEWAY_VALIDATION_WORKERS: '1', GATEWAY_FEED_WORKERS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => { stdout += String(c); });
    assert.ok(await until(async () => child.exitCode === null && (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)), 600), 'gateway did not answer /health');
    const tree = descendants(child.pid!);
    for (const pid of tree) leftovers.add(pid);
    process.kill(-child.pid!, 'SIGINT');
    assert.ok(await until(async () => tree.every((pid) => !alive(pid)) && !(await portAnswers(port)), 300), 'the gateway did not end');
    await until(() => child.exitCode !== null || child.signalCode !== null, 100);
    assert.match(stdout, /"msg":"gateway stopped"/, 'ended by the second signal, not by its graceful stop');
  });
});

describe('ops: a start on a port that is taken', function () {
  this.timeout(120_000);
  let dir = '';
  let blocker: Server | undefined;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bgw-ops-')); });
  afterEach(async () => {
    if (blocker) await new Promise<void>((r) => blocker!.close(() => r()));
    blocker = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('says so in one line, exits 2, and has not created or migrated the database', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    const db = join(dir, 'gateway.db');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'src', 'main.ts')], {
      cwd: projectRoot,
      env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', GATEWAY_DB: db, GATEWAY_LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 2, `exit ${r.status}, stderr:\n${r.stderr}`);
    assert.equal(r.stderr.trim(), `beteiligung-gateway cannot start: port ${port} on 127.0.0.1 is already in use (is another gateway running?); stop it or set GATEWAY_PORT to a free port`);
    assert.equal(existsSync(db), false, 'the database was opened before the port was known to be free');
    assert.doesNotMatch(r.stdout, /"level":50|DEMO MODE/, 'nothing ran before the port check');
  });
});
