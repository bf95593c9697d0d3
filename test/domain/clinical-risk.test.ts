import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LIKELIHOODS,
  parseClinicalSeverity,
  parseLikelihood,
  riskRating,
  SEVERITIES,
} from '../../src/domain/clinical-risk.ts';
import { AppError } from '../../src/domain/errors.ts';

describe('the DCB0129 clinical risk matrix', () => {
  test('every cell: likelihood × severity gives a rating of 1 to 5', () => {
    const table = LIKELIHOODS.map((l) => SEVERITIES.map((s) => riskRating(l, s)));
    assert.deepEqual(table, [
      [1, 1, 2, 2, 3],
      [1, 2, 2, 3, 4],
      [2, 2, 3, 3, 4],
      [2, 3, 3, 4, 5],
      [3, 4, 4, 5, 5],
    ]);
  });

  test('the rating never falls as likelihood or severity rises', () => {
    for (let l = 0; l < 5; l++)
      for (let s = 0; s < 5; s++) {
        const here = riskRating(LIKELIHOODS[l]!, SEVERITIES[s]!);
        if (l < 4) assert.ok(riskRating(LIKELIHOODS[l + 1]!, SEVERITIES[s]!) >= here);
        if (s < 4) assert.ok(riskRating(LIKELIHOODS[l]!, SEVERITIES[s + 1]!) >= here);
      }
  });

  test('words as people write them; anything else names the five', () => {
    assert.equal(parseLikelihood(' Very High '), 'very-high');
    assert.equal(parseLikelihood('very_low'), 'very-low');
    assert.equal(parseClinicalSeverity('CATASTROPHIC'), 'catastrophic');
    assert.throws(
      () => parseLikelihood('likely'),
      (e: unknown) => e instanceof AppError && /very low, low, medium, high or very high/.test(e.userMessage),
    );
    assert.throws(
      () => parseClinicalSeverity('moderate'),
      (e: unknown) =>
        e instanceof AppError && /minor, significant, considerable, major or catastrophic/.test(e.userMessage),
    );
  });
});
