import assert from 'node:assert/strict';
import { deriveStatus } from '../../src/core/status.ts';
import type { Phase } from '../../src/core/model.ts';
import { createTestGateway, type TestGateway } from '../helpers/gateway.ts';

const p = (kind: Phase['kind'], start: string, end: string | null = null): Phase => ({ kind, audience: 'oeffentlichkeit', durchgang: 1, start, end });

describe('core/status: portal status derived from phases (procedure-model §7.4)', () => {
  const today = '2026-06-15';
  const cases: [string, Phase[], string][] = [
    ['no phases yet', [], 'Ankündigung'],
    ['only an Aufstellungsbeschluss', [p('aufstellungsbeschluss', '2026-01-01')], 'Ankündigung'],
    ['participation ahead', [p('veroeffentlichung', '2026-07-01', '2026-07-31')], 'Ankündigung'],
    ['participation running', [p('veroeffentlichung', '2026-06-01', '2026-06-30')], 'Aktiv'],
    ['participation ends today', [p('veroeffentlichung', '2026-06-01', '2026-06-15')], 'Aktiv'],
    ['open-ended informal participation', [p('beteiligung', '2026-01-01', null)], 'Aktiv'],
    ['participation over', [p('fruehzeitige_beteiligung', '2026-01-01', '2026-01-31')], 'Beendet'],
    ['first pass over, second ahead', [p('veroeffentlichung', '2026-01-01', '2026-01-31'), { ...p('veroeffentlichung', '2026-09-01', '2026-09-30'), durchgang: 2 }], 'Ankündigung'],
    ['Satzungsbeschluss taken', [p('veroeffentlichung', '2026-01-01', '2026-01-31'), p('satzungsbeschluss', '2026-05-01')], 'Beschluss'],
    ['Satzungsbeschluss scheduled later', [p('veroeffentlichung', '2026-06-01', '2026-06-30'), p('satzungsbeschluss', '2026-12-01')], 'Aktiv'],
    ['procedure discontinued', [p('fruehzeitige_beteiligung', '2026-01-01', '2026-01-31'), p('eingestellt', '2026-03-01')], 'Beschluss'],
  ];
  for (const [name, phases, expected] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(deriveStatus(phases, today), expected));
  }

  describe('the SQL form used by list filters agrees with deriveStatus', () => {
    let gw: TestGateway;
    before(async () => {
      gw = await createTestGateway();
      await gw.tenant('alpha');
      for (const [name, phases] of cases) {
        await gw.store.procedures.create('alpha', { title: name, family: 'bauleitplanung', planKind: 'bebauungsplan', phases });
      }
    });
    after(() => gw.close());

    for (const status of ['Ankündigung', 'Aktiv', 'Beendet', 'Beschluss'] as const) {
      it(`status=${status}`, async () => {
        const page = await gw.store.procedures.list({ tenant: 'alpha', status, limit: 100, today });
        const expected = cases.filter(([, , s]) => s === status).map(([n]) => n).sort();
        assert.deepEqual(page.items.map((i) => i.title).sort(), expected);
        for (const item of page.items) assert.equal(item.status, status);
      });
    }
  });
});
