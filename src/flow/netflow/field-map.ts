/**
 * Which NetFlow v9 / IPFIX information elements the decoders read, and what they become.
 *
 * IPFIX element ids 1-127 are the NetFlow v9 field types (RFC 7012 section 4), so one
 * table serves both. Several elements can fill the same FlowRecord field (bytes as delta,
 * post or total count; flow end in seconds, milliseconds or NTP time; ...): each belongs
 * to a slot and has a priority, and the template compiler keeps only the best element of
 * every slot, so the per-record loop never has to arbitrate.
 */

// Operation kinds the record reader executes (small integers for a dense switch).
export const K_SRC4 = 1;
export const K_DST4 = 2;
export const K_SRC6 = 3;
export const K_DST6 = 4;
export const K_SRC_PORT = 5;
export const K_DST_PORT = 6;
export const K_PROTOCOL = 7;
export const K_TCP_FLAGS = 8;
export const K_BYTES = 9;
export const K_PACKETS = 10;
export const K_IN_IF = 11;
export const K_OUT_IF = 12;
export const K_ICMP4 = 13;
export const K_ICMP4_TYPE = 14;
export const K_ICMP4_CODE = 15;
export const K_ICMP6 = 16;
export const K_ICMP6_TYPE = 17;
export const K_ICMP6_CODE = 18;
export const K_FRAG_FLAGS = 19;
export const K_FRAG_OFFSET = 20;
export const K_SRC_MAC = 21;
export const K_DST_MAC = 22;
export const K_VLAN = 23;
export const K_SAMPLING = 24;
export const K_SAMPLER_ID = 25;
/** Uptime-relative milliseconds: v9 header sysUptime, IPFIX systemInitTimeMilliseconds. */
export const K_TIME_UPTIME = 26;
export const K_TIME_SEC = 27;
export const K_TIME_MS = 28;
/** NTP-format timestamp (dateTimeMicroseconds / dateTimeNanoseconds). */
export const K_TIME_NTP = 29;
/** Microseconds before the message's export time. */
export const K_TIME_DELTA_US = 30;
export const K_SYSTEM_INIT_MS = 31;
/** The same encodings for the flow's start (its end is the K_TIME_* kinds). */
export const K_START_UPTIME = 32;
export const K_START_SEC = 33;
export const K_START_MS = 34;
export const K_START_NTP = 35;
export const K_START_DELTA_US = 36;

// Options-record kinds (sampler announcements).
export const K_OPT_INTERVAL = 40;
export const K_OPT_SAMPLER_ID = 41;
export const K_OPT_PACKET_INTERVAL = 42;
export const K_OPT_PACKET_SPACE = 43;
export const K_OPT_SAMPLING_SIZE = 44;
export const K_OPT_SAMPLING_POPULATION = 45;
export const K_OPT_PROBABILITY = 46;
export const K_OPT_SYSTEM_INIT_MS = 47;

/** RFC 5103 reverse-direction elements carry this enterprise number. */
export const REVERSE_PEN = 29305;

/** Variable-length marker in an IPFIX field specifier. */
export const VARIABLE_LENGTH = 65535;

interface FieldRule {
  kind: number;
  /** Fields sharing a slot compete; the lowest priority wins. */
  slot: number;
  priority: number;
  /** Required wire length; 0 accepts any length from 1 to 8 (unsigned integers). */
  length: number;
}

const FLOW_RULES = new Map<number, FieldRule>();
const OPTION_RULES = new Map<number, FieldRule>();

function rule(table: Map<number, FieldRule>, ie: number, kind: number, slot: number, priority = 0, length = 0): void {
  table.set(ie, { kind, slot, priority, length });
}

// Slots of FLOW_RULES.
let s = 0;
const S_SRC4 = s++;
const S_DST4 = s++;
const S_SRC6 = s++;
const S_DST6 = s++;
const S_SRC_PORT = s++;
const S_DST_PORT = s++;
const S_PROTOCOL = s++;
const S_TCP_FLAGS = s++;
const S_BYTES = s++;
const S_PACKETS = s++;
const S_IN_IF = s++;
const S_OUT_IF = s++;
const S_ICMP4 = s++;
const S_ICMP4_TYPE = s++;
const S_ICMP4_CODE = s++;
const S_ICMP6 = s++;
const S_ICMP6_TYPE = s++;
const S_ICMP6_CODE = s++;
const S_FRAG_FLAGS = s++;
const S_FRAG_OFFSET = s++;
const S_SRC_MAC = s++;
const S_DST_MAC = s++;
const S_VLAN = s++;
const S_SAMPLING = s++;
const S_SAMPLER_ID = s++;
const S_TIME = s++;
const S_START = s++;
const S_SYSTEM_INIT = s++;
export const FLOW_SLOT_COUNT = s;

