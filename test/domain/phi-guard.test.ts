import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  findPhi,
  PHI_LABELS,
  phiWarning,
  redactPhi,
  type PhiFinding,
  type PhiKind,
} from '../../src/domain/phi-guard.ts';

/** The [kind, text] pairs found in `text`, in order. */
function found(text: string): [PhiKind, string][] {
  return findPhi(text).map((f) => [f.kind, f.text]);
}

/** Asserts that `text` holds exactly one finding, of `kind`, covering exactly `expected`. */
function findsOnly(text: string, kind: PhiKind, expected: string) {
  assert.deepEqual(found(text), [[kind, expected]], text);
}

/** Asserts that nothing in `text` is taken for PHI. */
function findsNothing(text: string) {
  assert.deepEqual(found(text), [], text);
}

/** Every finding's offsets point at its text, and findings are in order and do not overlap. */
function assertWellFormed(text: string, findings: readonly PhiFinding[]) {
  let reached = 0;
  for (const f of findings) {
    assert.equal(text.slice(f.start, f.end), f.text, `offsets of ${f.kind} ${f.text}`);
    assert.ok(f.start >= reached, `${f.kind} ${f.text} overlaps the finding before it`);
    assert.ok(f.end > f.start);
    reached = f.end;
  }
}

const finding = (kind: PhiKind, text = 'x'): PhiFinding => ({ kind, start: 0, end: text.length, text });

describe('labels', () => {
  test('each kind has the agreed label', () => {
    assert.deepEqual(PHI_LABELS, {
      'nhs-number': 'NHS number',
      email: 'email address',
      'uk-phone': 'phone number',
      postcode: 'postcode',
      'date-of-birth': 'date of birth',
    });
  });
});

describe('NHS numbers', () => {
  test('a valid number is found bare, spaced and dashed', () => {
    findsOnly('Patient 9434765919 was affected', 'nhs-number', '9434765919');
    findsOnly('Patient 943 476 5919 was affected', 'nhs-number', '943 476 5919');
    findsOnly('Patient 943-476-5919 was affected', 'nhs-number', '943-476-5919');
  });

  test('mixed separators are still one NHS number', () => {
    findsOnly('nhs 943 476-5919', 'nhs-number', '943 476-5919');
  });

  test('a wrong check digit is not an NHS number', () => {
    findsNothing('Patient 943 476 5918 was affected');
    findsNothing('Patient 9434765918 was affected');
    findsNothing('Patient 943-476-5910 was affected');
  });

  test('only the one right check digit of ten passes', () => {
    const valid = Array.from({ length: 10 }, (_, d) => `943476591${d}`).filter((n) => found(`id ${n}`).length > 0);
    assert.deepEqual(valid, ['9434765919']);
  });

  test('a check value of 11 means check digit 0', () => {
    // 4,0,0,0,0,0,0,0,2 weighted 10..2 sums to 44: 44 mod 11 = 0, so 11 - 0 = 11, which is 0.
    findsOnly('nhs 400 000 0020', 'nhs-number', '400 000 0020');
    findsNothing('nhs 400 000 0021');
  });

  test('a check value of 10 is never valid, whatever the last digit', () => {
    // 4,0,0,0,0,0,0,0,8 weighted sums to 56: 56 mod 11 = 1, so 11 - 1 = 10: invalid.
    for (let d = 0; d <= 9; d++) findsNothing(`nhs 400000008${d}`);
  });

  test('labels next to the number do not stop it being found', () => {
    findsOnly('NHS:9434765919', 'nhs-number', '9434765919');
    findsOnly('(NHS no. 943 476 5919)', 'nhs-number', '943 476 5919');
    findsOnly('*943 476 5919*', 'nhs-number', '943 476 5919');
  });

  test('not part of a longer digit run, word, decimal or id', () => {
    findsNothing('19434765919');
    findsNothing('94347659190');
    findsNothing('order 1234943476591912');
    findsNothing('id X9434765919');
    findsNothing('9434765919abc');
    findsNothing('value 1.9434765919');
    findsNothing('ts 9434765919.000100');
    findsNothing('ref 12-943-476-5919');
    findsNothing('ref 943-476-5919-2');
    findsNothing('+9434765919');
  });

  test('a finding gives exact offsets', () => {
    const [f] = findPhi('NHS 943 476 5919.');
    assert.deepEqual(f, { kind: 'nhs-number', start: 4, end: 16, text: '943 476 5919' });
  });
});

