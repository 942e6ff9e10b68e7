/**
 * Seeded generator of the flows a hosting provider's edge sees: the provider's servers
 * (documentation ranges 198.51.100.0/24 and 203.0.113.0/24) talking to many remote hosts
 * (the benchmarking range 198.18.0.0/15, RFC 2544), mostly TCP to service ports, some UDP
 * and ICMP, heavy-tailed packet counts. Every traffic generator draws from it, so the
 * protocols carry comparable traffic.
 */
import { prng } from '../../test/helpers/traffic-scenarios.ts';


export interface GeneratedFlow {
  /** IPv4 addresses as uint32. */
  src: number;
  dst: number;
  srcPort: number;
  dstPort: number;
  protocol: number;
  tcpFlags: number;
  packets: number;
  bytes: number;
  /** Bytes of one sampled frame (sFlow): 64..1518. */
  frameLength: number;
  inputInterface: number;
  outputInterface: number;
  /** Flow duration and how long before the export it ended. */
  durationMs: number;
  endedAgoMs: number;
}

const PROVIDER_NETS = [(198 << 24) | (51 << 16) | (100 << 8), (203 << 24) | (0 << 16) | (113 << 8)].map((n) => n >>> 0);
const REMOTE_BASE = ((198 << 24) | (18 << 16)) >>> 0;
const REMOTE_SIZE = 1 << 17;
const SERVICE_PORTS = [443, 80, 443, 22, 25, 53, 3306, 8080, 993, 587, 443, 80];

export function ipv4Text(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

export class FlowMix {
  readonly #rand: () => number;

  constructor(seed: number) {
    this.#rand = prng(seed);
  }

  #int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  next(): GeneratedFlow {
    const r = this.#rand;
    const server = (PROVIDER_NETS[this.#int(PROVIDER_NETS.length)] + 1 + this.#int(254)) >>> 0;
    const remote = (REMOTE_BASE + this.#int(REMOTE_SIZE)) >>> 0;
    const kind = r();
    const protocol = kind < 0.8 ? 6 : kind < 0.97 ? 17 : 1;
    const service = protocol === 17 ? (r() < 0.6 ? 53 : 123 + this.#int(2) * 320) : SERVICE_PORTS[this.#int(SERVICE_PORTS.length)];
    const ephemeral = 32768 + this.#int(28232);
    const inbound = r() < 0.5;
    // Heavy tail: most flows are a few packets, a few are large transfers.
    const packets = 1 + Math.floor(-Math.log(1 - r()) * (r() < 0.1 ? 2000 : 8));
    const frameLength = r() < 0.4 ? 64 + this.#int(40) : r() < 0.7 ? 1514 : 64 + this.#int(1450);
    const edgeInterface = 1 + this.#int(8);
    const serverInterface = 9 + this.#int(40);
    const durationMs = packets === 1 ? 0 : this.#int(60_000);
    return {
      src: inbound ? remote : server,
      dst: inbound ? server : remote,
      srcPort: protocol === 1 ? 0 : inbound ? ephemeral : service,
      dstPort: protocol === 1 ? (r() < 0.5 ? 0x0800 : 0x0000) : inbound ? service : ephemeral,
      protocol,
      tcpFlags: protocol === 6 ? (packets === 1 ? 0x02 : 0x1b) : 0,
      packets,
      bytes: packets * (frameLength - 14),
      frameLength,
      inputInterface: inbound ? edgeInterface : serverInterface,
      outputInterface: inbound ? serverInterface : edgeInterface,
      durationMs,
      endedAgoMs: this.#int(15_000),
    };
  }
}