rule(FLOW_RULES, 8, K_SRC4, S_SRC4, 0, 4); // sourceIPv4Address
rule(FLOW_RULES, 12, K_DST4, S_DST4, 0, 4); // destinationIPv4Address
rule(FLOW_RULES, 27, K_SRC6, S_SRC6, 0, 16); // sourceIPv6Address
rule(FLOW_RULES, 28, K_DST6, S_DST6, 0, 16); // destinationIPv6Address
rule(FLOW_RULES, 7, K_SRC_PORT, S_SRC_PORT); // sourceTransportPort
rule(FLOW_RULES, 11, K_DST_PORT, S_DST_PORT); // destinationTransportPort
rule(FLOW_RULES, 4, K_PROTOCOL, S_PROTOCOL); // protocolIdentifier
rule(FLOW_RULES, 6, K_TCP_FLAGS, S_TCP_FLAGS); // tcpControlBits
// Bytes and packets: deltas first, then post-NAT/egress deltas (v9 OUT_BYTES), then totals.
rule(FLOW_RULES, 1, K_BYTES, S_BYTES, 0); // octetDeltaCount
rule(FLOW_RULES, 23, K_BYTES, S_BYTES, 1); // postOctetDeltaCount
rule(FLOW_RULES, 85, K_BYTES, S_BYTES, 2); // octetTotalCount
rule(FLOW_RULES, 2, K_PACKETS, S_PACKETS, 0); // packetDeltaCount
rule(FLOW_RULES, 24, K_PACKETS, S_PACKETS, 1); // postPacketDeltaCount
rule(FLOW_RULES, 86, K_PACKETS, S_PACKETS, 2); // packetTotalCount
rule(FLOW_RULES, 10, K_IN_IF, S_IN_IF, 0); // ingressInterface
rule(FLOW_RULES, 252, K_IN_IF, S_IN_IF, 1); // ingressPhysicalInterface
rule(FLOW_RULES, 14, K_OUT_IF, S_OUT_IF, 0); // egressInterface
rule(FLOW_RULES, 253, K_OUT_IF, S_OUT_IF, 1); // egressPhysicalInterface
rule(FLOW_RULES, 32, K_ICMP4, S_ICMP4); // icmpTypeCodeIPv4
rule(FLOW_RULES, 176, K_ICMP4_TYPE, S_ICMP4_TYPE); // icmpTypeIPv4
rule(FLOW_RULES, 177, K_ICMP4_CODE, S_ICMP4_CODE); // icmpCodeIPv4
rule(FLOW_RULES, 139, K_ICMP6, S_ICMP6); // icmpTypeCodeIPv6
rule(FLOW_RULES, 178, K_ICMP6_TYPE, S_ICMP6_TYPE); // icmpTypeIPv6
rule(FLOW_RULES, 179, K_ICMP6_CODE, S_ICMP6_CODE); // icmpCodeIPv6
rule(FLOW_RULES, 197, K_FRAG_FLAGS, S_FRAG_FLAGS); // fragmentFlags
rule(FLOW_RULES, 88, K_FRAG_OFFSET, S_FRAG_OFFSET); // fragmentOffset
rule(FLOW_RULES, 56, K_SRC_MAC, S_SRC_MAC, 0, 6); // sourceMacAddress (v9 IN_SRC_MAC)
rule(FLOW_RULES, 81, K_SRC_MAC, S_SRC_MAC, 1, 6); // postSourceMacAddress (v9 OUT_SRC_MAC)
rule(FLOW_RULES, 80, K_DST_MAC, S_DST_MAC, 0, 6); // destinationMacAddress (v9 IN_DST_MAC)
rule(FLOW_RULES, 57, K_DST_MAC, S_DST_MAC, 1, 6); // postDestinationMacAddress (v9 OUT_DST_MAC)
rule(FLOW_RULES, 58, K_VLAN, S_VLAN, 0); // vlanId (v9 SRC_VLAN)
rule(FLOW_RULES, 243, K_VLAN, S_VLAN, 1); // dot1qVlanId
rule(FLOW_RULES, 59, K_VLAN, S_VLAN, 2); // postVlanId (v9 DST_VLAN), when nothing better
rule(FLOW_RULES, 34, K_SAMPLING, S_SAMPLING, 0); // samplingInterval
rule(FLOW_RULES, 50, K_SAMPLING, S_SAMPLING, 1); // samplerRandomInterval
rule(FLOW_RULES, 48, K_SAMPLER_ID, S_SAMPLER_ID, 0); // samplerId (v9 FLOW_SAMPLER_ID)
rule(FLOW_RULES, 302, K_SAMPLER_ID, S_SAMPLER_ID, 1); // selectorId
// Flow time: the end of the flow is what FlowRecord.timeMs means (the start stands in
// when a template has no end); the start is FlowRecord.startMs.
rule(FLOW_RULES, 153, K_TIME_MS, S_TIME, 0); // flowEndMilliseconds
rule(FLOW_RULES, 155, K_TIME_NTP, S_TIME, 1, 8); // flowEndMicroseconds
rule(FLOW_RULES, 157, K_TIME_NTP, S_TIME, 2, 8); // flowEndNanoseconds
rule(FLOW_RULES, 151, K_TIME_SEC, S_TIME, 3); // flowEndSeconds
rule(FLOW_RULES, 21, K_TIME_UPTIME, S_TIME, 4); // flowEndSysUpTime (v9 LAST_SWITCHED)
rule(FLOW_RULES, 159, K_TIME_DELTA_US, S_TIME, 5); // flowEndDeltaMicroseconds
rule(FLOW_RULES, 152, K_START_MS, S_START, 0); // flowStartMilliseconds
rule(FLOW_RULES, 154, K_START_NTP, S_START, 1, 8); // flowStartMicroseconds
rule(FLOW_RULES, 156, K_START_NTP, S_START, 2, 8); // flowStartNanoseconds
rule(FLOW_RULES, 150, K_START_SEC, S_START, 3); // flowStartSeconds
rule(FLOW_RULES, 22, K_START_UPTIME, S_START, 4); // flowStartSysUpTime (v9 FIRST_SWITCHED)
rule(FLOW_RULES, 158, K_START_DELTA_US, S_START, 5); // flowStartDeltaMicroseconds
rule(FLOW_RULES, 160, K_SYSTEM_INIT_MS, S_SYSTEM_INIT); // systemInitTimeMilliseconds