describe('email addresses', () => {
  test('plain addresses, any case, with dots, plus tags and subdomains', () => {
    findsOnly('contact alice.smith@nhs.net today', 'email', 'alice.smith@nhs.net');
    findsOnly('contact Alice.Smith@NHS.NET today', 'email', 'Alice.Smith@NHS.NET');
    findsOnly('contact bob+ward7@mail.example.co.uk.', 'email', 'bob+ward7@mail.example.co.uk');
    findsOnly('contact j_doe-99@trust-name.nhs.uk,', 'email', 'j_doe-99@trust-name.nhs.uk');
  });

  test('an apostrophe inside the local part is kept, a quote around it is not', () => {
    findsOnly("write to o'brien@example.org", 'email', "o'brien@example.org");
    findsOnly("write to 'carol@example.org'", 'email', 'carol@example.org');
  });

  test('a Slack mailto link is redacted as a whole', () => {
    const text = 'email <mailto:bob@example.com|bob@example.com> now';
    findsOnly(text, 'email', '<mailto:bob@example.com|bob@example.com>');
    assert.equal(redactPhi(text).text, 'email [redacted email address] now');
  });

  test('a mailto link with other visible text or none is redacted as a whole', () => {
    findsOnly('ask <mailto:bob@example.com|Bob> please', 'email', '<mailto:bob@example.com|Bob>');
    findsOnly('ask <mailto:bob@example.com> please', 'email', '<mailto:bob@example.com>');
  });

  test('Slack mentions, group mentions and links are not emails', () => {
    findsNothing('<@U123ABC> please look');
    findsNothing('<@U123ABC|alice> please look');
    findsNothing('<!subteam^S0123|@oncall-ehr> paged');
    findsNothing('<!here> <#C123|inc-12-ehr-down>');
    findsNothing('see <https://status.example.com|status page>');
  });

  test('things that only look a bit like addresses are not found', () => {
    findsNothing('user@localhost');
    findsNothing('@alice please');
    findsNothing('alice@ example.com');
    findsNothing('pip install pkg@1.2.3');
  });
});

describe('UK phone numbers', () => {
  test('the common written forms are found', () => {
    findsOnly('call (020) 7946 0018 now', 'uk-phone', '(020) 7946 0018');
    findsOnly('call +44 7700 900123 now', 'uk-phone', '+44 7700 900123');
    findsOnly('call 07700900123 now', 'uk-phone', '07700900123');
    findsOnly('call 0161 496 0000 now', 'uk-phone', '0161 496 0000');
  });

  test('international forms with (0), 0044 and no spaces', () => {
    findsOnly('call +44 (0)20 7946 0018', 'uk-phone', '+44 (0)20 7946 0018');
    findsOnly('call +447700900123', 'uk-phone', '+447700900123');
    findsOnly('call 0044 161 496 0000', 'uk-phone', '0044 161 496 0000');
  });

  test('dashes and other groupings', () => {
    findsOnly('call 07700-900-123', 'uk-phone', '07700-900-123');
    findsOnly('call 020-7946-0018', 'uk-phone', '020-7946-0018');
    findsOnly('call 07700 900 123', 'uk-phone', '07700 900 123');
  });

  test('03 and non-premium 08 numbers', () => {
    findsOnly('call 0300 123 4567', 'uk-phone', '0300 123 4567');
    findsOnly('call 0800 123 4567', 'uk-phone', '0800 123 4567');
    findsOnly('call 0800 123 456', 'uk-phone', '0800 123 456');
    findsOnly('call 0845 123 4567', 'uk-phone', '0845 123 4567');
  });

  test('a 10-digit geographic number is found', () => {
    findsOnly('call 016977 1234', 'uk-phone', '016977 1234');
  });

  test('a label joined with a colon does not hide the number', () => {
    findsOnly('phone:07700900123', 'uk-phone', '07700900123');
    findsOnly('tel:0161 496 0000', 'uk-phone', '0161 496 0000');
  });

  test('premium, unused ranges and the wrong length are not found', () => {
    findsNothing('call 0909 879 0000');
    findsNothing('call 0500 123 456');
    findsNothing('call 0612 345 6789');
    findsNothing('call 07700 90012');
    findsNothing('call 0300 123 456');
    findsNothing('call 0845 123 456');
    findsNothing('call +33 1 23 45 67 89');
  });

  test('versions, times, Slack timestamps, IPs and incident numbers are not phone numbers', () => {
    findsNothing('deployed v2.14.0 and 0.12.3 at 14:05, rolled back at 14:35:07');
    findsNothing('thread ts 1700000000.000100 and 1699999999.012345');
    findsNothing('from 10.0.0.1 and 192.168.100.200 and 010.000.000.001');
    findsNothing('see INC-1234 and INC-0123 and INC-01234567890');
    findsNothing('on 2024-01-15 10:30:00 and 01-02-2024 and 01/02/2024');
  });

  test('long digit runs and single-digit lists are not phone numbers', () => {
    findsNothing('trace 012345678901234567');
    findsNothing('hash 07700900123456789');
    findsNothing('ids 0 1 2 3 4 5 6 7 8 9');
    findsNothing('ids 0-1-2-3-4-5-6-7-8-9');
    findsNothing('steps 01 02 03 04 05');
  });

  test('a number followed by another figure is trimmed back to the number', () => {
    findsOnly('rang 07700 900123 12 times', 'uk-phone', '07700 900123');
  });

  test('two numbers in a row are two findings', () => {
    assert.deepEqual(found('numbers 0161 496 0000 07700 900123'), [
      ['uk-phone', '0161 496 0000'],
      ['uk-phone', '07700 900123'],
    ]);
  });

  test('brackets around the whole number stay in the text', () => {
    const { text } = redactPhi('ring the ward (0161 496 0000) now');
    assert.equal(text, 'ring the ward ([redacted phone number]) now');
  });

  test('a 10-digit number with a wrong NHS check digit can still be a phone number', () => {
    findsOnly('call 0123456788', 'uk-phone', '0123456788');
  });

  test('a number that is both a valid NHS number and a phone number is reported as an NHS number', () => {
    // 0123456789 passes the modulus-11 check and is a 10-digit 01 number: the same text, one finding.
    findsOnly('ref 0123456789', 'nhs-number', '0123456789');
  });
});

