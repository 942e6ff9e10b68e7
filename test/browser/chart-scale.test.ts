/**
 * The traffic chart's arithmetic (web/src/console/chart-scale.ts) without a browser:
 * round ticks, SI numbers in both languages, local-time ticks, gaps left open, and which
 * threshold lines fit the chart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRate, formatSi, linePath, niceTicks, timeTicks, typicalGap, yTop } from '../../web/src/console/chart-scale.ts';

describe('chart scale', () => {
  it('puts round ticks from 0 up to at least the maximum', () => {
    assert.deepEqual(niceTicks(135_580), [0, 50_000, 100_000, 150_000]);
    assert.deepEqual(niceTicks(161e6), [0, 50e6, 100e6, 150e6, 200e6]);
    assert.deepEqual(niceTicks(3.7), [0, 1, 2, 3, 4]);
    assert.deepEqual(niceTicks(0), [0, 1], 'an empty chart still has an axis');
  });

  it('writes rates with SI prefixes in the language\'s number format', () => {
    assert.equal(formatSi(135_580, 'en-GB'), '135.6 k');
    assert.equal(formatSi(135_580, 'de-DE'), '135,6 k');
    assert.equal(formatSi(161e6, 'en-GB'), '161 M');
    assert.equal(formatSi(5e9, 'en-GB'), '5 G');
    assert.equal(formatSi(950, 'en-GB'), '950');
    assert.equal(formatRate(135_580, 'pps', 'en-GB'), '135.6 kpps');
    assert.equal(formatRate(161e6, 'bit/s', 'en-GB'), '161 Mbit/s');
    assert.equal(formatRate(12, 'pps', 'en-GB'), '12 pps');
  });

  it('places time ticks on whole hours of local time', () => {
    const from = Date.UTC(2030, 0, 1, 1, 2);
    const to = from + 6 * 3_600_000;
    assert.deepEqual(
      timeTicks(from, to, 6, 0).map((t) => new Date(t).toISOString().slice(11, 16)),
      ['02:00', '03:00', '04:00', '05:00', '06:00', '07:00'],
    );
    // UTC+05:30 (getTimezoneOffset -330): ticks fall on the local hour, :30 in UTC.
    assert.deepEqual(
      timeTicks(from, to, 6, -330).map((t) => new Date(t).toISOString().slice(11, 16)),
      ['01:30', '02:30', '03:30', '04:30', '05:30', '06:30'],
    );
    assert.deepEqual(timeTicks(to, from), [], 'an empty range has no ticks');
  });

  it('breaks the line where samples are missing', () => {
    const points = [0, 60, 120, 600, 660].map((s) => ({ t: s * 1000, v: s }));
    const gap = typicalGap(points.map((p) => p.t));
    assert.equal(gap, 60_000);
    assert.equal(
      linePath(points, (t) => t / 1000, (v) => 100 - v / 10, gap * 2.5),
      'M0,100L60,94L120,88M600,40L660,34',
    );
  });

  it('raises the axis to a nearby threshold and reports far ones as above the chart', () => {
    assert.deepEqual(yTop(135_580, [100_000, 1_000_000]), { top: 135_580, shown: [100_000], above: [1_000_000] });
    assert.deepEqual(yTop(3000, [100_000]), { top: 3000, shown: [], above: [100_000] });
    assert.deepEqual(yTop(30_000, [100_000, 0]), { top: 100_000, shown: [100_000], above: [] }, 'a threshold within five times the peak is drawn; 0 is off');
    assert.deepEqual(yTop(0, [100_000, 1_000_000]), { top: 100_000, shown: [100_000], above: [1_000_000] }, 'no traffic: scaled to the lowest threshold');
  });
});
