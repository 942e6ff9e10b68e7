import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFlowRecord, formatAddress } from '../flow-record.ts';
import * as fieldMap from './field-map.ts';
import { applyOps, beginRecord, createRecordContext, finishRecord, readUint, reverseDirection } from './record-reader.ts';
import { type CompiledTemplate, compileTemplate } from './template-compiler.ts';

describe('record reader', () => {
  it('uses case labels equal to the K_* constants they name', () => {
    const source = readFileSync(join(import.meta.dirname, 'record-reader.ts'), 'utf8');
    const labels = [...source.matchAll(/case \/\* (K_\w+) \*\/ (\d+):/g)];
    assert.ok(labels.length >= 30);
    const constants = fieldMap as unknown as Record<string, number>;
    for (const [, name, value] of labels) assert.equal(Number(value), constants[name], `${name} label`);
    const flowKinds = Object.keys(constants).filter((k) => k.startsWith('K_') && !k.startsWith('K_OPT_'));
    assert.deepEqual(labels.map(([, name]) => name).sort(), flowKinds.sort(), 'every flow kind has a case');
  });

  it('reads unsigned integers of 1 to 8 bytes', () => {
    const b = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((len) => readUint(b, 0, len)),
      [0x01, 0x0102, 0x010203, 0x01020304, 0x0102030405, 0x010203040506, 0x01020304050607],
    );
    assert.equal(readUint(Uint8Array.from([0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 8), Number.MAX_SAFE_INTEGER);
    assert.equal(readUint(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 0, 4), 4294967295);
  });

  it('turns a record into its reverse direction', () => {
    // src, dst, srcPort, dstPort, protocol, ingress, egress, packets
    const spec = Uint8Array.from([0, 8, 0, 4, 0, 12, 0, 4, 0, 7, 0, 2, 0, 11, 0, 2, 0, 4, 0, 1, 0, 10, 0, 4, 0, 14, 0, 4, 0, 2, 0, 4]);
    const t = (compileTemplate(spec, 0, 0, spec.length, 256, 8, 0, false, 10, 0) as { template: CompiledTemplate }).template;
    const record = Uint8Array.from([192, 0, 2, 1, 198, 51, 100, 2, 0x9c, 0x40, 0, 53, 17, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9]);
    const flow = createFlowRecord();
    const c = createRecordContext();
    beginRecord(c);
    applyOps(record, 0, t, t.ops, flow, c);
    reverseDirection(flow, c);
    c.rawPackets = 4;
    finishRecord(flow, c);
    assert.deepEqual(
      [formatAddress(flow.srcAddr, 4), formatAddress(flow.dstAddr, 4), flow.srcPort, flow.dstPort, flow.inputInterface, flow.outputInterface, flow.packets],
      ['198.51.100.2', '192.0.2.1', 53, 40000, 2, 1, 4],
    );
  });
});