describe('postcodes', () => {
  test('every outward-code shape is found', () => {
    for (const pc of ['SW1A 1AA', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'EC1A 1BB', 'W1A 0AX', 'GIR 0AA']) {
      findsOnly(`lives near ${pc}, apparently`, 'postcode', pc);
    }
  });

  test('any case, with or without the space', () => {
    findsOnly('at sw1a 1aa', 'postcode', 'sw1a 1aa');
    findsOnly('at SW1A1AA', 'postcode', 'SW1A1AA');
    findsOnly('at b338th', 'postcode', 'b338th');
    findsOnly('at Ec1a 1bB', 'postcode', 'Ec1a 1bB');
  });

  test('a label joined with a colon does not hide it', () => {
    findsOnly('Postcode:CR2 6XH', 'postcode', 'CR2 6XH');
  });

  test('severities, incident refs, protocols and plain codes are not postcodes', () => {
    findsNothing('SEV1 declared for INC-12 over HTTP2');
    findsNothing('ABC 123 and SEV2 1 and P1 and B2B and E2E');
    findsNothing('k8s 1.29 and IPv6 and AB1 2CD');
  });

  test('HTTP status classes after a service name are not postcodes', () => {
    findsNothing('S3 5xx errors and EC2 4XX spikes, W3 2xx');
  });

  test('memory and disk sizes after a machine name are not postcodes', () => {
    findsNothing('EC2 8GB instance, M1 8gb laptop, S3 1TB bucket');
  });

  test('letters that never appear in that position are rejected', () => {
    findsNothing('QA1 1AA'); // Q never starts a postcode
    findsNothing('AJ1 1AA'); // J is never the second letter
    findsNothing('SW1A 1AC'); // C is never in the inward code
  });

  test('needs word boundaries on both sides', () => {
    findsNothing('XSW1A 1AA');
    findsNothing('SW1A 1AAB');
    findsNothing('ref-SW1A1AA');
    findsNothing('https://example.com/M11AE');
    findsNothing('#inc-m11ae');
  });
});

