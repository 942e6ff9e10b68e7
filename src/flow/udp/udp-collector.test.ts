/** The collector over real UDP on loopback, fed with the real captures. */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createLogger } from '../../logger.ts';
import { FlowDecoders } from '../flow-decoders.ts';
import { readPcapUdpDatagrams } from '../pcap/pcap-reader.ts';
import { UdpCollector } from './udp-collector.ts';

const CAPTURES = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'captures');
const capture = (name: string): Buffer[] => [...readPcapUdpDatagrams(readFileSync(join(CAPTURES, name)))].map((d) => d.payload);

async function send(port: number, datagrams: Buffer[], from = '127.0.0.1'): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: from, port: 0 }, resolve));
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  socket.close();
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Both receive paths: the batched native one (recvmmsg, built by npm run build:native, which
// `npm test` runs first) and Node's dgram.
for (const receiver of ['recvmmsg', 'node'] as const) {
  describe(`UDP collector (${receiver} receive path)`, () => {
    const metrics = new Registry();
    const flowCounts = new Map<number, number>();
    let collector: UdpCollector;
    const offset = receiver === 'node' ? 10 : 0;
    const ports = { sflow: 46343 + offset, netflow: 42055 + offset, ipfix: 44739 + offset };

    before(async () => {
      collector = new UdpCollector({
        config: {
          sflow: [`127.0.0.1:${ports.sflow}`],
          netflow: [`127.0.0.1:${ports.netflow}`],
          ipfix: [`127.0.0.1:${ports.ipfix}`],
          exporters: ['127.0.0.1/32'],
          workers: 2,
          receiveBufferBytes: 1 << 20,
          receiver,
          maxExporters: 100,
          maxTemplatesPerExporter: 64,
          templateExpirySeconds: 600,
        },
        logger: createLogger('silent'),
        metrics,
        onConsumerMessage: (message, worker) => flowCounts.set(worker, (message as { flows: number }).flows),
      });
      await collector.start();
    });
    after(() => collector.stop());

    it('receives through the path configured', () => {
      assert.equal(collector.receiver, receiver);
    });

    it('decodes sFlow, NetFlow v9 (template then data), NetFlow v5 and IPFIX sent over loopback', async () => {
      const feeds: Array<[number, Buffer[]]> = [
        [ports.sflow, capture('sflow-data-1140.pcap')],
        [ports.netflow, [...capture('netflow-template.pcap'), ...capture('netflow-data.pcap')]],
        [ports.netflow, capture('netflow-nfv5.pcap')],
        [ports.ipfix, [...capture('netflow-ipfixprobe-templates.pcap'), ...capture('netflow-ipfixprobe-data.pcap')]],
      ];
      // What the same datagrams decode to in-process is what must arrive.
      const reference = new FlowDecoders({ maxExporters: 10, maxTemplatesPerExporter: 64, templateExpirySeconds: 600 });
      let expectedFlows = 0;
      let expectedDatagrams = 0;
      for (const [port, datagrams] of feeds) {
        for (const d of datagrams) {
          expectedFlows += reference.decode(port === ports.sflow ? 'sflow' : 'netflow', d, '127.0.0.1', Date.now(), () => {});
          expectedDatagrams++;
        }
      }
      assert.ok(expectedFlows > 40, `captures hold flows (${expectedFlows})`);
      // One sender socket per feed keeps an exporter's templates and data on one thread, as with a real router.
      for (const [port, datagrams] of feeds) await send(port, datagrams);
      await until(() => collector.totals().flows === expectedFlows && collector.totals().datagrams === expectedDatagrams);
      await until(() => [...flowCounts.values()].reduce((a, b) => a + b, 0) === expectedFlows);
      const text = await metrics.metrics();
      assert.match(text, /netwarden_collector_datagrams_total\{protocol="sflow"\} 1/);
      assert.equal(collector.totals().decodeErrors, 0);
    });

    it('drops datagrams from exporters not in the list, and counts bad datagrams per exporter and reason', async () => {
      await send(ports.sflow, capture('sflow-data-1140.pcap'), '127.0.0.2');
      await until(() => collector.totals().unknownExporterDatagrams === 1);
      const garbage = [Buffer.from([0, 0, 0, 9, 1, 2]), Buffer.alloc(0), Buffer.from('not a flow datagram at all')];
      await send(ports.netflow, garbage);
      await send(ports.sflow, [Buffer.from([0, 0, 0, 5, 0, 0, 0, 1])]);
      await until(() => collector.totals().decodeErrors >= 4);
      const text = await metrics.metrics();
      assert.match(text, /netwarden_collector_unknown_exporter_datagrams_total 1/);
      assert.match(text, /netwarden_collector_decode_errors_total\{protocol="netflow",exporter="127\.0\.0\.1",reason="(truncated|bad_version)"\} \d/);
      assert.match(text, /netwarden_collector_decode_errors_total\{protocol="sflow",exporter="127\.0\.0\.1",reason="truncated"\} 1/);
    });
  });
}

describe('UDP collector on IPv6', () => {
  it('takes datagrams from an IPv6 exporter through the batched path and names it as the allowlist does', async () => {
    const collector = new UdpCollector({
      config: { sflow: ['[::1]:46345'], netflow: [], ipfix: [], exporters: ['::1/128'], workers: 1, receiveBufferBytes: 1 << 20, receiver: 'recvmmsg', maxExporters: 10, maxTemplatesPerExporter: 8, templateExpirySeconds: 60 },
      logger: createLogger('silent'),
      metrics: new Registry(),
    });
    await collector.start();
    try {
      const datagrams = capture('sflow-data-1140.pcap');
      const socket = createSocket('udp6');
      await new Promise<void>((resolve) => socket.bind({ address: '::1', port: 0 }, resolve));
      for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, 46345, '::1', (e) => (e ? reject(e) : resolve())));
      socket.close();
      await until(() => collector.totals().datagrams === datagrams.length);
      assert.equal(collector.totals().unknownExporterDatagrams, 0);
      assert.ok(collector.totals().flows > 0);
    } finally {
      await collector.stop();
    }
  });
});

describe('UDP collector logging', () => {
  it('logs at most five bad datagrams a minute however many arrive, and counts them all', async () => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    const metrics = new Registry();
    const collector = new UdpCollector({
      config: { sflow: ['127.0.0.1:46344'], netflow: [], ipfix: [], exporters: ['127.0.0.1/32'], workers: 1, receiveBufferBytes: 1 << 20, maxExporters: 10, maxTemplatesPerExporter: 8, templateExpirySeconds: 60 },
      logger: createLogger('warn', destination),
      metrics,
    });
    await collector.start();
    try {
      const garbage = Array.from({ length: 40 }, () => Buffer.from([0, 0, 0, 5, 0, 0, 0, 1]));
      await send(46344, garbage.slice(0, 20));
      await new Promise((r) => setTimeout(r, 1200));
      await send(46344, garbage.slice(20));
      await until(() => collector.totals().decodeErrors === 40);
      const logged = lines.filter((l) => l.includes('"msg":"bad export datagram"'));
      assert.equal(logged.length, 5);
      assert.match(await metrics.metrics(), /netwarden_collector_decode_errors_total\{protocol="sflow",exporter="127\.0\.0\.1",reason="truncated"\} 40/);
    } finally {
      await collector.stop();
    }
  });
});
