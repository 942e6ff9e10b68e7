/**
 * Encodes NetFlow v9 export datagrams (RFC 3954) from a plain description: benchmarks and
 * the lab generate exporter traffic with it, tests can build datagrams with known
 * contents. Allocates freely; not for the hot path.
 */
import { addressBytes } from '../packet/packet-builder.ts';

/** Common NetFlow v9 field types (RFC 3954 section 8). */
export const NF9 = {
  IN_BYTES: 1,
  IN_PKTS: 2,
  PROTOCOL: 4,
  SRC_TOS: 5,
  TCP_FLAGS: 6,
  L4_SRC_PORT: 7,
  IPV4_SRC_ADDR: 8,
  SRC_MASK: 9,
  INPUT_SNMP: 10,
  L4_DST_PORT: 11,
  IPV4_DST_ADDR: 12,
  DST_MASK: 13,
  OUTPUT_SNMP: 14,
  IPV4_NEXT_HOP: 15,
  SRC_AS: 16,
  DST_AS: 17,
  LAST_SWITCHED: 21,
  FIRST_SWITCHED: 22,
  IPV6_SRC_ADDR: 27,
  IPV6_DST_ADDR: 28,
  SAMPLING_INTERVAL: 34,
  SAMPLING_ALGORITHM: 35,
  FLOW_SAMPLER_ID: 48,
  SRC_VLAN: 58,
} as const;

export interface NetflowV9Field {
  type: number;
  length: number;
}

export interface NetflowV9Template {
  /** 256 or higher. */
  id: number;
  fields: NetflowV9Field[];
}

/**
 * A field value: a number (big-endian in the field's length; lengths over 6 bytes take a
 * bigint for values past 2^53), an address text (IPv4 or IPv6, its length must match),
 * or the raw bytes.
 */
export type NetflowV9Value = number | bigint | string | Uint8Array;

/** One data record: values by field type; a field without a value is written as zeros. */
export type NetflowV9Record = Partial<Record<number, NetflowV9Value>>;

export type NetflowV9FlowSet =
  | { kind: 'template'; templates: NetflowV9Template[] }
  | { kind: 'data'; template: NetflowV9Template; records: NetflowV9Record[] };

export interface NetflowV9DatagramSpec {
  sysUptimeMs: number;
  unixSeconds: number;
  /** Export packet sequence number (incremented per datagram by a real exporter). */
  sequence: number;
  sourceId: number;
  flowSets: NetflowV9FlowSet[];
}

/** Header offset of the sequence number, so a sender can renumber pre-built datagrams in place. */
export const NETFLOW_V9_SEQUENCE_OFFSET = 12;
/** Header offset of the export time (Unix seconds), which ties the records' uptime times to the clock. */
export const NETFLOW_V9_UNIX_SECONDS_OFFSET = 8;

export function netflowV9RecordLength(template: NetflowV9Template): number {
  return template.fields.reduce((sum, f) => sum + f.length, 0);
}

function writeValue(out: Buffer, offset: number, field: NetflowV9Field, value: NetflowV9Value | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'string') value = addressBytes(value);
  if (value instanceof Uint8Array) {
    if (value.length !== field.length) {
      throw new Error(`netflow v9 field ${field.type}: ${value.length} bytes given for a ${field.length}-byte field`);
    }
    out.set(value, offset);
    return;
  }
  let v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(8 * field.length)) {
    throw new Error(`netflow v9 field ${field.type}: value ${value} does not fit ${field.length} bytes`);
  }
  for (let i = field.length - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Flowset body padded to a multiple of 4 bytes, as RFC 3954 section 5.3 recommends. */
function flowSet(id: number, body: Buffer): Buffer {
  const length = 4 + body.length + ((4 - (body.length % 4)) % 4);
  const out = Buffer.alloc(length);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(length, 2);
  body.copy(out, 4);
  return out;
}

function encodeFlowSet(set: NetflowV9FlowSet): { bytes: Buffer; records: number } {
  if (set.kind === 'template') {
    const parts: Buffer[] = [];
    for (const t of set.templates) {
      const b = Buffer.alloc(4 + 4 * t.fields.length);
      b.writeUInt16BE(t.id, 0);
      b.writeUInt16BE(t.fields.length, 2);
      t.fields.forEach((f, i) => {
        b.writeUInt16BE(f.type, 4 + 4 * i);
        b.writeUInt16BE(f.length, 6 + 4 * i);
      });
      parts.push(b);
    }
    return { bytes: flowSet(0, Buffer.concat(parts)), records: set.templates.length };
  }
  const recordLength = netflowV9RecordLength(set.template);
  const body = Buffer.alloc(recordLength * set.records.length);
  set.records.forEach((record, r) => {
    let offset = r * recordLength;
    for (const field of set.template.fields) {
      writeValue(body, offset, field, record[field.type]);
      offset += field.length;
    }
  });
  return { bytes: flowSet(set.template.id, body), records: set.records.length };
}

export function encodeNetflowV9Datagram(spec: NetflowV9DatagramSpec): Buffer {
  const sets = spec.flowSets.map(encodeFlowSet);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(9, 0);
  // RFC 3954: the count is of records (template and data), not of flowsets.
  header.writeUInt16BE(sets.reduce((n, s) => n + s.records, 0), 2);
  header.writeUInt32BE(spec.sysUptimeMs >>> 0, 4);
  header.writeUInt32BE(spec.unixSeconds >>> 0, NETFLOW_V9_UNIX_SECONDS_OFFSET);
  header.writeUInt32BE(spec.sequence >>> 0, NETFLOW_V9_SEQUENCE_OFFSET);
  header.writeUInt32BE(spec.sourceId >>> 0, 16);
  return Buffer.concat([header, ...sets.map((s) => s.bytes)]);
}
