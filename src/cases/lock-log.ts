/**
 * The log file of a lock, from its incidents: the seed's three sections (netscan box,
 * packet-limit summary per direction, traffic dump of the sampled packets), plus plain
 * sections for what the seed has no format for (wrong source addresses, a staff statement).
 */
import type { Incident } from '../detect/incident.ts';
import { renderEvidenceLog } from '../evidence/evidence-log.ts';
import type { PacketLimitEvidence, ThresholdUnit } from '../evidence/packet-limit-summary.ts';
import type { SampledPacket } from '../evidence/sampled-packet.ts';
import type { Lock } from './lock-types.ts';

export const REASON_TITLES: Record<string, string> = {
  attack_from_server: 'Attack from the server (packet limit exceeded)',
  attack_on_server: 'Attack on the server (packet limit exceeded)',
  netscan: 'Netscan from the server',
  network_configuration: 'Incorrect network configuration',
  non_payment: 'Non-payment of invoices',
  abuse_phishing: 'Abuse: phishing',
  abuse_malware: 'Abuse: malware',
  abuse_copyright: 'Abuse: copyright infringement',
  abuse_spam: 'Abuse: spam',
  other: 'Other',
};

const MAX_DUMP_PACKETS = 500;

function packetLimit(incident: Incident, fallbackAddress: string): PacketLimitEvidence | null {
  if (incident.kind !== 'flood' || incident.summary === null) return null;
  const first = incident.exceeded[0];
  let threshold: { value: number; unit: ThresholdUnit } = { value: 0, unit: 'packets/s' };
  if (first !== undefined) {
    if (first.metric === 'bitsPerSecond') threshold = { value: Math.round(first.threshold / 1_048_576), unit: 'MBit/s' };
    else if (first.metric === 'flowsPerSecond') threshold = { value: first.threshold, unit: 'flows/s' };
    else threshold = { value: first.threshold, unit: 'packets/s' };
  }
  const s = incident.summary;
  return {
    direction: incident.direction === 'in' ? 'IN' : 'OUT',
    internal: incident.address !== '' ? incident.address : fallbackAddress,
    threshold,
    windowSeconds: s.windowSeconds,
    sum: s.sum,
    externals: s.externals,
  };
}

export function renderLockLog(lock: Lock, serverName: string, incidents: readonly Incident[], timeZone: string): string {
  const ordered = [...incidents].sort((a, b) => a.firstSeenMs - b.firstSeenMs);
  const scans = ordered.filter((i) => i.netscan !== null);
  const fallback = (lock.addresses[0] ?? '').replace(/\/(32|128)$/, '');
  const limits = ordered.map((i) => packetLimit(i, fallback)).filter((p): p is PacketLimitEvidence => p !== null);
  const samples: SampledPacket[] = ordered
    .flatMap((i) => i.samples.map((s) => ({ timeMs: s.timeMs, data: s.data, originalLength: s.originalLength })))
    .sort((a, b) => a.timeMs - b.timeMs)
    .slice(-MAX_DUMP_PACKETS);
  const serverText = `${serverName} (${lock.addresses.map((a) => a.replace(/\/(32|128)$/, '')).join(', ')})`;
  let text = renderEvidenceLog(
    {
      blockingId: lock.blockingId,
      server: serverText,
      reason: REASON_TITLES[lock.reason] ?? lock.reason,
      lockedAtMs: lock.createdAtMs,
      ...(scans.length > 0
        ? { netscan: { host: scans[0].address, events: scans.flatMap((i) => i.netscan?.attempts ?? []).sort((a, b) => a.timeMs - b.timeMs) } }
        : {}),
      ...(limits.length > 0 ? { packetLimits: limits } : {}),
      ...(samples.length > 0 ? { trafficDump: { packets: samples } } : {}),
    },
    { timeZone, maxNetscanEvents: 5000, maxExternals: 200 },
  );
  for (const incident of ordered) {
    if (incident.sourceAddress === null) continue;
    const lines = ['', 'Source addresses not assigned to this server', ''];
    const via = incident.sourceAddress.identifiedBy === 'mac' ? `MAC address ${incident.sourceAddress.mac}` : 'the switch port it is connected to';
    lines.push(`The server was recognised by ${via}.`, '');
    for (const a of incident.sourceAddress.addresses) {
      lines.push(`${a.address.padEnd(40)} ${String(Math.round(a.packets)).padStart(12)} packets  ${a.assignedTo === null ? 'assigned to no server' : 'assigned to another customer'}`);
    }
    text += `${lines.join('\n')}\n`;
  }
  if (lock.statement !== '' && lock.source === 'staff') {
    text += `\nStatement of the abuse desk\n\n${lock.statement.replace(/\r\n?/g, '\n')}\n`;
  }
  return text;
}
