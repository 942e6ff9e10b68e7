import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type EvidenceLogInput, renderEvidenceLog } from './evidence-log.ts';
import { renderNetscanLog } from './netscan-log.ts';
import { buildPacket } from './packet-builder.ts';
import { renderPacketLimitSummary, type PacketLimitEvidence } from './packet-limit-summary.ts';

const LOCKED_AT = Date.UTC(2013, 10, 13, 18, 20, 0);
const SCAN_TIME = Date.UTC(2013, 10, 13, 18, 14, 27);

const limit: PacketLimitEvidence = {
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
};

function fullInput(): EvidenceLogInput {
  const udp = buildPacket({ src: '192.0.2.10', dst: '198.51.100.182', protocol: 'udp', srcPort: 55008, dstPort: 29615, payloadLength: 9216 });
  return {
    blockingId: 'NW-2013-000042',
    server: 'EX42 #123456 (192.0.2.10)',
    reason: 'Netscan and packet limit exceeded',
    lockedAtMs: LOCKED_AT,
    netscan: {
      host: '192.0.2.10',
      events: [0, 1].map((i) => ({ timeMs: SCAN_TIME, srcAddr: '192.0.2.10', dstAddr: `198.51.100.${i}`, dstPort: 22 })),
    },
    packetLimits: [limit],
    trafficDump: { packets: [{ timeMs: LOCKED_AT - 60_000 + 0.5, data: udp.subarray(0, 128), originalLength: udp.length }] },
  };
}

describe('renderEvidenceLog', () => {
  test('assembles header and the three seed sections, each byte for byte', () => {
    const input = fullInput();
    const text = renderEvidenceLog(input);
    const expected = [
      'Blocking ID: NW-2013-000042',
      'Server: EX42 #123456 (192.0.2.10)',
      'Reason: Netscan and packet limit exceeded',
      'Time: Wed Nov 13 18:20:00 2013 (UTC)',
      '',
      'Information on Port-/Netscans',
      '',
      ...renderNetscanLog(input.netscan!),
      '',
      'Summary on exceeded Packet Limits',
      '',
      ...renderPacketLimitSummary(limit),
      '',
      'Detailed Traffic Dump',
      '',
      '18:19:00.000500 IP 192.0.2.10.55008 > 198.51.100.182.29615: UDP, length 9216',
      '',
    ].join('\n');
    assert.equal(text, expected);
    // The seed's own lines appear verbatim inside the file.
    assert.ok(text.includes('\nSum                     40.674.000 packets/300s (135.580 packets/s),  40.673 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)\n'));
    assert.ok(text.includes('\ntime                        src_ip\t\t  dest_ip:dest_port\n'));
    assert.ok(text.includes('\n#          Netscan detected from host   192.0.2.10                #\n'));
  });

  test('renders only the sections that exist, in the configured time zone', () => {
    const input = fullInput();
    const text = renderEvidenceLog(
      { ...input, netscan: undefined, packetLimits: [limit, { ...limit, direction: 'IN' }], trafficDump: { packets: [] } },
      { timeZone: 'Europe/Berlin' },
    );
    assert.ok(text.startsWith('Blocking ID: NW-2013-000042\nServer: EX42 #123456 (192.0.2.10)\nReason: Netscan and packet limit exceeded\nTime: Wed Nov 13 19:20:00 2013 (Europe/Berlin)\n\n'));
    assert.ok(!text.includes('Netscans'));
    assert.ok(!text.includes('Traffic Dump'));
    const summaries = text.split('\n\n').filter((block) => block.startsWith('Direction '));
    assert.deepEqual(
      summaries.map((block) => block.split('\n')[0]),
      ['Direction OUT', 'Direction IN'],
    );
    assert.ok(text.endsWith('0,000 GByte/300s (0 MBit/s)\n'));
  });

  test('passes listing caps and the dump timestamp style through', () => {
    const input = fullInput();
    const text = renderEvidenceLog(input, { maxNetscanEvents: 1, maxExternals: 1, dumpTimestamps: 'date-time' });
    assert.ok(text.includes('\n..... (1 more not shown)\n'));
    assert.ok(text.includes('\n..... (2 more external addresses not shown)\n'));
    assert.ok(text.includes('\n2013-11-13 18:19:00.000500 IP 192.0.2.10.55008'));
  });

  test('says so when no section exists and keeps header fields on one line', () => {
    const text = renderEvidenceLog({ blockingId: 'B-1\nReason: forged', server: 'srv\r\t1', reason: 'Abuse', lockedAtMs: 0 });
    assert.equal(
      text,
      'Blocking ID: B-1 Reason: forged\nServer: srv  1\nReason: Abuse\nTime: Thu Jan  1 00:00:00 1970 (UTC)\n\nNo log data was recorded for this lock.\n',
    );
  });
});
