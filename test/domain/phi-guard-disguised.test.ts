// The PHI guard against identifiers written to slip past a pattern: other scripts' digits, fullwidth
// and mathematical forms, invisible characters, any separators between digit groups, `[at]` for `@`.
// Deterministic cases for what a probe tried, then generated ones (fast-check) for the mechanism.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CHANNEL_NAME_MAX, incidentChannelName } from '../../src/domain/channel-name.ts';
import { findPhi, PHI_LABELS, redactPhi, type PhiKind } from '../../src/domain/phi-guard.ts';

const NHS = '9434765919';

/** The [kind, text] pairs found in `text`, in order. */
function found(text: string): [PhiKind, string][] {
  return findPhi(text).map((f) => [f.kind, f.text]);
}

function findsOnly(text: string, kind: PhiKind, expected: string) {
  assert.deepEqual(found(text), [[kind, expected]], JSON.stringify(text));
}

function findsNothing(text: string) {
  assert.deepEqual(found(text), [], JSON.stringify(text));
}

/** Every digit set Unicode has, by CLDR numbering system (an oracle independent of the guard). */
const DIGIT_SETS: readonly { name: string; digits: readonly string[] }[] = Intl.supportedValuesOf(
  'numberingSystem',
).flatMap((name) => {
  const format = new Intl.NumberFormat('en', { numberingSystem: name, useGrouping: false });
  const digits = Array.from({ length: 10 }, (_, d) => format.format(d));
  return digits.every((d) => [...d].length === 1 && /^\p{Nd}$/u.test(d)) ? [{ name, digits }] : [];
});

const inScript = (text: string, set: readonly string[]) =>
  [...text].map((c) => (/\d/.test(c) ? set[Number(c)] : c)).join('');

