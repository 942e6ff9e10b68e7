/**
 * The lab's readers of tool output and the exporter configuration, on output captured
 * from the real tools in the lab (tcpdump 4.99, nmap 7.93, hping3 3.0.0-alpha-2) and on
 * the seed's log formats. The lab itself runs with `npm run lab` (root, namespaces).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mentionsAddress } from '../../lab/gateway-state.ts';
import { hpingTransmitted, netscanLogHost, netscanLogLines, nmapPortStates, packetLimitLines, tcpdumpPackets } from '../../lab/lab-parsers.ts';
import { dnsAnswer, dnsQuery } from '../../lab/benign-traffic.ts';
import { pmacctdConfig, preTagMap } from '../../lab/pmacct-exporter.ts';

const TCPDUMP = `1795244771.752300 IP 203.0.113.10.35250 > 192.0.2.1.22: Flags [S], seq 1816712893, win 1024, options [mss 1460], length 0
1795244771.752341 IP 203.0.113.10.35250 > 192.0.2.2.22: Flags [S], seq 1816712893, win 1024, options [mss 1460], length 0
1795244771.752358 IP 203.0.113.10.35250 > 192.0.2.3.22: Flags [S], seq 1816712893, win 1024, options [mss 1460], length 0
`;

const NMAP = `# Nmap 7.93 scan initiated Sat Nov 21 07:06:11 2026 as: nmap -sS -Pn -n -p22 -T4 --max-retries 1 -oG - 192.0.2.0/30
Host: 192.0.2.0 ()\tStatus: Up
Host: 192.0.2.0 ()\tPorts: 22/closed/tcp//ssh///
Host: 192.0.2.1 ()\tStatus: Up
Host: 192.0.2.1 ()\tPorts: 22/closed/tcp//ssh///
Host: 192.0.2.2 ()\tStatus: Up
Host: 192.0.2.2 ()\tPorts: 22/filtered/tcp//ssh///
Host: 192.0.2.3 ()\tStatus: Up
Host: 192.0.2.3 ()\tPorts: 22/closed/tcp//ssh///
# Nmap done at Sat Nov 21 07:06:11 2026 -- 4 IP addresses (4 hosts up) scanned in 0.07 seconds
`;

describe('lab output readers', () => {
  it('reads the packets tcpdump printed', () => {
    assert.deepEqual(tcpdumpPackets(TCPDUMP), [
      { time: 1795244771.7523, src: '203.0.113.10', dst: '192.0.2.1', dstPort: 22 },
      { time: 1795244771.752341, src: '203.0.113.10', dst: '192.0.2.2', dstPort: 22 },
      { time: 1795244771.752358, src: '203.0.113.10', dst: '192.0.2.3', dstPort: 22 },
    ]);
    assert.deepEqual(tcpdumpPackets('tcpdump: verbose output suppressed\nlistening on eth0\n'), []);
  });

  it('reads the port states nmap reported per host', () => {
    assert.deepEqual(
      [...nmapPortStates(NMAP, 22)],
      [
        ['192.0.2.0', 'closed'],
        ['192.0.2.1', 'closed'],
        ['192.0.2.2', 'filtered'],
        ['192.0.2.3', 'closed'],
      ],
    );
    assert.equal(nmapPortStates(NMAP, 80).size, 0);
  });

  it('reads the netscan log of the seed format', () => {
    const log = [
      '###################################################################',
      '#          Netscan detected from host   203.0.113.10              #',
      '###################################################################',
      '',
      'time                        src_ip\t\t  dest_ip:dest_port',
      '-------------------------------------------------------------------',
      'Sat Nov 21 06:55:01 2026:   203.0.113.10 =>           192.0.2.0:   22',
      'Sat Nov 21 06:55:01 2026:   203.0.113.10 =>         192.0.2.255:   22',
    ].join('\n');
    assert.equal(netscanLogHost(log), '203.0.113.10');
    assert.deepEqual(netscanLogLines(log), [
      { src: '203.0.113.10', dst: '192.0.2.0', port: 22 },
      { src: '203.0.113.10', dst: '192.0.2.255', port: 22 },
    ]);
    assert.equal(netscanLogHost('no box here'), null);
  });

  it('reads the packet-limit summary of the seed format', () => {
    const log = `Direction OUT
Internal 178.63.65.85
Threshold Packets 100.000 packets/s
Sum                     40.674.000 packets/300s (135.580 packets/s),  40.673 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)
External 77.96.88.114,  40.668.000 packets/300s (135.560 packets/s),  40.667 flows/300s (135 flows/s),  5,909 GByte/300s (161 MBit/s)
External 196.37.186.67,  5.000 packets/300s (16 packets/s),                5 flows/300s (0 flows/s),    0,000 GByte/300s (0 MBit/s)
`;
    assert.deepEqual(packetLimitLines(log), [
      { label: 'Sum', address: null, packets: 40_674_000, seconds: 300 },
      { label: 'External', address: '77.96.88.114', packets: 40_668_000, seconds: 300 },
      { label: 'External', address: '196.37.186.67', packets: 5000, seconds: 300 },
    ]);
  });

  it('reads how many packets hping3 sent', () => {
    assert.equal(hpingTransmitted('--- 192.0.2.77 hping statistic ---\n3 packets transmitted, 3 packets received, 0% packet loss\n'), 3);
    assert.equal(hpingTransmitted('HPING 192.0.2.77 (eth0 192.0.2.77): udp mode set'), null);
  });

  it('finds an address in an nft listing only as a whole', () => {
    const listing = 'table inet netwarden {\n\tset locked4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { 203.0.113.100, 203.0.113.10 }\n\t}\n}\n';
    assert.ok(mentionsAddress(listing, '203.0.113.10'));
    assert.ok(mentionsAddress(listing, '203.0.113.100'));
    assert.ok(!mentionsAddress(listing, '203.0.113.1'));
    assert.ok(!mentionsAddress('elements = { 203.0.113.100 }', '203.0.113.10'));
    assert.ok(mentionsAddress('elements = { 203.0.113.10 . 198.51.100.18 }', '198.51.100.18'));
  });
});

describe('lab traffic and exporter helpers', () => {
  it('answers a DNS query with one A record for the same id and question', () => {
    const query = dnsQuery(0x1234, 'host7.lab.example');
    const answer = dnsAnswer(query, '203.0.113.20');
    assert.ok(answer);
    assert.equal(answer.readUInt16BE(0), 0x1234);
    assert.equal(answer.readUInt16BE(2), 0x8180);
    assert.equal(answer.readUInt16BE(6), 1, 'one answer');
    assert.deepEqual(answer.subarray(12, query.length), query.subarray(12));
    assert.deepEqual([...answer.subarray(-4)], [203, 0, 113, 20]);
    assert.equal(dnsAnswer(query.subarray(0, 14), '203.0.113.20'), null, 'a cut-off question gets no answer');
  });

  it('configures pmacctd per protocol with directions, short timeouts and the sFlow buffer quirk', () => {
    const base = { ifIndex: 7, preTagMapFile: '/tmp/pretag.map' };
    const v9 = pmacctdConfig({ ...base, protocol: 'netflow-v9' });
    assert.match(v9, /^nfprobe_version\[nf\]: 9$/m);
    assert.match(v9, /^nfprobe_receiver\[nf\]: 198\.51\.100\.50:2055$/m);
    assert.match(v9, /^nfprobe_direction\[nf\]: tag$/m);
    assert.match(v9, /^nfprobe_ifindex\[nf\]: 7$/m);
    assert.match(v9, /^nfprobe_timeouts: tcp=1:/m);
    const ipfix = pmacctdConfig({ ...base, protocol: 'ipfix' });
    assert.match(ipfix, /^nfprobe_version\[nf\]: 10$/m);
    assert.match(ipfix, /^nfprobe_receiver\[nf\]: 198\.51\.100\.50:4739$/m);
    const sflow = pmacctdConfig({ ...base, protocol: 'sflow', samplingRate: 10 });
    assert.match(sflow, /^sfprobe_receiver\[sf\]: 198\.51\.100\.50:6343$/m);
    assert.match(sflow, /^sampling_rate\[sf\]: 10$/m);
    assert.match(sflow, /^plugin_buffer_size\[sf\]: 1$/m);
    assert.doesNotMatch(sflow, /nfprobe/);
    assert.equal(preTagMap('02:00:00:00:01:01'), "set_tag=2 filter='ether src 02:00:00:00:01:01'\nset_tag=1 filter='not ether src 02:00:00:00:01:01'\n");
  });
});
