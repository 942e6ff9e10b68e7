/**
 * sFlow version 5 decoder (https://sflow.org/sflow_version_5.txt).
 *
 * Reads the datagram in place with bounds-checked offsets, fills one reused FlowRecord per
 * flow sample and hands it to the sink: no object is allocated per flow, the sampled
 * header is referenced (datagram + offset + length), not copied. Every problem is counted
 * per reason and reported through `onError`; nothing is thrown for bad input.
 *
 * What becomes a flow: each flow sample (format 1) and expanded flow sample (format 3) is
 * one sampled packet, so packets = sampling rate and bytes = frame length x sampling rate.
 * Counter samples (2, 4) are counted and skipped; other sample and record formats are
 * skipped by their length. Addresses, ports and MACs come from the raw packet header when
 * it has them (see packet-header-parser.ts for tunnels), else from the sampled IPv4/IPv6
 * and sampled Ethernet records. sFlow carries no absolute time: timeMs is the receive time.
 */
import { createFlowRecord, type FlowSink, resetFlowRecord } from '../flow-record.ts';
import { parsePacketHeader } from '../packet/packet-header-parser.ts';
import { SFLOW_DECODE_ERROR_REASONS, type SflowDecodeErrorHandler, type SflowDecodeErrorReason } from './sflow-decode-errors.ts';

export interface SflowDecoderOptions {
  onError?: SflowDecodeErrorHandler;
  /** Report the inner packet of VXLAN/GRE tunnels (default true); false keeps the outer one. */
  decapsulate?: boolean;
}

/** Header of the last datagram whose header decoded; overwritten by every decode() call. */
export interface SflowDatagramInfo {
  /** 4 or 6; 0 before the first datagram. */
  agentIpVersion: 0 | 4 | 6;
  /** IPv6 in all 16 bytes, IPv4 in bytes 0..3. */
  readonly agentAddress: Uint8Array;
  subAgentId: number;
  /** Datagram sequence number: gaps mean lost datagrams. */
  sequence: number;
  uptimeMs: number;
  sampleCount: number;
}

/** Running totals since the decoder was created; the collector exports them as counters. */
export interface SflowDecoderStats {
  datagrams: number;
  flowSamples: number;
  counterSamples: number;
  /** Samples of a format this decoder does not read (e.g. drop notifications, vendor formats). */
  unknownSamples: number;
  /** Flow records skipped by length: formats that add nothing to a FlowRecord. */
  skippedRecords: number;
  flows: number;
  errors: Record<SflowDecodeErrorReason, number>;
}

export interface SflowDecoder {
  /**
   * Decodes one datagram, calling `sink` once per flow with the decoder's reused record.
   * `exporter` is the datagram's source address (agents often report 127.0.0.1 as agent
   * address); `receivedAtMs` becomes every flow's timeMs. Returns the number of flows.
   */
  decode(datagram: Uint8Array, exporter: string, receivedAtMs: number, sink: FlowSink): number;
  readonly datagram: SflowDatagramInfo;
  readonly stats: SflowDecoderStats;
}

const SAMPLE_FLOW = 1;
const SAMPLE_COUNTER = 2;
const SAMPLE_EXPANDED_FLOW = 3;
const SAMPLE_EXPANDED_COUNTER = 4;

const RECORD_SAMPLED_HEADER = 1;
const RECORD_SAMPLED_ETHERNET = 2;
const RECORD_SAMPLED_IPV4 = 3;
const RECORD_SAMPLED_IPV6 = 4;
const RECORD_EXTENDED_SWITCH = 1001;

/** Fixed part of each sample body, up to and including the record count. */
const FLOW_SAMPLE_FIXED = 32;
const EXPANDED_FLOW_SAMPLE_FIXED = 44;
/** Fixed part of the record bodies we read. */
const SAMPLED_HEADER_FIXED = 16;
const SAMPLED_ETHERNET_SIZE = 24;
const SAMPLED_IPV4_SIZE = 32;
const SAMPLED_IPV6_SIZE = 56;
const EXTENDED_SWITCH_SIZE = 16;

