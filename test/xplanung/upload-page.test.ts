// The upload form for planners (GET /xplanung/v1/validate) and its multipart answer, over real HTTP
// (supertest), and the whole round in a real browser (Debian chromium): choose a file, submit, read the report.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { ruleTitle } from '../../src/xplanung/rules.ts';

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
import { germanSize, uploadPageHtml } from '../../src/xplanung/upload-page.ts';
import { accessibilityViolations, hasChromium, launchChromium } from '../helpers/browser.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { itShared, readShared } from '../helpers/shared.ts';
import { REAL_DIR, real, zip } from '../helpers/xplanung.ts';

/** The findings without their timing, comparable between two ways of sending the same plan. */
const findingsOf = (report: { findings: unknown[] }) => JSON.stringify(report.findings);

describe('xplanung/upload-page: the form a planner checks a plan with', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway({ GATEWAY_MAX_PLAN_BYTES: String(2 * 1024 * 1024) }); });
  after(async () => { await gw.close(); });

  it('GET gives a German page with a multipart form posting the file field "plan", the stage switches and every rule a check can give', async () => {
    const res = await request(gw.app).get('/xplanung/v1/validate').expect(200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(res.text, /^<!DOCTYPE html>/);
    assert.match(res.text, /<form method="post" action="validate" enctype="multipart\/form-data">/);
    assert.match(res.text, /<input type="file" id="plan" name="plan" required="required"/);
    assert.match(res.text, /name="skipSemantisch" value="true"/);
    assert.match(res.text, /name="skipGeometrisch" value="true"/);
    // the checks of the geometry stage xPlanBox lets a planner switch off, each a labelled check box
    for (const [name, label] of [['skipFlaechenschluss', 'Flächenschluss nicht prüfen'], ['skipGeltungsbereich', 'Geltungsbereich nicht prüfen'], ['skipLaufrichtung', 'Laufrichtung nicht prüfen']]) {
      assert.match(res.text, new RegExp(`<label>\\s*<input type="checkbox" name="${name}" value="true" id="${name}"></input>\\s*${label} \\(Regel `));
    }
    assert.match(res.text, /höchstens 2 MB/);
    for (const rule of ['2.2.1.1', '2.2.3.1', 'xsd', '3.2.5.1', 'externe-referenz']) {
      assert.ok(res.text.includes(`<td>${xmlEscape(ruleTitle(rule)!)}</td>`), `rule ${rule} is listed with its title`);
    }
    assert.ok(!res.text.includes('<code>mandant-ags</code>'), 'push-only checks are not listed: a check stores nothing');
    assert.match(res.text, /--data-binary @plan\.gml \\\n {2}http:\/\/gateway\.test\/xplanung\/v1\/validate\n/, 'the example names the gateway\'s public address');
  });

  it('a form sent in chunks, without a Content-Length, is read as well', async () => {
    const server = createServer(gw.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const form = new FormData();
      form.append('plan', new Blob([new Uint8Array(real('BPlan002_5-4.gml'))]), 'BPlan002_5-4.gml');
      const encoded = new Response(form);
      const body = Buffer.from(await encoded.arrayBuffer());
      const { request: send } = await import('node:http');
      const answer = await new Promise<{ status: number; json: { fileName: string; version: string; findings: unknown[] } }>((resolve, reject) => {
        const req = send({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/xplanung/v1/validate', method: 'POST', headers: { 'Content-Type': encoded.headers.get('content-type')!, 'Transfer-Encoding': 'chunked' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        });
        req.on('error', reject);
        for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
        req.end();
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.json.fileName, 'BPlan002_5-4.gml');
      assert.equal(answer.json.version, '5.4');
    } finally {
      server.close();
    }
  });

  it('sizes are German', () => {
    assert.equal(germanSize(250 * 1024 * 1024), '250 MB');
    assert.equal(germanSize(1.5 * 1024 * 1024), '1,5 MB');
    assert.equal(germanSize(300 * 1024), '300 KB');
  });

  it('a refusal is shown above the form, escaped', () => {
    const html = uploadPageHtml({ maxBytes: 1024 * 1024, error: 'Die Datei <b>x</b> fehlt.' });
    assert.match(html, /<p class="fail" id="fehler" role="alert">Die Datei &lt;b&gt;x&lt;\/b&gt; fehlt\.<\/p>/);
  });

  it('a plan posted through the form gives the same findings as the plan sent as the body, under its own file name', async () => {
    const direct = (await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200)).body;
    // browsers name a .gml's type variously; the gateway goes by the bytes
    const res = await request(gw.app).post('/xplanung/v1/validate').attach('plan', real('Blankenese29.gml'), { filename: 'Blankenese29.gml', contentType: 'application/octet-stream' }).expect(200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.body.fileName, 'Blankenese29.gml');
    assert.equal(res.body.valid, false);
    assert.equal(findingsOf(res.body), findingsOf(direct));
  });

  it('an XPlanArchive posted through the form is read as one, whatever type the browser gives it', async () => {
    const direct = (await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/zip').send(real('FP_6.0.2_invalide.zip')).expect(200)).body;
    const res = await request(gw.app).post('/xplanung/v1/validate').attach('plan', real('FP_6.0.2_invalide.zip'), { filename: 'FP_6.0.2_invalide.zip', contentType: 'application/x-zip-compressed' }).expect(200);
    assert.equal(res.body.findings.length, 8);
    assert.equal(findingsOf(res.body), findingsOf(direct));
    assert.equal(res.body.fileName, 'FP_6.0.2_invalide.zip › xplan.gml', 'the archive the planner chose, and the plan in it');
    assert.equal(direct.fileName, 'xplan.gml', 'a body has no name');
  });

  it('the check boxes skip stages, and the report says which', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').field('skipGeometrisch', 'true').attach('plan', real('Blankenese29.gml'), 'Blankenese29.gml').expect(200);
    assert.deepEqual(res.body.skipped.map((s: { stage: string }) => s.stage), ['geometry']);
    assert.ok(!res.body.findings.some((f: { stage: string }) => f.stage === 'geometry'));
    const both = await request(gw.app).post('/xplanung/v1/validate').field('skipSemantisch', 'true').field('skipGeometrisch', 'true').attach('plan', real('Blankenese29.gml'), 'Blankenese29.gml').expect(200);
    assert.deepEqual(both.body.skipped.map((s: { stage: string }) => s.stage).sort(), ['geometry', 'semantic']);
  });

  it('the check boxes for single geometry checks switch off 2.2.1.1, 2.2.3.1 and the ring orientation, and the report names them', async () => {
    const plan = readShared('fixtures', 'xplanung-xplanbox', 'manager-api', 'BP_5.2_Laufrichtungsfehler.zip');
    const on = await request(gw.app).post('/xplanung/v1/validate').field('skipFlaechenschluss', 'true').field('skipSemantisch', 'true').attach('plan', plan, 'BP_5.2_Laufrichtungsfehler.zip').expect(200);
    assert.equal(on.body.valid, false, 'the rings run the wrong way');
    assert.deepEqual(on.body.skipped.map((s: { stage: string }) => s.stage).sort(), ['flaechenschluss', 'semantic']);
    const off = await request(gw.app).post('/xplanung/v1/validate').field('skipFlaechenschluss', 'true').field('skipGeltungsbereich', 'on').field('skipLaufrichtung', 'true').field('skipSemantisch', 'true')
      .attach('plan', plan, 'BP_5.2_Laufrichtungsfehler.zip').expect(200);
    assert.equal(off.body.valid, true, JSON.stringify(off.body.findings));
    assert.deepEqual(off.body.skipped.map((s: { stage: string }) => s.stage).sort(), ['flaechenschluss', 'geltungsbereich', 'laufrichtung', 'semantic']);
  });

  it('a browser gets the report page, with the file name and a link back to the form', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')
      .attach('plan', real('Blankenese29.gml'), 'Bebauungsplan Blankenese 29 – Änderung.gml').expect(200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.text, /<title>Prüfbericht XPlanGML Bebauungsplan Blankenese 29 – Änderung\.gml<\/title>/, 'a UTF-8 file name arrives as sent');
    assert.match(res.text, /3 Fehler, 2 Warnungen/);
    assert.match(res.text, /<a href="validate" id="weiterer-plan">Weiteren Plan prüfen<\/a>/);
    assert.match(res.text, /id="lageskizze"/);
  });

  it('a file name keeps no path', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').attach('plan', real('BPlan002_5-4.gml'), 'C:\\Planung\\BPlan002.gml').expect(200);
    assert.equal(res.body.fileName, 'BPlan002.gml');
  });

  it('without a file: 400, as problem+json for a program and as the form with a German hint for a browser', async () => {
    const json = await request(gw.app).post('/xplanung/v1/validate').field('skipGeometrisch', 'true').expect(400);
    assert.match(String(json.headers['content-type']), /application\/problem\+json/);
    assert.match(json.body.detail, /form field plan/);
    const page = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').field('skipGeometrisch', 'true').expect(400);
    assert.match(page.text, /id="fehler" role="alert">Bitte wählen Sie eine Datei aus\.</);
    assert.match(page.text, /<form method="post"/);
  });

  it('two files, or a file in another field: 400', async () => {
    const two = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').attach('plan', real('BPlan002_5-4.gml'), 'a.gml').attach('plan', real('BPlan002_5-4.gml'), 'b.gml').expect(400);
    assert.match(two.text, /Bitte senden Sie genau eine Datei\./);
    const other = await request(gw.app).post('/xplanung/v1/validate').attach('datei', real('BPlan002_5-4.gml'), 'a.gml').expect(400);
    assert.match(other.body.detail, /exactly one file, in the form field plan/);
  });

  it('a file over the limit: 413, the form saying the limit', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 10, 0x20);
    const page = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').attach('plan', big, 'gross.gml').expect(413);
    assert.match(page.text, /Die Datei ist größer als die erlaubten 2 MB\./);
    const json = await request(gw.app).post('/xplanung/v1/validate').attach('plan', big, 'gross.gml').expect(413);
    assert.match(String(json.headers['content-type']), /application\/problem\+json/);
  });

  it('an archive the safety stage refuses: 415 with the report, as problem+json or as the page', async () => {
    const bad = await zip([['xplan.gml', real('BPlan002_5-4.gml')], ['run.exe', 'MZ']]);
    const json = await request(gw.app).post('/xplanung/v1/validate').attach('plan', bad, 'plan.zip').expect(415);
    assert.equal(json.body.report.findings[0].rule, 'safety.archive-type');
    const page = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').attach('plan', bad, 'plan.zip').expect(415);
    assert.match(page.text, /Der Plan ist nicht valide\./);
    assert.match(page.text, /<code>safety\.archive-type<\/code>/);
  });

  it('broken forms are a 400 with the reason, never a server error: no boundary, garbage, cut off, an oversized field', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['multipart/form-data', 'abc', /Boundary not found/],
      ['multipart/form-data; boundary=XX', 'garbage', /Unexpected end of form/],
      ['multipart/form-data; boundary=XX', '--XX\r\nContent-Disposition: form-data; name="plan"; filename="a.gml"\r\n\r\n<xml', /Unexpected end of form/],
      ['multipart/form-data; boundary=XX', `--XX\r\nContent-Disposition: form-data; name="skipGeometrisch"\r\n\r\n${'x'.repeat(5000)}\r\n--XX--\r\n`, /Field value too long/],
    ];
    for (const [type, body, reason] of cases) {
      const json = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', type).send(body).expect(400);
      assert.match(String(json.headers['content-type']), /application\/problem\+json/);
      assert.match(json.body.detail, reason);
      const page = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', type).set('Accept', 'text/html').send(body).expect(400);
      assert.match(page.text, /id="fehler" role="alert">Das Formular konnte nicht gelesen werden\./);
    }
  });

  it('a file that is no XML gets the safety finding, not a server error', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').attach('plan', Buffer.from('%PDF-1.7\n'), 'plan.pdf').expect(200);
    assert.equal(res.body.valid, false);
    assert.match(res.body.findings[0].rule, /^safety\./);
  });

  describe('in Chromium', () => {
    let server: Server;
    let base: string;
    before(async function () {
      if (!hasChromium()) this.skip();
      server = createServer(gw.app).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => { server?.close(); });

    itShared('a planner chooses a file, submits, reads the report, and goes back for the next plan', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(`${base}/xplanung/v1/validate`);
        assert.equal(await page.title(), 'XPlanGML-Plan prüfen');
        assert.deepEqual(await accessibilityViolations(page), [], 'the form meets WCAG 2.1 AA as axe-core checks it (BITV 2.0)');
        // the browser itself refuses to send the form without a file
        assert.equal(await page.$eval('#plan', (el) => (el as HTMLInputElement).validity.valueMissing), true);
        await page.setInputFiles('#plan', join(REAL_DIR, 'Blankenese29.gml'));
        await Promise.all([page.waitForURL(`${base}/xplanung/v1/validate`, { waitUntil: 'load' }), page.click('button[type=submit]')]);
        assert.equal(await page.title(), 'Prüfbericht XPlanGML Blankenese29.gml');
        assert.equal(await page.textContent('#result'), 'Der Plan ist nicht valide.');
        assert.equal(await page.textContent('#counts'), '3 Fehler, 2 Warnungen');
        assert.equal(await page.locator('#findings tbody tr').count(), 5);
        // five findings: first summed up by rule, each row linking to the rule's first finding
        const summary = await page.$$eval('#uebersicht tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
        assert.deepEqual(summary.map((r) => [r[0], r[2], r[3], r[4]]), [['externe-referenz', '0', '2', 'Nr. 1'], ['4.5.2.4', '3', '0', 'Nr. 3']]);
        await page.click('#uebersicht a[href="#befund-3"]');
        assert.equal(await page.$eval('#befund-3', (el) => el.matches(':target')), true);
        assert.equal(await page.locator('#lageskizze-karte a.pin').count(), 3, 'the sketch with its pins');
        assert.deepEqual(await accessibilityViolations(page), [], 'the report with its sketch meets WCAG 2.1 AA as axe-core checks it');

        // saved as PDF for the procedure's file: without the link back, with its pages
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.isVisible('#weiterer-plan'), false);
        const pdf = await page.pdf({ format: 'A4' });
        assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
        assert.ok(pdf.length > 20_000, `a PDF with the table and the sketch (${pdf.length} bytes)`);
        await page.emulateMedia({ media: 'screen' });
        assert.equal(await page.isVisible('#weiterer-plan'), true);
        await Promise.all([page.waitForURL(`${base}/xplanung/v1/validate`), page.click('#weiterer-plan')]);
        assert.equal(await page.title(), 'XPlanGML-Plan prüfen');
        // a valid archive, with the geometry stage switched off
        await page.setInputFiles('#plan', join(REAL_DIR, 'BP_6.0.2_valide.zip'));
        await page.check('#skipGeometrisch');
        await Promise.all([page.waitForURL(`${base}/xplanung/v1/validate`, { waitUntil: 'load' }), page.click('button[type=submit]')]);
        assert.equal(await page.textContent('#result'), 'Der Plan ist valide.');
        const skipped = await page.locator('h2:has-text("Nicht ausgeführte Prüfschritte") + ul li').allTextContents();
        assert.equal(skipped.length, 1);
        assert.match(skipped[0]!, /^Geometrie: /);
      } finally {
        await browser.close();
      }
    });
  });
});
