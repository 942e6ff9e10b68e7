/**
 * NetFlow v5: a fixed 24-byte header followed by up to 30 fixed 48-byte records. No
 * templates, so the decoder is a pure function over the datagram.
 */
import { type FlowRecord, type FlowSink, resetFlowRecord } from '../flow-record.ts';
import type { ErrorReporter } from './decode-errors.ts';

export const NETFLOW_V5_HEADER_LENGTH = 24;
export const NETFLOW_V5_RECORD_LENGTH = 48;

/**
 * Decodes one v5 datagram into `flow`, calling `sink` per record; returns the flows emitted.
 * A datagram shorter than its record count announces is counted as truncated once and its
 * complete records are still emitted.
 */
export function decodeNetflowV5(
  b: Uint8Array,
  exporter: string,
  flow: FlowRecord,
  sink: FlowSink,
  errors: ErrorReporter,
): number {
  const length = b.length;
  if (length < NETFLOW_V5_HEADER_LENGTH) {
    errors.report('truncated', exporter, `netflow v5: truncated header (need ${NETFLOW_V5_HEADER_LENGTH}, got ${length})`);
    return 0;
  }
  const version = (b[0] << 8) | b[1];
  if (version !== 5) {
    errors.report('bad_version', exporter, `netflow v5: unexpected version ${version}`);
    return 0;
  }
  const count = (b[2] << 8) | b[3];
  const sysUptime = u32(b, 4);
  const unixSecs = u32(b, 8);
  const unixNsecs = u32(b, 12);
  // Top two bits are the sampling mode, the low 14 the interval; 0 means unsampled.
  const interval = ((b[22] << 8) | b[23]) & 0x3fff;
  const samplingRate = interval === 0 ? 1 : interval;
  const observationDomain = (b[20] << 8) | b[21];
  const exportMs = unixSecs * 1000 + Math.floor(unixNsecs / 1e6);

  let available = count;
  const need = NETFLOW_V5_HEADER_LENGTH + count * NETFLOW_V5_RECORD_LENGTH;
  if (need > length) {
    available = Math.floor((length - NETFLOW_V5_HEADER_LENGTH) / NETFLOW_V5_RECORD_LENGTH);
    const sequence = u32(b, 16);
    errors.report('truncated', exporter, `netflow v5 seq ${sequence}: truncated records (need ${need}, got ${length})`);
  }

  let off = NETFLOW_V5_HEADER_LENGTH;
  for (let i = 0; i < available; i++, off += NETFLOW_V5_RECORD_LENGTH) {
    resetFlowRecord(flow);
    flow.exporter = exporter;
    flow.observationDomain = observationDomain;
    flow.ipVersion = 4;
    const src = u32(b, off);
    const dst = u32(b, off + 4);
    flow.srcAddr4 = src;
    flow.dstAddr4 = dst;
    const s = flow.srcAddr;
    s[0] = b[off];
    s[1] = b[off + 1];
    s[2] = b[off + 2];
    s[3] = b[off + 3];
    const d = flow.dstAddr;
    d[0] = b[off + 4];
    d[1] = b[off + 5];
    d[2] = b[off + 6];
    d[3] = b[off + 7];
    flow.inputInterface = (b[off + 12] << 8) | b[off + 13];
    flow.outputInterface = (b[off + 14] << 8) | b[off + 15];
    flow.packets = u32(b, off + 16) * samplingRate;
    flow.bytes = u32(b, off + 20) * samplingRate;
    flow.samplingRate = samplingRate;
    // Uptime difference as a signed 32-bit value: survives the 49.7-day uptime wrap
    // and a last-switched stamp slightly ahead of the header's uptime.
    flow.timeMs = exportMs - ((sysUptime - u32(b, off + 28)) | 0);
    const first = exportMs - ((sysUptime - u32(b, off + 24)) | 0);
    flow.startMs = first <= flow.timeMs ? first : flow.timeMs;
    flow.srcPort = (b[off + 32] << 8) | b[off + 33];
    // Cisco v5 already carries ICMP type << 8 | code in the destination port.
    flow.dstPort = (b[off + 34] << 8) | b[off + 35];
    flow.tcpFlags = b[off + 37];
    flow.protocol = b[off + 38];
    sink(flow);
  }
  return available;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
