import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../../src/main.ts';
import { missingSchemaFiles, requiredSchemaFiles } from '../../src/core/schema-dir.ts';
import { loadConfig } from '../../src/config.ts';

describe('core/schema-dir: the official schemas are required at start', () => {
  it('the installed schema directory has every required file', () => {
    assert.ok(requiredSchemaFiles().length > 100);
    assert.deepEqual(missingSchemaFiles(loadConfig({}).schemaDir), []);
  });

  it('the gateway refuses to start on an empty schema directory, naming the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgw-empty-'));
    try {
      await assert.rejects(start({ GATEWAY_SCHEMA_DIR: dir, GATEWAY_DB: join(dir, 'g.db'), GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'silent' }),
        (e: Error) => /lacks \d+ required file/.test(e.message) && /dcat-ap-de\//.test(e.message) && /npm run schemas:install/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
