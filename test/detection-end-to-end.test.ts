/**
 * The whole intake and detection path over real UDP on loopback: generated sFlow and
 * NetFlow v9 exports paced in real time, received by the collector's threads, detected,
 * stored, and read back through the API.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { sampleSnapshot } from './helpers/factories.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { type SyntheticFlow, toNetflowV9Datagrams, toSflowDatagrams } from './helpers/traffic-scenarios.ts';

const SFLOW_PORT = 47343;
const NETFLOW_PORT = 47055;

async function sendPaced(port: number, datagrams: Array<{ timeMs: number; datagram: Buffer }>): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const { timeMs, datagram } of datagrams) {
      const wait = timeMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
  } finally {
    socket.close();
  }
}

describe('detection end to end over UDP', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer(
      {
        collector: { sflow: [`127.0.0.1:${SFLOW_PORT}`], netflow: [`127.0.0.1:${NETFLOW_PORT}`], ipfix: [], workers: 2 },
      },
      ['collector', 'detector', 'api'],
    );
    token = await server.token(['inventory', 'read']);
    const imported = await server.request('POST', '/api/v1/inventory/import', { token, body: sampleSnapshot() });
    assert.equal(imported.status, 200, imported.text);
  });
  after(() => server.close());

  async function waitForIncident(filter: (i: { kind: string; serverId: string }) => boolean, ms = 10_000): Promise<Record<string, unknown>> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const list = (await server.request('GET', '/api/v1/incidents', { token })).body as Array<{ kind: string; serverId: string }>;
      const found = list.find(filter);
      if (found !== undefined) return found as unknown as Record<string, unknown>;
      await new Promise((r) => setTimeout(r, 50));
    }
    const metrics = (await server.request('GET', '/metrics')).text.split('\n').filter((l) => /netwarden_(collector|detector)_/.test(l) && !l.startsWith('#'));
    assert.fail(`no incident arrived in time; metrics:\n${metrics.join('\n')}`);
  }

  it('an sFlow flood (1:1000) from web01 becomes a stored outbound flood incident within seconds', async () => {
    const start = Date.now() + 200;
    const flows: SyntheticFlow[] = [];
    for (let s = 0; s < 4; s++) {
      for (let f = 0; f < 10; f++) {
        const startMs = start + s * 1000 + f * 100;
        flows.push({ startMs, endMs: startMs + 99, src: '203.0.113.10', dst: '198.51.100.77', protocol: 17, srcPort: 40000 + f, dstPort: 9000 + f, tcpFlags: 0, packets: 15_000, packetSize: 512 });
      }
    }
    const sent = sendPaced(SFLOW_PORT, toSflowDatagrams(flows, 1000, 3));
    const incident = await waitForIncident((i) => i.kind === 'flood' && i.serverId === 'EX-1');
    const detectedAfterMs = Date.now() - start;
    await sent;
    assert.equal(incident.direction, 'out');
    assert.equal(incident.customerId, 'K100');
    assert.equal(incident.address, '203.0.113.10');
    assert.ok(detectedAfterMs < 3000, `detected ${detectedAfterMs} ms after the flood started`);
    const full = (await server.request('GET', `/api/v1/incidents/${incident.id as string}`, { token })).body as { summary: { externals: Array<{ address: string }> } };
    assert.equal(full.summary.externals[0].address, '198.51.100.77');
  });

  it('a NetFlow v9 sweep of port 22 from db01 becomes a stored netscan incident', async () => {
    const start = Date.now();
    const flows: SyntheticFlow[] = [];
    for (let i = 0; i < 600; i++) {
      const t = start + i * 2;
      flows.push({ startMs: t, endMs: t, src: '203.0.113.20', dst: `198.18.${i >> 8}.${i & 255}`, protocol: 6, srcPort: 33000 + i, dstPort: 22, tcpFlags: 0x02, packets: 1, packetSize: 60 });
    }
    await sendPaced(NETFLOW_PORT, toNetflowV9Datagrams(flows, start - 60_000));
    const incident = await waitForIncident((i) => i.kind === 'netscan' && i.serverId === 'EX-2');
    const full = (await server.request('GET', `/api/v1/incidents/${incident.id as string}`, { token })).body as {
      netscan: { type: string; port: number; attempts: Array<{ dstAddr: string }> };
    };
    assert.equal(full.netscan.type, 'horizontal');
    assert.equal(full.netscan.port, 22);
    assert.ok(full.netscan.attempts.length >= 100);
    const metrics = (await server.request('GET', '/metrics')).text;
    assert.match(metrics, /netwarden_detector_incident_events_total\{kind="netscan",direction="out",event="opened"\} 1/);
  });
});
