// The German report page (Accept: text/html), rendered in a real browser (Debian chromium).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { RULES } from '../../src/xplanung/rules.ts';
import { real } from '../helpers/xplanung.ts';

describe('xplanung/report: the readable page for planners', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => { gw = await createTestGateway(); });
  after(async () => { await gw.close(); });

  it('Accept: text/html gives a German page with every finding', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/zip').send(real('FP_6.0.2_invalide.zip')).expect(200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.text, /^<!DOCTYPE html>/);
    assert.match(res.text, /Der Plan ist nicht valide\./);
    assert.match(res.text, /8 Fehler, 0 Warnungen/);
  });

  it('names what each rule asks and where a geometry finding lies', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200);
    assert.match(res.text, /2 Fehler, 2 Warnungen/);
    assert.ok(res.text.includes(`<div class="rule-title">${RULES['2.2.1.1'].title}</div>`), 'the title of 2.2.1.1 under its number');
    // overlaps and gaps each with a point in them, in the plan's CRS (EPSG:25832), to the millimetre
    assert.match(res.text, /überlappen sich: BP_BaugebietsTeilFlaeche und SO_Strassenverkehr \(0\.005 m²\) bei \(553\d{3}\.\d{1,3} 5934\d{3}\.\d{1,3}\)\./);
    assert.match(res.text, /Lücke von 0\.008 m² im Geltungsbereich bei \(553012\.878 5934985\.988\)/);
  });

  it('renders in Chromium: result, counts and one table row per finding, escaped text', async function () {
    if (!existsSync('/usr/bin/chromium')) this.skip();
    const html = (await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('BP_6.0_syntaxErrors.gml')).expect(200)).text;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      assert.equal(await page.textContent('#result'), 'Der Plan ist nicht valide.');
      assert.equal(await page.textContent('#counts'), '1 Fehler, 0 Warnungen');
      const rows = await page.$$eval('#findings tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim())));
      assert.equal(rows.length, 1);
      assert.equal(rows[0]![0], 'Fehler');
      // the rule's number, and under it what the rule asks
      assert.equal(await page.textContent('#findings tbody tr td:nth-child(3) code'), 'xsd');
      assert.equal(await page.textContent('#findings tbody tr td:nth-child(3) .rule-title'), RULES.xsd.title);
      assert.equal(rows[0]![4], '46');
      assert.match(rows[0]![3]!, /\{http:\/\/www\.xplanung\.de\/xplangml\/6\/0\}planArtCode/);
      assert.equal(await page.title(), 'Prüfbericht XPlanGML plan.gml');
    } finally {
      await browser.close();
    }
  });
});
