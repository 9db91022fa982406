// Generators of hostile input, built at run time (no bomb is ever committed), and a digest of
// every stored row to prove that a refused request changed nothing.
import { createHash } from 'node:crypto';
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
