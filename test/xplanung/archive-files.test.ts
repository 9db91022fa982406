// The files of a pushed XPlanArchive: the plan's relative references become documents of its procedure,
// and the gateway serves each file from the stored archive, safely. The archives are the real plan
// BPlan004_6-0 (Hamburg) with attachments of known content.
import assert from 'node:assert/strict';
import request from 'supertest';
import { readArchiveEntry, readXPlanArchive } from '../../src/xplanung/validate/archive.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { rawZip } from '../helpers/hostile.ts';
import { real, zip } from '../helpers/xplanung.ts';

describe('xplanung: the files of a pushed XPlanArchive', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let key: string;
  let gml: string;
  const pdf = Buffer.from('%PDF-1.4\n% Begründung zum Bebauungsplan BPlan004\n%%EOF\n');
  before(async () => {
    gw = await createTestGateway();
    key = await gw.tenant('hamburg', ['xplanung:push'], { ags: ['02000000'] });
    const a = await readXPlanArchive(real('BPlan004_6-0.zip'));
    assert.ok(a.ok);
    if (a.ok) gml = a.content.gml.toString('utf8');
  });
  after(async () => { await gw.close(); });

  const planIdOf = (xml: string) => /<xplan:BP_Plan gml:id="([^"]+)"/.exec(xml)![1]!;
  const push = async (entries: Array<[string, Buffer | string]>, type = 'application/zip') =>
    request(gw.app).post('/xplanung/v1/tenants/hamburg/plans').set('Authorization', `Bearer ${key}`).set('Content-Type', type)
      .send(type === 'application/zip' ? await zip(entries) : Buffer.from(entries[0]![1]));
  const procedureOf = async (id: string) => (await request(gw.app).get(`/api/v1/tenants/hamburg/procedures/${id}`).set('Authorization', `Bearer ${key}`).expect(200)).body;
  const pathOf = (url: string) => new URL(url).pathname;

  it('a relative reference the archive holds becomes a document linking to the file, served byte for byte', async () => {
    const res = await push([['xplan.gml', gml], ['BPlan004_6-0.pdf', pdf], ['BPlan004_6-0.png', Buffer.from('png')], ['BPlan004_6-0.pgw', '1\n0\n0\n-1\n0\n0\n']]);
    assert.equal(res.status, 201, res.text);
    const planId = planIdOf(gml);
    const proc = await procedureOf(res.body.plans[0].procedureId);
    // typ 1065 (Verordnung) as docType; the media type from the file, since the reference names none
    const files = `http://gateway.test/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/files`;
    assert.deepEqual(proc.documents, [
      { title: 'BPlan004_6-0_Dok', url: `${files}/BPlan004_6-0.pdf`, mimeType: 'application/pdf', docType: '1065' },
      { title: 'BPlan004_6-0', url: `${files}/BPlan004_6-0.png`, mimeType: 'image/png', docType: 'planDrawing' }, // the Bereich's refScan
    ]);
    const file = await request(gw.app).get(pathOf(proc.documents[0].url)).buffer(true).parse((r, cb) => { const c: Buffer[] = []; r.on('data', (d: Buffer) => c.push(d)); r.on('end', () => cb(null, Buffer.concat(c))); }).expect(200);
    assert.ok(Buffer.compare(file.body as Buffer, pdf) === 0, 'the bytes of the archive entry');
    assert.equal(file.headers['content-type'], 'application/pdf');
    assert.equal(file.headers['x-content-type-options'], 'nosniff');
    assert.match(String(file.headers['content-security-policy']), /^sandbox;/);
    assert.equal(file.headers['content-disposition'], "inline; filename*=UTF-8''BPlan004_6-0.pdf");
    // a conditional request: 304 while the plan is unchanged
    await request(gw.app).get(pathOf(proc.documents[0].url)).set('If-None-Match', String(file.headers.etag)).expect(304);
    // the world file of the scan is served too (not a document of its own)
    const pgw = await request(gw.app).get(`/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/files/BPlan004_6-0.pgw`).expect(200);
    assert.equal(pgw.text, '1\n0\n0\n-1\n0\n0\n');
  });

  it('a file in a folder with a non-ASCII name; XML goes out as a download; a missing file is no document', async () => {
    const changed = gml.replace(/gml:id="GML_/g, 'gml:id="GML_B')
      .replace(/xlink:href="#GML_/g, 'xlink:href="#GML_B')
      .replace('<xplan:referenzURL>BPlan004_6-0.pdf</xplan:referenzURL>', '<xplan:referenzURL>Anlagen/Begr%C3%BCndung.pdf</xplan:referenzURL>')
      .replace(/<\/xplan:XP_SpezExterneReferenz>\s*<\/xplan:externeReferenz>/, '</xplan:XP_SpezExterneReferenz></xplan:externeReferenz>\n      <xplan:externeReferenz><xplan:XP_SpezExterneReferenz><xplan:art>Dokument</xplan:art><xplan:referenzName>Legende</xplan:referenzName><xplan:referenzURL>legende.xml</xplan:referenzURL><xplan:typ>9999</xplan:typ></xplan:XP_SpezExterneReferenz></xplan:externeReferenz>\n      <xplan:externeReferenz><xplan:XP_SpezExterneReferenz><xplan:art>Dokument</xplan:art><xplan:referenzName>Fehlt</xplan:referenzName><xplan:referenzURL>fehlt.pdf</xplan:referenzURL><xplan:typ>9999</xplan:typ></xplan:XP_SpezExterneReferenz></xplan:externeReferenz>');
    assert.equal((changed.match(/<xplan:externeReferenz>/g) ?? []).length, 3);
    const res = await push([['xplan.gml', changed], ['Anlagen/Begründung.pdf', pdf], ['legende.xml', '<legende xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script></legende>'], ['BPlan004_6-0.png', 'png'], ['BPlan004_6-0.pgw', 'w']]);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.report.findings.filter((f: { rule: string }) => f.rule === 'externe-referenz').map((f: { message: string }) => f.message),
      ['BP_Plan: die externe Referenz „Fehlt“ verweist auf die Datei „fehlt.pdf“, die das XPlanArchiv nicht enthält.']);
    const planId = planIdOf(changed);
    const docs = (await procedureOf(res.body.plans[0].procedureId)).documents as Array<{ title: string; url: string }>;
    const base = `http://gateway.test/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/files`;
    assert.deepEqual(docs, [
      { title: 'BPlan004_6-0_Dok', url: `${base}/Anlagen/Begr%C3%BCndung.pdf`, mimeType: 'application/pdf', docType: '1065' },
      { title: 'Legende', url: `${base}/legende.xml`, mimeType: 'application/xml', docType: '9999' },
      { title: 'BPlan004_6-0', url: `${base}/BPlan004_6-0.png`, mimeType: 'image/png', docType: 'planDrawing' },
    ]);
    const inFolder = await request(gw.app).get(pathOf(docs[0]!.url)).expect(200);
    assert.equal(inFolder.headers['content-disposition'], "inline; filename*=UTF-8''Begr%C3%BCndung.pdf");
    const html = await request(gw.app).get(pathOf(docs[1]!.url)).expect(200);
    assert.match(String(html.headers['content-disposition']), /^attachment;/, 'never rendered on the gateway\'s origin');
    assert.match(String(html.headers['content-security-policy']), /^sandbox;/);
  });

  it('404 as problem+json: no such file, a plan pushed as plain GML, an unknown plan', async () => {
    const planId = planIdOf(gml);
    const none = await request(gw.app).get(`/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/files/nichts.pdf`).expect(404);
    assert.match(String(none.headers['content-type']), /application\/problem\+json/);
    assert.match(none.body.detail, /holds no file "nichts\.pdf"/);
    const plain = gml.replace(/gml:id="GML_/g, 'gml:id="GML_C').replace(/xlink:href="#GML_/g, 'xlink:href="#GML_C');
    const res = await push([['xplan.gml', plain]], 'application/gml+xml');
    assert.equal(res.status, 201, res.text);
    assert.deepEqual((await procedureOf(res.body.plans[0].procedureId)).documents, [], 'a plain GML carries no files: no document for its relative references');
    const flat = await request(gw.app).get(`/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planIdOf(plain))}/files/BPlan004_6-0.pdf`).expect(404);
    assert.match(flat.body.detail, /plain XPlanGML document, which carries no files/);
    await request(gw.app).get('/xplanung/v1/tenants/hamburg/plans/GML_unbekannt/files/x.pdf').expect(404);
    await request(gw.app).get(`/xplanung/v1/tenants/niemand/plans/${encodeURIComponent(planId)}/files/BPlan004_6-0.pdf`).expect(404);
  });

  it('the export carries the document link and its typ, in 6.0 and 5.4, and validates', async () => {
    const procedureId = (await request(gw.app).get('/xplanung/v1/tenants/hamburg/plans').expect(200)).body.plans.find((p: { planId: string }) => p.planId === planIdOf(gml)).procedureId;
    const exported = (await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${procedureId}.gml`).expect(200)).text;
    assert.ok(exported.includes(`<xplan:referenzURL>http://gateway.test/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planIdOf(gml))}/files/BPlan004_6-0.pdf</xplan:referenzURL>`));
    assert.match(exported, /<xplan:referenzMimeType>application\/pdf<\/xplan:referenzMimeType>\s*<xplan:typ>1065<\/xplan:typ>/, 'the typ the plan gave, not 9999');
    const older = (await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${procedureId}.gml?version=5.4`).expect(200)).text;
    assert.match(older, /<xplan:typ>1065<\/xplan:typ>/);
    const olderReport = (await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(older).expect(200)).body;
    assert.equal(olderReport.valid, true, JSON.stringify(olderReport.findings));
    const report = (await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(exported).expect(200)).body;
    assert.equal(report.valid, true, JSON.stringify(report.findings));
  });

  it('a file of an archive stored before the archive checks (encrypted, lying about its size, wrong CRC) is a client error naming why, never a 500', async () => {
    const stored = gml.replace(/gml:id="GML_/g, 'gml:id="GML_S').replace(/xlink:href="#GML_/g, 'xlink:href="#GML_S');
    const res = await push([['xplan.gml', stored], ['BPlan004_6-0.pdf', pdf]]);
    assert.equal(res.status, 201, res.text);
    const planId = planIdOf(stored);
    // as an older gateway stored it: entries the checks now refuse, beside an intact one
    const old = rawZip([
      { name: 'xplan.gml', data: stored },
      { name: 'geheim.pdf', data: pdf, flags: 0x0001 },
      { name: 'kurz.pdf', data: pdf, uncompressedSize: 10 },
      { name: 'lang.pdf', data: pdf, uncompressedSize: pdf.length + 1000 },
      { name: 'falsch.pdf', data: pdf, crc: 1 },
      { name: 'gut.pdf', data: pdf },
    ]);
    gw.store.db.prepare('UPDATE xplan_document SET bytes = ?, size = ? WHERE content_hash = (SELECT content_hash FROM xplan_plan WHERE tenant_id = ? AND plan_id = ?)')
      .run(old, old.length, 'hamburg', planId);
    const files = `/xplanung/v1/tenants/hamburg/plans/${encodeURIComponent(planId)}/files`;
    const good = await request(gw.app).get(`${files}/gut.pdf`).buffer(true).parse((r, cb) => { const c: Buffer[] = []; r.on('data', (d: Buffer) => c.push(d)); r.on('end', () => cb(null, Buffer.concat(c))); }).expect(200);
    assert.ok(Buffer.compare(good.body as Buffer, pdf) === 0, 'the intact entry is served byte for byte');
    const cases: Array<[string, RegExp]> = [['geheim.pdf', /encrypted/], ['kurz.pdf', /size or CRC-32/], ['lang.pdf', /size or CRC-32/], ['falsch.pdf', /size or CRC-32/]];
    for (const [name, why] of cases) {
      const entry = await readArchiveEntry(old, name);
      assert.ok(!entry.ok && entry.reason === 'unreadable', `${name}: unreadable`);
      assert.match(entry.why, why);
      const got = await request(gw.app).get(`${files}/${name}`);
      assert.equal(got.status, 422, `${name}: ${got.status} ${got.text.slice(0, 200)}`);
      assert.match(String(got.headers['content-type']), /application\/problem\+json/);
      assert.equal(got.body.status, 422);
      assert.match(got.body.detail, why);
      assert.match(got.body.detail, /push the plan again/);
      assert.doesNotMatch(got.text, /\bat .+\.(ts|js):\d+/, 'no stack trace');
    }
  });
});
