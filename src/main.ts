// Starts the gateway: configuration, schema directory, the HTTP port, database, app, graceful shutdown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { GatewayContext } from './core/context.ts';
import { DEMO_KEYS, revokeDemoKeys, seedDemo } from './core/demo.ts';
import { createLogger } from './core/logger.ts';
import { SchemaDirError, assertSchemaDir } from './core/schema-dir.ts';
import { openSqliteStore } from './core/storage/sqlite/store.ts';
import { STANDARDS } from './standards.ts';
import { lowerOtherThreads } from './core/workers/priority.ts';

/** The port is taken (EADDRINUSE) or may not be bound (EACCES): said in one line, no stack trace. */
export class ListenError extends Error {}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new ListenError(`port ${port} on ${host} is already in use (is another gateway running?); stop it or set GATEWAY_PORT to a free port`));
      else if (e.code === 'EACCES') reject(new ListenError(`no permission to listen on port ${port} on ${host}; choose a port above 1023 with GATEWAY_PORT`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new ListenError(`GATEWAY_HOST ${host} is no address of this machine`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
}

/** `logDestination`: where the JSON log lines go (default stdout). */
export async function start(env: NodeJS.ProcessEnv = process.env, options: { logDestination?: NodeJS.WritableStream } = {}): Promise<{ server: Server; ctx: GatewayContext; stop: () => Promise<void> }> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel, options.logDestination);
  assertSchemaDir(config.schemaDir);
  // The port first, the database after: a start on a used port ends with one line before it has
  // opened or migrated anything. Requests that arrive before the app is built wait for it.
  let app: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const waiting: Array<[IncomingMessage, ServerResponse]> = [];
  // Slow clients cannot hold connections: headers and whole requests have deadlines, checked every
  // second (Node's default check interval is 30 s).
  const server = createServer({ requestTimeout: config.requestTimeoutMs, headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 }, (req, res) => {
    if (app) app(req, res);
    else waiting.push([req, res]);
  });
  await listen(server, config.port, config.host);
  let store: ReturnType<typeof openSqliteStore> | undefined;
  let port = config.port;
  let ctx: GatewayContext;
  try {
    store = openSqliteStore(config.dbFile, { logger });
    ctx = { config, store, logger };
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : config.port;
    // without a configured public URL, links point at the port actually bound (GATEWAY_PORT=0 picks one)
    if (!env.GATEWAY_PUBLIC_BASE_URL) config.publicBaseUrl = `http://localhost:${port}`;
    if (config.demo) {
      const { tenantCreated, keysRestored } = await seedDemo(store);
      logger.warn({ adminToken: config.adminToken === 'demo-admin-token' ? 'demo-admin-token' : '(from GATEWAY_ADMIN_TOKEN)', keys: DEMO_KEYS.map((k) => k.key), seeded: tenantCreated, keysRestored },
        'DEMO MODE: tenant "demo" with well-known keys; set GATEWAY_DEMO=false and GATEWAY_ADMIN_TOKEN in production');
    } else {
      // a database first run in demo mode still holds the published demo keys
      const revoked = await revokeDemoKeys(store);
      if (revoked > 0) logger.warn({ revoked }, `demo mode is off: revoked ${revoked} well-known demo API keys (their secrets are published in the README)`);
    }
    app = createApp(ctx);
  } catch (e) {
    // the port is released again, so a failed start leaves nothing bound
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store?.close();
    throw e;
  }
  for (const [req, res] of waiting.splice(0)) app(req, res);
  logger.info({ url: `http://${config.host}:${port}`, db: config.dbFile, schemaDir: config.schemaDir }, 'gateway listening');
  for (const s of STANDARDS) s.warm?.();

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeIdleConnections(); setTimeout(() => server.closeAllConnections(), 10_000).unref(); });
    for (const s of STANDARDS) await s.close?.();
    await store.close();
    logger.info('gateway stopped');
  })());
  return { server, ctx, stop };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  lowerOtherThreads();
  try {
    const { stop } = await start();
    // `on`, not `once`: a repeated signal (Ctrl-C reaches npm and node alike, npm forwards it too; a
    // supervisor may send again) must not end the process midway through the graceful stop, which runs once
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { void stop().then(() => process.exit(0)); });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SchemaDirError || e instanceof ListenError) {
      console.error(`beteiligung-gateway cannot start: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}
