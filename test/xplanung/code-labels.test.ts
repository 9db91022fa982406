// The names of enumeration codes, read from the official XSDs of each version (no copy of them here).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { codeNames } from '../../src/xplanung/validate/code-labels.ts';

const schemaDir = join(projectRoot, 'schemas', 'vendor');
const BP_PLANART = ['1000', '10000', '10001', '10002', '3000', '3100', '4000', '40000', '40001', '40002', '5000', '7000', '9999'];

describe('xplanung/validate/code-labels: names of the codes an enumeration allows', () => {
  it('finds BP_PlanArt by its values, in 6.0 and 5.4, in any order', () => {
    for (const version of ['6.0', '5.4']) {
      const names = codeNames(schemaDir, version, [...BP_PLANART].reverse());
      assert.equal(names?.get('1000'), 'BPlan', version);
      assert.equal(names?.get('3000'), 'VorhabenbezogenerBPlan', version);
      assert.equal(names?.get('9999'), 'Sonstiges', version);
    }
  });

  it('a set of values that several types share with other names names nothing (1000, 2000, 3000: Bauweise, Zulaessigkeit …)', () => {
    assert.equal(codeNames(schemaDir, '6.0', ['1000', '2000', '3000']), undefined);
  });

  it('a set no enumeration has, and an unknown version, name nothing', () => {
    assert.equal(codeNames(schemaDir, '6.0', ['1000', '1234']), undefined);
    assert.equal(codeNames(schemaDir, '9.9', BP_PLANART), undefined);
  });
});
