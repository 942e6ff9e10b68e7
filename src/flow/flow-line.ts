/** One flow as a line of text, for `netwarden decode` and logs. */
import { type FlowRecord, formatAddress } from './flow-record.ts';

const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 58: 'ICMPv6' };
const FLAG_NAMES = ['F', 'S', 'R', 'P', '.', 'U', 'E', 'C'];

function flags(bits: number): string {
  let out = '';
  for (let i = 0; i < 8; i++) if (bits & (1 << i)) out += FLAG_NAMES[i];
  return out;
}

function endpoint(address: string, port: number, ipVersion: number, protocol: number): string {
  const host = ipVersion === 6 ? `[${address}]` : address;
  return protocol === 6 || protocol === 17 ? `${host}:${port}` : host;
}

export function formatFlowLine(flow: FlowRecord): string {
  const proto = PROTOCOLS[flow.protocol] ?? String(flow.protocol);
  const src = endpoint(formatAddress(flow.srcAddr, flow.ipVersion), flow.srcPort, flow.ipVersion, flow.protocol);
  const dst = endpoint(formatAddress(flow.dstAddr, flow.ipVersion), flow.dstPort, flow.ipVersion, flow.protocol);
  const extra = flow.protocol === 6 ? ` flags ${flags(flow.tcpFlags) || '-'}` : flow.protocol === 1 || flow.protocol === 58 ? ` type ${flow.dstPort >> 8} code ${flow.dstPort & 0xff}` : '';
  return (
    `${new Date(flow.timeMs).toISOString()} ${flow.exporter} ${proto} ${src} > ${dst}${extra} ` +
    `packets ${flow.packets} bytes ${flow.bytes} sampling 1:${flow.samplingRate} if ${flow.inputInterface}>${flow.outputInterface}` +
    (flow.fragment ? ' fragment' : '')
  );
}
