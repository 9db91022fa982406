// The ZIP structures of APPNOTE.TXT, read from the bytes themselves. Libraries such as yauzl read only
// the central directory; streaming extractors (and some desktop tools) read the local headers instead,
// and each resolves oddities its own way. So both views are read here, and an archive counts only when
// they agree byte for byte: same names, flags, method, sizes and CRC, entries laid out one after the
// other from offset 0 up to the directory, and data that inflates to exactly what the headers declare.
import { crc32, createInflateRaw } from 'node:zlib';
import { quoteForError } from '../../core/text.ts';

/** What is wrong with an archive's structure or an entry's data, with a German message for the planner. */
export interface ZipProblem {
  kind: 'not-zip' | 'layout' | 'header-mismatch' | 'overlap' | 'encrypted' | 'method' | 'integrity' | 'too-many';
  message: string;
  /** For 'too-many': how many entries the directory declares. */
  count?: number;
}

export interface ExtraField { id: number; data: Buffer }

/** One central-directory record, sizes and offset resolved through a ZIP64 extra field where present. */
export interface ZipEntry {
  index: number;
  rawName: Buffer;
  /** General-purpose bit 11: the name is UTF-8. */
  utf8: boolean;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  externalAttributes: number;
  localHeaderOffset: number;
  extra: ExtraField[];
}

/** What the local header of an entry says, and where its bytes are. */
export interface LocalEntry {
  extra: ExtraField[];
  dataStart: number;
  dataEnd: number;
  /** After the data descriptor, if any: where the next entry must begin. */
  end: number;
}

export interface ZipDirectory { entries: ZipEntry[]; directoryStart: number }

export type Read<T> = { ok: true; value: T } | { ok: false; problem: ZipProblem };

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const ZIP64_EXTRA = 0x0001;
/** Bits 0 (traditional encryption), 6 (strong encryption) and 13 (encrypted central directory). */
const ENCRYPTION_FLAGS = 0x0001 | 0x0040 | 0x2000;
/** WinZip AES: the method id of an AES-encrypted entry. */
const METHOD_AES = 99;
export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