describe('dates of birth', () => {
  test('every marked form is found and only the date is taken', () => {
    const cases: [string, string][] = [
      ['DOB: 12/03/1984', '12/03/1984'],
      ['dob 12-03-1984', '12-03-1984'],
      ['D.O.B. 12.03.84', '12.03.84'],
      ['Date of birth: 1984-03-12', '1984-03-12'],
      ['date of birth 12 March 1984', '12 March 1984'],
      ['born 12 Mar 1984', '12 Mar 1984'],
      ['born on 12 March 1984', '12 March 1984'],
      ['Born: 12th of March 1984', '12th of March 1984'],
      ['DOB March 12, 1984', 'March 12, 1984'],
      ['birthdate=1984/03/12', '1984/03/12'],
      ['*DOB:* 12/03/1984', '12/03/1984'],
      ['DOB (12/03/1984)', '12/03/1984'],
      ['his date of birth is 12/03/1984', '12/03/1984'],
    ];
    for (const [text, date] of cases) findsOnly(text, 'date-of-birth', date);
  });

  test('the marker stays in the redacted text', () => {
    assert.equal(
      redactPhi('Patient DOB: 12/03/1984, admitted').text,
      'Patient DOB: [redacted date of birth], admitted',
    );
    assert.equal(redactPhi('born on 12 March 1984.').text, 'born on [redacted date of birth].');
  });

  test('bare dates are not PHI', () => {
    findsNothing('Outage began 12/03/1984 and again on 2024-01-15, 12 March 2024 and 14.03.24');
  });

  test('a marker with no date close by finds nothing', () => {
    findsNothing('DOB not recorded; checked on 12/03/1984');
    findsNothing('DOB field was blank at 14:05');
    findsNothing('the newborn unit, 12/03/1984');
  });

  test('the marker must be a word of its own', () => {
    findsNothing('adobe 12/03/1984');
    findsNothing('DOBS 12/03/1984');
  });

  test('an unfinished or ambiguous date is not taken', () => {
    findsNothing('DOB 12/03');
    findsNothing('DOB 12/03-1984');
    findsNothing('DOB 12/03/19845');
  });
});

describe('mixed text and overlaps', () => {
  const message =
    'Wrong record shown for patient 943 476 5919 (DOB 12/03/1984, SW1A 1AA). ' +
    'Reported by alice@nhs.net and <mailto:bob@example.com|bob@example.com>, call back on 07700 900123. ' +
    'INC-1234 SEV1 declared 14:05; deploy v2.3.1 on 10.0.0.1.';

  test('every kind is found, in order', () => {
    assert.deepEqual(found(message), [
      ['nhs-number', '943 476 5919'],
      ['date-of-birth', '12/03/1984'],
      ['postcode', 'SW1A 1AA'],
      ['email', 'alice@nhs.net'],
      ['email', '<mailto:bob@example.com|bob@example.com>'],
      ['uk-phone', '07700 900123'],
    ]);
  });

  test('redaction replaces only the findings and keeps everything around them', () => {
    const { text, findings } = redactPhi(message);
    assert.equal(
      text,
      'Wrong record shown for patient [redacted NHS number] (DOB [redacted date of birth], [redacted postcode]). ' +
        'Reported by [redacted email address] and [redacted email address], call back on [redacted phone number]. ' +
        'INC-1234 SEV1 declared 14:05; deploy v2.3.1 on 10.0.0.1.',
    );
    assert.equal(findings.length, 6);
    assertWellFormed(message, findings);
  });

  test('text with nothing to redact comes back unchanged', () => {
    const clean = 'Rolled back at 14:05 on 2024-01-15; INC-1234 resolved, see <@U123ABC>.';
    assert.deepEqual(redactPhi(clean), { text: clean, findings: [] });
    assert.deepEqual(redactPhi(''), { text: '', findings: [] });
  });

  test('an email wins over a phone number or postcode inside it', () => {
    findsOnly('sms 07700900123@sms.example.com', 'email', '07700900123@sms.example.com');
    findsOnly('mail sw1a1aa@example.com', 'email', 'sw1a1aa@example.com');
    findsOnly('mail 9434765919@example.com', 'email', '9434765919@example.com');
  });

  test('a mailto link is one finding, not a link plus the address inside it', () => {
    const findings = findPhi('<mailto:a.b@example.com|a.b@example.com>');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.start, 0);
  });

  test('adjacent findings of different kinds are all kept', () => {
    assert.deepEqual(found('9434765919,07700900123,alice@nhs.net'), [
      ['nhs-number', '9434765919'],
      ['uk-phone', '07700900123'],
      ['email', 'alice@nhs.net'],
    ]);
  });

  test('offsets stay right with non-ASCII text around the findings', () => {
    const text = 'Patiënt — 🏥 943 476 5919 · ✉ zoë@example.com';
    const findings = findPhi(text);
    assert.deepEqual(
      findings.map((f) => f.kind),
      ['nhs-number', 'email'],
    );
    assertWellFormed(text, findings);
    assert.equal(redactPhi(text).text, 'Patiënt — 🏥 [redacted NHS number] · ✉ [redacted email address]');
  });

  test('findPhi gives the same answer when called again (no regex state leaks between calls)', () => {
    const first = findPhi(message);
    findPhi('9434765918 0123 alice@');
    assert.deepEqual(findPhi(message), first);
  });
});