/** Interface value meaning "the agent itself" (locally originated or terminated traffic). */
const INTERFACE_LOCAL = 0x3fffffff;

function u32(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

/** XDR pads opaque data to 4 bytes; never step past `end`. */
function next(body: number, length: number, end: number): number {
  return Math.min(end, body + ((length + 3) & ~3));
}

/** Only interface format 0 carries an ifIndex; 1 (discarded) and 2 (several) give none. */
function ifIndex(format: number, value: number): number {
  return format === 0 && value !== INTERFACE_LOCAL ? value : 0;
}

function validVlan(id: number): boolean {
  return id > 0 && id < 4096;
}

export function createSflowDecoder(options: SflowDecoderOptions = {}): SflowDecoder {
  const onError = options.onError;
  const decapsulate = options.decapsulate ?? true;
  const flow = createFlowRecord();
  const errors = {} as Record<SflowDecodeErrorReason, number>;
  for (const reason of SFLOW_DECODE_ERROR_REASONS) errors[reason] = 0;
  const stats: SflowDecoderStats = {
    datagrams: 0,
    flowSamples: 0,
    counterSamples: 0,
    unknownSamples: 0,
    skippedRecords: 0,
    flows: 0,
    errors,
  };
  const info: SflowDatagramInfo = {
    agentIpVersion: 0,
    agentAddress: new Uint8Array(16),
    subAgentId: 0,
    sequence: 0,
    uptimeMs: 0,
    sampleCount: 0,
  };

  function fail(reason: SflowDecodeErrorReason, detail: string, exporter: string): void {
    errors[reason]++;
    if (onError !== undefined) onError(reason, detail, exporter);
  }

  /** Decodes one (expanded) flow sample in d[off, end); returns 1 when a flow was emitted. */
  function decodeFlowSample(
    d: Uint8Array,
    off: number,
    end: number,
    expanded: boolean,
    exporter: string,
    receivedAtMs: number,
    sink: FlowSink,
  ): number {
    const kind = expanded ? 'expanded flow sample' : 'flow sample';
    const fixed = expanded ? EXPANDED_FLOW_SAMPLE_FIXED : FLOW_SAMPLE_FIXED;
    if (end - off < fixed) {
      fail('truncated', `truncated ${kind} at offset ${off} (need ${fixed}, got ${end - off})`, exporter);
      return 0;
    }
    const sequence = u32(d, off);
    let samplingRate: number;
    let inputInterface: number;
    let outputInterface: number;
    if (expanded) {
      samplingRate = u32(d, off + 12);
      inputInterface = ifIndex(u32(d, off + 24), u32(d, off + 28));
      outputInterface = ifIndex(u32(d, off + 32), u32(d, off + 36));
    } else {
      samplingRate = u32(d, off + 8);
      const input = u32(d, off + 20);
      const output = u32(d, off + 24);
      inputInterface = ifIndex(input >>> 30, input & 0x3fffffff);
      outputInterface = ifIndex(output >>> 30, output & 0x3fffffff);
    }
    if (samplingRate === 0) {
      fail('zero_sampling_rate', `zero sampling rate in ${kind} seq ${sequence} at offset ${off}`, exporter);
      return 0;
    }
    const recordCount = u32(d, off + fixed - 4);

    // First pass: validate every record and remember where the useful ones are, so the
    // header wins over sampled IPv4/IPv6 whatever order the agent wrote them in.
    let headerProtocol = 0;
    let headerOffset = -1;
    let headerLength = 0;
    let frameLength = 0;
    let ethernetOffset = -1;
    let ipOffset = -1;
    let ipFormat = 0;
    let switchOffset = -1;
    let p = off + fixed;
    for (let i = 0; i < recordCount; i++) {
      if (end - p < 8) {
        fail('truncated', `truncated ${kind} seq ${sequence}: record ${i + 1} of ${recordCount} at offset ${p} (need 8, got ${end - p})`, exporter);
        return 0;
      }
      const format = u32(d, p);
      const length = u32(d, p + 4);
      const body = p + 8;
      if (length > end - body) {
        fail('bad_length', `flow record length ${length} at offset ${p} points past the end of the ${kind} (${end - body} bytes left)`, exporter);
        return 0;
      }
      let need = 0;
      switch (format) {
        case RECORD_SAMPLED_HEADER:
          need = SAMPLED_HEADER_FIXED;
          break;
        case RECORD_SAMPLED_ETHERNET:
          need = SAMPLED_ETHERNET_SIZE;
          break;
        case RECORD_SAMPLED_IPV4:
          need = SAMPLED_IPV4_SIZE;
          break;
        case RECORD_SAMPLED_IPV6:
          need = SAMPLED_IPV6_SIZE;
          break;
        case RECORD_EXTENDED_SWITCH:
          need = EXTENDED_SWITCH_SIZE;
          break;
        default:
          stats.skippedRecords++;
      }
      if (length < need) {
        fail('truncated', `truncated flow record format ${format} at offset ${p} (need ${need}, got ${length})`, exporter);
        return 0;
      }
      switch (format) {
        case RECORD_SAMPLED_HEADER: {
          const sampled = u32(d, body + 12);
          if (sampled > length - SAMPLED_HEADER_FIXED) {
            fail(
              'bad_length',
              `sampled header length ${sampled} at offset ${body + 12} points past the end of its record (${length - SAMPLED_HEADER_FIXED} bytes left)`,
              exporter,
            );
            return 0;
          }
          headerProtocol = u32(d, body);
          frameLength = u32(d, body + 4);
          headerOffset = body + SAMPLED_HEADER_FIXED;
          headerLength = sampled;
          break;
        }
        case RECORD_SAMPLED_ETHERNET:
          ethernetOffset = body;
          break;
        case RECORD_SAMPLED_IPV4:
        case RECORD_SAMPLED_IPV6:
          ipOffset = body;
          ipFormat = format;
          break;
        case RECORD_EXTENDED_SWITCH:
          switchOffset = body;
          break;
      }
      p = next(body, length, end);
    }

    resetFlowRecord(flow);
    flow.timeMs = receivedAtMs;
    flow.startMs = receivedAtMs;
    flow.exporter = exporter;
    flow.observationDomain = info.subAgentId;
    flow.inputInterface = inputInterface;
    flow.outputInterface = outputInterface;
    flow.samplingRate = samplingRate;
    flow.packets = samplingRate;
    if (headerOffset >= 0) {
      flow.header = d;
      flow.headerOffset = headerOffset;
      flow.headerLength = headerLength;
      flow.frameLength = frameLength;
      parsePacketHeader(flow, d, headerOffset, headerLength, headerProtocol, decapsulate);
    }
    if (ethernetOffset >= 0) {
      // Sampled Ethernet: length, 6-byte MACs each padded to 8 (XDR), type.
      if (flow.srcMac === 0 && flow.dstMac === 0) {
        flow.srcMac = u32(d, ethernetOffset + 4) * 0x10000 + ((d[ethernetOffset + 8] << 8) | d[ethernetOffset + 9]);
        flow.dstMac = u32(d, ethernetOffset + 12) * 0x10000 + ((d[ethernetOffset + 16] << 8) | d[ethernetOffset + 17]);
      }
      if (flow.frameLength === 0) flow.frameLength = u32(d, ethernetOffset);
    }
    if (ipOffset >= 0 && flow.ipVersion === 0) fillFromSampledIp(d, ipOffset, ipFormat);
    if (switchOffset >= 0 && flow.vlan === 0) {
      // The header's own tag wins; otherwise the switch's word: incoming VLAN, else outgoing.
      const srcVlan = u32(d, switchOffset);
      const dstVlan = u32(d, switchOffset + 8);
      if (validVlan(srcVlan)) flow.vlan = srcVlan;
      else if (validVlan(dstVlan)) flow.vlan = dstVlan;
    }
    flow.bytes = flow.frameLength * samplingRate;
    sink(flow);
    return 1;
  }

  /** Sampled IPv4 (3) / IPv6 (4): length, protocol, addresses, ports, TCP flags, tos/priority. */
  function fillFromSampledIp(d: Uint8Array, off: number, format: number): void {
    const addressLength = format === RECORD_SAMPLED_IPV4 ? 4 : 16;
    const src = off + 8;
    const dst = src + addressLength;
    const rest = dst + addressLength;
    flow.ipVersion = addressLength === 4 ? 4 : 6;
    for (let i = 0; i < addressLength; i++) {
      flow.srcAddr[i] = d[src + i];
      flow.dstAddr[i] = d[dst + i];
    }
    if (addressLength === 4) {
      flow.srcAddr4 = u32(d, src);
      flow.dstAddr4 = u32(d, dst);
    }
    flow.protocol = u32(d, off + 4) & 0xff;
    flow.srcPort = u32(d, rest) & 0xffff;
    flow.dstPort = u32(d, rest + 4) & 0xffff;
    flow.tcpFlags = u32(d, rest + 8) & 0xff;
    // The record's length is the IP packet's: the best frame length there is without a header.
    if (flow.frameLength === 0) flow.frameLength = u32(d, off);
  }

  function decode(d: Uint8Array, exporter: string, receivedAtMs: number, sink: FlowSink): number {
    stats.datagrams++;
    const end = d.length;
    if (end < 8) {
      fail('truncated', `truncated datagram header at offset 0 (need 8, got ${end})`, exporter);
      return 0;
    }
    const version = u32(d, 0);
    if (version !== 5) {
      fail('bad_version', `unsupported sflow version ${version} at offset 0 (expected 5)`, exporter);
      return 0;
    }
    const addressType = u32(d, 4);
    const addressLength = addressType === 1 ? 4 : addressType === 2 ? 16 : 0;
    if (addressLength === 0) {
      fail('bad_address_type', `unknown agent address type ${addressType} at offset 4 (expected 1 or 2)`, exporter);
      return 0;
    }
    const headerLength = 8 + addressLength + 16;
    if (end < headerLength) {
      fail('truncated', `truncated datagram header at offset 0 (need ${headerLength}, got ${end})`, exporter);
      return 0;
    }
    info.agentIpVersion = addressLength === 4 ? 4 : 6;
    info.agentAddress.fill(0);
    for (let i = 0; i < addressLength; i++) info.agentAddress[i] = d[8 + i];
    let off = 8 + addressLength;
    info.subAgentId = u32(d, off);
    info.sequence = u32(d, off + 4);
    info.uptimeMs = u32(d, off + 8);
    const sampleCount = u32(d, off + 12);
    info.sampleCount = sampleCount;
    off += 16;

    let flows = 0;
    // Every sample takes at least 8 bytes, so this loop ends with the datagram whatever the count says.
    for (let i = 0; i < sampleCount; i++) {
      if (end - off < 8) {
        fail('truncated', `truncated datagram: sample ${i + 1} of ${sampleCount} at offset ${off} (need 8, got ${end - off})`, exporter);
        break;
      }
      const format = u32(d, off);
      const length = u32(d, off + 4);
      const body = off + 8;
      if (length > end - body) {
        fail('bad_length', `sample length ${length} at offset ${off} points past the end of the datagram (${end - body} bytes left)`, exporter);
        break;
      }
      const sampleEnd = body + length;
      switch (format) {
        case SAMPLE_FLOW:
          stats.flowSamples++;
          flows += decodeFlowSample(d, body, sampleEnd, false, exporter, receivedAtMs, sink);
          break;
        case SAMPLE_EXPANDED_FLOW:
          stats.flowSamples++;
          flows += decodeFlowSample(d, body, sampleEnd, true, exporter, receivedAtMs, sink);
          break;
        case SAMPLE_COUNTER:
        case SAMPLE_EXPANDED_COUNTER:
          stats.counterSamples++;
          break;
        default:
          stats.unknownSamples++;
      }
      off = next(body, length, end);
    }
    stats.flows += flows;
    return flows;
  }

  return { decode, datagram: info, stats };
}