const fail = <T>(kind: ZipProblem['kind'], message: string, count?: number): Read<T> => ({ ok: false, problem: { kind, message, ...(count !== undefined ? { count } : {}) } });
const ok = <T>(value: T): Read<T> => ({ ok: true, value });

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** The extra-field blocks of a header; undefined when they do not exactly fill the declared length. */
function parseExtra(buf: Buffer): ExtraField[] | undefined {
  const out: ExtraField[] = [];
  let p = 0;
  while (p < buf.length) {
    if (p + 4 > buf.length) return undefined;
    const id = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    if (p + 4 + len > buf.length) return undefined;
    out.push({ id, data: buf.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return out;
}

export function extraField(extra: ExtraField[], id: number): Buffer | undefined {
  return extra.find((e) => e.id === id)?.data;
}

/** Whether an entry is encrypted in any of the ways APPNOTE knows. */
export function isEncrypted(e: Pick<ZipEntry, 'flags' | 'method'>): boolean {
  return (e.flags & ENCRYPTION_FLAGS) !== 0 || e.method === METHOD_AES;
}

/**
 * The end-of-central-directory record (and its ZIP64 form) and every central-directory record. The end
 * record must end the buffer exactly and be the only one that could (a comment hiding a second one would
 * let extractors pick different directories); the directory must end where the end record begins.
 */
export function readDirectory(buf: Buffer, maxEntries: number): Read<ZipDirectory> {
  if (buf.length < 22) return fail('not-zip', 'Die Datei ist kein ZIP-Archiv (zu kurz für ein Inhaltsverzeichnis).');
  let eocd = -1;
  let candidates = 0;
  let signatures = 0;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf[i] !== 0x50 || buf.readUInt32LE(i) !== SIG_EOCD) continue;
    signatures++;
    if (i + 22 + buf.readUInt16LE(i + 20) === buf.length) {
      candidates++;
      if (eocd < 0) eocd = i;
    }
  }
  if (eocd < 0) {
    return signatures > 0
      ? fail('layout', 'Hinter dem Ende des ZIP-Archivs stehen weitere Daten; Entpackprogramme könnten unterschiedliche Inhalte sehen.')
      : fail('not-zip', 'Die Datei ist kein ZIP-Archiv oder beschädigt (kein Inhaltsverzeichnis gefunden).');
  }
  if (candidates > 1) return fail('layout', 'Der Archivkommentar enthält ein zweites Inhaltsverzeichnis-Ende; Entpackprogramme könnten unterschiedliche Inhalte sehen.');
  let disk = buf.readUInt16LE(eocd + 4);
  let directoryDisk = buf.readUInt16LE(eocd + 6);
  let onDisk = buf.readUInt16LE(eocd + 8);
  let count = buf.readUInt16LE(eocd + 10);
  let size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  let directoryEnd = eocd;
  const locator = eocd - 20;
  if (locator >= 0 && buf.readUInt32LE(locator) === SIG_ZIP64_LOCATOR) {
    const at = u64(buf, locator + 8);
    if (buf.readUInt32LE(locator + 4) !== 0 || buf.readUInt32LE(locator + 16) > 1) return fail('not-zip', 'Mehrteilige ZIP-Archive werden nicht unterstützt.');
    if (at + 56 > locator || buf.readUInt32LE(at) !== SIG_ZIP64_EOCD) return fail('not-zip', 'Das ZIP64-Inhaltsverzeichnis ist beschädigt.');
    if (at + 12 + u64(buf, at + 4) !== locator) return fail('layout', 'Zwischen dem ZIP64-Inhaltsverzeichnis-Ende und seinem Verweis stehen Daten, die kein Eintrag beschreibt.');
    const pick = (narrow: number, sentinel: number, wide: number) => (narrow === sentinel || narrow === wide ? wide : -1);
    disk = pick(disk, 0xffff, buf.readUInt32LE(at + 16));
    directoryDisk = pick(directoryDisk, 0xffff, buf.readUInt32LE(at + 20));
    onDisk = pick(onDisk, 0xffff, u64(buf, at + 24));
    count = pick(count, 0xffff, u64(buf, at + 32));
    size = pick(size, 0xffffffff, u64(buf, at + 40));
    offset = pick(offset, 0xffffffff, u64(buf, at + 48));
    if ([disk, directoryDisk, onDisk, count, size, offset].includes(-1)) return fail('layout', 'Das Inhaltsverzeichnis-Ende und seine ZIP64-Form widersprechen sich.');
    directoryEnd = at;
  } else if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    return fail('not-zip', 'Das ZIP64-Inhaltsverzeichnis fehlt; das Archiv ist beschädigt.');
  }
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== count) return fail('not-zip', 'Mehrteilige ZIP-Archive werden nicht unterstützt.');
  if (count > maxEntries) return fail('too-many', '', count);
  if (offset + size > directoryEnd || count * 46 > size) return fail('not-zip', 'Das Inhaltsverzeichnis des ZIP-Archivs ist beschädigt.');
  if (offset + size < directoryEnd) return fail('layout', 'Zwischen dem Inhaltsverzeichnis und seinem Ende stehen Daten, die kein Eintrag beschreibt; Entpackprogramme könnten unterschiedliche Inhalte sehen.');

  const entries: ZipEntry[] = [];
  let p = offset;
  const end = offset + size;
  for (let index = 0; index < count; index++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== SIG_CENTRAL) return fail('not-zip', 'Das Inhaltsverzeichnis des ZIP-Archivs ist beschädigt.');
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > end) return fail('not-zip', 'Das Inhaltsverzeichnis des ZIP-Archivs ist beschädigt.');
    const extra = parseExtra(buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    if (!extra) return fail('not-zip', 'Ein Eintrag des Inhaltsverzeichnisses hat beschädigte Zusatzfelder.');
    let uncompressedSize = buf.readUInt32LE(p + 24);
    let compressedSize = buf.readUInt32LE(p + 20);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    let diskStart = buf.readUInt16LE(p + 34);
    // ZIP64: the fields that overflowed, in this fixed order, only those
    const z64 = extraField(extra, ZIP64_EXTRA);
    let z = 0;
    const wide = (): number => {
      if (!z64 || z + 8 > z64.length) return -1;
      const v = u64(z64, z);
      z += 8;
      return v;
    };
    if (uncompressedSize === 0xffffffff) uncompressedSize = wide();
    if (compressedSize === 0xffffffff) compressedSize = wide();
    if (localHeaderOffset === 0xffffffff) localHeaderOffset = wide();
    if (diskStart === 0xffff) diskStart = z64 && z + 4 <= z64.length ? z64.readUInt32LE(z) : -1;
    if (uncompressedSize < 0 || compressedSize < 0 || localHeaderOffset < 0) return fail('not-zip', 'Ein Eintrag des Inhaltsverzeichnisses hat beschädigte ZIP64-Angaben.');
    if (diskStart !== 0) return fail('not-zip', 'Mehrteilige ZIP-Archive werden nicht unterstützt.');
    const flags = buf.readUInt16LE(p + 8);
    entries.push({
      index,
      rawName: buf.subarray(p + 46, p + 46 + nameLength),
      utf8: (flags & 0x0800) !== 0,
      versionMadeBy: buf.readUInt16LE(p + 4),
      flags,
      method: buf.readUInt16LE(p + 10),
      crc: buf.readUInt32LE(p + 16),
      compressedSize,
      uncompressedSize,
      externalAttributes: buf.readUInt32LE(p + 38),
      localHeaderOffset,
      extra,
    });
    p = next;
  }
  if (p !== end) return fail('layout', 'Das Inhaltsverzeichnis enthält mehr Daten, als seine Einträge beschreiben; Entpackprogramme könnten unterschiedliche Inhalte sehen.');
  return ok({ entries, directoryStart: offset });
}

