/**
 * Reading the tools' output in the lab: the netscan and packet-limit logs Netwarden
 * writes, tcpdump's lines for the packets that really arrived, nmap's grepable output,
 * hping3's statistics. Pure functions, tested in test/lab/lab-parsers.test.ts.
 */

export interface NetscanLogLine {
  src: string;
  dst: string;
  port: number;
}

/** The event lines of a netscan log ("Thu Nov 13 18:14:27 2013:   x.x.x.x =>    65.98.236.0:   22"). */
export function netscanLogLines(log: string): NetscanLogLine[] {
  const out: NetscanLogLine[] = [];
  for (const m of log.matchAll(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: {3}(\S+) => +(\S+):\s*(\d+)$/gm)) {
    out.push({ src: m[1], dst: m[2], port: Number(m[3]) });
  }
  return out;
}

/** The scanning host named in a netscan log's box, or null. */
export function netscanLogHost(log: string): string | null {
  return /^#\s+Netscan detected from host\s+(\S+)\s+#$/m.exec(log)?.[1] ?? null;
}

export interface CapturedPacket {
  /** Seconds since the epoch, with microseconds (tcpdump -tt). */
  time: number;
  src: string;
  dst: string;
  dstPort: number;
}

/** IPv4 TCP/UDP lines of `tcpdump -n -tt -l` ("1795243648.921234 IP 203.0.113.10.54321 > 192.0.2.5.22: Flags [S], ..."). */
export function tcpdumpPackets(text: string): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  for (const m of text.matchAll(/^(\d+\.\d+) IP (\d+\.\d+\.\d+\.\d+)\.\d+ > (\d+\.\d+\.\d+\.\d+)\.(\d+): /gm)) {
    out.push({ time: Number(m[1]), src: m[2], dst: m[3], dstPort: Number(m[4]) });
  }
  return out;
}

/** Hosts and the state of one port from nmap's grepable output (-oG): address -> "closed", "filtered", ... */
export function nmapPortStates(text: string, port: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^Host: (\S+) .*\tPorts: (.*)$/gm)) {
    for (const entry of m[2].split(', ')) {
      const [p, state] = entry.split('/');
      if (Number(p) === port) out.set(m[1], state);
    }
  }
  return out;
}

/** "394480 packets transmitted, 0 packets received" from hping3's statistics, or null. */
export function hpingTransmitted(text: string): number | null {
  const m = /(\d+) packets transmitted/.exec(text);
  return m === null ? null : Number(m[1]);
}

export interface PacketLimitLine {
  label: 'Sum' | 'External';
  address: string | null;
  packets: number;
  seconds: number;
}

/** Numbers of the seed's packet-limit summary ("Sum  40.674.000 packets/300s (...)", "External 77.96.88.114,  ..."). */
export function packetLimitLines(log: string): PacketLimitLine[] {
  const out: PacketLimitLine[] = [];
  for (const m of log.matchAll(/^(Sum|External (\S+),)\s+([\d.]+) packets\/(\d+)s /gm)) {
    out.push({ label: m[1] === 'Sum' ? 'Sum' : 'External', address: m[2] ?? null, packets: Number(m[3].replaceAll('.', '')), seconds: Number(m[4]) });
  }
  return out;
}
