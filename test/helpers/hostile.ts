// Generators of hostile input, built at run time (no bomb is ever committed), and a digest of
// every stored row to prove that a refused request changed nothing.
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { zip } from './xplanung.ts';

const XPLAN_NS = 'xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"';

/** XML documents that attack parsers: entities to files and URLs, entity expansion, DOCTYPEs, depth, width. */
export function hostileXml(): Array<[string, Buffer]> {
  const doc = (s: string) => Buffer.from(s, 'utf8');
  return [
    ['XXE to a local file', doc(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY f SYSTEM "file:///etc/passwd">]><xplan:XPlanAuszug ${XPLAN_NS}>&f;</xplan:XPlanAuszug>`)],
    ['XXE to a URL', doc(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY u SYSTEM "http://127.0.0.1:1/secret">]><xplan:XPlanAuszug ${XPLAN_NS}>&u;</xplan:XPlanAuszug>`)],
    ['external parameter entity', doc(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><xplan:XPlanAuszug ${XPLAN_NS}/>`)],
    ['billion laughs', doc(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "${'&a;'.repeat(10)}"><!ENTITY c "${'&b;'.repeat(10)}"><!ENTITY d "${'&c;'.repeat(10)}"><!ENTITY e "${'&d;'.repeat(10)}"><!ENTITY f "${'&e;'.repeat(10)}"><!ENTITY g "${'&f;'.repeat(10)}"><!ENTITY h "${'&g;'.repeat(10)}"><!ENTITY i "${'&h;'.repeat(10)}">]><xplan:XPlanAuszug ${XPLAN_NS}>&i;</xplan:XPlanAuszug>`)],
    ['a harmless-looking DOCTYPE', doc(`<?xml version="1.0"?><!DOCTYPE XPlanAuszug><xplan:XPlanAuszug ${XPLAN_NS}/>`)],
    ['a DOCTYPE after a comment and a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), doc(`<?xml version="1.0"?><!-- x --><!DOCTYPE x SYSTEM "file:///etc/passwd"><xplan:XPlanAuszug ${XPLAN_NS}/>`)])],
    ['a DOCTYPE in UTF-16', Buffer.from(`\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY f SYSTEM "file:///etc/passwd">]><a>&f;</a>`, 'utf16le')],
    ['100 000 nested elements', doc(`<xplan:XPlanAuszug ${XPLAN_NS}>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</xplan:XPlanAuszug>`)],
    ['an attribute of 1 MiB', doc(`<xplan:XPlanAuszug ${XPLAN_NS} gml:id="${'y'.repeat(1024 * 1024)}"/>`)],
    ['100 000 attributes', doc(`<xplan:XPlanAuszug ${XPLAN_NS} ${Array.from({ length: 100_000 }, (_, i) => `a${i}="1"`).join(' ')}/>`)],
    ['invalid UTF-8', Buffer.concat([doc(`<?xml version="1.0" encoding="UTF-8"?><xplan:XPlanAuszug ${XPLAN_NS}>`), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), doc('</xplan:XPlanAuszug>')])],
    ['a truncated document', doc(`<?xml version="1.0"?><xplan:XPlanAuszug ${XPLAN_NS}><gml:featureMember><xplan:BP_Pl`)],
    ['no XML at all', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00])],
  ];
}

/** ZIP archives that attack unpackers: bomb, slip, entry count, hidden DOCTYPE, foreign types, garbage. */
export async function hostileArchives(): Promise<Array<[string, Buffer]>> {
  const plan = `<xplan:XPlanAuszug ${XPLAN_NS}/>`;
  // zip writers refuse '../' names: write a same-length harmless name and patch the bytes
  const slip = await zip([['xplan.gml', plan], ['xx/xx/etc/cron.d/evil', 'x']]);
  for (let at = slip.indexOf('xx/xx/'); at >= 0; at = slip.indexOf('xx/xx/', at + 1)) slip.write('../../', at, 'latin1');
  const absolute = await zip([['xplan.gml', plan], ['Xetc/passwd', 'x']]);
  for (let at = absolute.indexOf('Xetc/'); at >= 0; at = absolute.indexOf('Xetc/', at + 1)) absolute.write('/', at, 'latin1');
  const many: Array<[string, string]> = [['xplan.gml', plan]];
  for (let i = 0; i < 5000; i++) many.push([`f${i}.txt`, '']);
  return [
    ['a zip bomb (100 MiB of spaces)', await zip([['xplan.gml', Buffer.alloc(100 * 1024 * 1024, 0x20)]])],
    ['zip slip (../ entry)', slip],
    ['an absolute entry path', absolute],
    ['5 000 entries', await zip(many, { compress: false })],
    ['a DOCTYPE inside the archive', await zip([['xplan.gml', hostileXml()[0]![1]]])],
    ['an executable inside the archive', await zip([['xplan.gml', plan], ['setup.exe', Buffer.from([0x4d, 0x5a, 0x90, 0x00])]])],
    ['an archive without xplan.gml', await zip([['readme.txt', 'nichts']])],
    ['bytes that only start like a zip', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2000, 0xff)])],
    // archives extractors see differently (a second xplan.gml, lying headers, symlinks, encryption, nested bombs)
    ...(await deceptiveArchives(plan)).map(({ label, body }): [string, Buffer] => [label, body]),
  ];
}

