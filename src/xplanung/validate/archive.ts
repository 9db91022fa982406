// XPlanArchive: a ZIP with `xplan.gml` at its root plus attachments (scans, texts, georeferencing).
// Read under limits, so that zip bombs, zip slip and archives with thousands of entries are refused
// with a specific finding before anything is inflated in full; and accepted only when every extractor
// would see the same, validated content (zip.ts reads both the directory and the local headers).
import { quoteForError } from '../../core/text.ts';
import type { Finding } from '../report.ts';
import type { RuleId } from '../rules.ts';
import { checkLayout, extract, isEncrypted, METHOD_DEFLATE, METHOD_STORED, readDirectory, readLocal } from './zip.ts';
import type { ExtraField, LocalEntry, ZipEntry, ZipProblem } from './zip.ts';

export interface ArchiveLimits {
  maxEntries: number;
  /** Largest total of uncompressed bytes. */
  maxUncompressed: number;
  /** Largest uncompressed/compressed ratio of one entry. */
  maxRatio: number;
  /** How deep ZIP archives may nest inside the XPlanArchive (a .zip attachment is level 1); 2 by default. */
  maxNesting?: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxEntries: 1000, maxUncompressed: 200 * 1024 * 1024, maxRatio: 200, maxNesting: 2 };

/**
 * File types an XPlanArchive may carry, with the media type the gateway serves each as, and whether a
 * browser may show it inline: never a type that could run script on the gateway's origin (XML), which
 * goes out as a download. The list follows the reference validator (xPlanBox's contentTypeChecker:
 * XML, PNG, TIFF, PDF and plain text; it refuses anything else with 415): office documents (odt, doc,
 * docx), HTML, JPEG, ECW and binary .aux are refused; world files are text, GDAL overviews TIFF. One
 * deviation: a ZIP inside the archive is accepted and checked entry by entry (inspect below).
 */
