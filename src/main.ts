// Starts the gateway: configuration, schema directory, database, HTTP server, graceful shutdown.
import { createServer, type Server } from 'node:http';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { GatewayContext } from './core/context.ts';
import { DEMO_KEYS, revokeDemoKeys, seedDemo } from './core/demo.ts';
import { createLogger } from './core/logger.ts';
import { SchemaDirError, assertSchemaDir } from './core/schema-dir.ts';
import { openSqliteStore } from './core/storage/sqlite/store.ts';
import { STANDARDS } from './standards.ts';
import { lowerOtherThreads } from './core/workers/priority.ts';

/** `logDestination`: where the JSON log lines go (default stdout). */
export async function start(env: NodeJS.ProcessEnv = process.env, options: { logDestination?: NodeJS.WritableStream } = {}): Promise<{ server: Server; ctx: GatewayContext; stop: () => Promise<void> }> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel, options.logDestination);
  assertSchemaDir(config.schemaDir);
  const store = openSqliteStore(config.dbFile, { logger });
  const ctx: GatewayContext = { config, store, logger };
  if (config.demo) {
    const { tenantCreated, keysRestored } = await seedDemo(store);
    logger.warn({ adminToken: config.adminToken === 'demo-admin-token' ? 'demo-admin-token' : '(from GATEWAY_ADMIN_TOKEN)', keys: DEMO_KEYS.map((k) => k.key), seeded: tenantCreated, keysRestored },
      'DEMO MODE: tenant "demo" with well-known keys; set GATEWAY_DEMO=false and GATEWAY_ADMIN_TOKEN in production');
  } else {
    // a database first run in demo mode still holds the published demo keys
    const revoked = await revokeDemoKeys(store);
    if (revoked > 0) logger.warn({ revoked }, `demo mode is off: revoked ${revoked} well-known demo API keys (their secrets are published in the README)`);
  }
  const app = createApp(ctx);
  // Slow clients cannot hold connections: headers and whole requests have deadlines, checked every
  // second (Node's default check interval is 30 s).
  const server = createServer({ requestTimeout: config.requestTimeoutMs, headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1_000, keepAliveTimeout: 5_000 }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  // without a configured public URL, links point at the port actually bound (GATEWAY_PORT=0 picks one)
  if (!env.GATEWAY_PUBLIC_BASE_URL) config.publicBaseUrl = `http://localhost:${port}`;
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
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { void stop().then(() => process.exit(0)); });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SchemaDirError) {
      console.error(`beteiligung-gateway cannot start: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}