/**
 * One entry of a ZIP written field by field (APPNOTE.TXT), where zip writers refuse what an attacker
 * writes: every field of the central record and the local header can be set apart.
 */
export interface RawEntry {
  name: string | Buffer;
  /** The content (uncompressed). */
  data: Buffer | string;
  /** 8 (deflate, the default) or 0 (stored), or any other number written as is. */
  method?: number;
  /** General-purpose flags in both headers; bit 11 (UTF-8) by default when a string name is not ASCII. */
  flags?: number;
  localFlags?: number;
  /** The local header's name, where it differs from the central record's. */
  localName?: string | Buffer;
  /** Default: a regular Unix file, 0644. */
  externalAttributes?: number;
  /** Declared in both headers instead of the true CRC-32 / size. */
  crc?: number;
  uncompressedSize?: number;
  localUncompressedSize?: number;
  centralExtra?: Buffer;
  localExtra?: Buffer;
  /** The entry's bytes as stored, instead of deflate(data) or data. */
  stored?: Buffer;
  /** No local record of its own: the central record points here (e.g. into another entry's data). */
  localOffset?: number;
  /** Bytes written after this entry's record, before the next. */
  after?: Buffer;
}

const nameBytes = (n: string | Buffer) => (Buffer.isBuffer(n) ? n : Buffer.from(n, 'utf8'));

function rawFields(e: RawEntry) {
  const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
  const method = e.method ?? 8;
  const stored = e.stored ?? (method === 8 ? deflateRawSync(data) : data);
  const name = nameBytes(e.name);
  const flags = e.flags ?? (typeof e.name === 'string' && [...e.name].some((c) => c.charCodeAt(0) > 0x7f) ? 0x0800 : 0);
  return { data, method, stored, name, flags, crc: e.crc ?? crc32(data), size: e.uncompressedSize ?? data.length };
}

/** The local header and data of an entry, as rawZip writes them (to hide it inside another entry). */
export function localRecord(e: RawEntry): Buffer {
  const f = rawFields(e);
  const name = e.localName === undefined ? f.name : nameBytes(e.localName);
  const extra = e.localExtra ?? Buffer.alloc(0);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(e.localFlags ?? f.flags, 6);
  h.writeUInt16LE(f.method, 8);
  h.writeUInt32LE(f.crc, 14);
  h.writeUInt32LE(f.stored.length, 18);
  h.writeUInt32LE(e.localUncompressedSize ?? f.size, 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, name, extra, f.stored]);
}

/** A ZIP archive written field by field; `prefix` before the first entry, `trailer` after the end record. */
export function rawZip(entries: RawEntry[], opts: { prefix?: Buffer; trailer?: Buffer; comment?: Buffer } = {}): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  const put = (b: Buffer) => { parts.push(b); at += b.length; };
  if (opts.prefix) put(opts.prefix);
  const offsets: number[] = [];
  for (const e of entries) {
    if (e.localOffset !== undefined) offsets.push(e.localOffset);
    else { offsets.push(at); put(localRecord(e)); }
    if (e.after) put(e.after);
  }
  const directoryStart = at;
  entries.forEach((e, i) => {
    const f = rawFields(e);
    const extra = e.centralExtra ?? Buffer.alloc(0);
    const h = Buffer.alloc(46);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE(0x0314, 4); // made by Unix, version 2.0
    h.writeUInt16LE(20, 6);
    h.writeUInt16LE(f.flags, 8);
    h.writeUInt16LE(f.method, 10);
    h.writeUInt32LE(f.crc, 16);
    h.writeUInt32LE(f.stored.length, 20);
    h.writeUInt32LE(f.size, 24);
    h.writeUInt16LE(f.name.length, 28);
    h.writeUInt16LE(extra.length, 30);
    h.writeUInt32LE((e.externalAttributes ?? (0o100644 << 16)) >>> 0, 38);
    h.writeUInt32LE(offsets[i]!, 42);
    put(Buffer.concat([h, f.name, extra]));
  });
  const comment = opts.comment ?? Buffer.alloc(0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(at - directoryStart, 12);
  end.writeUInt32LE(directoryStart, 16);
  end.writeUInt16LE(comment.length, 20);
  put(Buffer.concat([end, comment]));
  if (opts.trailer) put(opts.trailer);
  return Buffer.concat(parts);
}

