/**
 * sFlow v5 as a switch exports it: 7 flow samples per datagram (1,372 bytes), each the
 * first 128 bytes of a sampled Ethernet/IPv4/TCP|UDP|ICMP frame, sampling 1 in 1,000, one
 * agent address per exporter (192.0.2.10 and up).
 */
import { encodeSflowDatagram, type SflowFlowSampleSpec } from '../../src/flow/sflow/sflow-datagram-encoder.ts';
import { ethernet, icmp, ipv4, tcp, udp } from '../../src/flow/packet/packet-builder.ts';
import { FlowMix, type GeneratedFlow, ipv4Text } from './flow-mix.ts';
import type { ExporterTraffic, TrafficOptions, TrafficPool } from './traffic-pool.ts';

const SAMPLES_PER_DATAGRAM = 7;
const SAMPLING_RATE = 1000;
const HEADER_BYTES = 128;
/** The frame check sequence: counted in the frame length, stripped from the header. */
const FCS = 4;

function sampledHeader(f: GeneratedFlow): Uint8Array {
  const captured = Math.min(HEADER_BYTES, f.frameLength);
  const l4Header = f.protocol === 6 ? 20 : 8;
  const payload = new Uint8Array(captured - 14 - 20 - l4Header).fill(0x5a);
  const l4 =
    f.protocol === 6
      ? tcp({ srcPort: f.srcPort, dstPort: f.dstPort, flags: f.tcpFlags, payload })
      : f.protocol === 17
        ? udp({ srcPort: f.srcPort, dstPort: f.dstPort, payload })
        : icmp({ type: f.dstPort >> 8, code: f.dstPort & 0xff, payload });
  const packet = ipv4({ src: ipv4Text(f.src), dst: ipv4Text(f.dst), protocol: f.protocol, payload: l4, totalLength: f.frameLength - 14 });
  return ethernet({ dst: '02:00:5e:00:00:02', src: '02:00:5e:00:00:01', etherType: 0x0800, payload: packet });
}

export function buildSflowTraffic(options: TrafficOptions): TrafficPool {
  const exporters: ExporterTraffic[] = [];
  for (let e = 0; e < options.exporters; e++) {
    const mix = new FlowMix(options.seed * 1000 + 300 + e);
    const agentAddress = `192.0.2.${10 + e}`;
    const uptimeMs = 86_400_000 + e * 3_600_000;
    const data: Buffer[] = [];
    let sampleSequence = 0;
    for (let d = 0; d < options.datagramsPerExporter; d++) {
      const samples: SflowFlowSampleSpec[] = [];
      for (let s = 0; s < SAMPLES_PER_DATAGRAM; s++) {
        const f = mix.next();
        sampleSequence++;
        samples.push({
          type: 'flow',
          sequence: sampleSequence,
          sourceIdIndex: f.inputInterface,
          samplingRate: SAMPLING_RATE,
          samplePool: sampleSequence * SAMPLING_RATE,
          input: f.inputInterface,
          output: f.outputInterface,
          records: [{ type: 'header', protocol: 1, frameLength: f.frameLength + FCS, stripped: FCS, header: sampledHeader(f) }],
        });
      }
      data.push(encodeSflowDatagram({ agentAddress, subAgentId: 0, sequence: d + 1, uptimeMs: uptimeMs + d * 10, samples }));
    }
    exporters.push({ preamble: [], data, flows: data.map(() => SAMPLES_PER_DATAGRAM) });
  }
  // Version, address type, IPv4 agent address, sub-agent id, then the datagram sequence.
  return { kind: 'sflow', exporters, sequence: { offset: 16, counts: 'datagrams' } };
}
