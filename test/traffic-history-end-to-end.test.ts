/**
 * The traffic chart from real packets: NetFlow v9 over UDP into the running collector and
 * detector, the detector's sampler writes the history to the store, and the console's
 * traffic route serves it with the server's threshold lines.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { sampleSnapshot } from './helpers/factories.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { steadyStream, toNetflowV9Datagrams } from './helpers/traffic-scenarios.ts';

const NETFLOW_PORT = 48057;

describe('traffic history end to end', () => {
  let server: TestServer;
  let reader: string;
  before(async () => {
    server = await startTestServer(
      {
        collector: { sflow: [], netflow: [`127.0.0.1:${NETFLOW_PORT}`], ipfix: [], workers: 1 },
        trafficHistory: { sampleSeconds: 1, bucketSeconds: 10 },
      },
      ['collector', 'detector', 'api'],
    );
    const admin = await server.token(['admin']);
    reader = await server.token(['read']);
    assert.equal((await server.request('POST', '/api/v1/inventory/import', { token: admin, body: sampleSnapshot() })).status, 200);
  });
  after(() => server.close());

  it('charts what the detector measured', async () => {
    const start = Date.now() - 500;
    const flows = steadyStream({ startMs: start, seconds: 3, src: '203.0.113.10', dst: '198.51.100.7', protocol: 17, srcPort: 40000, dstPort: 53, tcpFlags: 0, packetsPerSecond: 1000, packetSize: 1000 });
    const socket = createSocket('udp4');
    for (const { datagram } of toNetflowV9Datagrams(flows, start - 60_000)) {
      await new Promise<void>((resolve) => socket.send(datagram, NETFLOW_PORT, '127.0.0.1', () => resolve()));
    }
    socket.close();

    // The bucket is written once it is over: at most bucketSeconds after the flows' time.
    const deadline = Date.now() + 25_000;
    let samples: Array<{ packetsOut: number; bitsOut: number; packetsIn: number }> = [];
    while (Date.now() < deadline && samples.every((s) => s.packetsOut === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const from = new Date(start - 60_000).toISOString();
      const response = await server.request('GET', `/api/v1/console/servers/EX-1/traffic?from=${from}`, { token: reader });
      assert.equal(response.status, 200, response.text);
      samples = (response.body as { samples: typeof samples }).samples;
    }
    const peak = samples.reduce((best, s) => (s.packetsOut > best.packetsOut ? s : best), { packetsOut: 0, bitsOut: 0, packetsIn: 0 });
    // One flow record of 1,000 packets per second: a 1 s sliding window holds one or two of them.
    assert.ok(peak.packetsOut >= 1000 && peak.packetsOut <= 2000, `peak ${peak.packetsOut} packets/s out`);
    assert.equal(peak.bitsOut, peak.packetsOut * 8000, '1,000-byte packets');
    assert.equal(peak.packetsIn, 0);
    // 198.51.100.7 is EX-2's: it received the same traffic.
    const other = await server.request('GET', `/api/v1/console/servers/EX-2/traffic?from=${new Date(start - 60_000).toISOString()}`, { token: reader });
    const received = (other.body as { samples: typeof samples }).samples;
    const inbound = received.filter((s) => s.packetsIn > 0);
    assert.ok(inbound.length > 0 && inbound.every((s) => s.packetsIn >= 1000 && s.packetsIn <= 2000), JSON.stringify(received));
    assert.ok(received.every((s) => s.packetsOut === 0));
    const thresholds = (other.body as { thresholds: { inbound: { packetsPerSecond: number } } }).thresholds;
    assert.equal(thresholds.inbound.packetsPerSecond, 1_000_000);
  });
});
