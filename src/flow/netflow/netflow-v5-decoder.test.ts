import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFlowRecord, type FlowRecordSnapshot, snapshotFlow } from '../flow-record.ts';
import { createErrorReporter, type NetflowDecodeErrorReason } from './decode-errors.ts';
import { decodeNetflowV5 } from './netflow-v5-decoder.ts';

function be(value: number, width: number): number[] {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) % 256);
  return out;
}

const UNIX_SECS = 1_700_000_000;
const UPTIME = 50_000_000;

function header(count: number, samplingField: number, nsecs = 250_000_000): number[] {
  return [...be(5, 2), ...be(count, 2), ...be(UPTIME, 4), ...be(UNIX_SECS, 4), ...be(nsecs, 4), ...be(99, 4), 1, 2, ...be(samplingField, 2)];
}

function record(src: number[], dst: number[], protocol: number, dstPort: number, packets: number, bytes: number, lastUptime: number): number[] {
  return [
    ...src,
    ...dst,
    ...[0, 0, 0, 0], // next hop
    ...be(7, 2),
    ...be(8, 2),
    ...be(packets, 4),
    ...be(bytes, 4),
    ...be(lastUptime - 1000, 4),
    ...be(lastUptime, 4),
    ...be(1234, 2),
    ...be(dstPort, 2),
    0,
    0x1b,
    protocol,
    0,
    ...be(64500, 2),
    ...be(64501, 2),
    24,
    16,
    0,
    0,
  ];
}

function decode(bytes: number[]) {
  const reasons: Array<[NetflowDecodeErrorReason, string]> = [];
  const errors = createErrorReporter((reason, detail) => reasons.push([reason, detail]));
  const flows: FlowRecordSnapshot[] = [];
  const n = decodeNetflowV5(Uint8Array.from(bytes), '198.51.100.1', createFlowRecord(), (f) => flows.push(snapshotFlow(f)), errors);
  assert.equal(n, flows.length);
  return { flows, reasons };
}

describe('NetFlow v5', () => {
  it('decodes records, applies the 14-bit sampling interval and converts uptimes to epoch ms', () => {
    // Mode 01 (top two bits) with interval 100.
    const { flows, reasons } = decode([
      ...header(2, 0x4000 | 100),
      ...record([192, 0, 2, 1], [203, 0, 113, 2], 6, 443, 3, 1800, UPTIME - 2000),
      ...record([192, 0, 2, 3], [203, 0, 113, 4], 1, (3 << 8) | 1, 1, 84, UPTIME + 10),
    ]);
    assert.deepEqual(reasons, []);
    const exportMs = UNIX_SECS * 1000 + 250;
    assert.deepEqual(flows[0], {
      timeMs: exportMs - 2000,
      exporter: '198.51.100.1',
      observationDomain: (1 << 8) | 2,
      inputInterface: 7,
      outputInterface: 8,
      ipVersion: 4,
      srcAddr: '192.0.2.1',
      dstAddr: '203.0.113.2',
      srcPort: 1234,
      dstPort: 443,
      protocol: 6,
      tcpFlags: 0x1b,
      fragment: false,
      packets: 300,
      bytes: 180_000,
      samplingRate: 100,
      srcMac: '',
      dstMac: '',
      vlan: 0,
      frameLength: 0,
      header: null,
    });
    // ICMP type/code stays in the destination port; a last-switched stamp slightly ahead
    // of the header uptime yields a time slightly after the export time.
    assert.deepEqual([flows[1].dstPort, flows[1].timeMs], [(3 << 8) | 1, exportMs + 10]);
  });

  it('treats a zero sampling interval as unsampled', () => {
    const { flows } = decode([...header(1, 0), ...record([192, 0, 2, 1], [192, 0, 2, 2], 17, 53, 2, 100, UPTIME)]);
    assert.deepEqual([flows[0].samplingRate, flows[0].packets, flows[0].bytes], [1, 2, 100]);
  });

  it('emits the complete records of a truncated datagram and counts it once', () => {
    const full = [...header(3, 0), ...record([192, 0, 2, 1], [192, 0, 2, 2], 6, 80, 1, 1, UPTIME), ...record([192, 0, 2, 3], [192, 0, 2, 4], 6, 80, 1, 1, UPTIME)];
    const { flows, reasons } = decode([...full, 1, 2, 3]);
    assert.equal(flows.length, 2);
    assert.deepEqual(reasons, [['truncated', 'netflow v5 seq 99: truncated records (need 168, got 123)']]);
  });

  it('counts a short header and a wrong version without throwing', () => {
    assert.deepEqual(decode([0, 5, 0, 1]).reasons, [['truncated', 'netflow v5: truncated header (need 24, got 4)']]);
    const wrong = header(0, 0);
    wrong[1] = 6;
    assert.deepEqual(decode(wrong).reasons, [['bad_version', 'netflow v5: unexpected version 6']]);
  });
});