export const ARCHIVE_FILE_TYPES: Record<string, { mediaType: string; inline: boolean }> = {
  pdf: { mediaType: 'application/pdf', inline: true },
  png: { mediaType: 'image/png', inline: true },
  tif: { mediaType: 'image/tiff', inline: true },
  tiff: { mediaType: 'image/tiff', inline: true },
  txt: { mediaType: 'text/plain; charset=utf-8', inline: true },
  // world files of georeferenced scans: six lines of numbers
  pgw: { mediaType: 'text/plain; charset=utf-8', inline: true },
  jgw: { mediaType: 'text/plain; charset=utf-8', inline: true },
  tfw: { mediaType: 'text/plain; charset=utf-8', inline: true },
  wld: { mediaType: 'text/plain; charset=utf-8', inline: true },
  gml: { mediaType: 'application/gml+xml', inline: false },
  // also GDAL's georeferencing sidecar (*.aux.xml)
  xml: { mediaType: 'application/xml', inline: false },
  // GDAL overviews of a scan (TIFF inside, which the reference accepts)
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
type Refusal = Extract<ArchiveResult, { ok: false }>;

function refuse(rule: RuleId, message: string, status: 413 | 415 | 422 = 422): Refusal {
  return { ok: false, status, finding: { rule, severity: 'error', stage: 'safety', message, gmlIds: [], line: null } };
}

/** The finding for each kind of structural problem zip.ts reports. */
const PROBLEM_RULES: Record<ZipProblem['kind'], RuleId> = {
  'not-zip': 'safety.archive',
  layout: 'safety.archive-layout',
  'header-mismatch': 'safety.archive-header-mismatch',
  overlap: 'safety.archive-overlap',
  encrypted: 'safety.archive-encrypted',
  method: 'safety.archive-method',
  integrity: 'safety.archive-integrity',
  'too-many': 'safety.archive-entries',
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Info-ZIP Unicode Path extra field: a second name, which some extractors use instead of the first. */
const UNICODE_PATH = 0x7075;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** MS-DOS attribute bit: a directory. */
const DOS_DIRECTORY = 0x10;

function unsafeName(name: string): boolean {
  return name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name) || name.split('/').some((s) => s === '..');
}

const isZipName = (name: string) => name.toLowerCase().endsWith('.zip');

/**
 * The name of an entry as every extractor reads it, or why extractors would read it differently: a
 * name flagged UTF-8 must be valid UTF-8; an unflagged one must be ASCII (extractors read its other
 * bytes as CP437, the system's code page or UTF-8); no control characters.
 */
function entryName(e: ZipEntry, where: string | undefined): { ok: true; name: string } | { ok: false; message: string } {
  const shown = (n: string) => quoteForError(where ? `${where} › ${n}` : n);
  const lossy = e.rawName.toString('utf8');
  let name: string;
  if (e.utf8) {
    try {
      name = UTF8.decode(e.rawName);
    } catch {
      return { ok: false, message: `Der Name des Archiveintrags „${shown(lossy)}“ ist als UTF-8 gekennzeichnet, aber kein gültiges UTF-8; Entpackprogramme würden ihn unterschiedlich lesen.` };
    }
  } else if (e.rawName.some((b) => b >= 0x80)) {
    return {
      ok: false,
      message: `Der Name des Archiveintrags „${shown(lossy)}“ enthält Sonderzeichen, ist aber nicht als UTF-8 gekennzeichnet; Entpackprogramme lesen ihn je nach System verschieden (UTF-8 oder Codepage 437). Bitte verwenden Sie Dateinamen ohne Umlaute und Sonderzeichen, oder packen Sie das Archiv so, dass die Namen als UTF-8 gekennzeichnet sind (z. B. 7-Zip mit der Option -mcu=on; der Windows-Explorer und 7-Zip ohne diese Option schreiben die Codepage des Systems).`,
    };
  } else {
    name = lossy;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  if (name === '' || /[\u0000-\u001f\u007f]/.test(name)) return { ok: false, message: `Der Name des Archiveintrags „${shown(name)}“ ist leer oder enthält Steuerzeichen.` };
  return { ok: true, name };
}

/** A second name (Info-ZIP Unicode Path) is harmless only when it is the same name. */
function secondName(extra: ExtraField[], name: string, label: string): string | undefined {
  for (const f of extra) {
    if (f.id !== UNICODE_PATH) continue;
    let other: string | undefined;
    try {
      if (f.data.length >= 5 && f.data[0] === 1) other = UTF8.decode(f.data.subarray(5));
    } catch { /* not UTF-8: differs */ }
    if (other !== name) {
      return `Der Archiveintrag „${label}“ trägt einen zweiten, abweichenden Namen (Info-ZIP-Unicode-Pfad „${quoteForError(other ?? f.data.subarray(5).toString('utf8'))}“); je nach Entpackprogramm entstünde eine andere Datei.`;
    }
  }
  return undefined;
}

/** Why an entry is no plain file or folder (Unix mode in the upper half of the external attributes). */
function irregularKind(e: ZipEntry, name: string): string | undefined {
  const type = (e.externalAttributes >>> 16) & S_IFMT;
  const folder = name.endsWith('/');
  if (type === S_IFLNK) return 'ein symbolischer Link';
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return 'eine Gerätedatei, eine Pipe oder ein Socket';
  if (!folder && (type === S_IFDIR || (e.externalAttributes & DOS_DIRECTORY) !== 0)) return 'als Ordner gekennzeichnet, trägt aber einen Dateinamen';
  if (folder && e.uncompressedSize > 0) return 'ein Ordner mit Dateiinhalt';
  return undefined;
}

/**
 * The name as a file system that ignores case, Unicode normalisation, trailing dots and spaces, empty
 * and `.` segments and a trailing slash stores it (Windows, macOS): two entries with one key would be
 * written one over the other.
 */
function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC').split('/').map((s) => s.replace(/[. ]+$/, '')).filter((s) => s !== '').join('/');
}

interface Seen { entry: ZipEntry; name: string; label: string; local?: LocalEntry }

function collision(seen: Seen[]): string | undefined {
  const byKey = new Map<string, Seen>();
  const files = new Map<string, Seen>();
  for (const s of seen) {
    const key = collisionKey(s.name);
    const first = byKey.get(key);
    if (first) {
      return first.name === s.name
        ? `Das Archiv enthält den Eintrag „${s.label}“ mehrfach; Entpackprogramme würden einen mit dem anderen überschreiben, geprüft würde nur einer.`
        : `Das Archiv enthält „${first.label}“ und „${s.label}“, die sich nur in Groß-/Kleinschreibung, Unicode-Normalisierung, Punkten oder Schrägstrichen unterscheiden; Entpackprogramme unter Windows und macOS würden eine Datei mit der anderen überschreiben.`;
    }
    byKey.set(key, s);
    if (!s.name.endsWith('/')) files.set(key, s);
  }
  for (const s of seen) {
    const segments = collisionKey(s.name).split('/');
    for (let i = 1; i < segments.length; i++) {
      const file = files.get(segments.slice(0, i).join('/'));
      if (file) return `Der Archiveintrag „${file.label}“ ist eine Datei, „${s.label}“ verwendet denselben Namen als Ordner; Entpackprogramme würden das unterschiedlich auflösen.`;
    }
  }
  return undefined;
}

/** What all archives of one submission (the XPlanArchive and those nested in it) may still use. */
interface Budget { entries: number; uncompressed: number }

type Inspected = { ok: true; gml?: Buffer; attachments: string[] } | Refusal;

/**
 * Checks one archive: its structure, every entry's name, kind, type, size and headers, and then its
 * data; archives inside it the same way, one level deeper. `where`: the nested archive's label.
 */
async function inspect(buf: Buffer, limits: ArchiveLimits, budget: Budget, depth: number, where?: string): Promise<Inspected> {
  const within = (message: string) => (where ? `Im eingebetteten Archiv „${where}“: ${message}` : message);
  const dir = readDirectory(buf, limits.maxEntries - budget.entries);
  if (!dir.ok) {
    const { problem } = dir;
    if (problem.kind === 'too-many') {
      return refuse('safety.archive-entries', within(`Das Archiv enthält ${where ? `mit den übrigen Archiven ${budget.entries + (problem.count ?? 0)}` : problem.count} Einträge; erlaubt sind höchstens ${limits.maxEntries}.`), 413);
    }
    return refuse(PROBLEM_RULES[problem.kind], within(problem.message));
  }
  budget.entries += dir.value.entries.length;
  const seen: Seen[] = [];
  for (const entry of dir.value.entries) {
    const named = entryName(entry, where);
    if (!named.ok) return refuse('safety.archive-name-encoding', named.message);
    const { name } = named;
    const label = quoteForError(where ? `${where} › ${name}` : name);
    if (unsafeName(name)) return refuse('safety.archive-path', `Der Archiveintrag „${label}“ zeigt aus dem Archiv heraus (absoluter Pfad oder „..“).`);
    const second = secondName(entry.extra, name, label);
    if (second) return refuse('safety.archive-name-encoding', second);
    if (isEncrypted(entry)) return refuse('safety.archive-encrypted', `Der Archiveintrag „${label}“ ist verschlüsselt. Ein XPlanArchiv darf keine verschlüsselten Dateien enthalten: niemand könnte sie prüfen.`);
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
      return refuse('safety.archive-method', `Der Archiveintrag „${label}“ ist mit einem Verfahren komprimiert (Nr. ${entry.method}), das nicht jedes Entpackprogramm kennt; erlaubt sind „stored“ und „deflate“.`);
    }
    const irregular = irregularKind(entry, name);
    if (irregular) return refuse('safety.archive-entry-kind', `Der Archiveintrag „${label}“ ist ${irregular}; ein XPlanArchiv enthält nur gewöhnliche Dateien und Ordner.`);
    seen.push({ entry, name, label });
    if (name.endsWith('/')) continue;
    const ext = name.split('.').pop()?.toLowerCase() ?? '';
    if (!ALLOWED_EXTENSIONS.has(ext)) return refuse('safety.archive-type', `Der Archiveintrag „${label}“ hat einen Dateityp, den ein XPlanArchiv nicht enthalten darf (.${quoteForError(ext, 20)}).`, 415);
    budget.uncompressed += entry.uncompressedSize;
    if (budget.uncompressed > limits.maxUncompressed) {
      return refuse('safety.archive-size', `Das Archiv ist entpackt${depth > 0 ? ' (mit den eingebetteten Archiven)' : ''} größer als ${Math.round(limits.maxUncompressed / 1048576)} MB.`, 413);
    }
    if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio && entry.uncompressedSize > 1024 * 1024) {
      return refuse('safety.archive-ratio', `Der Archiveintrag „${label}“ ist ${Math.round(entry.uncompressedSize / entry.compressedSize)}-fach komprimiert (Verdacht auf ZIP-Bombe); erlaubt ist höchstens ${limits.maxRatio}-fach.`, 413);
    }
  }
  // what streaming extractors read: each local header must say what the directory says
  for (const s of seen) {
    const local = readLocal(buf, s.entry, s.label);
    if (!local.ok) return refuse(PROBLEM_RULES[local.problem.kind], local.problem.message); // the label names the nested archive
    const second = secondName(local.value.extra, s.name, s.label);
    if (second) return refuse('safety.archive-name-encoding', second);
    s.local = local.value;
  }
  const placed = seen.map((s) => ({ entry: s.entry, local: s.local!, label: s.label }));
  const layout = checkLayout(placed, dir.value.directoryStart);
  if (layout) return refuse(PROBLEM_RULES[layout.kind], within(layout.message));
  const clash = collision(seen);
  if (clash) return refuse('safety.archive-duplicate', clash);
  const gmlEntry = depth === 0 ? seen.find((s) => s.name === 'xplan.gml') : undefined;
  if (depth === 0 && !gmlEntry) return refuse('safety.archive-no-gml', 'Das XPlanArchiv enthält keine Datei „xplan.gml“ auf oberster Ebene.');

  // every entry's data, not only xplan.gml's: the others are stored and served as they are
  let gml: Buffer | undefined;
  const nested: Array<{ bytes: Buffer; label: string }> = [];
  for (const s of seen) {
    const keep = s === gmlEntry || (isZipName(s.name) && !s.name.endsWith('/'));
    const data = await extract(buf, s.entry, s.local!, s.label, keep);
    if (!data.ok) return refuse(PROBLEM_RULES[data.problem.kind], data.problem.message);
    if (s === gmlEntry) gml = data.value;
    else if (keep && data.value) nested.push({ bytes: data.value, label: s.label });
  }
  for (const n of nested) {
    const maxNesting = limits.maxNesting ?? DEFAULT_ARCHIVE_LIMITS.maxNesting ?? 2;
    if (depth + 1 > maxNesting) {
      return refuse('safety.archive-nesting', `Das Archiv „${n.label}“ liegt in der ${depth + 1}. Ebene eingebetteter Archive; erlaubt sind höchstens ${maxNesting} Ebenen (ein ZIP im XPlanArchiv ist die erste).`);
    }
    const inner = await inspect(n.bytes, limits, budget, depth + 1, n.label);
    if (!inner.ok) return inner;
  }
  return { ok: true, gml, attachments: seen.filter((s) => s !== gmlEntry && !s.name.endsWith('/')).map((s) => s.name) };
}

