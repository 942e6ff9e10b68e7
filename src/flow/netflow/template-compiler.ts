/**
 * Turns a NetFlow v9 / IPFIX (options) template into a flat layout: per field its wire
 * length and offset in the record, plus a short list of [kind, fieldIndex] operations for
 * the fields we normalize. Decoding a data record is then a tight loop over that list,
 * reading at known offsets, with no allocation.
 */
import type { NetflowDecodeErrorReason } from './decode-errors.ts';
import {
  type FieldRule,
  FLOW_SLOT_COUNT,
  flowFieldRule,
  K_BYTES,
  K_PACKETS,
  OPTION_SLOT_COUNT,
  optionFieldRule,
  REVERSE_PEN,
  VARIABLE_LENGTH,
} from './field-map.ts';

import type { RecordReader } from './record-reader-compiler.ts';

export interface CompiledTemplate {
  readonly id: number;
  /** Options template: its records announce samplers and produce no flows. */
  readonly isOptions: boolean;
  readonly fieldCount: number;
  /** Per field, in wire order: its length in the template (65535 = variable, IPFIX only). */
  readonly wireLengths: Int32Array;
  /**
   * Per field: offset from the record start and length of the value. Constant for
   * fixed-length templates; rewritten for every record of a variable-length one (the
   * decoder is single-threaded, so the template can own this scratch space).
   */
  readonly fieldOffsets: Int32Array;
  readonly fieldLengths: Int32Array;
  /** Record length in bytes, or -1 when a field has variable length. */
  readonly recordLength: number;
  /** Smallest possible record: anything shorter at the end of a set is padding. */
  readonly minRecordLength: number;
  /** Pairs [kind, fieldIndex] for the fields to read, forward direction. */
  readonly ops: Int32Array;
  /** Pairs [kind, fieldIndex] for RFC 5103 reverse-direction fields (biflows); empty when none. */
  readonly reverseOps: Int32Array;
  /** True when reverse ops include a byte or packet counter, i.e. a reverse flow can exist. */
  readonly hasReverseCounters: boolean;
  /** The template record as received, to recognize an identical refresh without recompiling. */
  readonly spec: Uint8Array;
  /**
   * The generated straight-line reader of a fixed-length template (record-reader-compiler.ts):
   * undefined until the first data record, null when it is interpreted instead.
   */
  reader?: RecordReader | null;
  refreshedMs: number;
  lastUsedMs: number;
}

export type TemplateFormat = 9 | 10;

/**
 * Fields one template may have. A compiled template costs about 20 bytes per field, and
 * one 64 KiB datagram can announce a 16,000-field template (260 KiB cached): without this
 * limit the template caps (count per exporter x exporters) would bound memory only at
 * about 90 times what real templates (10 to 100 fields) need.
 */
export const MAX_TEMPLATE_FIELDS = 1024;

/**
 * Reads `fieldCount` field specifiers starting at `off` (bounded by `end`) and compiles
 * them. The first `scopeCount` fields are options scope fields. `specStart` is where the
 * template record starts (its id), so the raw spec can be kept for refresh comparison.
 * Returns the template and the offset just after its last specifier, or an error reason.
 */
