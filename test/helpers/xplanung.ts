// Real XPlanGML plans from ../shared/fixtures/xplanung-real (third-party, not committed) and
// archives built from them for hostile-input cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { projectRoot } from '../../src/core/paths.ts';

export const REAL_DIR = join(projectRoot, '..', 'shared', 'fixtures', 'xplanung-real');
export const real = (name: string): Buffer => readFileSync(join(REAL_DIR, name));
export const contentTypeOf = (name: string) => (name.endsWith('.zip') ? 'application/zip' : 'application/gml+xml');

/** Builds a ZIP in memory from (name, bytes) entries. */
export function zip(entries: Array<[string, Buffer | string]>, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of entries) z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, { compress: opts.compress ?? true });
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}