/**
 * The local header of an entry, checked against its central-directory record: the same name bytes,
 * flags and method, and the same CRC and sizes (in the header, or for bit 3 in the data descriptor
 * after the data). `label`: the entry's name as the messages quote it.
 */
export function readLocal(buf: Buffer, e: ZipEntry, label: string): Read<LocalEntry> {
  const mismatch = (what: string) => fail<LocalEntry>('header-mismatch', `Beim Archiveintrag „${label}“ weicht der lokale Dateikopf vom Inhaltsverzeichnis ab (${what}); Entpackprogramme würden unterschiedliche Dateien sehen.`);
  const at = e.localHeaderOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== SIG_LOCAL) return mismatch('an der angegebenen Stelle beginnt kein Eintrag');
  const nameLength = buf.readUInt16LE(at + 26);
  const extraLength = buf.readUInt16LE(at + 28);
  const dataStart = at + 30 + nameLength + extraLength;
  if (dataStart > buf.length) return fail('not-zip', `Das ZIP-Archiv ist beim Eintrag „${label}“ abgeschnitten.`);
  if (!buf.subarray(at + 30, at + 30 + nameLength).equals(e.rawName)) return mismatch(`anderer Name „${quoteForError(buf.subarray(at + 30, at + 30 + nameLength).toString('utf8'))}“`);
  if (buf.readUInt16LE(at + 6) !== e.flags) return mismatch('andere Kennzeichen');
  if (buf.readUInt16LE(at + 8) !== e.method) return mismatch('anderes Kompressionsverfahren');
  const extra = parseExtra(buf.subarray(at + 30 + nameLength, dataStart));
  if (!extra) return mismatch('beschädigte Zusatzfelder');
  const z64 = extraField(extra, ZIP64_EXTRA);
  let crc = buf.readUInt32LE(at + 14);
  let compressed = buf.readUInt32LE(at + 18);
  let uncompressed = buf.readUInt32LE(at + 22);
  // a local ZIP64 field carries both sizes, uncompressed first
  if (uncompressed === 0xffffffff || compressed === 0xffffffff) {
    if (!z64 || z64.length < 16) return mismatch('beschädigte ZIP64-Angaben');
    uncompressed = u64(z64, 0);
    compressed = u64(z64, 8);
  }
  const descriptor = (e.flags & 0x0008) !== 0;
  // with a data descriptor the header may leave CRC and sizes zero; what it does say must still agree
  const agrees = (local: number, central: number) => local === central || (descriptor && local === 0);
  if (!agrees(crc, e.crc)) return mismatch('andere Prüfsumme');
  if (!agrees(compressed, e.compressedSize) || !agrees(uncompressed, e.uncompressedSize)) return mismatch('andere Größenangaben');
  const dataEnd = dataStart + e.compressedSize;
  if (dataEnd > buf.length) return fail('not-zip', `Das ZIP-Archiv ist beim Eintrag „${label}“ abgeschnitten.`);
  let end = dataEnd;
  if (descriptor) {
    let d = dataEnd;
    if (d + 4 <= buf.length && buf.readUInt32LE(d) === SIG_DESCRIPTOR) d += 4;
    const width = z64 ? 8 : 4;
    if (d + 4 + 2 * width > buf.length) return fail('not-zip', `Das ZIP-Archiv ist beim Eintrag „${label}“ abgeschnitten.`);
    crc = buf.readUInt32LE(d);
    compressed = width === 8 ? u64(buf, d + 4) : buf.readUInt32LE(d + 4);
    uncompressed = width === 8 ? u64(buf, d + 12) : buf.readUInt32LE(d + 8);
    if (crc !== e.crc || compressed !== e.compressedSize || uncompressed !== e.uncompressedSize) return mismatch('der Datenbeschreiber nach den Daten nennt andere Größen oder eine andere Prüfsumme');
    end = d + 4 + 2 * width;
  }
  return ok({ extra, dataStart, dataEnd, end });
}

