/**
 * Writes pcap files and reads them back with tshark, the reference decoder, to prove a
 * customer's Wireshark sees the same packets, addresses, ports, lengths and timestamps.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildPacket } from './packet-builder.ts';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, writePcap } from './pcap-writer.ts';
import type { SampledPacket } from './sampled-packet.ts';

const dir = mkdtempSync(join(tmpdir(), 'netwarden-pcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FIELDS = [
  'frame.time_epoch',
  'frame.len',
  'frame.cap_len',
  'eth.type',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'icmp.type',
];

type Row = Record<string, string>;

function tsharkRows(file: Buffer, name: string): Row[] {
  const path = join(dir, name);
  writeFileSync(path, file);
  const args = ['-n', '-r', path, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f'];
  for (const field of FIELDS) args.push('-e', field);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Object.fromEntries(line.split('|').map((value, i) => [FIELDS[i], value])));
}

const T0 = Date.UTC(2013, 10, 13, 21, 44, 53) + 145.756;

function ethernetSamples(): SampledPacket[] {
  const udp = buildPacket({ src: '192.0.2.10', dst: '198.51.100.182', protocol: 'udp', srcPort: 55008, dstPort: 29615, payloadLength: 9216 });
  const tcp6 = buildPacket({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 'tcp', srcPort: 41234, dstPort: 443, tcp: { flags: 0x02, seq: 1, window: 1024 } });
  const icmp = buildPacket({ src: '192.0.2.10', dst: '203.0.113.7', protocol: 'icmp', icmp: { type: 8, code: 0, rest: 1 }, payloadLength: 56, vlan: 42 });
  return [
    // An sFlow-style sample: 128 bytes kept of a 9258-byte frame.
    { timeMs: T0, data: udp.subarray(0, 128), originalLength: udp.length },
    { timeMs: T0 + 0.127, data: tcp6, originalLength: tcp6.length, linkType: 'ethernet' },
    { timeMs: T0 + 1000.001, data: icmp, originalLength: icmp.length },
  ];
}

describe('writePcap', () => {
  test('writes a classic microsecond pcap header', () => {
    const file = writePcap(ethernetSamples(), { snapLength: 256 });
    assert.equal(file.readUInt32LE(0), 0xa1b2c3d4);
    assert.deepEqual([file.readUInt16LE(4), file.readUInt16LE(6)], [2, 4]);
    assert.equal(file.readUInt32LE(16), 256);
    assert.equal(file.readUInt32LE(20), LINKTYPE_ETHERNET);
    assert.equal(file.length, 24 + 3 * 16 + 128 + 74 + 102);
  });

  test('tshark reads back the same Ethernet packets', () => {
    const rows = tsharkRows(writePcap(ethernetSamples()), 'ethernet.pcap');
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[0], {
      ...rows[0],
      'frame.time_epoch': '1384379093.145756000',
      'frame.len': '9258',
      'frame.cap_len': '128',
      'ip.src': '192.0.2.10',
      'ip.dst': '198.51.100.182',
      'udp.srcport': '55008',
      'udp.dstport': '29615',
    });
    assert.deepEqual(rows[1], {
      ...rows[1],
      'frame.time_epoch': '1384379093.145883000',
      'frame.len': '74',
      'frame.cap_len': '74',
      'ipv6.src': '2001:db8::1',
      'ipv6.dst': '2001:db8::2',
      'tcp.srcport': '41234',
      'tcp.dstport': '443',
      'tcp.flags': '0x0002',
    });
    assert.deepEqual(rows[2], {
      ...rows[2],
      'frame.time_epoch': '1384379094.145757000',
      'frame.len': '102',
      'ip.dst': '203.0.113.7',
      'icmp.type': '8',
    });
  });

  test('an all-IP capture becomes LINKTYPE_RAW', () => {
    const raw = buildPacket({ src: '192.0.2.1', dst: '198.51.100.2', protocol: 'udp', srcPort: 1000, dstPort: 2000, payloadLength: 100, link: 'raw' });
    const raw6 = buildPacket({ src: '2001:db8::5', dst: '2001:db8::6', protocol: 'udp', srcPort: 1001, dstPort: 2001, link: 'raw' });
    const file = writePcap([
      { timeMs: T0, data: raw, originalLength: raw.length, linkType: 'raw' },
      { timeMs: T0, data: raw6, originalLength: raw6.length, linkType: 'raw' },
    ]);
    assert.equal(file.readUInt32LE(20), LINKTYPE_RAW);
    const rows = tsharkRows(file, 'raw.pcap');
    assert.deepEqual(
      rows.map((r) => [r['frame.len'], r['ip.src'] || r['ipv6.src'], r['udp.dstport']]),
      [
        ['128', '192.0.2.1', '2000'],
        ['48', '2001:db8::5', '2001'],
      ],
    );
  });

  test('a mixed capture puts IP-only samples behind a synthetic Ethernet header', () => {
    const [ethernet] = ethernetSamples();
    const raw6 = buildPacket({ src: '2001:db8::5', dst: '2001:db8::6', protocol: 'udp', srcPort: 1001, dstPort: 2001, payloadLength: 500, link: 'raw' });
    const rows = tsharkRows(writePcap([ethernet, { timeMs: T0 + 5, data: raw6.subarray(0, 100), originalLength: raw6.length, linkType: 'raw' }]), 'mixed.pcap');
    assert.equal(rows.length, 2);
    assert.deepEqual(
      [rows[1]['eth.type'], rows[1]['frame.len'], rows[1]['frame.cap_len'], rows[1]['ipv6.dst'], rows[1]['udp.srcport']],
      ['0x86dd', String(raw6.length + 14), '114', '2001:db8::6', '1001'],
    );
  });

  test('cuts to the snap length, keeps the wire length and skips empty samples', () => {
    const samples = [...ethernetSamples(), { timeMs: T0, data: new Uint8Array(0), originalLength: 60 }];
    const rows = tsharkRows(writePcap(samples, { snapLength: 60 }), 'snap.pcap');
    assert.deepEqual(
      rows.map((r) => [r['frame.len'], r['frame.cap_len']]),
      [
        ['9258', '60'],
        ['74', '60'],
        ['102', '60'],
      ],
    );
    assert.throws(() => writePcap(samples, { snapLength: 0 }), /snapLength must be a positive integer/);
  });
});