export async function readXPlanArchive(buf: Buffer, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveResult> {
  const result = await inspect(buf, limits, { entries: 0, uncompressed: 0 }, 0);
  if (!result.ok) return result;
  return { ok: true, content: { gml: result.gml!, attachments: result.attachments } };
}

/** One entry of a stored archive, or why it cannot be served. */
export type StoredEntry = { ok: true; bytes: Buffer } | { ok: false; reason: 'no-such-file' } | { ok: false; reason: 'unreadable'; why: string };

/** Why an entry of a stored archive cannot be served (the route's problem detail is English). */
const UNREADABLE_WHY: Record<ZipProblem['kind'], string> = {
  'not-zip': 'the stored archive is damaged',
  layout: 'the stored archive holds data no entry describes',
  'header-mismatch': 'its local header disagrees with the archive\'s directory',
  overlap: 'it shares its bytes with another entry',
  encrypted: 'it is encrypted',
  method: 'it is compressed with a method other than stored or deflate',
  integrity: 'its data does not match its declared size or CRC-32 checksum',
  'too-many': 'the stored archive has too many entries',
};

/**
 * One entry of a stored XPlanArchive, by its exact name (the files of a pushed plan, served to the
 * portal). Archives stored before the checks above (or by an older gateway) may hold entries that
 * are encrypted or lie about their size: those are 'unreadable', with the reason, never an exception.
 */
export async function readArchiveEntry(buf: Buffer, name: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<StoredEntry> {
  const unreadable = (why: string): StoredEntry => ({ ok: false, reason: 'unreadable', why });
  if (name.endsWith('/')) return { ok: false, reason: 'no-such-file' };
  const dir = readDirectory(buf, Number.MAX_SAFE_INTEGER);
  if (!dir.ok) return unreadable(UNREADABLE_WHY[dir.problem.kind]);
  const key = collisionKey(name);
  const alike = dir.value.entries.filter((e) => collisionKey(e.rawName.toString('utf8')) === key);
  const entry = alike.find((e) => e.rawName.toString('utf8') === name);
  if (!entry) return { ok: false, reason: 'no-such-file' };
  if (alike.length > 1) return unreadable('the stored archive holds several entries of this name, which extractors resolve differently');
  if (isEncrypted(entry)) return unreadable(UNREADABLE_WHY.encrypted);
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) return unreadable(UNREADABLE_WHY.method);
  if (irregularKind(entry, name)) return unreadable('it is not a plain file (a symbolic link or special file)');
  if (entry.uncompressedSize > limits.maxUncompressed) return unreadable(`it is larger than ${Math.round(limits.maxUncompressed / 1048576)} MB unpacked`);
  const local = readLocal(buf, entry, quoteForError(name));
  if (!local.ok) return unreadable(UNREADABLE_WHY[local.problem.kind]);
  const data = await extract(buf, entry, local.value, quoteForError(name), true);
  if (!data.ok) return unreadable(UNREADABLE_WHY[data.problem.kind]);
  return { ok: true, bytes: data.value! };
}