// Options records: sampler announcements (RFC 3954 section 8, RFC 7012, RFC 5477 PSAMP).
let o = 0;
const O_INTERVAL = o++;
const O_SAMPLER_ID = o++;
const O_PACKET_INTERVAL = o++;
const O_PACKET_SPACE = o++;
const O_SIZE = o++;
const O_POPULATION = o++;
const O_PROBABILITY = o++;
const O_SYSTEM_INIT = o++;
export const OPTION_SLOT_COUNT = o;

rule(OPTION_RULES, 34, K_OPT_INTERVAL, O_INTERVAL, 0); // samplingInterval
rule(OPTION_RULES, 50, K_OPT_INTERVAL, O_INTERVAL, 1); // samplerRandomInterval
rule(OPTION_RULES, 48, K_OPT_SAMPLER_ID, O_SAMPLER_ID, 0); // samplerId
rule(OPTION_RULES, 302, K_OPT_SAMPLER_ID, O_SAMPLER_ID, 1); // selectorId
rule(OPTION_RULES, 305, K_OPT_PACKET_INTERVAL, O_PACKET_INTERVAL); // samplingPacketInterval
rule(OPTION_RULES, 306, K_OPT_PACKET_SPACE, O_PACKET_SPACE); // samplingPacketSpace
rule(OPTION_RULES, 309, K_OPT_SAMPLING_SIZE, O_SIZE); // samplingSize
rule(OPTION_RULES, 310, K_OPT_SAMPLING_POPULATION, O_POPULATION); // samplingPopulation
rule(OPTION_RULES, 311, K_OPT_PROBABILITY, O_PROBABILITY, 0, 8); // samplingProbability (float64)
rule(OPTION_RULES, 160, K_OPT_SYSTEM_INIT_MS, O_SYSTEM_INIT); // systemInitTimeMilliseconds

/** The rule for a data-record element, or undefined when the decoders ignore it. */
export function flowFieldRule(ie: number): FieldRule | undefined {
  return FLOW_RULES.get(ie);
}

/** The rule for an options-record element, or undefined when the decoders ignore it. */
export function optionFieldRule(ie: number): FieldRule | undefined {
  return OPTION_RULES.get(ie);
}

export type { FieldRule };
