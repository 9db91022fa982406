import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { projectRoot } from '../../src/core/paths.ts';

describe('config: environment validated against schemas/config.schema.json', () => {
  it('runs the demo with no variables set at all', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.demo, true);
    assert.equal(c.dbFile, join(projectRoot, 'data', 'gateway.db'));
    assert.equal(c.schemaDir, join(projectRoot, 'schemas', 'vendor'));
    assert.equal(c.adminToken, 'demo-admin-token');
    assert.equal(c.publicBaseUrl, 'http://localhost:8080');
  });

  it('coerces numbers and booleans from strings', () => {
    const c = loadConfig({ GATEWAY_PORT: '9000', GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: 'x'.repeat(32), GATEWAY_PUBLIC_BASE_URL: 'https://gw.example/' });
    assert.equal(c.port, 9000);
    assert.equal(c.demo, false);
    assert.equal(c.publicBaseUrl, 'https://gw.example');
  });

  it('names every invalid variable', () => {
    assert.throws(() => loadConfig({ GATEWAY_PORT: 'eighty', GATEWAY_LOG_LEVEL: 'loud' }), (e: Error) =>
      e instanceof ConfigError && /GATEWAY_PORT/.test(e.message) && /GATEWAY_LOG_LEVEL/.test(e.message));
  });

  it('refuses unknown GATEWAY_ variables (typos would silently do nothing)', () => {
    assert.throws(() => loadConfig({ GATEWAY_PROT: '1' }), /GATEWAY_PROT is not a known field/);
  });

  it('requires a strong admin token outside demo mode', () => {
    assert.throws(() => loadConfig({ GATEWAY_DEMO: 'false' }), /GATEWAY_ADMIN_TOKEN is required/);
    assert.throws(() => loadConfig({ GATEWAY_DEMO: 'false', GATEWAY_ADMIN_TOKEN: 'short' }), /at least 24/);
  });
});
