// A real gateway for tests: a fresh SQLite file in a temp directory, the real schema directory,
// the full express app (use it with supertest). No mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type GatewayApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { generateApiKey, hashApiKey } from '../../src/core/auth.ts';
import type { GatewayContext, StandardModule } from '../../src/core/context.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Tenant } from '../../src/core/model.ts';
import type { Scope } from '../../src/core/storage/repository.ts';
import { openSqliteStore, type SqliteStore } from '../../src/core/storage/sqlite/store.ts';
import { STANDARDS } from '../../src/standards.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ALL_SCOPES: Scope[] = ['procedures:write', 'xplanung:push', 'open311:submit', 'open311:manage'];

export interface TestGateway {
  /** The request listener, as node:http gets it (replay cache in front of express). */
  app: GatewayApp;
  ctx: GatewayContext;
  store: SqliteStore;
  config: Config;
  dir: string;
  /** Every log line the gateway wrote (JSON strings), for privacy scans. */
  logLines: string[];
  /** Creates a tenant and returns a fresh API key with the given scopes. */
  tenant(id: string, scopes?: Scope[], extra?: Partial<Tenant>): Promise<string>;
  /** Another key for an existing tenant. */
  key(tenant: string, scopes: Scope[]): Promise<string>;
  close(): Promise<void>;
}

export async function createTestGateway(env: Record<string, string> = {}, standards: StandardModule[] = STANDARDS): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'bgw-test-'));
  const config = loadConfig({ GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN, GATEWAY_DEMO: 'false', GATEWAY_LOG_LEVEL: 'info', GATEWAY_PUBLIC_BASE_URL: 'http://gateway.test', ...env });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  const logger = createLogger(config.logLevel, sink);
  const store = openSqliteStore(config.dbFile);
  const ctx: GatewayContext = { config, store, logger };
  const app = createApp(ctx, standards);
  const key = async (tenant: string, scopes: Scope[]) => {
    const secret = generateApiKey();
    await store.apiKeys.create(tenant, 'test', scopes, hashApiKey(secret));
    return secret;
  };
  return {
    app, ctx, store, config, dir, logLines,
    async tenant(id, scopes = ALL_SCOPES, extra = {}) {
      await store.tenants.create({ id, name: `Tenant ${id}`, contact: { email: `info@${id}.example` }, ...extra });
      return key(id, scopes);
    },
    key,
    async close() {
      for (const s of standards) await s.close?.();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
