// The Docker image, checked without Docker (this machine has no daemon): the Dockerfile's facts are read
// from its instructions, and its HEALTHCHECK command runs for real against a real gateway.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { projectRoot } from '../../src/core/paths.ts';
import { start } from '../../src/main.ts';
import { GATEWAY_ARGV } from '../../scripts/gateway-process.ts';

interface Instruction { op: string; args: string }

/** The instructions of the Dockerfile's last stage, continuation lines joined, comments dropped. */
function finalStage(): Instruction[] {
  const text = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const all = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const [op, ...rest] = l.split(/\s+/); return { op: op!.toUpperCase(), args: rest.join(' ') }; });
  const from = all.map((i) => i.op).lastIndexOf('FROM');
  return all.slice(from);
}

const indexOf = (stage: Instruction[], test: (i: Instruction) => boolean, what: string) => {
  const i = stage.findIndex(test);
  assert.ok(i >= 0, `the final stage has no ${what}`);
  return i;
};

/** The shell command of `HEALTHCHECK [options] CMD <command>`. */
function healthCommand(stage: Instruction[]): string {
  const hc = stage.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(hc, 'no HEALTHCHECK');
  const m = /(?:^|\s)CMD\s+(.*)$/.exec(hc.args);
  assert.ok(m, `HEALTHCHECK without CMD: ${hc.args}`);
  return m[1]!;
}

describe('ops: the Dockerfile', function () {
  this.timeout(60_000);
  const stage = finalStage();

  it('gives /data to node before declaring the volume and switching to USER node (a fresh volume is writable)', () => {
    const chown = indexOf(stage, (i) => i.op === 'RUN' && /\bchown\s+(-R\s+)?node(:node)?\s+(\S+\s+)*\/data\b/.test(i.args) && /mkdir -p \/data\b/.test(i.args), 'RUN mkdir -p /data && chown node /data');
    const volume = indexOf(stage, (i) => i.op === 'VOLUME' && /["\s[]\/data["\s\]]|^\/data$/.test(i.args), 'VOLUME /data');
    const user = indexOf(stage, (i) => i.op === 'USER', 'USER');
    assert.equal(stage[user]!.args, 'node');
    assert.ok(chown < volume, 'changes to /data after VOLUME are discarded: chown must come first');
    assert.ok(chown < user, 'chown needs root: before USER node');
    const env = stage.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    assert.match(env, /GATEWAY_DB=\/data\//, 'the database lives in the volume');
  });

  it('runs node as PID 1 with the flags of npm start (exec form: SIGTERM from docker stop reaches it)', () => {
    const cmd = stage.find((i) => i.op === 'CMD');
    assert.ok(cmd);
    const argv = JSON.parse(cmd.args) as string[];
    assert.equal(argv[0], 'node');
    assert.deepEqual(argv.slice(1, -1), GATEWAY_ARGV.slice(0, -1));
    assert.equal(argv.at(-1), 'src/main.ts');
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, `exec ${argv.join(' ')}`);
  });

  it('HEALTHCHECK asks /health on GATEWAY_PORT: healthy on the gateway\'s port, unhealthy on another', async () => {
    const command = healthCommand(stage);
    assert.doesNotMatch(command, /:8080\b/, 'the port is not hard-coded');
    const dir = mkdtempSync(join(tmpdir(), 'bgw-docker-'));
    const gw = await start({ GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent' });
    const closed = createServer();
    try {
      const { port } = gw.server.address() as { port: number };
      // a port that refuses connections: bound a moment ago, then released
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const { port: freePort } = closed.address() as { port: number };
      await new Promise<void>((r) => closed.close(() => r()));
      // asynchronously: the gateway answers from this process's event loop
      const run = (p: number) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
        execFile('sh', ['-c', command], { env: { ...process.env, GATEWAY_PORT: String(p) }, timeout: 30_000 }, (e, _out, stderr) => resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, stderr }));
      });
      const healthy = await run(port);
      assert.equal(healthy.status, 0, `healthcheck on the gateway's port ${port}: ${healthy.stderr}`);
      assert.equal((await run(freePort)).status, 1, 'healthcheck on a port where nothing listens');
    } finally {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('.dockerignore keeps out what the image must not carry, and nothing that COPY needs', () => {
    const ignored = readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', 'data', '*.db']) assert.ok(ignored.includes(p), `.dockerignore lacks ${p}`);
    const copied = stage.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const all = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8').split('\n').filter((l) => /^COPY\s/.test(l) && !/--from/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const src of new Set([...copied, ...all])) assert.ok(!ignored.includes(src), `${src} is copied but ignored`);
  });
});

describe('ops: the README\'s docker run', () => {
  it('makes an admin token, prints it, and passes that same token; the token is one the image accepts', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Docker'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'no sh block in the Docker section');
    assert.match(block, /docker run [^\n]*(\\\n[^\n]*)*-e GATEWAY_ADMIN_TOKEN="\$GATEWAY_ADMIN_TOKEN"/);
    // run what comes before `docker run` for real: it must print the token it made
    const before = block.slice(0, block.indexOf('docker run'));
    const r = spawnSync('bash', ['-c', `${before}\nprintf '%s' "$GATEWAY_ADMIN_TOKEN"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [printed, token] = [r.stdout.split('\n')[0]!, r.stdout.split('\n').at(-1)!];
    assert.equal(printed, `admin token: ${token}`);
    // the image's environment (GATEWAY_DEMO=false) with that token passes the configuration check
    assert.equal(loadConfig({ GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: token }).adminToken, token);
  });
});
