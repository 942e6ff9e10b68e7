import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockText, ctimeText, dateTimeText } from './time-text.ts';

test('ctimeText matches asctime, space-padding the day', () => {
  assert.equal(ctimeText(Date.UTC(2013, 10, 13, 18, 14, 27)), 'Wed Nov 13 18:14:27 2013');
  assert.equal(ctimeText(Date.UTC(2014, 10, 13, 18, 14, 27, 999)), 'Thu Nov 13 18:14:27 2014');
  assert.equal(ctimeText(Date.UTC(2024, 0, 1, 0, 0, 0)), 'Mon Jan  1 00:00:00 2024');
  assert.equal(ctimeText(0), 'Thu Jan  1 00:00:00 1970');
});

test('time zones follow daylight saving time', () => {
  const winter = Date.UTC(2024, 0, 15, 12, 0, 0);
  const summer = Date.UTC(2024, 6, 15, 12, 0, 0);
  assert.equal(ctimeText(winter, 'Europe/Berlin'), 'Mon Jan 15 13:00:00 2024');
  assert.equal(ctimeText(summer, 'Europe/Berlin'), 'Mon Jul 15 14:00:00 2024');
  assert.equal(ctimeText(summer, 'Asia/Kolkata'), 'Mon Jul 15 17:30:00 2024');
  // The hour the clocks skip in spring: 01:59:59 UTC is 03:59:59 CEST.
  assert.equal(clockText(Date.UTC(2024, 2, 31, 1, 59, 59), 'Europe/Berlin'), '03:59:59.000000');
  assert.throws(() => ctimeText(0, 'Nowhere/Nothing'), /unknown time zone: Nowhere\/Nothing/);
});

test('clockText and dateTimeText keep microseconds, rounding sub-microsecond noise', () => {
  const t = Date.UTC(2013, 10, 13, 21, 44, 53) + 145.756;
  assert.equal(clockText(t), '21:44:53.145756');
  assert.equal(dateTimeText(t), '2013-11-13 21:44:53.145756');
  assert.equal(clockText(Date.UTC(2013, 10, 13, 23, 59, 59) + 999.9996), '00:00:00.000000');
  assert.equal(dateTimeText(Date.UTC(2013, 10, 13, 23, 59, 59) + 999.9996), '2013-11-14 00:00:00.000000');
  assert.equal(clockText(-0.5), '23:59:59.999500');
});
