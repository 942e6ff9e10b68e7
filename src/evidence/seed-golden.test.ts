/**
 * Golden test against the seed's own bytes: testdata/seed-log-files.txt is the seed's
 * "Log Files" section verbatim (see testdata/README.md). Each renderer is fed the
 * seed's data and must print the seed's lines, with exactly two documented exceptions
 * that the seed itself gets wrong: the weekday of 13 Nov 2013 and the doubled space
 * after port 1826.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderNetscanLog } from './netscan-log.ts';
import { buildPacket } from './packet-builder.ts';
import { renderPacketLimitSummary } from './packet-limit-summary.ts';
import { renderTrafficDump } from './traffic-dump.ts';

const seed = readFileSync(join(import.meta.dirname, 'testdata', 'seed-log-files.txt'), 'utf8').split('\n');

function block(first: string, count: number): string[] {
  const start = seed.findIndex((line) => line.startsWith(first));
  assert.ok(start >= 0, first);
  return seed.slice(start, start + count);
}

test('netscan section', () => {
  const lines = block('####', 10);
  const events = lines.slice(6).map((line) => {
    const m = /^\w{3} (\w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}): {3}(\S+) => +([\d.]+): +(\d+)$/.exec(line);
    assert.ok(m, line);
    return { timeMs: Date.parse(`${m[1]} UTC`), srcAddr: m[2], dstAddr: m[3], dstPort: Number(m[4]) };
  });
  const expected = lines.map((line) => line.replace(/^Thu Nov 13 (.*) 2013:/, 'Wed Nov 13 $1 2013:'));
  assert.equal(new Date(events[0].timeMs).getUTCDay(), 3);
  assert.deepEqual(renderNetscanLog({ host: 'x.x.x.x', events }), expected);
});

test('packet limit section', () => {
  const lines = block('Direction ', 7);
  const rendered = renderPacketLimitSummary({
    direction: 'OUT',
    internal: '178.63.65.85',
    threshold: { value: 100_000, unit: 'packets/s' },
    windowSeconds: 300,
    sum: { packets: 40_674_000, flows: 40_673, bytes: 6_345_260_000 },
    externals: [
      { address: '77.96.88.114', packets: 40_668_000, flows: 40_667, bytes: 6_344_900_000 },
      { address: '196.37.186.67', packets: 5_000, flows: 5, bytes: 300_000 },
      { address: '77.74.52.53', packets: 1_000, flows: 1, bytes: 60_000 },
    ],
  });
  assert.deepEqual(rendered, lines);
});

test('traffic dump section', () => {
  const lines = block('21:44:53.145756', 9);
  const packets = lines.map((line) => {
    const m = /^21:44:53\.(\d{6}) IP x\.x\.x\.x\.(\d+) > ([\d.]+)\.(\d+): +UDP, length (\d+)$/.exec(line);
    assert.ok(m, line);
    const frame = buildPacket({ src: '192.0.2.10', dst: m[3], protocol: 'udp', srcPort: Number(m[2]), dstPort: Number(m[4]), payloadLength: Number(m[5]) });
    return { timeMs: Date.UTC(2013, 10, 13, 21, 44, 53) + Number(m[1]) / 1000, data: frame.subarray(0, 128), originalLength: frame.length };
  });
  const rendered = renderTrafficDump({ packets }).map((line) => line.replace(' IP 192.0.2.10.', ' IP x.x.x.x.'));
  assert.deepEqual(
    rendered,
    lines.map((line) => line.replace('.1826:  UDP', '.1826: UDP')),
  );
  assert.equal(lines.filter((line) => line.includes(':  UDP')).length, 1, 'the seed doubles the space once');
});