export function compileTemplate(
  b: Uint8Array,
  specStart: number,
  off: number,
  end: number,
  id: number,
  fieldCount: number,
  scopeCount: number,
  isOptions: boolean,
  format: TemplateFormat,
  nowMs: number,
): { template: CompiledTemplate; next: number } | NetflowDecodeErrorReason {
  if (fieldCount > MAX_TEMPLATE_FIELDS) return 'bad_template';
  const wireLengths = new Int32Array(fieldCount);
  const fieldOffsets = new Int32Array(fieldCount);
  const fieldLengths = new Int32Array(fieldCount);
  const slotCount = isOptions ? OPTION_SLOT_COUNT : FLOW_SLOT_COUNT;
  // Best field per slot, forward and reverse: field index and its priority.
  const best = new Int32Array(slotCount).fill(-1);
  const bestPriority = new Int32Array(slotCount);
  const bestKind = new Int32Array(slotCount);
  const reverseBest = new Int32Array(slotCount).fill(-1);
  const reversePriority = new Int32Array(slotCount);
  const reverseKind = new Int32Array(slotCount);

  let offset = 0;
  let minLength = 0;
  let variable = false;
  for (let i = 0; i < fieldCount; i++) {
    if (off + 4 > end) return 'truncated';
    let ie = (b[off] << 8) | b[off + 1];
    const length = (b[off + 2] << 8) | b[off + 3];
    off += 4;
    let pen = 0;
    // Only IPFIX has the enterprise bit; v9 vendor field types use the whole 16 bits.
    if (format === 10 && ie & 0x8000) {
      if (off + 4 > end) return 'truncated';
      pen = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
      ie &= 0x7fff;
      off += 4;
    }
    if (length === VARIABLE_LENGTH) {
      if (format === 9) return 'bad_template';
      variable = true;
      minLength += 1;
    } else {
      minLength += length;
    }
    wireLengths[i] = length;
    fieldOffsets[i] = offset;
    fieldLengths[i] = length;
    if (!variable) offset += length;

    // v9 scope fields use their own type space (1 = system, 2 = interface, ...), which
    // collides with field types: never interpret them. IPFIX scope fields are plain
    // information elements (e.g. selectorId), so they are read like the others.
    if (format === 9 && i < scopeCount) continue;
    if (pen !== 0 && pen !== REVERSE_PEN) continue;
    if (pen === REVERSE_PEN && isOptions) continue;
    const r: FieldRule | undefined = isOptions ? optionFieldRule(ie) : flowFieldRule(ie);
    if (r === undefined) continue;
    if (!acceptsLength(r, length)) continue;
    if (pen === REVERSE_PEN) {
      if (reverseBest[r.slot] < 0 || r.priority < reversePriority[r.slot]) {
        reverseBest[r.slot] = i;
        reversePriority[r.slot] = r.priority;
        reverseKind[r.slot] = r.kind;
      }
    } else if (best[r.slot] < 0 || r.priority < bestPriority[r.slot]) {
      best[r.slot] = i;
      bestPriority[r.slot] = r.priority;
      bestKind[r.slot] = r.kind;
    }
  }
  if (minLength === 0) return 'zero_length_field';

  const ops = collectOps(best, bestKind);
  const reverseOps = collectOps(reverseBest, reverseKind);
  let hasReverseCounters = false;
  for (let i = 0; i < reverseOps.length; i += 2) {
    if (reverseOps[i] === K_BYTES || reverseOps[i] === K_PACKETS) hasReverseCounters = true;
  }
  const template: CompiledTemplate = {
    id,
    isOptions,
    fieldCount,
    wireLengths,
    fieldOffsets,
    fieldLengths,
    recordLength: variable ? -1 : offset,
    minRecordLength: minLength,
    ops,
    reverseOps,
    hasReverseCounters,
    spec: b.slice(specStart, off),
    refreshedMs: nowMs,
    lastUsedMs: nowMs,
  };
  return { template, next: off };
}

function acceptsLength(r: FieldRule, length: number): boolean {
  if (length === VARIABLE_LENGTH) return false;
  if (r.length !== 0) return length === r.length;
  return length >= 1 && length <= 8;
}

function collectOps(best: Int32Array, kinds: Int32Array): Int32Array {
  let count = 0;
  for (let slot = 0; slot < best.length; slot++) if (best[slot] >= 0) count++;
  const ops = new Int32Array(count * 2);
  let j = 0;
  for (let slot = 0; slot < best.length; slot++) {
    if (best[slot] < 0) continue;
    ops[j++] = kinds[slot];
    ops[j++] = best[slot];
  }
  return ops;
}

/**
 * Offset just after `fieldCount` field specifiers starting at `off`, or -1 when they run
 * past `end`. Cheap enough to run on every template refresh before deciding to recompile.
 */
export function templateSpecEnd(b: Uint8Array, off: number, end: number, fieldCount: number, format: TemplateFormat): number {
  for (let i = 0; i < fieldCount; i++) {
    if (off + 4 > end) return -1;
    const enterprise = format === 10 && (b[off] & 0x80) !== 0;
    off += enterprise ? 8 : 4;
  }
  return off > end ? -1 : off;
}

/** True when a re-sent template record is byte-identical to the cached one. */
export function sameSpec(template: CompiledTemplate, b: Uint8Array, start: number, end: number): boolean {
  const spec = template.spec;
  if (spec.length !== end - start) return false;
  for (let i = 0; i < spec.length; i++) if (spec[i] !== b[start + i]) return false;
  return true;
}
