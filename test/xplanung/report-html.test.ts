// The German report page (Accept: text/html), rendered in a real browser (Debian chromium).
import assert from 'node:assert/strict';
import request from 'supertest';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { makeReport, reportToHtml } from '../../src/xplanung/report.ts';
import { RULES, ruleTitle } from '../../src/xplanung/rules.ts';
import { contentTypeOf, real } from '../helpers/xplanung.ts';

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
    assert.match(res.text, /<table id="uebersicht">/, 'eight findings are summed up by rule first');
  });

  it('names what each rule asks and where a geometry finding lies', async () => {
    const res = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200);
    assert.match(res.text, /3 Fehler, 2 Warnungen/, 'three Doppelbelegungen (4.5.2.4, as the reference asserts) and two files the plain GML references but cannot carry');
    // five findings: the title of 4.5.2.4 once, in the summary by rule; each row's number links there (and
    // once more in the folded list of every rule with its result)
    const [findingsPart, allRules] = res.text.split('<details id="alle-regeln">');
    assert.equal(findingsPart!.split(`>${RULES['4.5.2.4'].title}</`).length - 1, 1, 'the title of 4.5.2.4 once as text (and as the tooltip of its number)');
    assert.match(allRules!, /<code>4\.5\.2\.4<\/code>\s*<\/td>\s*<td class="long">[^<]+<\/td>\s*<td>Geometrie<\/td>\s*<td class="error">verletzt<\/td>\s*<td class="long">3 Fehler<\/td>/);
    assert.match(allRules!, /<summary>Alle Regeln \(\d+\): \d+ erfüllt, 1 verletzt, \d+ nicht anwendbar, \d+ nicht geprüft<\/summary>/);
    assert.match(res.text, /<tr id="regel-4\.5\.2\.4">\s*<td>\s*<code>4\.5\.2\.4<\/code>/);
    assert.equal(res.text.split('<a href="#regel-4.5.2.4">').length - 1, 3, 'the three rows of 4.5.2.4 link to it');
    // a located finding gives its area and a point in it, in the plan's CRS (EPSG:25832), to the millimetre,
    // in German: a decimal comma (a point is a thousands separator to a German reader)
    assert.match(res.text, /setzen beide das Attribut Z \(Überlagerung von [\d\u202F]+(,\d+)?\u00A0m² bei \(553\d{3},\d{3}; 5934\d{3},\d{3}\)\)/);
    const gaps = await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('xplan54_Flaechenschlussfehler_Luecken.gml')).expect(200);
    assert.match(gaps.text, /Lücke von 40,6\u00A0m² im Geltungsbereich des Bereichs „GML_8e737511-c592-4e59-8e5c-80cd081aba51“ bei \(572653,920; 5938237,493\)/);
  });

  it('renders in Chromium: result, counts and one table row per finding, escaped text', async function () {
    if (!hasChromium()) this.skip();
    const html = (await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('BP_6.0_syntaxErrors.gml')).expect(200)).text;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      assert.equal(await page.textContent('#result'), 'Der Plan ist nicht valide.');
      assert.equal(await page.textContent('#counts'), '1 Fehler, 0 Warnungen');
      const rows = await page.$$eval('#findings tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim())));
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0]!.slice(0, 2), ['1', 'Fehler']);
      // the rule's number, and under it what the rule asks
      assert.equal(await page.textContent('#findings tbody tr td:nth-child(4) code'), 'xsd');
      assert.equal(await page.textContent('#findings tbody tr td:nth-child(4) .rule-title'), RULES.xsd.title);
      assert.equal(rows[0]![5], '46');
      // in German, with the name probably meant; libxml2's own words folded away under it
      assert.match(rows[0]![4]!, /^Im Objekt BP_Plan: „xplan:planArtCode“ ist an dieser Stelle nicht erlaubt\..* Ist „xplan:planArt“ gemeint\?/);
      assert.equal(await page.isVisible('#findings tbody tr details.detail code'), false);
      await page.click('#findings tbody tr details.detail summary');
      assert.match((await page.textContent('#findings tbody tr details.detail code'))!, /^Element '\{http:\/\/www\.xplanung\.de\/xplangml\/6\/0\}planArtCode': This element is not expected\./);
      assert.equal(await page.$('#lageskizze'), null, 'no sketch without geometry: the syntax error stopped the later stages');
      assert.equal(await page.$('#uebersicht'), null, 'one finding needs no summary');
      assert.equal(await page.title(), 'Prüfbericht XPlanGML plan.gml');
    } finally {
      await browser.close();
    }
  });

  it('the tables fit the page in Chromium, on screen and printed on A4: long gml:ids and relation names wrap, the message keeps a third of the width or more', async function () {
    if (!hasChromium()) this.skip();
    const browser = await launchChromium();
    try {
      for (const name of ['Blankenese29.gml', 'xplan54_Flaechenschlussfehler_Luecken.gml', 'FP_6.0.2_invalide.zip', 'BP_6.0_syntaxErrors.gml']) {
        const html = (await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', contentTypeOf(name)).send(real(name)).expect(200)).text;
        // A4 is 794 CSS px wide; Chromium prints with margins of about 1 cm by default
        for (const [width, media] of [[1024, 'screen'], [718, 'print']] as const) {
          const page = await browser.newPage({ viewport: { width, height: 800 } });
          await page.emulateMedia({ media });
          await page.setContent(html);
          const layout = await page.evaluate(() => ({
            page: document.documentElement.scrollWidth,
            tables: Array.from(document.querySelectorAll('table')).map((t) => ({
              id: t.id,
              width: t.getBoundingClientRect().width,
              room: t.parentElement!.clientWidth,
              message: t.id === 'findings' ? t.querySelector('tbody td:nth-child(5)')!.getBoundingClientRect().width : undefined,
              overflowing: Array.from(t.querySelectorAll<HTMLElement>('th, td')).filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent!.trim().slice(0, 40)),
            })),
          }));
          const at = `${name} at ${width} px (${media})`;
          assert.equal(layout.page, width, `${at}: the page does not scroll sideways`);
          assert.ok(layout.tables.some((t) => t.id === 'findings'), at);
          for (const t of layout.tables) {
            assert.ok(t.width <= t.room + 0.5, `${at}: table ${t.id} ${t.width} px in ${t.room} px`);
            assert.deepEqual(t.overflowing, [], `${at}: no cell of ${t.id} wider than its content box`);
            if (t.message !== undefined) assert.ok(t.message >= t.width / 3, `${at}: the message column ${t.message} of ${t.width} px`);
          }
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
  });

  it('says what a rule asks once: under its first finding when there is no summary, as a tooltip of its number in every row', () => {
    const finding = (rule: string, message: string) => ({ rule, severity: 'error' as const, stage: 'semantic' as const, message, gmlIds: ['GML_1'], line: 3 });
    const html = reportToHtml(makeReport({ version: '6.0', plans: [], findings: [finding('xlink', 'a'), finding('xlink', 'b'), finding('3.2.5.1', 'c')], skipped: [] }));
    assert.doesNotMatch(html, /id="uebersicht"/, 'three findings: no summary');
    assert.equal(html.split(`<div class="rule-title">${RULES.xlink.title}</div>`).length - 1, 1);
    assert.equal(html.split(`<div class="rule-title">${ruleTitle('3.2.5.1', '6.0')}</div>`).length - 1, 1, 'a Konformitätsregel under its official title of the report\'s version');
    assert.equal(html.split(`<td title="${RULES.xlink.title}">`).length - 1, 2);
  });

  it('draws a sketch in Chromium: the Geltungsbereich, one readable numbered pin per located finding, each linked to its row, a detail and a map link', async function () {
    if (!hasChromium()) this.skip();
    const json = (await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200)).body;
    const html = (await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200)).text;
    const located = json.findings.flatMap((f: { marker?: string }, i: number) => (f.marker ? [i + 1] : []));
    assert.equal(located.length, 3, 'three Doppelbelegungen (4.5.2.4), each with a marker');
    const [gap1, overlap2, gap2] = located as number[];
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.setContent(html);
      const map = await page.locator('#lageskizze-karte').boundingBox();
      assert.ok(map && map.width >= 600 && map.height >= 200, `the sketch is drawn (${JSON.stringify(map)})`);
      // the Geltungsbereich fills most of the drawing
      const outline = await page.locator('#lageskizze-karte path.outline').boundingBox();
      assert.ok(outline && outline.width > 0.8 * map.width, 'the outline spans the sketch');
      // a pin per located finding, numbered as the table, none hiding another
      const pins = await page.$$eval('#lageskizze-karte a.pin', (as) => as.map((a) => {
        const r = a.querySelector(':scope > circle:last-of-type')!.getBoundingClientRect();
        return { n: a.getAttribute('data-befund'), href: a.getAttribute('href'), text: a.querySelector('text')?.textContent, x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2 };
      }));
      assert.deepEqual(pins.map((p) => p.text), located.map(String), 'numbered as in the table');
      assert.deepEqual(pins.map((p) => p.href), located.map((n: number) => `#befund-${n}`));
      for (const a of pins) for (const b of pins) if (a !== b) assert.ok(Math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r, `pins ${a.n} and ${b.n} do not overlap`);
      // the pins lie inside the sketch
      for (const p of pins) assert.ok(p.x > map.x && p.x < map.x + map.width && p.y > map.y && p.y < map.y + map.height);
      // clicking a pin goes to its finding
      await page.click(`#lageskizze-karte a[data-befund="${gap1}"]`);
      assert.equal(await page.evaluate(() => location.hash), `#befund-${gap1}`);
      assert.equal(await page.$eval('#findings tr:target td', (td) => td.textContent), String(gap1));
      // each located finding: a detail with a scale bar, and the spot on OpenStreetMap (Hamburg-Blankenese)
      assert.equal(await page.locator('#findings .where svg').count(), 3);
      assert.match((await page.locator(`#befund-${gap2} .scale-bar text`).textContent()) ?? '', /^\d+ (cm|m)$/);
      assert.equal(await page.locator(`#befund-${overlap2} .where`).count(), 1);
      assert.equal(await page.locator('#befund-1 .where').count(), 0, 'a finding without a location has no detail');
      const link = new URL((await page.locator(`#befund-${gap1} a.osm`).getAttribute('href'))!);
      const [lat, lon] = [Number(link.searchParams.get('mlat')), Number(link.searchParams.get('mlon'))];
      assert.ok(lat > 53.55 && lat < 53.57 && lon > 9.79 && lon < 9.82, `${lat} ${lon}`);
    } finally {
      await browser.close();
    }
  });

  it('the page a worker renders is the page of the JSON report', async () => {
    const json = (await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200)).body;
    const html = (await request(gw.app).post('/xplanung/v1/validate').set('Accept', 'text/html').set('Content-Type', 'application/gml+xml').send(real('Blankenese29.gml')).expect(200)).text;
    assert.equal(html, reportToHtml(json));
  });
});
