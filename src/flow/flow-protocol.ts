/** Which decoder a listener's datagrams go to. NetFlow v5/v9 and IPFIX share one (it reads the version). */
export type FlowProtocol = 'sflow' | 'netflow';

/** Listener kinds in the configuration and the decoder behind each. */
export const LISTENER_PROTOCOLS = { sflow: 'sflow', netflow: 'netflow', ipfix: 'netflow' } as const satisfies Record<string, FlowProtocol>;
export type ListenerKind = keyof typeof LISTENER_PROTOCOLS;

/**
 * Which decoder a datagram needs, from its first bytes: sFlow starts with the 32-bit
 * version 5 (so two zero bytes), NetFlow/IPFIX with a 16-bit version of 5, 9 or 10.
 * Used where no listener port says it (pcap files).
 */
export function sniffFlowProtocol(datagram: Uint8Array): FlowProtocol {
  return datagram.length >= 4 && datagram[0] === 0 && datagram[1] === 0 ? 'sflow' : 'netflow';
}
