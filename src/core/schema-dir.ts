// The directory of official third-party schemas (XPlanung XSDs, DCAT-AP.de SHACL shapes ...).
// The gateway refuses to start when a required file is missing, naming it and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.ts';

interface ManifestEntry { path: string; sha256: string; url: string | null; required: boolean }

export class SchemaDirError extends Error {}

export function requiredSchemaFiles(): string[] {
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'schemas', 'manifest.json'), 'utf8')) as { files: ManifestEntry[] };
  return manifest.files.filter((f) => f.required).map((f) => f.path);
}

/** Lists required schema files missing from `dir` (empty when all are there). */
export function missingSchemaFiles(dir: string): string[] {
  return requiredSchemaFiles().filter((p) => !existsSync(join(dir, p)));
}

export function assertSchemaDir(dir: string): void {
  const missing = missingSchemaFiles(dir);
  if (missing.length) {
    throw new SchemaDirError(
      `schema directory ${dir} lacks ${missing.length} required file(s), e.g. ${missing.slice(0, 3).join(', ')}. ` +
        'Run `npm run schemas:install` (copies ../shared/schemas or downloads from the publishers) or set GATEWAY_SCHEMA_DIR.',
    );
  }
}
