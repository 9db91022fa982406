// The safety stage: hostile documents and archives are refused with a specific finding, quickly,
// before any XML parser expands anything.
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { XmlDocument } from 'libxml2-wasm';
import request from 'supertest';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { real, zip } from '../helpers/xplanung.ts';

const XXE = `<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0">&xxe;</xplan:XPlanAuszug>`;

const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>`;

describe('xplanung/safety: hostile input is refused specifically', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway({ GATEWAY_MAX_PLAN_BYTES: String(2 * 1024 * 1024) }); });
  after(async () => { await gw.close(); });

  const validate = (body: Buffer | string, type = 'application/gml+xml') =>
    request(gw.app).post('/xplanung/v1/validate').set('Content-Type', type).send(Buffer.isBuffer(body) ? body : Buffer.from(body));

  it('an external entity (XXE) is refused at the DOCTYPE, the file is never read', async () => {
    const res = await validate(XXE).expect(200);
    assert.equal(res.body.valid, false);
    assert.equal(res.body.findings[0].rule, 'safety.doctype');
    assert.equal(res.body.findings[0].line, 2);
    assert.doesNotMatch(JSON.stringify(res.body), /root:/);
    assert.deepEqual(res.body.skipped.map((s: { stage: string }) => s.stage), ['syntax', 'semantic', 'geometry']);
  });

  it('billion laughs is refused the same way', async () => {
    const res = await validate(LAUGHS).expect(200);
    assert.equal(res.body.findings[0].rule, 'safety.doctype');
  });

  it('a DOCTYPE hidden after comments and processing instructions is still found', async () => {
    const res = await validate('<?xml version="1.0"?><!-- x --><?pi y?>\n<!DOCTYPE a><a/>').expect(200);
    assert.equal(res.body.findings[0].rule, 'safety.doctype');
  });

  it('a document that is not XPlanGML names the supported versions', async () => {
    const res = await validate('<html xmlns="http://www.w3.org/1999/xhtml"/>').expect(200);
    assert.equal(res.body.findings[0].rule, 'version');
    assert.match(res.body.findings[0].message, /5\.0, 5\.1, 5\.2, 5\.3, 5\.4, 6\.0/);
  });

  it('malformed XML in a supported namespace is a syntax finding with a line', async () => {
    const res = await validate('<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0">\n<unclosed>\n</xplan:XPlanAuszug>').expect(200);
    assert.equal(res.body.valid, false);
    assert.equal(res.body.findings[0].stage, 'syntax');
    assert.ok(res.body.findings[0].line >= 2);
  });

  it('text before the root, an empty body and UTF-16 are refused', async () => {
    assert.equal((await validate('hello <a/>').expect(200)).body.findings[0].rule, 'safety.not-xml');
    await validate('').expect(400);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a/>', 'utf16le')]);
    assert.equal((await validate(utf16).expect(200)).body.findings[0].rule, 'safety.encoding');
  });

  it('the wrong media type is 415 problem+json, naming the accepted ones', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/json').send('{}').expect(415);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.match(res.body.detail, /application\/gml\+xml/);
  });

  it('an oversized body is 413 problem+json', async () => {
    const res = await validate(Buffer.alloc(3 * 1024 * 1024, 0x20)).expect(413);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  });

  it('zip slip: an entry escaping the archive is refused', async () => {
    // zip writers refuse such names, so write a harmless one and turn it into '../' in the bytes
    const body = await zip([['xplan.gml', real('BPlan002_5-4.gml')], ['xx/xx/etc/cron.d/evil.txt', 'x']]);
    let at = body.indexOf('xx/xx/');
    while (at >= 0) { body.write('../../', at, 'latin1'); at = body.indexOf('xx/xx/', at + 1); }
    const res = await validate(body, 'application/zip').expect(200);
    assert.equal(res.body.findings[0].rule, 'safety.archive-path');
  });

  it('a zip bomb (extreme compression ratio) is 413 with the report, nothing inflated', async () => {
    const body = await zip([['xplan.gml', Buffer.alloc(50 * 1024 * 1024, 0x20)]]);
    assert.ok(body.length < 200_000);
    const started = Date.now();
    const res = await validate(body, 'application/zip').expect(413);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(res.body.report.findings[0].rule, 'safety.archive-ratio');
    assert.ok(Date.now() - started < 5000);
  });

  it('an archive with thousands of entries is refused by count', async () => {
    const entries: Array<[string, string]> = [['xplan.gml', '<a/>']];
    for (let i = 0; i < 1500; i++) entries.push([`f${i}.txt`, '']);
    const res = await validate(await zip(entries, { compress: false }), 'application/zip').expect(413);
    assert.equal(res.body.report.findings[0].rule, 'safety.archive-entries');
  });

  it('an archive carrying a file type XPlanArchive does not allow is 415', async () => {
    const res = await validate(await zip([['xplan.gml', real('BPlan002_5-4.gml')], ['run.exe', 'MZ']]), 'application/zip').expect(415);
    assert.equal(res.body.report.findings[0].rule, 'safety.archive-type');
  });

  it('an archive without xplan.gml, and bytes that are no zip, get their own findings', async () => {
    assert.equal((await validate(await zip([['plan.pdf', '%PDF']]), 'application/zip').expect(200)).body.findings[0].rule, 'safety.archive-no-gml');
    assert.equal((await validate(deflateRawSync(Buffer.from('not a zip')), 'application/zip').expect(200)).body.findings[0].rule, 'safety.archive');
  });

  it('a DOCTYPE inside an archive is refused as well', async () => {
    const res = await validate(await zip([['xplan.gml', XXE]]), 'application/zip').expect(200);
    assert.equal(res.body.findings[0].rule, 'safety.doctype');
  });

  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
  /** The report page parses as XML (no NUL or other character XML cannot carry) and says `says`. */
  async function pageOf(body: Buffer, says: string): Promise<void> {
    const html = (await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(body).expect(200)).text;
    assert.ok(html.includes(says), `the page says ${says}`);
    const doc = XmlDocument.fromString(html);
    doc.dispose();
  }

  it('UTF-16 with or without byte order mark is refused as such: no NUL bytes in the JSON report or on the page', async () => {
    const declared = '<?xml version="1.0" encoding="UTF-16"?><xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"/>';
    const le = Buffer.from(declared, 'utf16le');
    const be = Buffer.from(declared, 'utf16le').swap16();
    const variants: Array<[string, Buffer]> = [
      ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ['UTF-16LE without BOM', le],
      ['UTF-16BE without BOM', be],
      ['UTF-16LE without BOM or declaration', Buffer.from('<XPlanAuszug/>', 'utf16le')],
      ['a UTF-8 BOM before UTF-16LE', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), le])],
    ];
    for (const [label, body] of variants) {
      const res = await validate(body).expect(200);
      assert.equal(res.body.valid, false, label);
      assert.equal(res.body.findings[0].rule, 'safety.encoding', `${label}: ${res.body.findings[0].message}`);
      assert.match(res.body.findings[0].message, /UTF-16/);
      assert.doesNotMatch(JSON.stringify(res.body), /\\u0000/, `${label}: no NUL in the report`);
      await pageOf(body, 'UTF-16');
    }
  });

  it('control characters in the root element\'s name and namespace are not echoed: JSON and a well-formed page', async () => {
    const body = Buffer.from('<ab\u0000c xmlns="urn:x\u0001y"/>');
    const res = await validate(body).expect(200);
    assert.equal(res.body.findings[0].rule, 'version');
    const { message } = res.body.findings[0];
    assert.doesNotMatch(message, CONTROL);
    assert.ok(message.includes('„ab\uFFFDc“') && message.includes('urn:x\uFFFDy'), message);
    await pageOf(body, 'ab\uFFFDc');
  });
});
