// GET /xplanung/v1/rules: the rules findings can name (src/xplanung/rules.ts), each with its stage
// and a German title, and every rule the real plans produce is among them.
import assert from 'node:assert/strict';
import request from 'supertest';
import { validatorFor } from '../../src/core/json-schema.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { listShared } from '../helpers/shared.ts';
import { contentTypeOf, real } from '../helpers/xplanung.ts';

interface Rule { rule: string; stage: string; title: string; versions?: string[]; notCheckedIn?: string[]; titles?: Record<string, string> }

describe('xplanung/rules: the list of rules the validation checks', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let rules: Rule[];
  before(async () => {
    gw = await createTestGateway();
    rules = (await request(gw.app).get('/xplanung/v1/rules').expect(200).expect('Content-Type', /json/)).body as Rule[];
  });
  after(async () => { await gw.close(); });

  it('is public, valid against its schema, one entry per rule id, each stage in order', () => {
    const valid = validatorFor<Rule>('xplanung-rule.schema.json');
    for (const r of rules) assert.ok(valid(r), `${JSON.stringify(r)}: ${JSON.stringify(valid.errors)}`);
    assert.equal(new Set(rules.map((r) => r.rule)).size, rules.length);
    const order = ['safety', 'syntax', 'semantic', 'geometry'];
    assert.deepEqual([...new Set(rules.map((r) => r.stage))], order);
    for (let i = 1; i < rules.length; i++) assert.ok(order.indexOf(rules[i - 1]!.stage) <= order.indexOf(rules[i]!.stage), rules[i]!.rule);
    const byId = new Map(rules.map((r) => [r.rule, r]));
    assert.deepEqual(byId.get('2.2.1.1'), { rule: '2.2.1.1', stage: 'geometry', title: 'Flächenschlussbedingung: keine Überlappungen (Fehler), keine Lücken (bis XPlanGML 5.4 Warnung, ab 6.0 Fehler), Toleranz 0,002 m' });
    assert.equal(byId.get('version')?.title, 'Eine unterstützte XPlanGML-Version (4.1, 5.0, 5.1, 5.2, 5.3, 5.4, 6.0)');
    assert.equal(byId.get('safety.doctype')?.stage, 'safety');
  });

  it('lists every Konformitätsregel with the versions it exists in, where it is not checked, and its titles where they differ', () => {
    const byId = new Map(rules.map((r) => [r.rule, r]));
    // the official number of 6.0, not the XSD order (6.1.3.4 was wirdAusgeglichenDurchBPFlaeche before)
    assert.deepEqual(byId.get('6.1.3.4'), { rule: '6.1.3.4', stage: 'semantic', title: 'SO_Objekt: Verwendung von wirdAusgeglichenDurchBPMassnahme nur in Bebauungsplänen', versions: ['6.0'] });
    assert.deepEqual(byId.get('4.1.1.1')?.versions, ['4.1', '5.0', '5.1', '5.2', '5.3', '5.4', '6.0']);
    assert.equal(byId.get('4.1.1.1')?.titles?.['4.1'], 'Einschränkung der Relation bereich');
    assert.deepEqual(byId.get('2.1.4')?.notCheckedIn, ['6.0']);
    assert.deepEqual(byId.get('4.3.1')?.versions, ['4.1', '5.0', '5.1', '5.2', '5.3', '5.4'], 'an id 6.0 no longer has');
    // every id of every version's table, once
    assert.ok(rules.filter((r) => r.versions?.includes('6.0') && r.stage === 'semantic').length >= 190);
  });

  it('names every rule the real plans give, under the stage the finding has', async () => {
    const byId = new Map(rules.map((r) => [r.rule, r]));
    const seen = new Set<string>();
    for (const file of listShared('fixtures', 'xplanung-real').filter((f) => /\.(gml|zip)$/.test(f))) {
      const res = await request(gw.app).post('/xplanung/v1/validate').set('Content-Type', contentTypeOf(file)).send(real(file));
      for (const f of (res.body.findings ?? res.body.report?.findings) as Array<{ rule: string; stage: string }>) {
        assert.equal(byId.get(f.rule)?.stage, f.stage, `${file}: rule ${f.rule} (${f.stage})`);
        seen.add(f.rule);
      }
    }
    // the real plans reach every stage's rules, not only a few ('version' no longer: bplan_valid_41, the one
    // plan of an unsupported version, is 4.1 and read since 2026-12-07; inputs.test.ts gives that rule)
    for (const r of ['xsd', '6.1.3.4', 'bereich-nummer', '2.2.2.1', '2.2.3.1', '2.2.1.1']) assert.ok(seen.has(r), r);
  });
});