describe('NHS numbers in disguise', () => {
  test('`.`, `/`, `_` and runs of separators between the 3-3-4 groups', () => {
    for (const sep of [
      '.',
      '/',
      '_',
      ' / ',
      ' - ',
      '--',
      '. ',
      ' _ ',
      '\u00a0',
      '\u3000',
      '–',
      '—',
      '·',
      '|',
      '*',
      '\t',
      ' ~ ',
      '⠀',
    ]) {
      const written = `943${sep}476${sep}5919`;
      findsOnly(`Patient ${written} seen`, 'nhs-number', written);
    }
  });

  test('invisible characters between the groups and inside them', () => {
    const invisibles = [
      '\u200b',
      '\u00ad',
      '\u2060',
      '\ufeff',
      '\u200c',
      '\u200d',
      '\u180e',
      '\u2061',
      '\u2062',
      '\u2063',
      '\u2064',
      '\ufe0f',
      '\ufe00',
      '\u{e0020}',
      '\u{e0041}',
      '\u034f',
      '\u061c',
      '\u200e',
      '\u202e',
      '\u2066',
      '\u3164',
      '\u0007',
    ];
    for (const inv of invisibles) {
      findsOnly(`Patient 943${inv}476${inv}5919 seen`, 'nhs-number', `943${inv}476${inv}5919`);
      findsOnly(
        `Patient 94${inv}3 4${inv}76 59${inv}${inv}19 seen`,
        'nhs-number',
        `94${inv}3 4${inv}76 59${inv}${inv}19`,
      );
    }
  });

  test('an invisible character does not glue the number to the word before or after it', () => {
    findsOnly('Patient\u200b9434765919', 'nhs-number', NHS);
    findsOnly('NHS\u2060943\u200b476\u200b5919\u200bwas', 'nhs-number', '943\u200b476\u200b5919');
  });

  test('fullwidth, Arabic-Indic, Devanagari, Bengali, Thai and mathematical digits, and mixed', () => {
    findsOnly('Patient ９４３４７６５９１９ seen', 'nhs-number', '９４３４７６５９１９');
    findsOnly('Patient ٩٤٣ ٤٧٦ ٥٩١٩ seen', 'nhs-number', '٩٤٣ ٤٧٦ ٥٩١٩');
    findsOnly('Patient ۹۴۳-۴۷۶-۵۹۱۹ seen', 'nhs-number', '۹۴۳-۴۷۶-۵۹۱۹');
    findsOnly('Patient ९४३४७६५९१९ seen', 'nhs-number', '९४३४७६५९१९');
    findsOnly('Patient ৯৪৩৪৭৬৫৯১৯ seen', 'nhs-number', '৯৪৩৪৭৬৫৯১৯');
    findsOnly('Patient ๙๔๓๔๗๖๕๙๑๙ seen', 'nhs-number', '๙๔๓๔๗๖๕๙๑๙');
    findsOnly('Patient 𝟗𝟒𝟑𝟒𝟕𝟔𝟓𝟗𝟏𝟗 seen', 'nhs-number', '𝟗𝟒𝟑𝟒𝟕𝟔𝟓𝟗𝟏𝟗');
    findsOnly('Patient ９4٣ ४७6 ๕𝟗১9 seen', 'nhs-number', '９4٣ ४७6 ๕𝟗১9');
    findsOnly('Patient ⁹⁴³⁴⁷⁶⁵⁹¹⁹ seen', 'nhs-number', '⁹⁴³⁴⁷⁶⁵⁹¹⁹');
  });

  test('every decimal digit set Unicode has', () => {
    assert.ok(DIGIT_SETS.length >= 60, `only ${DIGIT_SETS.length} digit sets`);
    for (const { name, digits } of DIGIT_SETS) {
      const written = inScript('943 476 5919', digits);
      assert.deepEqual(found(`nhs ${written}.`), [['nhs-number', written]], name);
      assert.deepEqual(found(`nhs ${inScript('943 476 5918', digits)}.`), [], `${name}: a wrong check digit`);
    }
  });

  test('circled, parenthesised and dingbat digits', () => {
    findsOnly('Patient ❾❹❸ ❹❼❻ ❺❾➀❾ seen', 'nhs-number', '❾❹❸ ❹❼❻ ❺❾➀❾');
    findsOnly('Patient ⑼⑷⑶⑷⑺⑹⑸⑼⑴⑼ seen', 'nhs-number', '⑼⑷⑶⑷⑺⑹⑸⑼⑴⑼');
    findsOnly('Patient ⒐⒋⒊⒋⒎⒍⒌⒐⒈⒐ seen', 'nhs-number', '⒐⒋⒊⒋⒎⒍⒌⒐⒈⒐');
    findsOnly('Patient ⑨④③④⑦⑥⑤⑨①⑨ seen', 'nhs-number', '⑨④③④⑦⑥⑤⑨①⑨');
  });

  test('a right-to-left override that shows reversed digits as the number', () => {
    // Stored as 9195674349, shown as 9434765919.
    findsOnly('Patient \u202e9195674349\u202c seen', 'nhs-number', '9195674349');
    findsOnly('Patient \u202e9195 674 349', 'nhs-number', '9195 674 349');
    findsOnly('mail \u202egro.elpmaxe@oj\u202c now', 'email', 'gro.elpmaxe@oj');
    assert.equal(
      incidentChannelName(3, 'Patient \u202e9195674349\u202c seen'),
      'inc-3-patient-redacted-nhs-number-seen',
    );
  });

  test('matches that overlap are redacted together, so no part of either is left', () => {
    assert.equal(redactPhi('mail 943 476 5919@example.com now').text, 'mail [redacted NHS number] now');
  });

  test('digits with combining marks on them still read as digits', () => {
    findsOnly('Patient 9\u03014\u03363476591\u20e39', 'nhs-number', '9\u03014\u03363476591\u20e39');
  });

  test('offsets and text are those of the original, and the text around is kept exactly', () => {
    const text = 'Patiënt — 🏥 ９４３\u200b４７６\u200b５９１９ · ✉ zoë＠exämple.com — ok';
    const findings = findPhi(text);
    for (const f of findings) assert.equal(text.slice(f.start, f.end), f.text);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.text]),
      [
        ['nhs-number', '９４３\u200b４７６\u200b５９１９'],
        ['email', 'zoë＠exämple.com'],
      ],
    );
    assert.equal(redactPhi(text).text, 'Patiënt — 🏥 [redacted NHS number] · ✉ [redacted email address] — ok');
  });

  test('the false-positive guards hold in other scripts too', () => {
    findsNothing('ts １７００００００００.０００１００ and v٢.١٤.٠ and １０.０.０.１');
    findsNothing('ref １２-９４３-４７６-５９１９ and 9434765919\u0661');
    findsNothing('Patient ٩٤٣ ٤٧٦ ٥٩١٨');
  });
});

