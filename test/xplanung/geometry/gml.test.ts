// Reading coordinates: numbers() takes plain decimals on a fast path of its own; it must give exactly
// what Number() gives for every token of an XML list, fast path or not.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newCoordinate, type Coordinate } from '../../../src/core/geo/jts.ts';
import { ARC_CHORD_ERROR, ARC_MAX_CHORDS, numbers, strokeArc } from '../../../src/xplanung/geometry/gml.ts';

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

describe('xplanung/geometry/gml: arcs stroked into chords (strokeArc)', () => {
  // a quarter circle of radius 100 m around a centre at Hamburg's UTM coordinates (EPSG:25832)
  const U = { x: 553000.123, y: 5934900.456 }, R = 100;
  const on = (deg: number) => newCoordinate(U.x + R * Math.cos((deg * Math.PI) / 180), U.y + R * Math.sin((deg * Math.PI) / 180));
  const chordError = (pts: Coordinate[]) => Math.max(...pts.slice(1).map((p, i) => R - Math.hypot((p.x + pts[i]!.x) / 2 - U.x, (p.y + pts[i]!.y) / 2 - U.y)));
  const offCircle = (pts: Coordinate[]) => Math.max(...pts.map((p) => Math.abs(Math.hypot(p.x - U.x, p.y - U.y) - R)));

  it('on a 100 m radius far from the origin: every point on the circle (< 0.01 mm), chord error at most 0.5 mm, a bounded number of points', () => {
    const pts = strokeArc(on(10), on(55), on(100));
    assert.ok(offCircle(pts) < 1e-5, `${offCircle(pts)} m off the circle`);
    assert.ok(chordError(pts) <= ARC_CHORD_ERROR && ARC_CHORD_ERROR <= 0.0005, `chord error ${chordError(pts)} m`);
    assert.ok(pts.length <= ARC_MAX_CHORDS + 1, `${pts.length} points`);
    // a huge arc is still bounded
    assert.ok(strokeArc(newCoordinate(0, 0), newCoordinate(1e6, 1e6), newCoordinate(2e6, 0)).length <= ARC_MAX_CHORDS + 1);
  });

  it('the same arc written the other way round gives the same points (neighbours sharing an arc leave no sliver)', () => {
    // Blankenese29.gml: an arc of an ArcString of the Geltungsbereich and of a Baugebietsteilfläche
    const p = [newCoordinate(553006.401, 5934980.819), newCoordinate(553007.206699469, 5934981.38877603), newCoordinate(553007.983, 5934981.998)] as const;
    const forward = strokeArc(p[0], p[1], p[2]);
    const backward = strokeArc(p[2], p[1], p[0]).reverse();
    assert.equal(forward.length, backward.length);
    const apart = Math.max(...forward.map((c, i) => Math.hypot(c.x - backward[i]!.x, c.y - backward[i]!.y)));
    assert.ok(apart < 1e-6, `${apart} m apart`);
  });

  it('three points on a line: a straight segment', () => {
    assert.equal(strokeArc(newCoordinate(553000, 5934900), newCoordinate(553001, 5934901), newCoordinate(553002, 5934902)).length, 3);
  });
});
