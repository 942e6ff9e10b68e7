import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prng } from '../../../test/helpers/traffic-scenarios.ts';
import { createFlowRecord } from '../flow-record.ts';
import { applyOps, beginRecord, createRecordContext } from './record-reader.ts';
import { compiledLayouts, MAX_LAYOUTS, recordReaderFor } from './record-reader-compiler.ts';
import type { CompiledTemplate } from './template-compiler.ts';

/** Value lengths a kind is read with (others: every length a template may give it). */
const FIXED_LENGTH: Record<number, number> = { 1: 4, 2: 4, 3: 16, 4: 16, 21: 6, 22: 6, 29: 8, 35: 8 };
const LENGTHS = [1, 2, 3, 4, 8];

describe('generated record readers', () => {
  it('read every field kind at every length exactly as the template interpreter does', () => {
    const random = prng(11);
    for (let round = 0; round < 200; round++) {
      // A layout of every kind (1..36 and an options-only kind) in a shuffled order.
      const kinds = [...Array.from({ length: 36 }, (_, k) => k + 1), 40].sort(() => random() - 0.5);
      const offsets: number[] = [];
      const lengths: number[] = [];
      const ops: number[] = [];
      let at = 0;
      kinds.forEach((kind, field) => {
        const len = FIXED_LENGTH[kind] ?? LENGTHS[Math.floor(random() * LENGTHS.length)];
        offsets.push(at);
        lengths.push(len);
        ops.push(kind, field);
        at += len;
      });
      const fieldOffsets = Int32Array.from(offsets);
      const fieldLengths = Int32Array.from(lengths);
      const opsArray = Int32Array.from(ops);
      const reader = recordReaderFor(opsArray, fieldOffsets, fieldLengths);
      assert.ok(reader !== null);
      const base = 5;
      const bytes = Uint8Array.from({ length: base + at }, () => (random() < 0.2 ? 0 : Math.floor(random() * 256)));
      const interpreted = { flow: createFlowRecord(), context: createRecordContext() };
      const generated = { flow: createFlowRecord(), context: createRecordContext() };
      for (const side of [interpreted, generated]) {
        side.context.exportMs = 1_700_000_000_000;
        beginRecord(side.context);
      }
      applyOps(bytes, base, { fieldOffsets, fieldLengths } as unknown as CompiledTemplate, opsArray, interpreted.flow, interpreted.context);
      reader(bytes, base, generated.flow, generated.context);
      assert.deepEqual(generated.flow, interpreted.flow, `round ${round}`);
      assert.deepEqual(generated.context, interpreted.context, `round ${round}`);
    }
  });

  it('shares one reader between templates of the same layout', () => {
    const ops = Int32Array.from([9, 0, 10, 1]);
    const offsets = Int32Array.from([0, 4]);
    const lengths = Int32Array.from([4, 4]);
    const a = recordReaderFor(ops, offsets, lengths);
    assert.ok(a !== null);
    assert.equal(recordReaderFor(Int32Array.from(ops), Int32Array.from(offsets), Int32Array.from(lengths)), a);
  });

  it('compiles at most MAX_LAYOUTS layouts (a template flood makes no more code); later ones are interpreted', () => {
    let made = 0;
    for (let n = 0; n < MAX_LAYOUTS + 50; n++) {
      // Distinct layouts: the byte counter at a different offset each time.
      if (recordReaderFor(Int32Array.from([9, 0]), Int32Array.from([1000 + n]), Int32Array.from([4])) !== null) made++;
    }
    assert.equal(compiledLayouts(), MAX_LAYOUTS);
    assert.ok(made < MAX_LAYOUTS + 50 && made > 0);
    assert.equal(recordReaderFor(Int32Array.from([9, 0]), Int32Array.from([5000]), Int32Array.from([4])), null);
  });
});
