import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { K_BYTES, K_PACKETS, K_SRC4, K_TIME_MS, K_START_MS } from './field-map.ts';
import { type CompiledTemplate, compileTemplate, MAX_TEMPLATE_FIELDS, sameSpec, templateSpecEnd } from './template-compiler.ts';

function spec(...fields: Array<[number, number, number?]>): Uint8Array {
  const out: number[] = [];
  for (const [ie, length, pen] of fields) {
    out.push(((pen ? ie | 0x8000 : ie) >> 8) & 0xff, ie & 0xff, length >> 8, length & 0xff);
    if (pen) out.push(pen >>> 24, (pen >>> 16) & 0xff, (pen >>> 8) & 0xff, pen & 0xff);
  }
  return Uint8Array.from(out);
}

function compile(b: Uint8Array, count: number, format: 9 | 10 = 10, scope = 0, options = false): CompiledTemplate {
  const result = compileTemplate(b, 0, 0, b.length, 256, count, scope, options, format, 0);
  assert.notEqual(typeof result, 'string');
  return (result as { template: CompiledTemplate }).template;
}

describe('template compiler', () => {
  it('lays out fixed fields at precomputed offsets and keeps only the best field per slot', () => {
    // srcAddr, packetTotalCount, octetDeltaCount, flowStartMilliseconds, packetDeltaCount, flowEndMilliseconds
    const t = compile(spec([8, 4], [86, 8], [1, 4], [152, 8], [2, 4], [153, 8]), 6);
    assert.equal(t.recordLength, 36);
    assert.equal(t.minRecordLength, 36);
    assert.deepEqual([...t.fieldOffsets], [0, 4, 12, 16, 24, 28]);
    // Pairs [kind, field index] in slot order; totals lost to better fields; the start has its own slot.
    assert.deepEqual([...t.ops], [K_SRC4, 0, K_BYTES, 2, K_PACKETS, 4, K_TIME_MS, 5, K_START_MS, 3]);
    assert.equal(t.reverseOps.length, 0);
  });

  it('marks variable-length templates and skips enterprise fields except RFC 5103 reverse ones', () => {
    const t = compile(spec([8, 4], [82, 65535], [1, 4, 9], [1, 4, 29305], [1, 4]), 5);
    assert.equal(t.recordLength, -1);
    assert.equal(t.minRecordLength, 4 + 1 + 4 + 4 + 4);
    assert.deepEqual([...t.ops], [K_SRC4, 0, K_BYTES, 4]);
    assert.deepEqual([...t.reverseOps], [K_BYTES, 3]);
    assert.equal(t.hasReverseCounters, true);
  });

  it('ignores fields whose length cannot hold their type', () => {
    const t = compile(spec([8, 16], [1, 16]), 2);
    assert.deepEqual([...t.ops], []);
  });

  it('rejects v9 variable lengths and zero-length records', () => {
    assert.equal(compileTemplate(spec([8, 65535]), 0, 0, 4, 256, 1, 0, false, 9, 0), 'bad_template');
    assert.equal(compileTemplate(spec([8, 0]), 0, 0, 4, 256, 1, 0, false, 10, 0), 'zero_length_field');
  });

  it('rejects templates with more than MAX_TEMPLATE_FIELDS fields before allocating their layout (fuzz regression)', () => {
    const fields = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [1 + (i % 300), 4]);
    const over = spec(...fields(MAX_TEMPLATE_FIELDS + 1));
    assert.equal(compileTemplate(over, 0, 0, over.length, 256, MAX_TEMPLATE_FIELDS + 1, 0, false, 10, 0), 'bad_template');
    const atLimit = spec(...fields(MAX_TEMPLATE_FIELDS));
    assert.equal(compile(atLimit, MAX_TEMPLATE_FIELDS).fieldCount, MAX_TEMPLATE_FIELDS);
  });

  it('finds the end of a field list and recognizes an identical refresh', () => {
    const b = spec([8, 4], [1, 4, 29305], [2, 4]);
    assert.equal(templateSpecEnd(b, 0, b.length, 3, 10), 16);
    assert.equal(templateSpecEnd(b, 0, b.length, 3, 9), 12, 'v9 has no enterprise bit');
    assert.equal(templateSpecEnd(b, 0, 10, 3, 10), -1);
    const t = compile(b, 3);
    assert.equal(sameSpec(t, b, 0, 16), true);
    const changed = b.slice();
    changed[15] = 8;
    assert.equal(sameSpec(t, changed, 0, 16), false);
  });
});
