// XPlanArchive: a ZIP with `xplan.gml` at its root plus attachments (scans, texts, georeferencing).
// Read with yauzl under limits, so that zip bombs, zip slip and archives with thousands of entries
// are refused with a specific finding before anything is inflated in full.
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';

export interface ArchiveLimits {
  maxEntries: number;
  /** Largest total of uncompressed bytes. */
  maxUncompressed: number;
  /** Largest uncompressed/compressed ratio of one entry. */
  maxRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 1000, maxUncompressed: 200 * 1024 * 1024, maxRatio: 200 };

/** File types an XPlanArchive may carry (XPlanung: Rasterpläne, Texte, Georeferenzierung). */
const ALLOWED_EXTENSIONS = new Set(['gml', 'xml', 'pdf', 'png', 'pgw', 'jpg', 'jpeg', 'jgw', 'tif', 'tiff', 'tfw', 'txt', 'htm', 'html', 'odt', 'doc', 'docx', 'ecw', 'eww', 'wld', 'aux', 'ovr', 'zip']);

export interface ArchiveContent {
  gml: Buffer;
  /** Names of the other entries (attachments referenced by XP_ExterneReferenz). */
  attachments: string[];
}

export type ArchiveResult = { ok: true; content: ArchiveContent } | { ok: false; finding: Finding; status: 413 | 415 | 422 };

function refuse(rule: RuleId, message: string, status: 413 | 415 | 422 = 422): ArchiveResult {
  return { ok: false, status, finding: { rule, severity: 'error', stage: 'safety', message, gmlIds: [], line: null } };
}

function open(buf: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would reject unsafe names with a generic error; we name the problem ourselves
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) { stream.destroy(new Error('entry exceeds its declared size limit')); return; }
        chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

function unsafeName(name: string): boolean {
  return name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name) || name.split('/').some((s) => s === '..');
}

export async function readXPlanArchive(buf: Buffer, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveResult> {
  let zip: ZipFile;
  try {
    zip = await open(buf);
  } catch (err) {
    return refuse('safety.archive', `Das ZIP-Archiv ist beschädigt oder kein ZIP: ${(err as Error).message}.`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) return refuse('safety.archive-entries', `Das Archiv enthält ${zip.entryCount} Einträge; erlaubt sind höchstens ${limits.maxEntries}.`, 413);
    const entries: Entry[] = [];
    let total = 0;
    for (;;) {
      const entry = await new Promise<Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      });
      if (!entry) break;
      zip.removeAllListeners('entry');
      zip.removeAllListeners('end');
      zip.removeAllListeners('error');
      const name = Buffer.isBuffer(entry.fileName) ? (entry.fileName as Buffer).toString('utf8') : String(entry.fileName);
      if (unsafeName(name)) return refuse('safety.archive-path', `Der Archiveintrag „${name}“ zeigt aus dem Archiv heraus (absoluter Pfad oder „..“).`);
      if (name.endsWith('/')) continue;
      const ext = name.split('.').pop()?.toLowerCase() ?? '';
      if (!ALLOWED_EXTENSIONS.has(ext)) return refuse('safety.archive-type', `Der Archiveintrag „${name}“ hat einen Dateityp, den ein XPlanArchiv nicht enthalten darf (.${ext}).`, 415);
      total += entry.uncompressedSize;
      if (total > limits.maxUncompressed) return refuse('safety.archive-size', `Das Archiv ist entpackt größer als ${Math.round(limits.maxUncompressed / 1048576)} MB.`, 413);
      if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio && entry.uncompressedSize > 1024 * 1024) {
        return refuse('safety.archive-ratio', `Der Archiveintrag „${name}“ ist ${Math.round(entry.uncompressedSize / entry.compressedSize)}-fach komprimiert (Verdacht auf ZIP-Bombe); erlaubt ist höchstens ${limits.maxRatio}-fach.`, 413);
      }
      entries.push(entry);
    }
    const nameOf = (e: Entry) => (Buffer.isBuffer(e.fileName) ? (e.fileName as Buffer).toString('utf8') : String(e.fileName));
    const gmlEntry = entries.find((e) => nameOf(e) === 'xplan.gml');
    if (!gmlEntry) return refuse('safety.archive-no-gml', 'Das XPlanArchiv enthält keine Datei „xplan.gml“ auf oberster Ebene.');
    const gml = await readEntry(zip, gmlEntry, gmlEntry.uncompressedSize);
    return { ok: true, content: { gml, attachments: entries.filter((e) => e !== gmlEntry).map(nameOf) } };
  } catch (err) {
    return refuse('safety.archive', `Das ZIP-Archiv konnte nicht gelesen werden: ${(err as Error).message}.`);
  } finally {
    zip.close();
  }
}
