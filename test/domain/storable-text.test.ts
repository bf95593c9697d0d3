// Text the database cannot store (U+0000, unpaired surrogates), cleaned where input is parsed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  cleanUnstorable,
  MAX_DEPTH,
  nestedDeeperThan,
  storableText,
  TooDeeplyNested,
} from '../../src/domain/storable-text.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character under test.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('storable text', () => {
  test('U+0000 is removed, an unpaired surrogate becomes U+FFFD, pairs and everything else stay', () => {
    assert.equal(storableText('a\u0000b\u0000'), 'ab');
    assert.equal(storableText('x\ud800y'), 'x\ufffdy');
    assert.equal(storableText('\udc00'), '\ufffd');
    assert.equal(
      storableText('\udbff\udbff\udfff'),
      '\ufffd\udbff\udfff',
      'the first high half has no low half after it',
    );
    assert.equal(storableText('😀 ok \u0001\t\n'), '😀 ok \u0001\t\n', 'other controls and real pairs are storable');
    const same = 'nothing to clean';
    assert.equal(storableText(same), same);
  });

  test('any string comes out storable: no U+0000, no unpaired surrogate, and JSON that PostgreSQL accepts', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', '\ude00', '😀'),
            fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
          ),
        }),
        (s) => {
          const out = storableText(s);
          assert.doesNotMatch(out, unstorable);
          assert.doesNotMatch(JSON.stringify(out), /\\u0000|\\ud[89ab]|\\ud[c-f]/i);
          assert.equal(storableText(out), out, 'cleaning twice changes nothing more');
          if (!unstorable.test(s)) assert.equal(out, s, 'clean text is left alone');
        },
      ),
    );
  });

  test('every string and key in a parsed payload is cleaned, the input untouched, paths reported without content', () => {
    const input = JSON.parse(
      '{"a":"x\\u0000","b":[1,"ok",{"c\\u0000d":"\\ud800"}],"__proto__":"kept","n":null,"t":true}',
    );
    const { value, paths } = cleanUnstorable(input);
    assert.deepEqual(value, JSON.parse('{"a":"x","b":[1,"ok",{"cd":"\\ufffd"}],"__proto__":"kept","n":null,"t":true}'));
    assert.ok(Object.hasOwn(value, '__proto__'), '__proto__ stays a plain key');
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(paths.sort(), ['a', 'b[2].cd', 'b[2].cd (key)'].sort());
    assert.equal(input.a, 'x\u0000', 'the input is not changed');
    const clean = { a: ['b', { c: 'd' }] };
    assert.equal(cleanUnstorable(clean).value, clean, 'nothing to clean: the same object');
  });

  test('nesting beyond the limit is refused, not walked', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_DEPTH + 1; i++) deep = [deep];
    assert.throws(() => cleanUnstorable(deep), TooDeeplyNested);
    assert.equal(nestedDeeperThan(deep), true);
    assert.equal(
      nestedDeeperThan(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
      true,
      'without recursion',
    );
    let shallow: unknown = 'x';
    for (let i = 0; i < MAX_DEPTH - 1; i++) shallow = { k: shallow };
    assert.equal(nestedDeeperThan(shallow), false);
    assert.doesNotThrow(() => cleanUnstorable(shallow));
  });
});
