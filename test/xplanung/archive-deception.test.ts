// An XPlanArchive counts only when every extractor sees the same, validated content: a second xplan.gml,
// local headers that disagree with the directory, a second (Unicode) name, symlinks, encryption, sizes
// that lie, overlapping entries, hidden data and nested bombs are refused with their own finding, by
// validation and by push, and nothing is stored. The archives are written at run time (helpers/hostile.ts).
import assert from 'node:assert/strict';
import request from 'supertest';
import { readXPlanArchive } from '../../src/xplanung/validate/archive.ts';
import { RULES } from '../../src/xplanung/rules.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { deceptiveArchives, rawZip, storeDigest } from '../helpers/hostile.ts';
import { describeShared, sharedPresent } from '../helpers/shared.ts';
import { real, zip } from '../helpers/xplanung.ts';

// a valid plan of Hamburg (BPlan004), so that only the archive around it can be the reason for a refusal
// (only with ../shared beside the checkout: test/helpers/shared.ts)
const original = sharedPresent ? await readXPlanArchive(real('BPlan004_6-0.zip')) : undefined;
if (original && !original.ok) throw new Error('the real archive BPlan004_6-0.zip must pass');
const plan = original?.ok ? original.content.gml : Buffer.alloc(0);
const attacks = sharedPresent ? await deceptiveArchives(plan) : [];
/** Refusals of the size limits are 413 problem+json carrying the report; all others a report (validate 200, push 422). */
const TOO_LARGE = new Set(['safety.archive-ratio', 'safety.archive-size', 'safety.archive-entries']);

describeShared('xplanung/archive: accepted only when every extractor sees the same, validated content', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let key: string;
  before(async () => {
    gw = await createTestGateway();
    key = await gw.tenant('hamburg', ['xplanung:push'], { ags: ['02000000'] });
  });
  after(async () => { await gw.close(); });

  const validate = (body: Buffer) => request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/zip').send(body);
  const push = (body: Buffer) => request(gw.app).post('/xplanung/v1/tenants/hamburg/plans').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/zip').send(body);

  it('every new finding is a listed rule with a German title', async () => {
    const listed = (await request(gw.app).get('/xplanung/v1/rules').expect(200)).body as Array<{ rule: string; stage: string; title: string }>;
    for (const rule of new Set(attacks.map((a) => a.rule))) {
      const r = listed.find((x) => x.rule === rule);
      assert.ok(r, `${rule} listed`);
      assert.equal(r.stage, 'safety');
      assert.equal(r.title, RULES[rule as keyof typeof RULES].title);
    }
  });

  it('the same plan in an archive written by the same writer, with a nested archive and a UTF-8 name, is valid', async () => {
    const inner = await zip([['Begründung.txt', 'Begründung']]);
    const body = rawZip([{ name: 'xplan.gml', data: plan }, { name: 'Anlagen/Begründung.txt', data: 'Begründung zum Plan' }, { name: 'anlagen.zip', data: inner, method: 0 }]);
    const res = await validate(body).expect(200);
    assert.equal(res.body.valid, true, JSON.stringify(res.body.findings));
    const real4 = await validate(real('BPlan004_6-0.zip')).expect(200);
    assert.equal(real4.body.valid, true, JSON.stringify(real4.body.findings));
  });

  for (const { label, rule } of attacks) {
    it(`${label}: refused with ${rule} by validate and by push, nothing stored`, async () => {
      const { body } = attacks.find((a) => a.label === label)!;
      const large = TOO_LARGE.has(rule);
      const checked = await validate(body);
      assert.equal(checked.status, large ? 413 : 200, checked.text.slice(0, 300));
      const report = large ? checked.body.report : checked.body;
      assert.equal(report.valid, false);
      assert.equal(report.findings.length, 1);
      assert.equal(report.findings[0].rule, rule);
      assert.equal(report.findings[0].stage, 'safety');
      assert.match(report.findings[0].message, /Archiv/);
      assert.deepEqual(report.skipped.map((s: { stage: string }) => s.stage), ['syntax', 'semantic', 'geometry']);

      const before = storeDigest(gw.store.db);
      const pushed = await push(body);
      assert.equal(pushed.status, large ? 413 : 422, pushed.text.slice(0, 300));
      assert.equal((large ? pushed.body.report : pushed.body).findings[0].rule, rule);
      assert.equal(storeDigest(gw.store.db), before, 'nothing stored');
    });
  }

  it('the real archive is still accepted by push (after all refusals)', async () => {
    const res = await push(real('BPlan004_6-0.zip'));
    assert.equal(res.status, 201, res.text.slice(0, 300));
  });
});
