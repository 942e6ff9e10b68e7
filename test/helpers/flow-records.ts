/**
 * Flow records built by hand for unit tests, with an IPv4 address in both forms a decoder
 * fills (the uint32 and the 16-byte field), so the two never disagree.
 */
import { createFlowRecord, type FlowRecord } from '../../src/flow/flow-record.ts';

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** A fresh record of an IPv4 flow from `src` to `dst` (dotted text); every other field as createFlowRecord leaves it. */
export function ipv4FlowRecord(src: string, dst: string): FlowRecord {
  const flow = createFlowRecord();
  flow.ipVersion = 4;
  const [s, d] = [ipv4Bytes(src), ipv4Bytes(dst)];
  flow.srcAddr.set(s);
  flow.dstAddr.set(d);
  flow.srcAddr4 = ((s[0] << 24) | (s[1] << 16) | (s[2] << 8) | s[3]) >>> 0;
  flow.dstAddr4 = ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
  return flow;
}
