/**
 * NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) share one decoder: both are a header followed
 * by sets of templates, options templates and data records described by them. They differ
 * in header layout, set ids, the options template format, enterprise numbers and
 * variable-length fields, all handled where the bytes are parsed.
 *
 * Hot path: one cache lookup per datagram, one map lookup per data set, then per record a
 * loop over the template's precompiled operations into the reused FlowRecord.
 */
import { type FlowRecord, type FlowSink, resetFlowRecord } from '../flow-record.ts';
import type { ErrorReporter } from './decode-errors.ts';
import {
  K_OPT_INTERVAL,
  K_OPT_PACKET_INTERVAL,
  K_OPT_PACKET_SPACE,
  K_OPT_PROBABILITY,
  K_OPT_SAMPLER_ID,
  K_OPT_SAMPLING_POPULATION,
  K_OPT_SAMPLING_SIZE,
  K_OPT_SYSTEM_INIT_MS,
  VARIABLE_LENGTH,
} from './field-map.ts';
import { createPendingDataSets, type PendingHeader } from './pending-data-sets.ts';
import { type RecordReader, recordReaderFor } from './record-reader-compiler.ts';
import { applyOps, beginRecord, createRecordContext, finishRecord, readUint, reverseDirection } from './record-reader.ts';
import { createTemplateCache, type DomainState, type TemplateCacheStats } from './template-cache.ts';
import {
  type CompiledTemplate,
  compileTemplate,
  MAX_TEMPLATE_FIELDS,
  sameSpec,
  type TemplateFormat,
  templateSpecEnd,
} from './template-compiler.ts';

export interface TemplateFlowDecoderOptions {
  /** Templates neither refreshed nor used for this long are dropped (default 30 min). */
  templateTimeoutMs?: number;
  /** Exporters with template state at once (default 1000). */
  maxExporters?: number;
  /** Templates one exporter may hold across its domains (default 512). */
  maxTemplatesPerExporter?: number;
  /** Sampler ids remembered per domain (default 256). */
  maxSamplersPerDomain?: number;
  /** Data sets kept while waiting for their template, all exporters together (default 32; 0 disables). */
  maxPendingSets?: number;
  /** Bytes of such sets (default 256 KiB). */
  maxPendingBytes?: number;
  /** Such sets one exporter may hold (default 8). */
  maxPendingSetsPerExporter?: number;
  /** Such sets older than this are dropped (default 60 s). */
  pendingMaxAgeMs?: number;
}

export interface TemplateFlowDecoderStats extends TemplateCacheStats {
  pendingSets: number;
  pendingBytes: number;
}

export interface TemplateFlowDecoder {
  /** Decodes one v9 datagram; returns the flows passed to `sink`. */
  decodeV9(b: Uint8Array, exporter: string, receivedAtMs: number, sink: FlowSink): number;
  /** Decodes one IPFIX message; returns the flows passed to `sink`. */
  decodeIpfix(b: Uint8Array, exporter: string, receivedAtMs: number, sink: FlowSink): number;
  /** Drops idle templates now (decode also does it periodically); returns how many. */
  expire(nowMs: number): number;
  stats(): TemplateFlowDecoderStats;
}

export const V9_HEADER_LENGTH = 20;
export const IPFIX_HEADER_LENGTH = 16;

/**
 * Largest rate an options record may announce: every sampling element is unsigned32, so a
 * larger rate (a samplingProbability below 2^-32, an 8-byte population) is garbage, and an
 * infinite one would make packets and bytes Infinity or NaN.
 */
const MAX_ANNOUNCED_RATE = 2 ** 32;

const DEFAULTS = {
  templateTimeoutMs: 30 * 60_000,
  maxExporters: 1000,
  maxTemplatesPerExporter: 512,
  maxSamplersPerDomain: 256,
  maxPendingSets: 32,
  maxPendingBytes: 256 * 1024,
  maxPendingSetsPerExporter: 8,
  pendingMaxAgeMs: 60_000,
};

/** Header fields of the datagram being decoded (reused; pending sets keep their own copy). */
interface DatagramHeader {
  format: TemplateFormat;
  observationDomain: number;
  exportMs: number;
  sysUptime: number;
  sequence: number;
}

