// Real XPlanGML plans from ../shared/fixtures/xplanung-real (third-party, not committed) and
// archives built from them for hostile-input cases.
import yazl from 'yazl';
import { readShared, sharedPath } from './shared.ts';

export const REAL_DIR = sharedPath('fixtures', 'xplanung-real');
/** A real plan's bytes (empty while ../shared is missing: suites using it are describeShared, see shared.ts). */
export const real = (name: string): Buffer => readShared('fixtures', 'xplanung-real', name);
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