describe('emails, phones, postcodes and dates of birth in disguise', () => {
  test('a fullwidth or small `@`, and fullwidth dots', () => {
    findsOnly('mail jo＠example.org now', 'email', 'jo＠example.org');
    findsOnly('mail jo﹫example.org now', 'email', 'jo﹫example.org');
    findsOnly('mail ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ now', 'email', 'ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ');
    findsOnly('mail jo@example。org now', 'email', 'jo@example。org');
    findsOnly('mail jo\u200b@\u00adexample.org now', 'email', 'jo\u200b@\u00adexample.org');
  });

  test('[at], (at), {at}, [dot] and their kin', () => {
    findsOnly('mail name [at] nhs.net now', 'email', 'name [at] nhs.net');
    findsOnly('mail name(at)nhs.net now', 'email', 'name(at)nhs.net');
    findsOnly('mail name {AT} nhs.net now', 'email', 'name {AT} nhs.net');
    findsOnly('mail name [at] nhs [dot] net now', 'email', 'name [at] nhs [dot] net');
    findsOnly('mail name (at) nhs (dot) net now', 'email', 'name (at) nhs (dot) net');
    findsOnly('mail name[@]nhs[.]net now', 'email', 'name[@]nhs[.]net');
    findsOnly('mail name【at】nhs．net now', 'email', 'name【at】nhs．net');
    findsOnly('mail name ［ａｔ］ nhs.net now', 'email', 'name ［ａｔ］ nhs.net');
  });

  test('a bare "at" or "dot" in prose is not an email', () => {
    findsNothing('ask alice at nhs.net, or the team at example dot com');
    findsNothing('meet (at) noon, or [at] the ward');
    findsNothing('alice@ example.com');
  });

  test('phones in other digits, with other separators and invisible characters', () => {
    findsOnly('call ０７７００ ９００１２３ now', 'uk-phone', '０７７００ ９００１２３');
    findsOnly('call 07700.900.123 now', 'uk-phone', '07700.900.123');
    findsOnly('call 07700/900/123 now', 'uk-phone', '07700/900/123');
    findsOnly('call 07700_900_123 now', 'uk-phone', '07700_900_123');
    findsOnly('call 0161 / 496 / 0000 now', 'uk-phone', '0161 / 496 / 0000');
    findsOnly('call +44\u200b7700\u2060900\u00ad123 now', 'uk-phone', '+44\u200b7700\u2060900\u00ad123');
    findsOnly('call ＋٤٤ ٧٧٠٠ ٩٠٠١٢٣ now', 'uk-phone', '＋٤٤ ٧٧٠٠ ٩٠٠١٢٣');
    findsOnly('call +44 (0) 20 7946 0018 now', 'uk-phone', '+44 (0) 20 7946 0018');
    findsOnly('call tel\u200b07700900123 now', 'uk-phone', '07700900123');
  });

  test('postcodes in fullwidth letters, with invisible characters or another separator', () => {
    findsOnly('at ＳＷ１Ａ １ＡＡ now', 'postcode', 'ＳＷ１Ａ １ＡＡ');
    findsOnly('at SW1A\u200b1AA now', 'postcode', 'SW1A\u200b1AA');
    findsOnly('at S\u00adW1A 1AA now', 'postcode', 'S\u00adW1A 1AA');
    findsOnly('at SW1A-1AA now', 'postcode', 'SW1A-1AA');
    findsOnly('at SW1A _ 1AA now', 'postcode', 'SW1A _ 1AA');
  });

  test('dates of birth in other digits and separators', () => {
    findsOnly('DOB ١٢/٠٣/١٩٨٤', 'date-of-birth', '١٢/٠٣/١٩٨٤');
    findsOnly('D\u200bO\u200bB: １２.０３.１９８４', 'date-of-birth', '１２.０３.１９８４');
    findsOnly('born 12 · 03 · 1984', 'date-of-birth', '12 · 03 · 1984');
    findsOnly('dob 12_03_1984', 'date-of-birth', '12_03_1984');
  });
});

