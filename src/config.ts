// Configuration from the environment, validated against schemas/config.schema.json at start.
import { isAbsolute, resolve } from 'node:path';
import { configValidator, fieldErrors } from './core/json-schema.ts';
import { projectRoot } from './core/paths.ts';

export interface Config {
  host: string;
  port: number;
  dbFile: string;
  schemaDir: string;
  adminToken: string;
  demo: boolean;
  publicBaseUrl: string;
  trustProxy: boolean;
  logLevel: string;
  maxJsonBytes: number;
  maxPlanBytes: number;
  downloadBudgetBytes: number;
  downloadsPerClient: number;
  downloadClientShareBytes: number;
  downloadStallMs: number;
  uploadBudgetBytes: number;
  uploadsPerClient: number;
  validationWorkers: number;
  feedWorkers: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  open311RatePerMinute: number;
  /** The portal operator's contact (GATEWAY_PORTAL_CONTACT_*), when an e-mail or URL is set: the feed's fallback contact point. */
  portalContact?: { name?: string; email?: string; url?: string };
}

export class ConfigError extends Error {}

/** A contact needs an e-mail or a URL to be reachable (DCAT-AP.de: hasEmail, hasURL or hasTelephone); a name alone is none. */
function portalContact(name: string, email: string, url: string): Pick<Config, 'portalContact'> {
  if (!email && !url) return {};
  return { portalContact: { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(url ? { url } : {}) } };
}

/** Reads GATEWAY_* variables; throws ConfigError with every problem named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('GATEWAY_') && v !== undefined) raw[k] = v;
  const validate = configValidator();
  if (!validate(raw)) {
    const msgs = fieldErrors(validate.errors).map((e) => `${e.pointer.replace(/^\//, '')} ${e.detail}`);
    throw new ConfigError(`invalid configuration: ${msgs.join('; ')}`);
  }
  // ajv has checked every type and applied the defaults above.
  const v = (name: string): never => raw[name] as never;
  const demo = v('GATEWAY_DEMO');
  let adminToken: string = v('GATEWAY_ADMIN_TOKEN');
  if (!adminToken) {
    if (!demo) throw new ConfigError('GATEWAY_ADMIN_TOKEN is required when GATEWAY_DEMO is off');
    adminToken = 'demo-admin-token'; // demo only: documented in the README, logged as a warning
  } else if (!demo && adminToken.length < 24) {
    throw new ConfigError('GATEWAY_ADMIN_TOKEN must be at least 24 characters');
  }
  const port = v('GATEWAY_PORT');
  const abs = (p: string) => (p === ':memory:' || isAbsolute(p) ? p : resolve(projectRoot, p));
  const base: string = v('GATEWAY_PUBLIC_BASE_URL') || `http://localhost:${port}`;
  return {
    host: v('GATEWAY_HOST'),
    port,
    dbFile: abs(v('GATEWAY_DB')),
    schemaDir: abs(v('GATEWAY_SCHEMA_DIR')),
    adminToken,
    demo,
    publicBaseUrl: base.replace(/\/+$/, ''),
    trustProxy: v('GATEWAY_TRUST_PROXY'),
    logLevel: v('GATEWAY_LOG_LEVEL'),
    maxJsonBytes: v('GATEWAY_MAX_JSON_BYTES'),
    maxPlanBytes: v('GATEWAY_MAX_PLAN_BYTES'),
    downloadBudgetBytes: v('GATEWAY_DOWNLOAD_BUDGET_BYTES'),
    downloadsPerClient: v('GATEWAY_DOWNLOADS_PER_CLIENT'),
    downloadClientShareBytes: v('GATEWAY_DOWNLOAD_CLIENT_SHARE_BYTES'),
    downloadStallMs: v('GATEWAY_DOWNLOAD_STALL_MS'),
    uploadBudgetBytes: v('GATEWAY_UPLOAD_BUDGET_BYTES'),
    uploadsPerClient: v('GATEWAY_UPLOADS_PER_CLIENT'),
    validationWorkers: v('GATEWAY_VALIDATION_WORKERS'),
    feedWorkers: v('GATEWAY_FEED_WORKERS'),
    requestTimeoutMs: v('GATEWAY_REQUEST_TIMEOUT_MS'),
    headersTimeoutMs: v('GATEWAY_HEADERS_TIMEOUT_MS'),
    open311RatePerMinute: v('GATEWAY_OPEN311_RATE_PER_MINUTE'),
    ...portalContact(v('GATEWAY_PORTAL_CONTACT_NAME'), v('GATEWAY_PORTAL_CONTACT_EMAIL'), v('GATEWAY_PORTAL_CONTACT_URL')),
  };
}
