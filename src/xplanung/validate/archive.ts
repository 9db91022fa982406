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

/**
 * File types an XPlanArchive may carry (XPlanung: Rasterpläne, Texte, Georeferenzierung), with the
 * media type the gateway serves each as, and whether a browser may show it inline: never a type that
 * could run script on the gateway's origin (HTML, XML), which goes out as a download.
 */
export const ARCHIVE_FILE_TYPES: Record<string, { mediaType: string; inline: boolean }> = {
  pdf: { mediaType: 'application/pdf', inline: true },
  png: { mediaType: 'image/png', inline: true },
  jpg: { mediaType: 'image/jpeg', inline: true },
  jpeg: { mediaType: 'image/jpeg', inline: true },
  tif: { mediaType: 'image/tiff', inline: true },
  tiff: { mediaType: 'image/tiff', inline: true },
  txt: { mediaType: 'text/plain; charset=utf-8', inline: true },
  // world files of georeferenced scans: six lines of numbers
  pgw: { mediaType: 'text/plain; charset=utf-8', inline: true },
  jgw: { mediaType: 'text/plain; charset=utf-8', inline: true },
  tfw: { mediaType: 'text/plain; charset=utf-8', inline: true },
  wld: { mediaType: 'text/plain; charset=utf-8', inline: true },
  gml: { mediaType: 'application/gml+xml', inline: false },
  xml: { mediaType: 'application/xml', inline: false },
  htm: { mediaType: 'text/html; charset=utf-8', inline: false },
  html: { mediaType: 'text/html; charset=utf-8', inline: false },
  odt: { mediaType: 'application/vnd.oasis.opendocument.text', inline: false },
  doc: { mediaType: 'application/msword', inline: false },
  docx: { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', inline: false },
  ecw: { mediaType: 'application/octet-stream', inline: false },
  eww: { mediaType: 'application/octet-stream', inline: false },
  aux: { mediaType: 'application/octet-stream', inline: false },
  ovr: { mediaType: 'application/octet-stream', inline: false },
  zip: { mediaType: 'application/zip', inline: false },
};
const ALLOWED_EXTENSIONS = new Set(Object.keys(ARCHIVE_FILE_TYPES));

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

/** The next entry of a zip opened with lazyEntries, or null at its end. */
async function nextEntry(zip: ZipFile): Promise<Entry | null> {
  try {
    return await new Promise<Entry | null>((resolve, reject) => {
      zip.once('entry', resolve);
      zip.once('end', () => resolve(null));
      zip.once('error', reject);
      zip.readEntry();
    });
  } finally {
    // the two listeners that did not fire would pile up, one set per entry
    zip.removeAllListeners('entry');
    zip.removeAllListeners('end');
    zip.removeAllListeners('error');
  }
}

const nameOf = (e: Entry) => (Buffer.isBuffer(e.fileName) ? (e.fileName as Buffer).toString('utf8') : String(e.fileName));

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
      const entry = await nextEntry(zip);
      if (!entry) break;
      const name = nameOf(entry);
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

/**
 * One entry of a stored XPlanArchive, by its exact name (the files of a pushed plan, served to the
 * portal). Undefined when the archive has no such file. The archive passed the limits above when it
 * was pushed; the size limit is kept here anyway.
 */
export async function readArchiveEntry(buf: Buffer, name: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Buffer | undefined> {
  const zip = await open(buf);
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) return undefined;
      if (nameOf(entry) === name && !name.endsWith('/')) return await readEntry(zip, entry, Math.min(entry.uncompressedSize, limits.maxUncompressed));
    }
  } finally {
    zip.close();
  }
}