describe('channel names', () => {
  test('fullwidth digits never come out as plain digits in the name', () => {
    assert.equal(
      incidentChannelName(7, 'Patient ９４３４７６５９１９ bloods'),
      'inc-7-patient-redacted-nhs-number-bloods',
    );
    assert.equal(
      incidentChannelName(7, 'Bloods for 943.476.5919 and jo＠example.org'),
      'inc-7-bloods-for-redacted-nhs-number-and-redacted-email-address',
    );
    assert.equal(incidentChannelName(7, 'Bloods for 943\u200b476\u200b5919'), 'inc-7-bloods-for-redacted-nhs-number');
  });

  test('what only becomes an identifier in the name is redacted there too', () => {
    // Not a postcode as typed (a tilde and a braille blank are not postcode separators), but the
    // name turns each into a hyphen.
    assert.equal(incidentChannelName(7, 'Near SW1A~1AA'), 'inc-7-near-redacted-postcode');
    assert.equal(incidentChannelName(7, 'Near SW1A⠀1AA'), 'inc-7-near-redacted-postcode');
    // An 11-digit number is not an NHS number, but cutting the name to 80 characters could leave
    // its first ten.
    const filler = 'x'.repeat(CHANNEL_NAME_MAX - 'inc-7-'.length - '943-476-5919'.length - 1);
    const name = incidentChannelName(7, `${filler} 943-476-59190`);
    assert.ok(!name.replace(/-/g, '').includes(NHS), name);
    assert.ok(name.length <= CHANNEL_NAME_MAX);
  });

  test('an ordinary title keeps its name', () => {
    assert.equal(incidentChannelName(12, 'Payments API returning 500s!'), 'inc-12-payments-api-returning-500s');
    assert.equal(
      incidentChannelName(3, 'Order 943 476 5918 stuck on v2.14.0 at 10.0.0.1'),
      'inc-3-order-943-476-5918-stuck-on-v2-14-0-at-10-0-0-1',
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Generated identifiers

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);

/** Any of Unicode's digit sets, per digit. */
const digitIn = (d: string) => pick(DIGIT_SETS).map((s) => s.digits[Number(d)]!);

/** A digit string rendered with each digit in a random script. */
const renderDigits = (digits: string) => fc.tuple(...[...digits].map(digitIn)).map((ds) => ds.join(''));

const SEPARATORS = [
  ' ',
  '-',
  '.',
  '/',
  '_',
  '\u00a0',
  '\u3000',
  '\u2009',
  '–',
  '—',
  '·',
  ':',
  ',',
  '|',
  '*',
  '~',
  '\t',
  '⠀',
  '(',
  ')',
  '\n',
];
/** Between two digit groups: one to four separators. */
const gap = fc.array(pick(SEPARATORS), { minLength: 1, maxLength: 4 }).map((s) => s.join(''));
const optionalGap = fc.oneof(fc.constant(''), gap);

const INVISIBLES = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u00ad',
  '\u2060',
  '\ufeff',
  '\u180e',
  '\u2061',
  '\u2062',
  '\u2063',
  '\u2064',
  '\ufe0f',
  '\ufe0e',
  '\u{e0020}',
  '\u{e007f}',
  '\u034f',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202c',
  '\u2066',
  '\u2069',
  '\u3164',
  '\u115f',
  '\u{1d173}',
  '\u0000',
  '\u001b',
];

/** `core` with invisible characters inserted between random code points. */
function withInvisibles(core: string): fc.Arbitrary<string> {
  const points = [...core];
  return fc.array(fc.tuple(fc.nat(points.length - 2), pick(INVISIBLES)), { maxLength: 6 }).map((inserts) => {
    const out = points.map((p) => [p]);
    for (const [at, inv] of inserts) out[at]!.push(inv);
    return out.flat().join('');
  });
}

/** Text around the identifier: letters of several scripts, spaces, punctuation, emoji; no digits. */
const surrounding = fc
  .array(
    pick([
      ...'abcxyzABCXYZ ',
      'é',
      'ß',
      'ж',
      'ю',
      '中',
      '文',
      'ع',
      'ש',
      'ñ',
      '🏥',
      '✉',
      ',',
      ';',
      '!',
      '?',
      '—',
      "'",
      ' ',
      ' ',
    ]),
    { maxLength: 15 },
  )
  .map((cs) => cs.join(''));
/**
 * Invisible characters just outside the identifier, which stay in the text. Not the combining ones
 * (variation selectors, CGJ): those belong to the character before them, so after the identifier
 * they are redacted with it.
 */
const edgeInvisibles = fc
  .array(pick(INVISIBLES.filter((c) => !/\p{M}/u.test(c))), { maxLength: 2 })
  .map((s) => s.join(''));

/** A valid NHS number (modulus 11). */
const nhsNumber = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 })
  .map((ds) => {
    const sum = ds.reduce((acc, d, i) => acc + d * (10 - i), 0);
    const check = 11 - (sum % 11);
    return check === 10 ? null : `${ds.join('')}${check === 11 ? 0 : check}`;
  })
  .filter((n): n is string => n !== null);

const renderedNhs = nhsNumber.chain((n) =>
  fc.record({
    digits: fc.constant(n),
    core: fc
      .tuple(
        renderDigits(n.slice(0, 3)),
        optionalGap,
        renderDigits(n.slice(3, 6)),
        optionalGap,
        renderDigits(n.slice(6)),
      )
      .map((parts) => parts.join(''))
      .chain(withInvisibles),
  }),
);

/** A UK number as its national digits (leading 0): mobile, geographic, 03 and non-premium 08. */
const ukNational = fc
  .oneof(
    fc.tuple(fc.constant('07'), fc.stringMatching(/^\d{9}$/)),
    fc.tuple(pick(['01', '02']), fc.stringMatching(/^\d{8,9}$/)),
    fc.tuple(fc.constant('03'), fc.stringMatching(/^\d{9}$/)),
    fc.tuple(fc.constant('080'), fc.stringMatching(/^\d{7,8}$/)),
    fc.tuple(pick(['084', '087']), fc.stringMatching(/^\d{8}$/)),
  )
  .map(([a, b]) => a + b);

/** Cut `digits` into groups of at least `min` digits each (the first at least `firstMin`), at most `max` groups. */
function grouped(digits: string, firstMin: number, min: number, max: number): fc.Arbitrary<string[]> {
  return fc.array(fc.nat(digits.length), { maxLength: max - 1 }).map((cuts) => {
    const groups: string[] = [];
    let at = 0;
    for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
      const need = groups.length === 0 ? firstMin : min;
      if (cut - at >= need && digits.length - cut >= min) {
        groups.push(digits.slice(at, cut));
        at = cut;
      }
    }
    groups.push(digits.slice(at));
    return groups;
  });
}

