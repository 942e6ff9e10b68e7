import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv4FlowRecord } from '../../test/helpers/flow-records.ts';
import { createFlowRecord } from '../flow/flow-record.ts';
import { ipv4Text, ipv6Text } from './address-text.ts';
import { FlowBatchReader, FlowBatchWriter } from './flow-batch.ts';

describe('flow batch', () => {
  it('carries IPv4 and IPv6 addresses, ports and counters from the writer to the reader', () => {
    const writer = new FlowBatchWriter(4);
    const v4 = ipv4FlowRecord('203.0.113.1', '198.18.10.11');
    v4.srcPort = 443;
    v4.dstPort = 50_000;
    v4.packets = 7;
    v4.bytes = 7_000;
    v4.timeMs = 1_700_000_000_123;
    v4.exporter = '192.0.2.10';
    const v6 = createFlowRecord();
    v6.ipVersion = 6;
    v6.srcAddr.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v6.dstAddr.set([0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd]);
    v6.exporter = '2001:db8::a';
    writer.add(v6);
    writer.add(v4);
    const reader = new FlowBatchReader();
    const batch = writer.take();
    reader.load(batch);
    assert.equal(reader.count, 2);
    assert.equal(ipv6Text(reader.u8, reader.srcOffset(0)), '2001:db8::1');
    assert.equal(ipv6Text(reader.u8, reader.dstOffset(0)), '2001:db8:ffff::abcd');
    assert.equal(reader.exporter(0), '2001:db8::a');
    assert.equal(reader.ipVersion(1), 4);
    assert.equal(ipv4Text(reader.src4(1)), '203.0.113.1');
    assert.equal(ipv4Text(reader.dst4(1)), '198.18.10.11');
    assert.deepEqual([...reader.u8.subarray(reader.srcOffset(1), reader.srcOffset(1) + 16)], [203, 0, 113, 1, ...new Array(12).fill(0)]);
    assert.deepEqual([...reader.u8.subarray(reader.dstOffset(1), reader.dstOffset(1) + 16)], [198, 18, 10, 11, ...new Array(12).fill(0)]);
    assert.deepEqual([reader.srcPort(1), reader.dstPort(1), reader.packets(1), reader.bytes(1), reader.timeMs(1)], [443, 50_000, 7, 7_000, 1_700_000_000_123]);
    assert.equal(reader.exporter(1), '192.0.2.10');

    // Batch slots are reused (batching-flow-consumer.ts): an IPv4 flow written where an
    // IPv6 flow was must not keep any of its bytes.
    const reused = new FlowBatchWriter(4, batch.buffer);
    reused.add(v4);
    reader.load(reused.take());
    assert.deepEqual([...reader.u8.subarray(reader.srcOffset(0), reader.srcOffset(0) + 16)], [203, 0, 113, 1, ...new Array(12).fill(0)]);
    assert.deepEqual([...reader.u8.subarray(reader.dstOffset(0), reader.dstOffset(0) + 16)], [198, 18, 10, 11, ...new Array(12).fill(0)]);
  });
});
