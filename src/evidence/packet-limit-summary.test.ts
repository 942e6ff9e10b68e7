import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type PacketLimitEvidence, renderPacketLimitSummary } from './packet-limit-summary.ts';

/** The seed's summary, copied character for character. */
const SEED = [
  'Direction OUT',
  'Internal 178.63.65.85',
  'Threshold Packets 100.000 packets/s',
  'Sum                     40.674.000 packets/300s (135.580 packets/s),  40.673 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)',
  'External 77.96.88.114,  40.668.000 packets/300s (135.560 packets/s),  40.667 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)',
  'External 196.37.186.67,  5.000 packets/300s (16 packets/s),                5 flows/300s (0 flows/s),    0,000 GByte/300s (0 MBit/s)',
  'External 77.74.52.53,    1.000 packets/300s (3 packets/s),                 1 flows/300s (0 flows/s),    0,000 GByte/300s (0 MBit/s)',
];

/**
 * The seed's totals. Its packet and flow counts are printed exactly; the byte counts are
 * chosen to print as the seed does: 6.344.900.000 bytes is 5,909 GiB, and 161 MBit/s
 * over 300 s; the two small externals carry 60-byte packets.
 */
function seedEvidence(): PacketLimitEvidence {
  const big = { address: '77.96.88.114', packets: 40_668_000, flows: 40_667, bytes: 6_344_900_000 };
  const small = { address: '196.37.186.67', packets: 5_000, flows: 5, bytes: 5_000 * 60 };
  const tiny = { address: '77.74.52.53', packets: 1_000, flows: 1, bytes: 1_000 * 60 };
  return {
    direction: 'OUT',
    internal: '178.63.65.85',
    threshold: { value: 100_000, unit: 'packets/s' },
    windowSeconds: 300,
    sum: { packets: 40_674_000, flows: 40_673, bytes: big.bytes + small.bytes + tiny.bytes },
    // Deliberately out of order: the summary lists the largest sender first.
    externals: [small, big, tiny],
  };
}

describe('renderPacketLimitSummary', () => {
  test('reproduces the seed summary byte for byte', () => {
    assert.deepEqual(renderPacketLimitSummary(seedEvidence()), SEED);
  });

  test('derives rates by truncation and volume in binary units', () => {
    const [, , , sum] = renderPacketLimitSummary({
      ...seedEvidence(),
      sum: { packets: 599, flows: 299, bytes: 2 ** 30 * 2 - 1 },
      externals: [],
    });
    // 599/300 = 1.99 -> 1; 299/300 -> 0; 2 GiB - 1 byte -> 1,999 GByte; *8/300/2^20 = 54.6 -> 54.
    assert.equal(sum, 'Sum    599 packets/300s (1 packets/s),  299 flows/300s (0 flows/s),  1,999 GByte/300s (54 MBit/s)');
  });

  test('keeps columns aligned for IPv6 externals and large numbers', () => {
    const lines = renderPacketLimitSummary({
      direction: 'IN',
      internal: '2001:db8::10',
      threshold: { value: 1000, unit: 'MBit/s' },
      windowSeconds: 60,
      sum: { packets: 1_234_567_890, flows: 12, bytes: 1_500 * 1_234_567_890 },
      externals: [
        { address: '2001:db8:ffff:1234:5678:9abc:def0:1', packets: 1_234_567_000, flows: 2, bytes: 1_500 * 1_234_567_000 },
        { address: '2001:db8::2', packets: 890, flows: 10, bytes: 1_500 * 890 },
      ],
    });
    assert.deepEqual(lines, [
      'Direction IN',
      'Internal 2001:db8::10',
      'Threshold Bandwidth 1.000 MBit/s',
      'Sum                                           1.234.567.890 packets/60s (20.576.131 packets/s),  12 flows/60s (0 flows/s),  1.724,671 GByte/60s (235.475 MBit/s)',
      'External 2001:db8:ffff:1234:5678:9abc:def0:1, 1.234.567.000 packets/60s (20.576.116 packets/s),   2 flows/60s (0 flows/s),  1.724,670 GByte/60s (235.474 MBit/s)',
      'External 2001:db8::2,                            890 packets/60s (14 packets/s),                 10 flows/60s (0 flows/s),      0,001 GByte/60s (0 MBit/s)',
    ]);
    for (const marker of [' flows/60s', ' GByte/60s']) {
      assert.equal(new Set(lines.slice(3).map((row) => row.indexOf(marker))).size, 1, marker);
    }
  });

  test('names every threshold unit and caps the external list', () => {
    const base = seedEvidence();
    const flows = renderPacketLimitSummary({ ...base, threshold: { value: 25_000, unit: 'flows/s' } }, { maxExternals: 1 });
    assert.equal(flows[2], 'Threshold Flows 25.000 flows/s');
    assert.equal(flows.length, 6);
    // Widths follow the rows shown: without the longest label the count moves one column left.
    assert.equal(flows[4], SEED[4].replace('114,  40', '114, 40'));
    assert.equal(flows[5], '..... (2 more external addresses not shown)');
    assert.equal(renderPacketLimitSummary({ ...base, threshold: { value: 1.5, unit: 'MBit/s' } })[2], 'Threshold Bandwidth 1,5 MBit/s');
    assert.throws(() => renderPacketLimitSummary({ ...base, windowSeconds: 0 }), /windowSeconds must be a positive integer/);
  });
});