const joinGroups = (groups: string[]) =>
  fc
    .tuple(...groups.map((g, i) => fc.tuple(i === 0 ? fc.constant('') : gap, renderDigits(g))))
    .map((parts) => parts.flat().join(''));

/** `+44`, `＋44`, `0044`, then perhaps `(0)` or `0`, in any digits. */
const intlPrefix = fc
  .tuple(
    fc.oneof(pick(['+', '＋']), renderDigits('00')),
    renderDigits('44'),
    fc.oneof(
      fc.constant(''),
      renderDigits('0').chain((z) => pick([` (${z})`, `(${z})`, ` ${z}`])),
    ),
  )
  .map((parts) => parts.join(''));

const renderedPhone = ukNational.chain((national) =>
  fc.record({
    digits: fc.constant(national.slice(1)),
    core: fc
      .oneof(
        grouped(national, 3, 2, 6).chain(joinGroups),
        fc
          .tuple(intlPrefix, optionalGap, grouped(national.slice(1), 2, 2, 5).chain(joinGroups))
          .map((parts) => parts.join('')),
      )
      .chain(withInvisibles),
  }),
);

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** A letter as typed: plain, capital, fullwidth or mathematical bold. */
const letterIn = (l: string) =>
  pick([
    l,
    l.toUpperCase(),
    String.fromCodePoint(0xff41 + LETTERS.indexOf(l)),
    String.fromCodePoint(0x1d41a + LETTERS.indexOf(l)),
  ]);
