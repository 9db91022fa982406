// The shared text rule: which characters XML cannot carry, how values are quoted in errors, bounded
// paging integers, and JSON depth counted before parsing.
import assert from 'node:assert/strict';
import { boundedInteger, hasUnrepresentable, jsonDepth, quoteForError, xmlSafe } from '../../src/core/text.ts';

describe('core/text', () => {
  it('finds C0 controls (not tab, LF, CR), U+FFFE/U+FFFF and lone surrogates', () => {
    for (const bad of ['\u0000', 'a\u0001b', '\u001f', '\uFFFE', '\uFFFF', '\uD800', 'x\uDC00']) assert.ok(hasUnrepresentable(bad), JSON.stringify(bad));
    for (const good of ['Straße', 'a\tb\nc\rd', '😀', '\u007f', '']) assert.ok(!hasUnrepresentable(good), JSON.stringify(good));
  });

  it('quotes a value for an error document without those characters, cut to a length', () => {
    assert.equal(quoteForError('a\u0001b'), 'a\uFFFDb');
    assert.equal(quoteForError('x'.repeat(300), 10), `${'x'.repeat(10)}…`);
    assert.equal(xmlSafe('ok'), 'ok');
    assert.equal(xmlSafe('\u0000\uFFFE'), '\uFFFD\uFFFD');
  });

  it('bounded integers: decimal digits in range only', () => {
    assert.equal(boundedInteger('12', 1, 100), 12);
    for (const bad of ['1e17', '1e20', '0x10', '1.5', '', 'abc', '101', '0', '99999999999999999999']) assert.equal(boundedInteger(bad, 1, 100), null, bad);
  });

  it('JSON depth is counted outside strings, and stops early', () => {
    assert.equal(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}')), 3);
    assert.equal(jsonDepth(Buffer.from('{"a":"[[[[\\"[["}')), 1);
    assert.equal(jsonDepth(Buffer.from('[]')), 1);
    assert.equal(jsonDepth(Buffer.from('['.repeat(1000)), 5), 6);
  });
});
