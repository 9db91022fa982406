// Golden files of the XPlanGML export (fixtures/golden/xplanung/), checked in and diffed; each
// golden file is itself validated against the official XSD. UPDATE_GOLDEN=1 rewrites them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Procedure, Tenant } from '../../src/core/model.ts';
import { projectRoot } from '../../src/core/paths.ts';
import { procedureToXPlanGml } from '../../src/xplanung/export.ts';
import { validateAgainstXsd } from '../../src/xplanung/validate/xsd.ts';

const GOLDEN = join(projectRoot, 'fixtures', 'golden', 'xplanung');
const tenant: Tenant = { id: 'leipzig', name: 'Stadt Leipzig', ags: ['14713000'] };

const CASES: Array<{ file: string; version: '6.0' | '5.4'; procedure: Procedure }> = [
  {
    file: 'bebauungsplan-two-passes-6.0.gml',
    version: '6.0',
    procedure: {
      id: '0b6a3f2e-8c1d-4e5f-9a7b-2c3d4e5f6a7b', tenant: 'leipzig', title: 'Bebauungsplan Nr. 451 „Stadtgärten Lindenau“', number: '451',
      description: 'Wohnen und Grün am Karl-Heine-Kanal', family: 'bauleitplanung', planKind: 'bebauungsplan', verfahrensart: 'innenentwicklung_13a',
      phases: [
        { kind: 'aufstellungsbeschluss', audience: 'intern', durchgang: 1, start: '2025-05-14', end: null },
        { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2025-09-01', end: '2025-10-02' },
        { kind: 'toeb_beteiligung', audience: 'toeb', durchgang: 1, start: '2025-09-01', end: '2025-10-02' },
        { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 2, start: '2026-02-02', end: '2026-03-04' },
        { kind: 'satzungsbeschluss', audience: 'intern', durchgang: 1, start: '2026-06-17', end: null },
      ],
      area: { type: 'Polygon', coordinates: [[[12.3301, 51.3301], [12.3352, 51.3301], [12.3352, 51.3333], [12.3301, 51.3333], [12.3301, 51.3301]]] },
      documents: [{ title: 'Begründung', url: 'https://leipzig.example/bplan451/begruendung.pdf', mimeType: 'application/pdf' }],
      externalIds: [], status: 'Beschluss', created: '2025-05-14T08:00:00.000Z', modified: '2026-06-17T08:00:00.000Z',
    } as Procedure,
  },
  {
    file: 'flaechennutzungsplan-5.4.gml',
    version: '5.4',
    procedure: {
      id: '7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b', tenant: 'leipzig', title: 'Flächennutzungsplan, 3. Änderung', family: 'bauleitplanung', planKind: 'flaechennutzungsplan',
      phases: [
        { kind: 'aufstellungsbeschluss', audience: 'intern', durchgang: 1, start: '2024-11-20', end: null },
        { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2025-04-07', end: '2025-05-09' },
        { kind: 'feststellungsbeschluss', audience: 'intern', durchgang: 1, start: '2025-09-24', end: null },
      ],
      area: { type: 'MultiPolygon', coordinates: [[[[12.36, 51.34], [12.37, 51.34], [12.37, 51.345], [12.36, 51.345], [12.36, 51.34]]], [[[12.38, 51.35], [12.385, 51.35], [12.385, 51.352], [12.38, 51.352], [12.38, 51.35]]]] },
      documents: [], externalIds: [], status: 'Beschluss', created: '2024-11-20T08:00:00.000Z', modified: '2025-09-24T08:00:00.000Z',
    } as Procedure,
  },
];

describe('xplanung/export: golden files', function () {
  this.timeout(60_000);
  for (const c of CASES) {
    it(`${c.file} matches the checked-in export and is valid against the XSD`, () => {
      const xml = procedureToXPlanGml(c.procedure, tenant, { version: c.version });
      const path = join(GOLDEN, c.file);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, xml);
      assert.equal(xml, readFileSync(path, 'utf8'));
      assert.deepEqual(validateAgainstXsd(Buffer.from(xml), c.version, join(projectRoot, 'schemas', 'vendor')).issues, []);
    });
  }

  it('a document keeps its XP_ExterneReferenzTyp where the version has it, 9999 otherwise; both valid', () => {
    const base = CASES[0]!.procedure;
    const documents = [
      { title: 'Begründung', url: 'https://leipzig.example/b.pdf', docType: '1010' },
      { title: 'Schutzgebietsverordnung', url: 'https://leipzig.example/s.pdf', docType: '6000' },
      { title: 'Stellungnahme', url: 'https://leipzig.example/st.pdf', docType: 'statement' },
    ];
    for (const [version, types] of [['6.0', ['1010', '6000', '9999']], ['5.4', ['1010', '9999', '9999']]] as const) {
      const xml = procedureToXPlanGml({ ...base, documents } as Procedure, tenant, { version });
      assert.deepEqual([...xml.matchAll(/<xplan:typ>(\d+)<\/xplan:typ>/g)].map((m) => m[1]), types, version);
      assert.deepEqual(validateAgainstXsd(Buffer.from(xml), version, join(projectRoot, 'schemas', 'vendor')).issues, [], version);
    }
  });
});