const word = (minLength: number) =>
  fc
    .array(
      fc.oneof(
        pick([...LETTERS]).chain(letterIn),
        fc.integer({ min: 0, max: 9 }).chain((d) => digitIn(String(d))),
      ),
      { minLength, maxLength: 8 },
    )
    .map((cs) => cs.join(''));
const letters = (minLength: number) =>
  fc.array(pick([...LETTERS]).chain(letterIn), { minLength, maxLength: 6 }).map((cs) => cs.join(''));

const AT = ['@', '＠', '﹫', ' [at] ', '(at)', '{at}', ' [AT] ', '[@]', ' (at) ', '【at】', '<at>'];
const DOT = ['.', '．', '。', '｡', '﹒', ' [dot] ', '(dot)', '[.]', '{dot}'];

const renderedEmail = fc
  .tuple(
    fc.tuple(
      pick([...LETTERS]).chain(letterIn),
      word(0),
      fc.oneof(
        fc.constant(''),
        word(1).map((w) => `.${w}`),
        word(1).map((w) => `_${w}`),
      ),
    ),
    pick(AT),
    fc.array(word(1), { minLength: 1, maxLength: 3 }),
    letters(2),
  )
  .chain(([[first, rest, more], at, labels, tld]) =>
    fc
      .tuple(fc.constant(`${first}${rest}${more}${at}`), fc.tuple(...labels.map(() => pick(DOT))))
      .map(([head, dots]) => head + labels.map((l, i) => `${l}${dots[i]}`).join('') + tld),
  )
  .chain((core) => fc.record({ digits: fc.constant(''), core: withInvisibles(core) }));

/** The ASCII digits of any digits in `text`, everything else dropped. */
const asciiDigitsOf = (text: string) =>
  [...text.normalize('NFKC')]
    .map((c) => {
      const set = DIGIT_SETS.find((s) => s.digits.includes(c));
      return set ? String(set.digits.indexOf(c)) : '';
    })
    .join('');

function assertFoundExactly(kinds: readonly PhiKind[]) {
  return ({
    before,
    after,
    lead,
    trail,
    id,
  }: {
    before: string;
    after: string;
    lead: string;
    trail: string;
    id: { digits: string; core: string };
  }) => {
    const head = `${before} ${lead}`;
    const text = `${head}${id.core}${trail} ${after}`;
    const findings = findPhi(text);
    assert.equal(findings.length, 1, `one finding in ${JSON.stringify(text)}: ${JSON.stringify(findings)}`);
    const [f] = findings;
    assert.ok(kinds.includes(f!.kind), `${f!.kind} in ${JSON.stringify(text)}`);
    assert.equal(f!.start, head.length, `starts where it does in ${JSON.stringify(text)}`);
    assert.equal(f!.end, head.length + id.core.length, `ends where it does in ${JSON.stringify(text)}`);
    assert.equal(f!.text, id.core);

    const label = `[redacted ${PHI_LABELS[f!.kind]}]`;
    const redacted = redactPhi(text).text;
    assert.equal(redacted, `${head}${label}${trail} ${after}`, 'the text around is kept exactly');
    if (id.digits)
      assert.ok(!asciiDigitsOf(redacted).includes(id.digits), `no digits left in ${JSON.stringify(redacted)}`);

    const title = `${before} ${lead}${id.core}${trail} ${after}`;
    const name = incidentChannelName(1, title);
    assert.equal(name, incidentChannelName(1, `${before} ${label} ${after}`), `the name of ${JSON.stringify(title)}`);
    if (id.digits) assert.ok(!name.replace(/-/g, '').includes(id.digits), name);
  };
}

const RUNS = Number(process.env.PHI_PROPERTY_RUNS ?? 300);
const around = { before: surrounding, after: surrounding, lead: edgeInvisibles, trail: edgeInvisibles };

