/**
 * One lock as the gateway must enforce it: the lock layer turns its locks (and the
 * server's static access IPs) into these; the enforce layer knows nothing else of locks.
 */
export interface EnforcementEntry {
  blockingId: string;      // e.g. 'L-2026-000123'
  serverId: string;
  gateway: string;         // uplink gateway name, e.g. 'fsn1-dc14-uplink-gw' (key into config)
  addresses: string[];     // locked addresses/prefixes (CIDR text, canonical)
  allow: string[];         // the server's static access IPs/prefixes (CIDR), let through both ways
}
