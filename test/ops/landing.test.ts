// The root of the gateway for people: GET / and /favicon.ico on a real started gateway, each link
// followed, and a real browser's visit without a single failed request.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { start } from '../../src/main.ts';
import { accessibilityViolations, hasChromium, launchChromium } from '../helpers/browser.ts';

describe('ops: the landing page at / and the favicon', function () {
  this.timeout(90_000);
  let dir = '';
  let base = '';
  let stop: () => Promise<void> = async () => {};
  const log: Array<{ msg?: string; path?: string; status?: number }> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bgw-landing-'));
    const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) log.push(JSON.parse(l) as never); cb(); } });
    const gw = await start({ GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_PORT: '0', GATEWAY_LOG_LEVEL: 'info', GATEWAY_VALIDATION_WORKERS: '1', GATEWAY_FEED_WORKERS: '0' }, { logDestination: sink });
    stop = gw.stop;
    base = `http://127.0.0.1:${(gw.server.address() as { port: number }).port}`;
  });
  after(async () => { await stop(); rmSync(dir, { recursive: true, force: true }); });

  it('GET / is a German page that says what the gateway is and links to every entry point, each of which answers', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    const html = await res.text();
    assert.match(html, /<html lang="de">/);
    assert.match(html, /<h1>Beteiligungs-Gateway<\/h1>/);
    assert.match(html, /XPlanung[\s\S]*Open311 GeoReport v2[\s\S]*DCAT-AP\.de/);
    assert.match(html, /<p class="en" lang="en">English: /);
    const hrefs = [...html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(hrefs, ['xplanung/v1/validate', 'docs', 'dcat/catalog', 'open311/v2/discovery.json', 'health']);
    for (const href of hrefs) {
      const linked = await fetch(new URL(href, `${base}/`), { headers: { Accept: 'text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8' } });
      assert.equal(linked.status, 200, `${href} answers ${linked.status}`);
      await linked.arrayBuffer();
    }
  });

  it('GET /favicon.ico is an SVG icon (200, cacheable), so browsers stop logging a 404', async () => {
    const res = await fetch(`${base}/favicon.ico`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
    const svg = await res.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 32 32">[\s\S]*<\/svg>\n$/);
    const requests = log.filter((l) => l.msg === 'request' && (l.path === '/' || l.path === '/favicon.ico'));
    assert.ok(requests.length >= 2);
    assert.deepEqual(requests.filter((l) => l.status !== 200), []);
  });

  it('a browser visit of / loads without a failed request, shows the icon, and passes axe (WCAG 2.1 AA)', async function () {
    if (!hasChromium()) this.skip();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
      page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
      page.on('console', (m) => { if (m.type() === 'error') failed.push(`console: ${m.text()}`); });
      await page.goto(`${base}/`);
      assert.equal(await page.title(), 'Beteiligungs-Gateway');
      // the icon the page names loads as an image in the browser
      const iconWidth = await page.evaluate(async () => {
        const img = new Image();
        img.src = (document.querySelector('link[rel=icon]') as HTMLLinkElement).href;
        await img.decode();
        return img.naturalWidth;
      });
      assert.ok(iconWidth > 0);
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.click('text=XPlanGML-Plan prüfen');
      assert.equal(new URL(page.url()).pathname, '/xplanung/v1/validate');
      assert.deepEqual(failed, []);
    } finally {
      await browser.close();
    }
  });
});