describe('generated identifiers in disguise are all found', () => {
  test('NHS numbers in any digits, separators and invisible characters', () => {
    fc.assert(fc.property(fc.record({ ...around, id: renderedNhs }), assertFoundExactly(['nhs-number'])), {
      numRuns: RUNS,
    });
  });

  test('NHS numbers behind a right-to-left override, shown in the right order', () => {
    // An override ends with its line or at another bidi control: the number has neither inside.
    const reversed = renderedNhs
      .filter(({ core }) => !/[\n\u202a-\u202e\u2066-\u2069]/.test(core))
      .map(({ digits, core }) => ({ digits, core: `\u202e${[...core].reverse().join('')}\u202c` }));
    fc.assert(
      fc.property(fc.record({ before: surrounding, after: surrounding, id: reversed }), ({ before, after, id }) => {
        const redacted = redactPhi(`${before} ${id.core} ${after}`).text;
        assert.equal(redacted, `${before} \u202e[redacted NHS number]\u202c ${after}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('UK phone numbers in any digits, separators and invisible characters', () => {
    // A 10-digit national number may also pass the NHS check: then it is reported as one.
    fc.assert(
      fc.property(fc.record({ ...around, id: renderedPhone }), assertFoundExactly(['uk-phone', 'nhs-number'])),
      { numRuns: RUNS },
    );
  });

  test('email addresses in any letters and digits, `@` and `.` forms and invisible characters', () => {
    fc.assert(fc.property(fc.record({ ...around, id: renderedEmail }), assertFoundExactly(['email'])), {
      numRuns: RUNS,
    });
  });

  test('versions, IP addresses, Slack timestamps, times and incident ids in any digits are not found', () => {
    const n = (max: number) => fc.integer({ min: 0, max });
    const thing = fc.oneof(
      fc.tuple(n(99), n(999), n(999)).map(([a, b, c]) => `v${a}.${b}.${c}`),
      fc.tuple(n(255), n(255), n(255), n(255)).map((o) => o.join('.')),
      fc
        .tuple(fc.integer({ min: 1_000_000_000, max: 1_999_999_999 }), n(999_999))
        .map(([s, u]) => `${s}.${String(u).padStart(6, '0')}`),
      fc.tuple(n(23), n(59), n(59)).map((t) => t.map((x) => String(x).padStart(2, '0')).join(':')),
      n(99_999).map((i) => `INC-${i}`),
    );
    const rendered = thing.chain((t) =>
      fc.tuple(...[...t].map((c) => (/\d/.test(c) ? digitIn(c) : fc.constant(c)))).map((cs) => cs.join('')),
    );
    fc.assert(
      fc.property(fc.array(rendered, { minLength: 1, maxLength: 6 }), (things) => {
        const text = `deployed ${things.join(' and ')} ok`;
        assert.deepEqual(found(text), [], JSON.stringify(text));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('performance with disguised text', () => {
  test('a 5,000-entry timeline in several scripts, with disguised identifiers, is redacted in well under a second', () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      lines.push(
        i % 50 === 0
          ? `14:${String(i % 60).padStart(2, '0')} <@U${i}> patiënt ９４３\u200b４７６\u200b５９１９ rang from ٠٧٧٠٠ ٩٠٠١٢٣, jo [at] example.org — café`
          : `14:${String(i % 60).padStart(2, '0')} <@U${i}> status — café ✅ on INC-${i}; ts 1700000000.${String(i).padStart(6, '0')} deploy v2.${i}.0 from 10.0.${i % 256}.1 مرحبا ١٢ 😀`,
      );
    }
    const text = lines.join('\n');
    const started = performance.now();
    const { findings } = redactPhi(text);
    const elapsed = performance.now() - started;
    assert.equal(findings.length, 300);
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  });

  test('adversarial inputs with invisible characters, other scripts and overrides stay linear', () => {
    const inputs = [
      '\u200b'.repeat(100_000),
      '9\u200b'.repeat(50_000),
      '٩'.repeat(100_000),
      '９ '.repeat(50_000),
      '012\u200b-'.repeat(25_000),
      ' [at] '.repeat(20_000),
      'a [at] b [dot] '.repeat(7_000),
      '+44 (0) '.repeat(12_000),
      '9\u0301'.repeat(50_000),
      `\u202e${'9 '.repeat(50_000)}`,
      '\u202e9\u200ba'.repeat(25_000),
      '⑼'.repeat(100_000),
      `${'943'.padEnd(19, '·')}`.repeat(5_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      const findings = findPhi(input);
      const elapsed = performance.now() - started;
      assert.ok(Array.isArray(findings));
      assert.ok(elapsed < 1500, `${JSON.stringify(input.slice(0, 12))}… took ${elapsed.toFixed(0)} ms`);
    }
  });
});