describe('phiWarning', () => {
  test('null when nothing was found', () => {
    assert.equal(phiWarning([]), null);
  });

  test('the example wording', () => {
    assert.equal(
      phiWarning([finding('nhs-number'), finding('email'), finding('email')]),
      'I removed an NHS number and 2 email addresses before posting this outside the incident channel.',
    );
  });

  test('one of each kind takes the right article', () => {
    const one = (kind: PhiKind) => phiWarning([finding(kind)]);
    assert.equal(one('nhs-number'), 'I removed an NHS number before posting this outside the incident channel.');
    assert.equal(one('email'), 'I removed an email address before posting this outside the incident channel.');
    assert.equal(one('uk-phone'), 'I removed a phone number before posting this outside the incident channel.');
    assert.equal(one('postcode'), 'I removed a postcode before posting this outside the incident channel.');
    assert.equal(one('date-of-birth'), 'I removed a date of birth before posting this outside the incident channel.');
  });

  test('plurals', () => {
    const two = (kind: PhiKind) => phiWarning([finding(kind), finding(kind)]);
    assert.match(two('nhs-number') ?? '', /^I removed 2 NHS numbers before/);
    assert.match(two('email') ?? '', /^I removed 2 email addresses before/);
    assert.match(two('uk-phone') ?? '', /^I removed 2 phone numbers before/);
    assert.match(two('postcode') ?? '', /^I removed 2 postcodes before/);
    assert.match(two('date-of-birth') ?? '', /^I removed 2 dates of birth before/);
  });

  test('three or more kinds are joined with commas and a final "and", in a fixed order', () => {
    const findings = [
      finding('postcode'),
      finding('email'),
      finding('uk-phone'),
      finding('uk-phone'),
      finding('uk-phone'),
      finding('nhs-number'),
      finding('date-of-birth'),
    ];
    assert.equal(
      phiWarning(findings),
      'I removed an NHS number, an email address, 3 phone numbers, a date of birth and a postcode before posting this outside the incident channel.',
    );
  });

  test('works on the findings redactPhi returns', () => {
    const { findings } = redactPhi('call 07700 900123 or 0161 496 0000 about DOB 12/03/1984');
    assert.equal(
      phiWarning(findings),
      'I removed 2 phone numbers and a date of birth before posting this outside the incident channel.',
    );
  });
});

describe('performance', () => {
  test('a 5,000-entry timeline is scanned in well under a second', () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      lines.push(
        i % 50 === 0
          ? `14:${String(i % 60).padStart(2, '0')} <@U${i}> patient 943 476 5919 called from 07700 900123, DOB 12/03/1984`
          : `14:${String(i % 60).padStart(2, '0')} <@U${i}> status changed to mitigated on INC-${i}; ts 1700000000.${String(i).padStart(6, '0')} deploy v2.${i}.0 from 10.0.${i % 256}.1`,
      );
    }
    const text = lines.join('\n');
    const started = performance.now();
    const { findings } = redactPhi(text);
    const elapsed = performance.now() - started;
    assert.equal(findings.length, 300);
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  });

  test('adversarial inputs stay linear', () => {
    const inputs = [
      '0'.repeat(200_000),
      '0 '.repeat(100_000),
      '01 '.repeat(100_000),
      '012-'.repeat(50_000),
      'a.'.repeat(100_000),
      "a'".repeat(100_000),
      'a@'.repeat(100_000),
      `x@${'a'.repeat(200_000)}`,
      `x@${'a.'.repeat(100_000)}`,
      '<mailto:'.repeat(25_000),
      'DOB '.repeat(50_000),
      'SW1A '.repeat(50_000),
      '943 '.repeat(50_000),
      '+44 '.repeat(50_000),
    ];
    for (const input of inputs) {
      const started = performance.now();
      const findings = findPhi(input);
      const elapsed = performance.now() - started;
      assert.ok(Array.isArray(findings));
      assert.ok(elapsed < 1000, `${JSON.stringify(input.slice(0, 12))}… took ${elapsed.toFixed(0)} ms`);
    }
  });
});
