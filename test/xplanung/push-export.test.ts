// Push → procedure → export: the mapping of real plans, idempotent re-push, byte-for-byte source,
// XSD-valid export in 6.0 and 5.4, and the round trip push → export → validate → re-push.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { describeShared } from '../helpers/shared.ts';
import { real } from '../helpers/xplanung.ts';

describeShared('xplanung: push plans, map them to procedures, export them', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let key: string;
  let readKey: string;
  before(async () => {
    gw = await createTestGateway();
    key = await gw.tenant('hamburg', ['xplanung:push', 'procedures:write'], { ags: ['02000000'] });
    readKey = await gw.key('hamburg', []);
    await gw.tenant('dresden', ['xplanung:push'], { ags: ['14612000'] });
  });
  after(async () => { await gw.close(); });

  const push = (tenant: string, body: Buffer, type = 'application/zip', k = key) =>
    request(gw.app).post(`/xplanung/v1/tenants/${tenant}/plans`).set('Authorization', `Bearer ${k}`).set('Content-Type', type).send(body);
  const count = () => (gw.store.db.prepare('SELECT count(*) AS n FROM procedure').get() as { n: number }).n;

  let osdorfId: string;

  it('Osdorf48: 201, one procedure with kind, phases from every date, area in WGS84', async () => {
    const res = await push('hamburg', real('Osdorf48_Test_60.zip')).expect(201);
    assert.equal(res.body.report.valid, true);
    assert.equal(res.body.plans.length, 1);
    const [p] = res.body.plans;
    assert.equal(p.outcome, 'created');
    assert.equal(p.planId, 'GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2');
    osdorfId = p.procedureId;
    const proc = (await request(gw.app).get(`/api/v1/tenants/hamburg/procedures/${osdorfId}`).set('Authorization', `Bearer ${readKey}`).expect(200)).body;
    assert.equal(proc.title, 'Osdorf48_Testplan_60_SoapUI-XPlanDienste');
    assert.equal(proc.family, 'bauleitplanung');
    assert.equal(proc.planKind, 'bebauungsplan'); // planArt 10002
    assert.deepEqual(proc.phases.map((x: { kind: string; start: string; end: string | null }) => [x.kind, x.start, x.end]), [
      ['aufstellungsbeschluss', '2017-09-18', null],
      ['veroeffentlichung', '2019-03-07', '2019-04-08'],
      ['satzungsbeschluss', '2019-04-25', null],
      ['inkrafttreten', '2020-08-01', null],
    ]);
    assert.equal(proc.status, 'Beschluss');
    assert.deepEqual(proc.externalIds, [{ system: 'xplanung', id: 'GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2' }]);
    // the Bereich's georeferenced plan image (refScan Osdorf48.png in the archive) is the plan drawing
    assert.deepEqual(proc.documents, [{ title: 'Osdorf48', url: 'http://gateway.test/xplanung/v1/tenants/hamburg/plans/GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2/files/Osdorf48.png', mimeType: 'image/png', docType: 'planDrawing' }]);
    // Hamburg-Osdorf lies near 9.85° E, 53.56° N
    const [lon, lat] = proc.area.coordinates[0][0][0];
    assert.ok(lon > 9.8 && lon < 9.9 && lat > 53.5 && lat < 53.6, `${lon} ${lat}`);
  });

  it('the same document again is 200 unchanged; nothing is duplicated', async () => {
    const before = count();
    const res = await push('hamburg', real('Osdorf48_Test_60.zip')).expect(200);
    assert.equal(res.body.plans[0].outcome, 'unchanged');
    assert.equal(res.body.plans[0].procedureId, osdorfId);
    assert.equal(count(), before);
  });

  it('the source comes back byte for byte', async () => {
    const res = await request(gw.app).get('/xplanung/v1/tenants/hamburg/plans/GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2/source').buffer(true)
      .parse((r, cb) => { const c: Buffer[] = []; r.on('data', (d: Buffer) => c.push(d)); r.on('end', () => cb(null, Buffer.concat(c))); }).expect(200);
    assert.ok(Buffer.compare(res.body as Buffer, real('Osdorf48_Test_60.zip')) === 0);
    assert.match(String(res.headers['content-type']), /application\/zip/);
    await request(gw.app).get('/xplanung/v1/tenants/hamburg/plans/nope/source').expect(404);
  });

  it('an invalid plan is 422 with the report, and the store is unchanged', async () => {
    const before = count();
    const plans = (gw.store.db.prepare('SELECT count(*) AS n FROM xplan_plan').get() as { n: number }).n;
    const res = await push('hamburg', real('BP_6.0_syntaxErrors.gml'), 'application/gml+xml').expect(422);
    assert.equal(res.body.valid, false);
    assert.equal(res.body.findings[0].rule, 'xsd');
    assert.equal(count(), before);
    assert.equal((gw.store.db.prepare('SELECT count(*) AS n FROM xplan_plan').get() as { n: number }).n, plans);
  });

  it('a plan of another municipality is refused for this tenant (AGS check)', async () => {
    const dresdenKey = await gw.key('dresden', ['xplanung:push']);
    const res = await push('dresden', real('Osdorf48_Test_60.zip'), 'application/zip', dresdenKey).expect(422);
    assert.ok(res.body.findings.some((f: { rule: string }) => f.rule === 'mandant-ags'));
  });

  it('exports the procedure as XPlanGML 6.0 and 5.4, each valid against the official XSD', async () => {
    for (const version of ['6.0', '5.4']) {
      const gml = await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${osdorfId}.gml?version=${version}`).buffer(true).expect(200);
      assert.match(String(gml.headers['content-type']), /application\/gml\+xml/);
      const check = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(Buffer.from(gml.text)).expect(200);
      assert.equal(check.body.version, version);
      assert.equal(check.body.valid, true, JSON.stringify(check.body.findings.slice(0, 3)));
      assert.deepEqual(check.body.plans.map((p: { gmlId: string }) => p.gmlId), ['GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2']);
    }
    await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${osdorfId}.gml?version=4.1`).expect(400);
  });

  it('round trip: push → export → re-push gives the same procedure', async () => {
    const before = (await request(gw.app).get(`/api/v1/tenants/hamburg/procedures/${osdorfId}`).set('Authorization', `Bearer ${readKey}`).expect(200)).body;
    const gml = (await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${osdorfId}.gml`).buffer(true).expect(200)).text;
    const res = await push('hamburg', Buffer.from(gml), 'application/gml+xml').expect(200);
    assert.equal(res.body.plans[0].outcome, 'updated');
    assert.equal(res.body.plans[0].procedureId, osdorfId);
    const after = (await request(gw.app).get(`/api/v1/tenants/hamburg/procedures/${osdorfId}`).set('Authorization', `Bearer ${readKey}`).expect(200)).body;
    for (const field of ['title', 'family', 'planKind', 'number', 'phases', 'externalIds', 'status', 'documents']) assert.deepEqual(after[field], before[field], field);
    assert.equal(before.documents.length, 1, 'the plan drawing went out as the Bereich\'s refScan and came back');
    assert.match(gml, /<xplan:refScan>\s*<xplan:XP_ExterneReferenz>\s*<xplan:referenzName>Osdorf48<\/xplan:referenzName>/);
    const a = before.area.coordinates.flat(3) as number[];
    const b = after.area.coordinates.flat(3) as number[];
    assert.equal(a.length, b.length);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `coordinate ${i}: ${v} vs ${b[i]}`));
  });

  it('a procedure created in the portal exports, and its export pushed back updates it', async () => {
    const created = await request(gw.app).post('/api/v1/tenants/hamburg/procedures').set('Authorization', `Bearer ${key}`).send({
      title: 'Bebauungsplan Elbufer 12', family: 'bauleitplanung', planKind: 'vorhabenbezogener_bplan', number: 'E12',
      phases: [
        { kind: 'aufstellungsbeschluss', audience: 'intern', start: '2026-01-15' },
        { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2026-03-01', end: '2026-03-31' },
        { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 2, start: '2026-06-01', end: '2026-06-30' },
        { kind: 'toeb_beteiligung', audience: 'toeb', durchgang: 1, start: '2026-03-01', end: '2026-04-15' },
      ],
      area: { type: 'Polygon', coordinates: [[[9.95, 53.54], [9.96, 53.54], [9.96, 53.545], [9.95, 53.545], [9.95, 53.54]]] },
    }).expect(201);
    const id = created.body.id as string;
    const gml = (await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${id}.gml`).buffer(true).expect(200)).text;
    const check = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', 'application/gml+xml').send(Buffer.from(gml)).expect(200);
    assert.equal(check.body.valid, true, JSON.stringify(check.body.findings.slice(0, 3)));
    const res = await push('hamburg', Buffer.from(gml), 'application/gml+xml').expect(200);
    assert.equal(res.body.plans[0].procedureId, id);
    const after = (await request(gw.app).get(`/api/v1/tenants/hamburg/procedures/${id}`).set('Authorization', `Bearer ${readKey}`).expect(200)).body;
    assert.equal(after.planKind, 'vorhabenbezogener_bplan');
    assert.deepEqual(after.phases.map((p: { kind: string; durchgang: number; start: string; end: string | null }) => [p.kind, p.durchgang, p.start, p.end]), [
      ['aufstellungsbeschluss', 1, '2026-01-15', null],
      ['toeb_beteiligung', 1, '2026-03-01', '2026-04-15'],
      ['veroeffentlichung', 1, '2026-03-01', '2026-03-31'],
      ['veroeffentlichung', 2, '2026-06-01', '2026-06-30'],
    ]);
  });

  it('procedures without an XPlanung equivalent are 422; unknown ones 404', async () => {
    const created = await request(gw.app).post('/api/v1/tenants/hamburg/procedures').set('Authorization', `Bearer ${key}`)
      .send({ title: 'Bürgerdialog Parkgestaltung', family: 'informell', planKind: 'dialog' }).expect(201);
    const res = await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${created.body.id}.gml`).expect(422);
    assert.match(res.body.detail, /keine Entsprechung in XPlanung/);
    await request(gw.app).get('/xplanung/v1/tenants/hamburg/procedures/00000000-0000-4000-8000-000000000000.gml').expect(404);
  });

  it('lists the plans of a tenant', async () => {
    const res = await request(gw.app).get('/xplanung/v1/tenants/hamburg/plans').expect(200);
    assert.ok(res.body.plans.some((p: { planId: string; procedureId: string }) => p.planId === 'GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2' && p.procedureId === osdorfId));
  });
});


describe('xplanung: a document with several plans', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let key: string;
  before(async () => {
    gw = await createTestGateway();
    key = await gw.tenant('leipzig', ['xplanung:push', 'procedures:write'], { ags: ['14713000'] });
  });
  after(async () => { await gw.close(); });

  it('gives one procedure per plan, and a re-push updates them without duplicates', async () => {
    const { create } = await import('xmlbuilder2');
    const mk = async (title: string, planKind: string) => (await request(gw.app).post('/api/v1/tenants/leipzig/procedures').set('Authorization', `Bearer ${key}`).send({
      title, family: 'bauleitplanung', planKind, phases: [{ kind: 'aufstellungsbeschluss', audience: 'intern', start: '2026-02-01' }],
      area: { type: 'Polygon', coordinates: [[[12.36, 51.34], [12.37, 51.34], [12.37, 51.345], [12.36, 51.345], [12.36, 51.34]]] },
    }).expect(201)).body.id as string;
    const a = await mk('Bebauungsplan A', 'bebauungsplan');
    const b = await mk('Flächennutzungsplan B', 'flaechennutzungsplan');
    const gmlOf = async (id: string) => (await request(gw.app).get(`/xplanung/v1/tenants/leipzig/procedures/${id}.gml`).expect(200)).text;
    // one document holding both plans: the feature members of B's export appended to A's (DOM, not text)
    const docA = create(await gmlOf(a));
    const docB = create(await gmlOf(b));
    const rootA = docA.root();
    docB.root().each((child) => { if (child.node.nodeName === 'gml:featureMember') rootA.import(child); }, false, false);
    const both = docA.end();
    await request(gw.app).delete(`/api/v1/tenants/leipzig/procedures/${a}`).set('Authorization', `Bearer ${key}`).expect(204);
    await request(gw.app).delete(`/api/v1/tenants/leipzig/procedures/${b}`).set('Authorization', `Bearer ${key}`).expect(204);
    const first = await request(gw.app).post('/xplanung/v1/tenants/leipzig/plans').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/gml+xml').send(Buffer.from(both)).expect(201);
    assert.equal(first.body.report.valid, true, JSON.stringify(first.body.report.findings));
    assert.deepEqual(first.body.plans.map((p: { outcome: string }) => p.outcome), ['created', 'created']);
    const ids = first.body.plans.map((p: { procedureId: string }) => p.procedureId);
    assert.notEqual(ids[0], ids[1]);
    const again = await request(gw.app).post('/xplanung/v1/tenants/leipzig/plans').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/gml+xml').send(Buffer.from(both)).expect(200);
    assert.deepEqual(again.body.plans.map((p: { outcome: string; procedureId: string }) => [p.outcome, p.procedureId]), [['unchanged', ids[0]], ['unchanged', ids[1]]]);
    const list = (await request(gw.app).get('/api/v1/tenants/leipzig/procedures').set('Authorization', `Bearer ${key}`).expect(200)).body;
    assert.deepEqual(list.items.map((p: { title: string }) => p.title).sort(), ['Bebauungsplan A', 'Flächennutzungsplan B']);
  });
});

describe('xplanung: a push key may not take over procedures kept through the portal API', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let both: string; // xplanung:push and procedures:write
  let pushOnly: string;
  before(async () => {
    gw = await createTestGateway();
    both = await gw.tenant('hamburg', ['xplanung:push', 'procedures:write'], { ags: ['02000000'] });
    pushOnly = await gw.key('hamburg', ['xplanung:push']);
  });
  after(async () => { await gw.close(); });

  const OSDORF = 'GML_fe4856a1-1a37-4eec-bae5-1685f1a2feb2';
  const push = (tenant: string, body: Buffer, type: string, k: string) =>
    request(gw.app).post(`/xplanung/v1/tenants/${tenant}/plans`).set('Authorization', `Bearer ${k}`).set('Content-Type', type).send(body);
  const row = (id: string) => gw.store.db.prepare('SELECT * FROM procedure WHERE id = ?').get(id);
  const counts = () => gw.store.db.prepare('SELECT (SELECT count(*) FROM procedure) AS procedures, (SELECT count(*) FROM xplan_plan) AS plans, (SELECT count(*) FROM xplan_document) AS documents, (SELECT count(*) FROM external_id) AS externalIds').get();
  const portalProcedure = async (tenant: string, extra: Record<string, unknown> = {}) => (await request(gw.app).post(`/api/v1/tenants/${tenant}/procedures`).set('Authorization', `Bearer ${both}`).send({
    title: 'Bebauungsplan Elbchaussee 3', family: 'bauleitplanung', planKind: 'bebauungsplan', number: 'EC3',
    phases: [{ kind: 'aufstellungsbeschluss', audience: 'intern', start: '2026-01-15' }],
    area: { type: 'Polygon', coordinates: [[[9.85, 53.55], [9.86, 53.55], [9.86, 53.555], [9.85, 53.555], [9.85, 53.55]]] },
    ...extra,
  }).expect(201)).body.id as string;
  const refused = (res: request.Response, procedureId: string) => {
    assert.equal(res.status, 403, res.text.slice(0, 300));
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.ok(String(res.body.detail).includes(procedureId), res.body.detail);
    assert.match(res.body.detail, /procedures:write/);
    assert.equal(res.body.procedureId, procedureId);
    assert.equal(res.body.missingScope, 'procedures:write');
  };

  it('a plan with gml:id GML_<id of a portal procedure>, pushed with only xplanung:push: 403, the procedure and the store unchanged', async () => {
    const id = await portalProcedure('hamburg');
    const gml = (await request(gw.app).get(`/xplanung/v1/tenants/hamburg/procedures/${id}.gml`).buffer(true).expect(200)).text;
    assert.ok(gml.includes(`gml:id="GML_${id}"`));
    const before = row(id);
    const stored = counts();
    refused(await push('hamburg', Buffer.from(gml), 'application/gml+xml', pushOnly), id);
    assert.deepEqual(row(id), before);
    assert.deepEqual(counts(), stored);
    // with procedures:write as well, the export comes back as before (round trip)
    const res = await push('hamburg', Buffer.from(gml), 'application/gml+xml', both).expect(200);
    assert.deepEqual(res.body.plans.map((p: { outcome: string; procedureId: string }) => [p.outcome, p.procedureId]), [['updated', id]]);
  });

  it('a plan whose gml:id is the xplanung external id of a portal procedure, pushed with only xplanung:push: 403, unchanged; with procedures:write it is linked', async () => {
    const id = await portalProcedure('hamburg', { externalIds: [{ system: 'xplanung', id: OSDORF }] });
    const before = row(id);
    const stored = counts();
    refused(await push('hamburg', real('Osdorf48_Test_60.zip'), 'application/zip', pushOnly), id);
    assert.deepEqual(row(id), before);
    assert.deepEqual(counts(), stored);
    const res = await push('hamburg', real('Osdorf48_Test_60.zip'), 'application/zip', both).expect(200);
    assert.deepEqual(res.body.plans.map((p: { planId: string; outcome: string; procedureId: string }) => [p.planId, p.outcome, p.procedureId]), [[OSDORF, 'updated', id]]);
    assert.equal((await request(gw.app).get(`/api/v1/tenants/hamburg/procedures/${id}`).set('Authorization', `Bearer ${both}`).expect(200)).body.title, 'Osdorf48_Testplan_60_SoapUI-XPlanDienste');
  });

  it('a procedure a push created is updated by a push key: re-push, and its export pushed back', async () => {
    const key = await gw.tenant('altona', ['xplanung:push'], { ags: ['02000000'] });
    const first = await push('altona', real('Osdorf48_Test_60.zip'), 'application/zip', key).expect(201);
    const id = first.body.plans[0].procedureId as string;
    await push('altona', real('Osdorf48_Test_60.zip'), 'application/zip', key).expect(200);
    // other content, same plan: its procedure is updated
    const gml = (await request(gw.app).get(`/xplanung/v1/tenants/altona/procedures/${id}.gml`).buffer(true).expect(200)).text;
    const res = await push('altona', Buffer.from(gml), 'application/gml+xml', key).expect(200);
    assert.deepEqual(res.body.plans.map((p: { planId: string; outcome: string; procedureId: string }) => [p.planId, p.outcome, p.procedureId]), [[OSDORF, 'updated', id]]);
    // a plan naming that procedure by the id minted on export (GML_<id>) may update it too: it is a plan's already
    const minted = gml.replaceAll(OSDORF, `GML_${id}`);
    const again = await push('altona', Buffer.from(minted), 'application/gml+xml', key).expect(200);
    assert.deepEqual(again.body.plans.map((p: { outcome: string; procedureId: string }) => [p.outcome, p.procedureId]), [['updated', id]]);
  });
});
