import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFixed, formatInteger, formatThreshold } from './number-format.ts';

test('formatInteger groups thousands with dots and truncates', () => {
  assert.equal(formatInteger(0), '0');
  assert.equal(formatInteger(999), '999');
  assert.equal(formatInteger(1000), '1.000');
  assert.equal(formatInteger(40_674_000), '40.674.000');
  assert.equal(formatInteger(135_580.99), '135.580');
  assert.equal(formatInteger(5000 / 300), '16');
  assert.equal(formatInteger(-1_234_567.9), '-1.234.567');
  assert.equal(formatInteger(Number.MAX_SAFE_INTEGER), '9.007.199.254.740.991');
});

test('formatFixed prints integer units with a decimal comma', () => {
  assert.equal(formatFixed(5909, 3), '5,909');
  assert.equal(formatFixed(0, 3), '0,000');
  assert.equal(formatFixed(7, 3), '0,007');
  assert.equal(formatFixed(1_724_671, 3), '1.724,671');
  assert.equal(formatFixed(-15, 1), '-1,5');
  assert.equal(formatFixed(42, 0), '42');
  assert.throws(() => formatFixed(1.5, 3), /safe integer/);
});

test('formatThreshold keeps whole thresholds whole and trims decimals', () => {
  assert.equal(formatThreshold(100_000), '100.000');
  assert.equal(formatThreshold(1.5), '1,5');
  assert.equal(formatThreshold(0.125), '0,125');
});
