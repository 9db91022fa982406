// Reading coordinates: numbers() takes plain decimals on a fast path of its own; it must give exactly
// what Number() gives for every token of an XML list, fast path or not.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { numbers } from '../../../src/xplanung/geometry/gml.ts';

/** The reference: the list split at XML white space, each token read by Number(). */
const reference = (s: string) => s.split(/[ \t\r\n]+/).filter((t) => t !== '').map(Number);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('xplanung/geometry/gml: numbers of a gml:posList', () => {
  it('reads edge cases as Number() does: signs, -0, a lone point, exponents, hex, more than 15 digits', () => {
    const tokens = ['0', '-0', '-0.000', '+5', '.5', '5.', '.', '-', '+', '1e3', '1E-3', '0x10', 'NaN', 'Infinity', '-Infinity',
      '12345678901234567', '123456789012345', '1234567890.12345', '0.000000000000001', '00012.5000', '1.2.3', '1..2', '5a', '9007199254740993'];
    assert.ok(same(numbers(tokens.join(' ')), reference(tokens.join(' '))), JSON.stringify(numbers(tokens.join(' '))));
    assert.deepEqual(numbers('  \n\t566123.123 5934123.456\r\n 566124 5934124 '), [566123.123, 5934123.456, 566124, 5934124]);
    assert.deepEqual(numbers(''), []);
    assert.deepEqual(numbers(undefined), []);
  });

  it('gives Number()\'s double for random coordinates and random tokens, between any XML white space', () => {
    const digits = fc.stringMatching(/^[0-9]{1,18}$/);
    const decimalToken = fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.option(fc.stringMatching(/^[0-9]{0,12}$/), { nil: undefined }))
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    const anyToken = fc.stringMatching(/^[^ \t\r\n]{1,12}$/);
    const space = fc.stringMatching(/^[ \t\r\n]{1,3}$/);
    const list = fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: decimalToken }, { weight: 1, arbitrary: anyToken }), space), { maxLength: 40 })
      .map((parts) => parts.map(([t, s]) => t + s).join(''));
    fc.assert(fc.property(fc.tuple(space, list), ([lead, s]) => same(numbers(lead + s), reference(lead + s))), { numRuns: 3000 });
  });
});