/**
 * Entries one after the other from offset 0 up to the central directory, nothing before, between or
 * after them: data that no entry describes could be read as one by a streaming extractor, and entries
 * that share bytes are the overlapping-file zip bomb.
 */
export function checkLayout(entries: Array<{ entry: ZipEntry; local: LocalEntry; label: string }>, directoryStart: number): ZipProblem | undefined {
  const sorted = [...entries].sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
  let expected = 0;
  let previous: string | undefined;
  for (const { entry, local, label } of sorted) {
    const at = entry.localHeaderOffset;
    if (at < expected) {
      return { kind: 'overlap', message: `Die Archiveinträge „${previous}“ und „${label}“ überlappen sich (gemeinsam genutzte Daten, Verdacht auf ZIP-Bombe); Entpackprogramme würden unterschiedliche Dateien sehen.` };
    }
    if (at > expected) {
      return { kind: 'layout', message: previous === undefined
        ? `Vor dem ersten Archiveintrag stehen ${at} Bytes, die kein Eintrag beschreibt; Entpackprogramme könnten unterschiedliche Inhalte sehen.`
        : `Zwischen den Archiveinträgen „${previous}“ und „${label}“ stehen ${at - expected} Bytes, die kein Eintrag beschreibt; Entpackprogramme könnten unterschiedliche Inhalte sehen.` };
    }
    expected = local.end;
    previous = label;
  }
  if (directoryStart < expected) return { kind: 'overlap', message: `Das Inhaltsverzeichnis überlappt die Daten des Archiveintrags „${previous}“.` };
  if (directoryStart > expected) return { kind: 'layout', message: `Vor dem Inhaltsverzeichnis stehen ${directoryStart - expected} Bytes, die kein Eintrag beschreibt; Entpackprogramme könnten unterschiedliche Inhalte sehen.` };
  return undefined;
}

/**
 * Inflates an entry and checks it against its headers: exactly the declared size (never more is
 * inflated), the declared CRC, and a compressed stream that ends exactly where the entry ends.
 * `keep`: return the bytes (else they are only counted, chunk by chunk).
 */
export async function extract(buf: Buffer, e: ZipEntry, local: LocalEntry, label: string, keep: boolean): Promise<Read<Buffer | undefined>> {
  if (isEncrypted(e)) return fail('encrypted', `Der Archiveintrag „${label}“ ist verschlüsselt.`);
  const data = buf.subarray(local.dataStart, local.dataEnd);
  const wrong = (what: string) => fail<Buffer | undefined>('integrity', `Der Archiveintrag „${label}“ ist beschädigt oder gibt falsche Angaben: ${what}.`);
  if (e.method === METHOD_STORED) {
    if (e.compressedSize !== e.uncompressedSize) return wrong(`gespeichert ${e.compressedSize} Bytes, angegeben ${e.uncompressedSize} Bytes`);
    if (crc32(data) !== e.crc) return wrong('die Prüfsumme (CRC-32) stimmt nicht');
    return ok(keep ? data : undefined);
  }
  if (e.method !== METHOD_DEFLATE) return fail('method', `Der Archiveintrag „${label}“ ist mit einem Verfahren komprimiert (Nr. ${e.method}), das nicht jedes Entpackprogramm kennt; erlaubt sind „stored“ und „deflate“.`);
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    const chunks: Buffer[] = [];
    let size = 0;
    let crc = 0;
    let settled = false;
    const settle = (r: Read<Buffer | undefined>) => {
      if (settled) return;
      settled = true;
      inflate.destroy();
      resolve(r);
    };
    inflate.on('data', (c: Buffer) => {
      size += c.length;
      // never more than declared: a lying entry is cut off here, not inflated to the end
      if (size > e.uncompressedSize) { settle(wrong(`entpackt größer als die angegebenen ${e.uncompressedSize} Bytes`)); return; }
      crc = crc32(c, crc);
      if (keep) chunks.push(c);
    });
    inflate.on('error', () => settle(wrong('die komprimierten Daten lassen sich nicht entpacken')));
    inflate.on('end', () => {
      if (size !== e.uncompressedSize) settle(wrong(`entpackt ${size} Bytes, angegeben ${e.uncompressedSize} Bytes`));
      else if (inflate.bytesWritten !== data.length) settle(wrong('hinter den komprimierten Daten stehen weitere Bytes'));
      else if (crc !== e.crc) settle(wrong('die Prüfsumme (CRC-32) stimmt nicht'));
      else settle(ok(keep ? Buffer.concat(chunks, size) : undefined));
    });
    inflate.end(data);
  });
}