/** An Info-ZIP Unicode Path extra field (0x7075) naming `name` for an entry whose header name is `headerName`. */
export function unicodePathField(headerName: string, name: string): Buffer {
  const utf8 = Buffer.from(name, 'utf8');
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x7075, 0);
  b.writeUInt16LE(5 + utf8.length, 2);
  b.writeUInt8(1, 4);
  b.writeUInt32LE(crc32(Buffer.from(headerName, 'utf8')), 5);
  return Buffer.concat([b, utf8]);
}

/**
 * Archives that extractors see differently, or that lie about their content: each one must be
 * refused with the finding named (by POST validate and by push; the hostile suite runs them all).
 * `plan`: the xplan.gml they carry (a valid plan shows that the refusal is the archive's).
 */
export async function deceptiveArchives(plan: Buffer | string): Promise<Array<{ label: string; rule: string; body: Buffer }>> {
  const gml: RawEntry = { name: 'xplan.gml', data: plan };
  const evil = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY f SYSTEM "file:///etc/passwd">]><xplan:XPlanAuszug ${XPLAN_NS}>&f;</xplan:XPlanAuszug>`;
  const text = 'Begründung zum Bebauungsplan\n'.repeat(40);
  // overlapping files: the stored data of a.txt is the whole local record of b.txt, which the directory lists too
  const hidden: RawEntry = { name: 'b.txt', data: text, method: 0 };
  const bombKernel = Buffer.alloc(20 * 1024 * 1024, 0x20);
  const nestedBomb = await zip([['leer.txt', bombKernel]]);
  let deep = await zip([['tief.txt', 'ganz unten']]);
  for (let i = 0; i < 3; i++) deep = await zip([[`ebene${i}.zip`, deep]], { compress: false });
  return [
    { label: 'a second xplan.gml (the first is validated, extractors write the second)', rule: 'safety.archive-duplicate', body: rawZip([gml, { name: 'xplan.gml', data: evil }]) },
    { label: 'xplan.gml and XPLAN.GML', rule: 'safety.archive-duplicate', body: rawZip([gml, { name: 'XPLAN.GML', data: evil }]) },
    { label: 'xplan.gml and ./xplan.gml', rule: 'safety.archive-duplicate', body: rawZip([gml, { name: './xplan.gml', data: evil }]) },
    { label: 'one name in NFC and NFD', rule: 'safety.archive-duplicate', body: rawZip([gml, { name: 'Begründung.txt'.normalize('NFC'), data: text }, { name: 'Begründung.txt'.normalize('NFD'), data: 'anders' }]) },
    { label: 'a file and a folder of the same name', rule: 'safety.archive-duplicate', body: rawZip([gml, { name: 'anlage.txt', data: text }, { name: 'anlage.txt/', data: '', method: 0, externalAttributes: (0o040755 << 16) | 0x10 }]) },
    { label: 'a file used as a folder by another entry', rule: 'safety.archive-duplicate', body: rawZip([gml, { name: 'anlage.txt', data: text }, { name: 'anlage.txt/b.txt', data: text }]) },
    { label: 'a local header naming another file than the directory', rule: 'safety.archive-header-mismatch', body: rawZip([gml, { name: 'anlage.txt', localName: 'xplan.gml', data: evil }]) },
    { label: 'a local header with other flags than the directory', rule: 'safety.archive-header-mismatch', body: rawZip([gml, { name: 'anlage.txt', data: text, localFlags: 0x0001 }]) },
    { label: 'a local header with another size than the directory', rule: 'safety.archive-header-mismatch', body: rawZip([gml, { name: 'anlage.txt', data: text, localUncompressedSize: 5 }]) },
    { label: 'an Info-ZIP Unicode Path field with ../', rule: 'safety.archive-name-encoding', body: rawZip([gml, { name: 'anlage.txt', data: text, centralExtra: unicodePathField('anlage.txt', '../../etc/cron.d/evil.txt') }]) },
    { label: 'an Info-ZIP Unicode Path field in the local header naming xplan.gml', rule: 'safety.archive-name-encoding', body: rawZip([gml, { name: 'anlage.txt', data: evil, localExtra: unicodePathField('anlage.txt', 'xplan.gml') }]) },
    { label: 'a non-ASCII name not flagged as UTF-8', rule: 'safety.archive-name-encoding', body: rawZip([gml, { name: Buffer.from('Begr\u00fcndung.txt', 'latin1'), data: text }]) },
    { label: 'a name flagged UTF-8 that is not UTF-8', rule: 'safety.archive-name-encoding', body: rawZip([gml, { name: Buffer.from([0x61, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]), data: text, flags: 0x0800 }]) },
    { label: 'a NUL byte in an entry name', rule: 'safety.archive-name-encoding', body: rawZip([gml, { name: 'xplan.gml\u0000.txt', data: evil }]) },
    { label: 'a symbolic link', rule: 'safety.archive-entry-kind', body: rawZip([gml, { name: 'anlage.txt', data: '/etc/passwd', method: 0, externalAttributes: (0o120777 << 16) >>> 0 }]) },
    { label: 'a character device', rule: 'safety.archive-entry-kind', body: rawZip([gml, { name: 'anlage.txt', data: '', method: 0, externalAttributes: (0o020644 << 16) >>> 0 }]) },
    { label: 'an encrypted entry (bit 0)', rule: 'safety.archive-encrypted', body: rawZip([gml, { name: 'anlage.txt', data: text, flags: 0x0001 }]) },
    { label: 'a strongly encrypted entry (bit 6)', rule: 'safety.archive-encrypted', body: rawZip([gml, { name: 'anlage.txt', data: text, flags: 0x0041 }]) },
    { label: 'a compression method not every extractor knows (bzip2)', rule: 'safety.archive-method', body: rawZip([gml, { name: 'anlage.txt', data: text, method: 12, stored: Buffer.from('BZh91AY&SY') }]) },
    { label: 'an entry inflating to more than it declares', rule: 'safety.archive-integrity', body: rawZip([gml, { name: 'anlage.txt', data: text, uncompressedSize: 100 }]) },
    { label: 'an entry inflating to less than it declares', rule: 'safety.archive-integrity', body: rawZip([gml, { name: 'anlage.txt', data: text, uncompressedSize: text.length * 3 }]) },
    { label: 'an entry with a wrong CRC-32', rule: 'safety.archive-integrity', body: rawZip([gml, { name: 'anlage.txt', data: text, crc: 0x12345678 }]) },
    { label: 'overlapping entries (the overlapping-file zip bomb)', rule: 'safety.archive-overlap', body: rawZip([{ name: 'a.txt', data: localRecord(hidden), method: 0 }, { ...hidden, localOffset: 30 + 'a.txt'.length }, gml]) },
    { label: 'data before the first entry', rule: 'safety.archive-layout', body: rawZip([gml], { prefix: Buffer.from('MZ this is not a zip entry') }) },
    { label: 'a hidden xplan.gml between two entries', rule: 'safety.archive-layout', body: rawZip([{ ...gml, after: localRecord({ name: 'xplan.gml', data: evil }) }, { name: 'anlage.txt', data: text }]) },
    { label: 'data after the end of the archive', rule: 'safety.archive-layout', body: rawZip([gml], { trailer: Buffer.from('PK\u0005\u0006 trailing') }) },
    { label: 'a zip bomb nested in the archive', rule: 'safety.archive-ratio', body: await zip([['xplan.gml', plan], ['anlagen.zip', nestedBomb]], { compress: false }) },
    { label: 'archives nested four deep', rule: 'safety.archive-nesting', body: await zip([['xplan.gml', plan], ['anlagen.zip', deep]]) },
    { label: 'a nested archive with an encrypted entry', rule: 'safety.archive-encrypted', body: await zip([['xplan.gml', plan], ['anlagen.zip', rawZip([{ name: 'anlage.txt', data: text, flags: 0x0001 }])]]) },
  ];
}

/** Strings for every parameter: SQL injection, path traversal, NUL, markup, template and lookup tricks. */
export const NASTY_STRINGS = ["' OR 1=1 --", '"; DROP TABLE procedure; --', "1' UNION SELECT key_hash FROM api_key --", '../../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '..\\..\\windows\\win.ini', '%00', '\u0000', '<script>alert(1)</script>', '${jndi:ldap://x}', '{{7*7}}', '-1', '99999999999999999999999', 'ä'.repeat(300)];

/** SHA-256 over every row of every table (rows in a canonical order): equal digests, equal stores. */
export function storeDigest(db: Database.Database): string {
  const hash = createHash('sha256');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  for (const t of tables) {
    const rows = (db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
    hash.update(`${t}\n${rows.join('\n')}\n`);
  }
  return hash.digest('hex');
}
