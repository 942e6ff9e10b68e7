import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPacket } from './packet-builder.ts';
import type { SampledPacket } from './sampled-packet.ts';
import { renderTrafficDump, renderTrafficDumpLine } from './traffic-dump.ts';

/** The seed's "Detailed Traffic Dump", copied character for character. */
const SEED_LINES = [
  '21:44:53.145756 IP x.x.x.x.55008 > 76.9.23.182.29615: UDP, length 9216',
  '21:44:53.145883 IP x.x.x.x.55030 > 76.9.23.182.45527: UDP, length 9216',
  '21:44:53.146007 IP x.x.x.x.55046 > 76.9.23.182.1826:  UDP, length 9216',
  '21:44:53.146126 IP x.x.x.x.55064 > 76.9.23.182.34940: UDP, length 9216',
  '21:44:53.146249 IP x.x.x.x.55080 > 76.9.23.182.20559: UDP, length 9216',
  '21:44:53.146371 IP x.x.x.x.55093 > 76.9.23.182.31488: UDP, length 9216',
  '21:44:53.146493 IP x.x.x.x.55112 > 76.9.23.182.56406: UDP, length 9216',
  '21:44:53.146616 IP x.x.x.x.55132 > 76.9.23.182.43714: UDP, length 9216',
  '21:44:53.146741 IP x.x.x.x.55147 > 76.9.23.182.64613: UDP, length 9216',
];

// The seed masks the customer's address as x.x.x.x; the packets carry a documentation address.
const CUSTOMER = '192.0.2.10';
const mask = (line: string): string => line.replace(`IP ${CUSTOMER}.`, 'IP x.x.x.x.');

/** Rebuilds the seed's packets (timestamps, ports, 9216-byte datagrams) from its own lines. */
function seedPackets(): SampledPacket[] {
  return SEED_LINES.map((line) => {
    const m = /^(\d\d):(\d\d):(\d\d)\.(\d{6}) IP x\.x\.x\.x\.(\d+) > ([\d.]+)\.(\d+):/.exec(line);
    assert.ok(m, line);
    const [, h, min, s, micros, srcPort, dst, dstPort] = m;
    const data = buildPacket({ src: CUSTOMER, dst, protocol: 'udp', srcPort: Number(srcPort), dstPort: Number(dstPort), payloadLength: 9216 });
    // A sampled header: only the first 128 bytes were kept, as sFlow does.
    return {
      timeMs: Date.UTC(2013, 10, 13, Number(h), Number(min), Number(s)) + Number(micros) / 1000,
      data: data.subarray(0, 128),
      originalLength: data.length,
    };
  });
}

describe('renderTrafficDump', () => {
  test('reproduces the seed dump; the 4-digit port gets one space, as tcpdump prints it', () => {
    const lines = renderTrafficDump({ packets: seedPackets() }).map(mask);
    assert.equal(lines.length, SEED_LINES.length);
    for (let i = 0; i < SEED_LINES.length; i++) {
      // The seed's "1826:  UDP" is an artefact of its page; tcpdump-parity.test.ts shows tcpdump prints one space.
      const expected = i === 2 ? SEED_LINES[i].replace('1826:  UDP', '1826: UDP') : SEED_LINES[i];
      assert.equal(lines[i], expected);
    }
    assert.notEqual(lines[2], SEED_LINES[2]);
  });

  test('prints timestamps in the configured time zone', () => {
    const [packet] = seedPackets();
    assert.match(renderTrafficDumpLine(packet, { timeZone: 'Europe/Berlin' }), /^22:44:53\.145756 IP /);
    assert.match(renderTrafficDumpLine(packet, { timeZone: 'America/New_York' }), /^16:44:53\.145756 IP /);
    assert.match(renderTrafficDumpLine(packet, { timestamps: 'date-time' }), /^2013-11-13 21:44:53\.145756 IP /);
  });

  test('keeps capture order and renders IPv6 and raw-IP samples', () => {
    const v6 = buildPacket({ src: '2001:db8::1', dst: '2001:db8::2', protocol: 'tcp', srcPort: 1234, dstPort: 80, tcp: { flags: 0x02, seq: 7, window: 512 } });
    const raw = buildPacket({ src: '192.0.2.1', dst: '198.51.100.1', protocol: 'icmp', icmp: { type: 8, code: 0, rest: (1 << 16) | 2 }, payloadLength: 8, link: 'raw' });
    const lines = renderTrafficDump({
      packets: [
        { timeMs: 2000, data: v6, originalLength: v6.length },
        { timeMs: 1000.5, data: raw, originalLength: raw.length, linkType: 'raw' },
      ],
    });
    assert.deepEqual(lines, [
      '00:00:02.000000 IP6 2001:db8::1.1234 > 2001:db8::2.80: Flags [S], seq 7, win 512, length 0',
      '00:00:01.000500 IP 192.0.2.1 > 198.51.100.1: ICMP echo request, id 1, seq 2, length 16',
    ]);
  });

  test('never throws on garbage and marks truncation like tcpdump', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const data = Uint8Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256));
      // Steer a share of the frames into IPv4/IPv6 so the deeper printers see garbage too.
      if (data.length > 14 && i % 3 === 0) [data[12], data[13], data[14]] = [0x08, 0x00, 0x45];
      if (data.length > 14 && i % 3 === 1) [data[12], data[13], data[14]] = [0x86, 0xdd, 0x60];
      const line = renderTrafficDumpLine({ timeMs: i, data, originalLength: data.length, linkType: i % 7 === 0 ? 'raw' : 'ethernet' });
      assert.match(line, /^00:00:0\d\.\d{6} /);
      assert.ok(!line.includes('undecodable'), line);
    }
    assert.equal(renderTrafficDumpLine({ timeMs: 0, data: new Uint8Array(5), originalLength: 60 }), '00:00:00.000000  [|ether]');
  });
});