export function createTemplateFlowDecoder(
  options: TemplateFlowDecoderOptions,
  errors: ErrorReporter,
  flow: FlowRecord,
): TemplateFlowDecoder {
  const o = { ...DEFAULTS, ...options };
  const cache = createTemplateCache({
    templateTimeoutMs: o.templateTimeoutMs,
    maxExporters: o.maxExporters,
    maxTemplatesPerExporter: o.maxTemplatesPerExporter,
    maxSamplersPerDomain: o.maxSamplersPerDomain,
  });
  const pending = createPendingDataSets({
    maxSets: o.maxPendingSets,
    maxBytes: o.maxPendingBytes,
    maxSetsPerExporter: o.maxPendingSetsPerExporter,
    maxAgeMs: o.pendingMaxAgeMs,
  });
  const ctx = createRecordContext();
  const header: DatagramHeader = { format: 9, observationDomain: 0, exportMs: 0, sysUptime: 0, sequence: 0 };
  // Expiry runs from decode at most this often, driven by the datagrams' receive time.
  const sweepEveryMs = Math.max(1000, Math.min(60_000, Math.floor(o.templateTimeoutMs / 4)));
  let lastSweepMs = Number.NEGATIVE_INFINITY;
  // Per decode call: the sink and how many flows reached it (replayed sets included).
  let sink: FlowSink = () => {};
  let emitted = 0;
  let zeroRateRecords = 0;
  let exporter = '';
  let nowMs = 0;

  function where(h: DatagramHeader): string {
    return `${h.format === 9 ? 'netflow v9' : 'ipfix'} domain ${h.observationDomain} seq ${h.sequence}`;
  }

  function begin(exporterName: string, receivedAtMs: number, s: FlowSink): void {
    sink = s;
    emitted = 0;
    exporter = exporterName;
    nowMs = receivedAtMs;
    if (receivedAtMs - lastSweepMs >= sweepEveryMs) {
      lastSweepMs = receivedAtMs;
      cache.expire(receivedAtMs);
    }
  }

  function decodeV9(b: Uint8Array, exporterName: string, receivedAtMs: number, s: FlowSink): number {
    begin(exporterName, receivedAtMs, s);
    const length = b.length;
    if (length < V9_HEADER_LENGTH) {
      errors.report('truncated', exporter, `netflow v9: truncated header (need ${V9_HEADER_LENGTH}, got ${length})`);
      return 0;
    }
    const version = (b[0] << 8) | b[1];
    if (version !== 9) {
      errors.report('bad_version', exporter, `netflow v9: unexpected version ${version}`);
      return 0;
    }
    header.format = 9;
    header.sysUptime = u32(b, 4);
    header.exportMs = exportTimeMs(u32(b, 8), receivedAtMs);
    header.sequence = u32(b, 12);
    header.observationDomain = u32(b, 16);
    decodeSets(b, V9_HEADER_LENGTH, length);
    return emitted;
  }

  function decodeIpfix(b: Uint8Array, exporterName: string, receivedAtMs: number, s: FlowSink): number {
    begin(exporterName, receivedAtMs, s);
    const length = b.length;
    if (length < IPFIX_HEADER_LENGTH) {
      errors.report('truncated', exporter, `ipfix: truncated header (need ${IPFIX_HEADER_LENGTH}, got ${length})`);
      return 0;
    }
    const version = (b[0] << 8) | b[1];
    if (version !== 10) {
      errors.report('bad_version', exporter, `ipfix: unexpected version ${version}`);
      return 0;
    }
    const messageLength = (b[2] << 8) | b[3];
    header.format = 10;
    header.sysUptime = 0;
    header.exportMs = exportTimeMs(u32(b, 4), receivedAtMs);
    header.sequence = u32(b, 8);
    header.observationDomain = u32(b, 12);
    if (messageLength < IPFIX_HEADER_LENGTH) {
      errors.report('bad_length', exporter, `${where(header)}: message length ${messageLength} below header size`);
      return 0;
    }
    if (messageLength > length) {
      errors.report('truncated', exporter, `${where(header)}: truncated message (need ${messageLength}, got ${length})`);
      return 0;
    }
    decodeSets(b, IPFIX_HEADER_LENGTH, messageLength);
    return emitted;
  }

  function decodeSets(b: Uint8Array, off: number, end: number): void {
    const format = header.format;
    const templateSet = format === 9 ? 0 : 2;
    const optionsSet = format === 9 ? 1 : 3;
    let domain = cache.find(exporter, format, header.observationDomain);
    while (end - off >= 4) {
      const setId = (b[off] << 8) | b[off + 1];
      const setLength = (b[off + 2] << 8) | b[off + 3];
      if (setLength < 4) {
        errors.report('bad_length', exporter, `${where(header)}: set ${setId} length ${setLength} below set header size`);
        return;
      }
      if (off + setLength > end) {
        errors.report('truncated', exporter, `${where(header)}: truncated set ${setId} (need ${setLength}, got ${end - off})`);
        return;
      }
      const start = off + 4;
      const setEnd = off + setLength;
      if (setId >= 256) {
        const template = domain?.templates.get(setId);
        if (domain === undefined || template === undefined || isExpired(template)) {
          missingTemplate(b, setId, start, setEnd, domain, template);
        } else {
          template.lastUsedMs = nowMs;
          if (template.isOptions) decodeOptionsRecords(b, start, setEnd, template, domain);
          else decodeDataRecords(b, start, setEnd, template, domain, header);
        }
      } else if (setId === templateSet) {
        decodeTemplateSet(b, start, setEnd);
        domain = cache.find(exporter, format, header.observationDomain);
      } else if (setId === optionsSet) {
        if (format === 9) decodeV9OptionsTemplateSet(b, start, setEnd);
        else decodeIpfixOptionsTemplateSet(b, start, setEnd);
        domain = cache.find(exporter, format, header.observationDomain);
      }
      // Other ids below 256 are reserved: skipped.
      off = setEnd;
    }
    // Fewer than 4 bytes left: padding at the end of the message.
  }

  function isExpired(template: CompiledTemplate): boolean {
    return nowMs - Math.max(template.refreshedMs, template.lastUsedMs) > o.templateTimeoutMs;
  }

  function missingTemplate(
    b: Uint8Array,
    setId: number,
    start: number,
    end: number,
    domain: DomainState | undefined,
    expired: CompiledTemplate | undefined,
  ): void {
    if (domain !== undefined && expired !== undefined) cache.remove(exporter, domain, setId);
    const h: PendingHeader = { ...header };
    const kept = pending.add(exporter, h, setId, b, start, end, nowMs);
    errors.report(
      'template_not_found',
      exporter,
      `${where(header)}: data set ${setId} (${end - start} bytes) before its template, ${kept ? 'buffered' : 'dropped'}`,
    );
  }

  /** Emits the flows of one data set; `h` is the header of the datagram it came in. */
  function decodeDataRecords(b: Uint8Array, off: number, end: number, t: CompiledTemplate, domain: DomainState, h: PendingHeader): void {
    ctx.format = h.format;
    ctx.exportMs = h.exportMs;
    ctx.sysUptime = h.sysUptime;
    ctx.domainSystemInitMs = domain.systemInitMs;
    ctx.domainRate = domain.defaultRate !== 0 ? domain.defaultRate : domain.lastRate !== 0 ? domain.lastRate : 1;
    ctx.samplerRates = domain.samplerRates.size > 0 ? domain.samplerRates : null;
    const observationDomain = h.observationDomain;
    const recordLength = t.recordLength;
    const ops = t.ops;
    const reverse = t.hasReverseCounters;
    zeroRateRecords = 0;
    if (recordLength > 0) {
      // Fixed layout: one bounds check per record; a shorter tail is padding.
      if (t.reader === undefined) t.reader = recordReaderFor(ops, t.fieldOffsets, t.fieldLengths);
      const reader = t.reader;
      for (; end - off >= recordLength; off += recordLength) emitRecord(b, off, t, ops, reader, observationDomain, reverse);
    } else {
      while (end - off >= t.minRecordLength) {
        const next = layoutVariableRecord(b, off, end, t);
        if (next < 0) {
          errors.report('bad_length', exporter, `${where(h)}: set ${t.id}: variable-length field runs past the set end at offset ${off}`);
          break;
        }
        emitRecord(b, off, t, ops, null, observationDomain, reverse);
        off = next;
      }
    }
    // Counted once per set, not per record: an exporter may do this on every record.
    if (zeroRateRecords > 0) {
      errors.report(
        'zero_sampling_rate',
        exporter,
        `${where(h)}: set ${t.id}: ${zeroRateRecords} record(s) carry sampling interval 0, used the domain's rate`,
      );
    }
  }

  /** `reader`: the template's generated reader of `ops` (fixed layouts), or null to interpret them. */
  function emitRecord(
    b: Uint8Array,
    off: number,
    t: CompiledTemplate,
    ops: Int32Array,
    reader: RecordReader | null,
    observationDomain: number,
    reverse: boolean,
  ): void {
    resetFlowRecord(flow);
    beginRecord(ctx);
    flow.exporter = exporter;
    flow.observationDomain = observationDomain;
    if (reader !== null) reader(b, off, flow, ctx);
    else applyOps(b, off, t, ops, flow, ctx);
    finishRecord(flow, ctx);
    if (ctx.zeroRate) zeroRateRecords++;
    sink(flow);
    emitted++;
    if (!reverse) return;
    // RFC 5103 biflow: the reverse direction is a flow of its own when it carried traffic.
    resetFlowRecord(flow);
    beginRecord(ctx);
    flow.exporter = exporter;
    flow.observationDomain = observationDomain;
    if (reader !== null) reader(b, off, flow, ctx);
    else applyOps(b, off, t, ops, flow, ctx);
    reverseDirection(flow, ctx);
    applyOps(b, off, t, t.reverseOps, flow, ctx);
    if (ctx.rawPackets === 0 && ctx.rawBytes === 0) return;
    finishRecord(flow, ctx);
    sink(flow);
    emitted++;
  }

  /**
   * Computes the offsets of a variable-length record's fields into the template's scratch
   * arrays; returns the offset after the record, or -1 when it runs past `end`.
   */
  function layoutVariableRecord(b: Uint8Array, off: number, end: number, t: CompiledTemplate): number {
    const wire = t.wireLengths;
    const offsets = t.fieldOffsets;
    const lengths = t.fieldLengths;
    let p = off;
    for (let i = 0; i < t.fieldCount; i++) {
      let len = wire[i];
      if (len === VARIABLE_LENGTH) {
        if (p + 1 > end) return -1;
        len = b[p++];
        if (len === 255) {
          // 255 escapes to a 2-byte length (RFC 7011 section 7).
          if (p + 2 > end) return -1;
          len = (b[p] << 8) | b[p + 1];
          p += 2;
        }
      }
      offsets[i] = p - off;
      lengths[i] = len;
      p += len;
      if (p > end) return -1;
    }
    return p;
  }

  function decodeOptionsRecords(b: Uint8Array, off: number, end: number, t: CompiledTemplate, domain: DomainState): void {
    while (end - off >= t.minRecordLength) {
      let next: number;
      if (t.recordLength > 0) next = off + t.recordLength;
      else {
        next = layoutVariableRecord(b, off, end, t);
        if (next < 0) {
          errors.report('bad_length', exporter, `${where(header)}: options set ${t.id}: variable-length field runs past the set end`);
          return;
        }
      }
      applyOptionsRecord(b, off, t, domain);
      off = next;
    }
  }

  /** Reads sampler announcements from one options record into the domain's state. */
  function applyOptionsRecord(b: Uint8Array, base: number, t: CompiledTemplate, domain: DomainState): void {
    let interval = -1;
    let samplerId = -1;
    let packetInterval = -1;
    let packetSpace = 0;
    let size = -1;
    let population = 0;
    let probability = -1;
    const ops = t.ops;
    for (let i = 0; i < ops.length; i += 2) {
      const field = ops[i + 1];
      const at = base + t.fieldOffsets[field];
      const len = t.fieldLengths[field];
      switch (ops[i]) {
        case K_OPT_INTERVAL:
          interval = readUint(b, at, len);
          break;
        case K_OPT_SAMPLER_ID:
          samplerId = readUint(b, at, len);
          break;
        case K_OPT_PACKET_INTERVAL:
          packetInterval = readUint(b, at, len);
          break;
        case K_OPT_PACKET_SPACE:
          packetSpace = readUint(b, at, len);
          break;
        case K_OPT_SAMPLING_SIZE:
          size = readUint(b, at, len);
          break;
        case K_OPT_SAMPLING_POPULATION:
          population = readUint(b, at, len);
          break;
        case K_OPT_PROBABILITY:
          probability = new DataView(b.buffer, b.byteOffset + at, 8).getFloat64(0);
          break;
        case K_OPT_SYSTEM_INIT_MS:
          domain.systemInitMs = readUint(b, at, len);
          break;
      }
    }
    // Systematic count-based sampling (PSAMP) selects `interval` packets out of every
    // interval + space; the others state one in N directly or as a ratio/probability.
    let rate = -1;
    if (packetInterval >= 0) rate = packetInterval > 0 ? Math.round((packetInterval + packetSpace) / packetInterval) : 0;
    else if (interval >= 0) rate = interval;
    else if (size >= 0) rate = size > 0 ? Math.round(population / size) : 0;
    else if (probability >= 0) rate = probability > 0 ? Math.round(1 / probability) : 0;
    if (rate < 0) return;
    if (rate === 0 || rate > MAX_ANNOUNCED_RATE) {
      errors.report('zero_sampling_rate', exporter, `${where(header)}: options set ${t.id}: sampler announces rate ${rate}, ignored`);
      return;
    }
    if (samplerId >= 0) {
      if (!domain.samplerRates.has(samplerId) && domain.samplerRates.size >= o.maxSamplersPerDomain) {
        errors.report('sampler_limit', exporter, `${where(header)}: sampler table full (${o.maxSamplersPerDomain}), sampler ${samplerId} ignored`);
        return;
      }
      domain.samplerRates.set(samplerId, rate);
    } else {
      domain.defaultRate = rate;
    }
    domain.lastRate = rate;
  }

  function decodeTemplateSet(b: Uint8Array, off: number, end: number): void {
    const format = header.format;
    while (end - off >= 4) {
      const id = (b[off] << 8) | b[off + 1];
      const count = (b[off + 2] << 8) | b[off + 3];
      if (id === 0 && count === 0) return; // padding
      if (count === 0) {
        if (format === 10) withdraw(id, false);
        else errors.report('bad_template', exporter, `${where(header)}: template ${id} has no fields`);
        if (format === 9) return;
        off += 4;
        continue;
      }
      if (id < 256) {
        errors.report('bad_template', exporter, `${where(header)}: template id ${id} is reserved`);
        return;
      }
      const specEnd = templateSpecEnd(b, off + 4, end, count, format);
      if (specEnd < 0) {
        errors.report('truncated', exporter, `${where(header)}: truncated template ${id} (${count} fields, set ends at ${end - off} bytes)`);
        return;
      }
      addTemplate(b, id, off, off + 4, specEnd, count, 0, false);
      off = specEnd;
    }
  }

  function decodeIpfixOptionsTemplateSet(b: Uint8Array, off: number, end: number): void {
    while (end - off >= 4) {
      const id = (b[off] << 8) | b[off + 1];
      const count = (b[off + 2] << 8) | b[off + 3];
      if (id === 0 && count === 0) return; // padding
      if (count === 0) {
        withdraw(id, true);
        off += 4;
        continue;
      }
      if (end - off < 6) {
        errors.report('truncated', exporter, `${where(header)}: truncated options template ${id} header`);
        return;
      }
      const scopeCount = (b[off + 4] << 8) | b[off + 5];
      if (id < 256 || scopeCount === 0 || scopeCount > count) {
        errors.report('bad_template', exporter, `${where(header)}: options template ${id}: scope count ${scopeCount} of ${count} fields`);
        return;
      }
      const specEnd = templateSpecEnd(b, off + 6, end, count, 10);
      if (specEnd < 0) {
        errors.report('truncated', exporter, `${where(header)}: truncated options template ${id} (${count} fields)`);
        return;
      }
      addTemplate(b, id, off, off + 6, specEnd, count, scopeCount, true);
      off = specEnd;
    }
  }

  function decodeV9OptionsTemplateSet(b: Uint8Array, off: number, end: number): void {
    while (end - off >= 6) {
      const id = (b[off] << 8) | b[off + 1];
      const scopeLength = (b[off + 2] << 8) | b[off + 3];
      const optionLength = (b[off + 4] << 8) | b[off + 5];
      if (id === 0) return; // padding
      if (id < 256 || scopeLength % 4 !== 0 || optionLength % 4 !== 0 || scopeLength + optionLength === 0) {
        errors.report(
          'bad_template',
          exporter,
          `${where(header)}: options template ${id}: scope length ${scopeLength}, option length ${optionLength}`,
        );
        return;
      }
      const specEnd = off + 6 + scopeLength + optionLength;
      if (specEnd > end) {
        errors.report('truncated', exporter, `${where(header)}: truncated options template ${id} (need ${specEnd - off}, got ${end - off})`);
        return;
      }
      addTemplate(b, id, off, off + 6, specEnd, (scopeLength + optionLength) / 4, scopeLength / 4, true);
      off = specEnd;
    }
  }

  function addTemplate(
    b: Uint8Array,
    id: number,
    specStart: number,
    fieldsStart: number,
    specEnd: number,
    count: number,
    scopeCount: number,
    isOptions: boolean,
  ): void {
    const format = header.format;
    const domainId = header.observationDomain;
    const existing = cache.find(exporter, format, domainId)?.templates.get(id);
    if (existing !== undefined && existing.isOptions === isOptions && sameSpec(existing, b, specStart, specEnd)) {
      existing.refreshedMs = nowMs;
      return;
    }
    if (count > MAX_TEMPLATE_FIELDS) {
      errors.report('bad_template', exporter, `${where(header)}: ${isOptions ? 'options ' : ''}template ${id} has ${count} fields (max ${MAX_TEMPLATE_FIELDS})`);
      return;
    }
    const compiled = compileTemplate(b, specStart, fieldsStart, specEnd, id, count, scopeCount, isOptions, format, nowMs);
    if (typeof compiled === 'string') {
      errors.report(compiled, exporter, `${where(header)}: ${isOptions ? 'options ' : ''}template ${id} rejected`);
      return;
    }
    const state = cache.exporterForWrite(exporter);
    if (state === undefined) {
      errors.report('exporter_limit', exporter, `${where(header)}: already tracking ${o.maxExporters} exporters, template ${id} dropped`);
      return;
    }
    if (existing === undefined && state.templateCount >= o.maxTemplatesPerExporter) {
      errors.report(
        'template_limit',
        exporter,
        `${where(header)}: exporter holds ${state.templateCount} templates (max ${o.maxTemplatesPerExporter}), template ${id} dropped`,
      );
      return;
    }
    const domain = cache.domainForWrite(state, format, domainId);
    cache.put(state, domain, compiled.template);
    if (pending.size === 0) return;
    for (const set of pending.take(exporter, format, domainId, id, nowMs)) {
      if (compiled.template.isOptions) decodeOptionsRecords(set.body, 0, set.body.length, compiled.template, domain);
      else decodeDataRecords(set.body, 0, set.body.length, compiled.template, domain, set.header);
    }
  }

  function withdraw(id: number, isOptions: boolean): void {
    const domain = cache.find(exporter, header.format, header.observationDomain);
    // Template id 2 in a template set (3 in an options template set) withdraws them all.
    if (id === (isOptions ? 3 : 2)) {
      if (domain !== undefined) cache.removeAll(exporter, domain, isOptions);
      return;
    }
    if (id < 256) {
      errors.report('bad_template', exporter, `${where(header)}: withdrawal of reserved template id ${id}`);
      return;
    }
    if (domain !== undefined) cache.remove(exporter, domain, id);
  }

  return {
    decodeV9,
    decodeIpfix,
    expire(now) {
      lastSweepMs = now;
      return cache.expire(now);
    },
    stats() {
      return { ...cache.stats(), pendingSets: pending.size, pendingBytes: pending.bytes };
    },
  };
}

/**
 * The export time: v9 and IPFIX headers carry whole seconds only. Flow times derived from
 * it would be up to 999 ms early, enough to drop a fresh flood out of a 1 s rate window; the
 * receive time supplies the milliseconds when it falls inside that second (as it does
 * live; a replayed capture's own timestamps do too).
 */
export function exportTimeMs(unixSeconds: number, receivedAtMs: number): number {
  const base = unixSeconds * 1000;
  const within = receivedAtMs - base;
  return within > 0 && within < 1000 ? base + Math.floor(within) : base;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
