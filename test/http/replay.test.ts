// The replay cache on its own: a tiny express app behind it that counts how often it renders.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import request from 'supertest';
import { ReplayCache } from '../../src/http/replay.ts';
import { representation, sendRepresentation, type ReplayRule } from '../../src/http/representation.ts';

describe('http/replay: polled answers from memory', () => {
  function setUp(rule: Partial<ReplayRule> & { current?: () => boolean | Promise<boolean> }) {
    const cache = new ReplayCache(1024 * 1024);
    const app = express();
    let renders = 0;
    app.use(cache.keeper());
    app.get('/list', (req, res) => {
      renders++;
      res.setHeader('X-Render', String(renders));
      const lang = req.get('accept-language') ?? 'de';
      sendRepresentation(req, res, representation('text/plain; charset=utf-8', `Liste ${lang} `.repeat(200)), { isCurrent: rule.current ?? (() => true), maxAgeMs: rule.maxAgeMs ?? 60_000, varyOn: rule.varyOn });
    });
    app.get('/other', (_req, res) => { renders++; res.send('no replay rule'); });
    const listener = (req: IncomingMessage, res: ServerResponse) => cache.serve(req, res, app);
    return { listener, renders: () => renders };
  }

  it('replays the first rendering (headers included) while the rule says current; routes without a rule always render', async () => {
    const t = setUp({});
    const a = await request(t.listener).get('/list').expect(200);
    const b = await request(t.listener).get('/list').expect(200);
    assert.equal(t.renders(), 1);
    assert.equal(b.headers['x-render'], '1');
    assert.equal(b.text, a.text);
    await request(t.listener).get('/list?x=1').expect(200);
    assert.equal(t.renders(), 2, 'another query string is another answer');
    await request(t.listener).get('/other').expect(200);
    await request(t.listener).get('/other').expect(200);
    assert.equal(t.renders(), 4);
    await request(t.listener).post('/list').expect(404);
    assert.equal(t.renders(), 4, 'only GET and HEAD are replayed or rendered here');
  });

  it('renders again once the data changed (sync and async checks) or the check fails', async () => {
    let version = 1;
    const t = setUp({ current: async () => version === 1 });
    await request(t.listener).get('/list').expect(200);
    await request(t.listener).get('/list').expect(200);
    assert.equal(t.renders(), 1);
    version = 2;
    await request(t.listener).get('/list').expect(200);
    assert.equal(t.renders(), 2);
    const failing = setUp({ current: () => { throw new Error('database closed'); } });
    await request(failing.listener).get('/list').expect(200);
    await request(failing.listener).get('/list').expect(200);
    assert.equal(failing.renders(), 2, 'a check that throws means: render');
  });

  it('honours maxAgeMs and the request headers the answer varies on', async () => {
    const aged = setUp({ maxAgeMs: 400 }); // wide enough for two requests on a loaded CI machine
    await request(aged.listener).get('/list').expect(200);
    await request(aged.listener).get('/list').expect(200);
    assert.equal(aged.renders(), 1);
    await new Promise((r) => setTimeout(r, 450));
    await request(aged.listener).get('/list').expect(200);
    assert.equal(aged.renders(), 2);

    const varied = setUp({ varyOn: ['accept-language'] });
    const de = await request(varied.listener).get('/list').set('Accept-Language', 'de').expect(200);
    const en = await request(varied.listener).get('/list').set('Accept-Language', 'en').expect(200);
    assert.match(de.text, /^Liste de/);
    assert.match(en.text, /^Liste en/, 'not the German answer replayed');
    assert.equal(varied.renders(), 2);
  });

  it('negotiates the encoding per request and answers 304 to a matching If-None-Match', async () => {
    const t = setUp({});
    const plain = await request(t.listener).get('/list').set('Accept-Encoding', 'identity').expect(200);
    const gz = await request(t.listener).get('/list').set('Accept-Encoding', 'gzip').expect(200);
    const br = await request(t.listener).get('/list').set('Accept-Encoding', 'gzip;q=0.1, br').expect(200);
    const none = await request(t.listener).get('/list').set('Accept-Encoding', 'br;q=0, gzip;q=0').expect(200);
    assert.equal(t.renders(), 1);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(none.headers['content-encoding'], undefined);
    for (const r of [gz, br, none]) assert.equal(r.text, plain.text);
    const notModified = await request(t.listener).get('/list').set('If-None-Match', String(plain.headers.etag)).expect(304);
    assert.equal(notModified.text, '');
    assert.equal(t.renders(), 1);
  });
});
