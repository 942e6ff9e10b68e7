/**
 * The NetFlow v9 encoder's datagrams, read back by our decoder and by tshark (the
 * independent reference), which must both see the values that went in.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collectField, tsharkDecode } from '../../../test/helpers/tshark.ts';
import { type FlowRecordSnapshot, snapshotFlow } from '../flow-record.ts';
import { ethernet, ipv4, udp } from '../packet/packet-builder.ts';
import { createNetflowDecoder } from './netflow-decoder.ts';
import { encodeNetflowV9Datagram, NETFLOW_V9_SEQUENCE_OFFSET, NF9, type NetflowV9Template } from './netflow-v9-encoder.ts';

const EXPORT_SECS = 1_700_000_000;
const UPTIME = 5_000_000;

const TEMPLATE: NetflowV9Template = {
  id: 260,
  fields: [
    { type: NF9.IPV4_SRC_ADDR, length: 4 },
    { type: NF9.IPV4_DST_ADDR, length: 4 },
    { type: NF9.L4_SRC_PORT, length: 2 },
    { type: NF9.L4_DST_PORT, length: 2 },
    { type: NF9.PROTOCOL, length: 1 },
    { type: NF9.TCP_FLAGS, length: 1 },
    { type: NF9.IN_PKTS, length: 4 },
    { type: NF9.IN_BYTES, length: 8 },
    { type: NF9.INPUT_SNMP, length: 2 },
    { type: NF9.OUTPUT_SNMP, length: 2 },
    { type: NF9.FIRST_SWITCHED, length: 4 },
    { type: NF9.LAST_SWITCHED, length: 4 },
  ],
};

const RECORDS = [
  { src: '198.51.100.7', dst: '203.0.113.20', sport: 51514, dport: 443, proto: 6, flags: 0x1a, packets: 12, bytes: 9_000, inIf: 3, outIf: 7, first: 4_990_000, last: 4_999_500 },
  { src: '203.0.113.20', dst: '192.0.2.53', sport: 40000, dport: 53, proto: 17, flags: 0, packets: 1, bytes: 2 ** 40 + 5, inIf: 7, outIf: 3, first: 4_998_000, last: 4_998_000 },
  { src: '192.0.2.9', dst: '198.51.100.200', sport: 22, dport: 60022, proto: 6, flags: 0x02, packets: 3, bytes: 180, inIf: 1, outIf: 2, first: 4_999_900, last: 4_999_990 },
];

function datagrams(): Buffer[] {
  const template = encodeNetflowV9Datagram({
    sysUptimeMs: UPTIME,
    unixSeconds: EXPORT_SECS,
    sequence: 41,
    sourceId: 7,
    flowSets: [{ kind: 'template', templates: [TEMPLATE] }],
  });
  const data = encodeNetflowV9Datagram({
    sysUptimeMs: UPTIME,
    unixSeconds: EXPORT_SECS,
    sequence: 42,
    sourceId: 7,
    flowSets: [
      {
        kind: 'data',
        template: TEMPLATE,
        records: RECORDS.map((r) => ({
          [NF9.IPV4_SRC_ADDR]: r.src,
          [NF9.IPV4_DST_ADDR]: r.dst,
          [NF9.L4_SRC_PORT]: r.sport,
          [NF9.L4_DST_PORT]: r.dport,
          [NF9.PROTOCOL]: r.proto,
          [NF9.TCP_FLAGS]: r.flags,
          [NF9.IN_PKTS]: r.packets,
          [NF9.IN_BYTES]: BigInt(r.bytes),
          [NF9.INPUT_SNMP]: r.inIf,
          [NF9.OUTPUT_SNMP]: r.outIf,
          [NF9.FIRST_SWITCHED]: r.first,
          [NF9.LAST_SWITCHED]: r.last,
        })),
      },
    ],
  });
  return [template, data];
}

/** A classic pcap (Ethernet) of the datagrams from 192.0.2.1:50000 to 127.0.0.1:2055. */
function pcapOf(payloads: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const frames = payloads.map((payload, i) => {
    const frame = ethernet({
      dst: '02:00:00:00:00:02',
      src: '02:00:00:00:00:01',
      etherType: 0x0800,
      payload: ipv4({ src: '192.0.2.1', dst: '127.0.0.1', protocol: 17, payload: udp({ srcPort: 50000, dstPort: 2055, payload }) }),
    });
    const record = Buffer.alloc(16);
    record.writeUInt32LE(EXPORT_SECS, 0);
    record.writeUInt32LE(i, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  return Buffer.concat([header, ...frames]);
}

describe('NetFlow v9 encoder', () => {
  it('writes a header with the record count, sequence and source id, and 4-byte aligned flowsets', () => {
    const [template, data] = datagrams();
    assert.equal(template.readUInt16BE(0), 9);
    assert.equal(template.readUInt16BE(2), 1);
    assert.equal(data.readUInt16BE(2), RECORDS.length);
    assert.equal(data.readUInt32BE(NETFLOW_V9_SEQUENCE_OFFSET), 42);
    assert.equal(data.readUInt32BE(16), 7);
    // 3 records of 38 bytes = 114, padded to 116, plus the 4-byte set header.
    assert.equal(data.readUInt16BE(22), 120);
    assert.equal(data.length, 20 + 120);
    assert.equal(template.length, 20 + 4 + 4 + 4 * TEMPLATE.fields.length);
  });

  it('rejects values that do not fit their field', () => {
    const encode = (value: number | string) =>
      encodeNetflowV9Datagram({
        sysUptimeMs: 0,
        unixSeconds: 0,
        sequence: 0,
        sourceId: 0,
        flowSets: [{ kind: 'data', template: TEMPLATE, records: [{ [NF9.L4_SRC_PORT]: value }] }],
      });
    assert.throws(() => encode(65536), /does not fit 2 bytes/);
    assert.throws(() => encode(-1), /does not fit 2 bytes/);
    assert.throws(() => encode('192.0.2.1'), /4 bytes given for a 2-byte field/);
  });

  it('is read back by our decoder with every value intact', () => {
    const decoder = createNetflowDecoder();
    const flows: FlowRecordSnapshot[] = [];
    for (const d of datagrams()) decoder.decode(d, '192.0.2.1', EXPORT_SECS * 1000, (f) => flows.push(snapshotFlow(f)));
    assert.deepEqual(Object.entries(decoder.errors).filter(([, n]) => n !== 0), []);
    assert.equal(flows.length, RECORDS.length);
    flows.forEach((f, i) => {
      const r = RECORDS[i];
      assert.equal(f.observationDomain, 7);
      assert.deepEqual(
        [f.srcAddr, f.dstAddr, f.srcPort, f.dstPort, f.protocol, f.tcpFlags, f.packets, f.bytes, f.inputInterface, f.outputInterface],
        [r.src, r.dst, r.sport, r.dport, r.proto, r.flags, r.packets, r.bytes, r.inIf, r.outIf],
      );
      // Flow end: export time minus (uptime - LAST_SWITCHED).
      assert.equal(f.timeMs, EXPORT_SECS * 1000 - (UPTIME - r.last));
    });
  });

  it('is read by tshark as the same template and records', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nf9-encoder-'));
    try {
      const file = join(dir, 'v9.pcap');
      writeFileSync(file, pcapOf(datagrams()));
      const packets = tsharkDecode(file, { decodeAs: ['udp.port==2055,cflow'] });
      assert.equal(packets.length, 2);
      assert.deepEqual(collectField(packets[0], 'cflow.template_id'), ['260']);
      assert.deepEqual(collectField(packets[1], 'cflow.sequence'), ['42']);
      assert.deepEqual(collectField(packets[1], 'cflow.srcaddr'), RECORDS.map((r) => r.src));
      assert.deepEqual(collectField(packets[1], 'cflow.dstaddr'), RECORDS.map((r) => r.dst));
      assert.deepEqual(collectField(packets[1], 'cflow.dstport'), RECORDS.map((r) => String(r.dport)));
      assert.deepEqual(collectField(packets[1], 'cflow.packets'), RECORDS.map((r) => String(r.packets)));
      assert.deepEqual(collectField(packets[1], 'cflow.octets'), RECORDS.map((r) => String(r.bytes)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
