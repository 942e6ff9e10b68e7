/**
 * `npm run demo`: Netwarden with its embedded defaults (no root, nothing to configure),
 * a demo inventory, and a built-in scenario sent over real UDP on loopback — benign web
 * and DNS traffic, an outbound flood (sFlow 1:1000) and a netscan (NetFlow v9) — so that
 * within a minute a newcomer sees incidents, locks with Blocking IDs, and the e-mails with
 * their log attached in the outbox. Keeps running for the portal and the API until Ctrl-C
 * (`--exit` stops after the scenario: the test suite uses it).
 */
import { createSocket } from 'node:dgram';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiToken } from '../src/auth/api-tokens.ts';
import { createUser } from '../src/auth/create-user.ts';
import { loadConfig } from '../src/config/load-config.ts';
import type { Incident } from '../src/detect/incident.ts';
import type { InventorySnapshot } from '../src/inventory/inventory-types.ts';
import { createLogger } from '../src/logger.ts';
import { startNetwarden } from '../src/services/netwarden-service.ts';
import { type SyntheticFlow, steadyStream, toNetflowV9Datagrams, toSflowDatagrams } from '../test/helpers/traffic-scenarios.ts';

const { values } = parseArgs({ options: { exit: { type: 'boolean' } }, strict: true });
const DEMO_DIR = './data/demo';

const DEMO_INVENTORY: InventorySnapshot = {
  customers: [
    { id: 'K-1001', name: 'Muster Webhosting GmbH', email: 'admin@muster-webhosting.example', language: 'de' },
    { id: 'K-1002', name: 'Example Shop Ltd', email: 'ops@example-shop.example', language: 'en' },
    { id: 'K-1003', name: 'Acme DNS', email: 'noc@acme-dns.example', language: 'en' },
  ],
  hostGroups: [{ id: 'dedicated', name: 'Dedicated root servers', description: '' }],
  servers: [
    { id: 'EX-4711', name: 'web01', customerId: 'K-1001', hostGroupId: 'dedicated', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.10/32', '2001:db8:4711::/64'] },
    { id: 'EX-4712', name: 'web02', customerId: 'K-1001', hostGroupId: 'dedicated', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.11/32'] },
    { id: 'EX-5001', name: 'shop01', customerId: 'K-1002', hostGroupId: 'dedicated', uplinkGateway: 'fsn1-dc14-uplink-gw', addresses: ['203.0.113.20/32'] },
    { id: 'EX-6001', name: 'ns1', customerId: 'K-1003', hostGroupId: null, uplinkGateway: 'nbg1-dc3-uplink-gw', addresses: ['203.0.113.53/32'] },
  ],
  protectedPrefixes: [{ prefix: '203.0.113.250/31', description: 'provider resolvers' }],
  providerPrefixes: [{ prefix: '203.0.113.0/24', description: 'demo server block' }],
};

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function send(port: number, datagrams: Array<{ timeMs: number; datagram: Buffer }>): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (const { timeMs, datagram } of datagrams) {
      const wait = timeMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await new Promise<void>((ok, fail) => socket.send(datagram, port, '127.0.0.1', (e) => (e ? fail(e) : ok())));
    }
  } finally {
    socket.close();
  }
}

/** Benign traffic: web01 answering clients from port 443, ns1 answering DNS from port 53. */
function benign(start: number, seconds: number): SyntheticFlow[] {
  const flows: SyntheticFlow[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let c = 0; c < 200; c++) {
      const t = start + s * 1000 + c * 4;
      flows.push({ startMs: t, endMs: t + 99, src: '203.0.113.10', dst: `198.51.100.${(c % 250) + 1}`, protocol: 6, srcPort: 443, dstPort: 30000 + c, tcpFlags: 0x18, packets: 40, packetSize: 1400 });
      flows.push({ startMs: t, endMs: t + 9, src: '203.0.113.53', dst: `192.0.2.${(c % 250) + 1}`, protocol: 17, srcPort: 53, dstPort: 40000 + c, tcpFlags: 0, packets: 20, packetSize: 160 });
    }
  }
  return flows;
}

/** web02 floods one target with 135,000 UDP packets/s: the seed's "Summary on exceeded Packet Limits". */
function flood(start: number, seconds: number): SyntheticFlow[] {
  return steadyStream({ startMs: start, seconds, packetsPerSecond: 135_000, src: '203.0.113.11', dst: '198.51.100.77', protocol: 17, srcPort: 55008, dstPort: 29615, tcpFlags: 0, packetSize: 150 });
}

/** shop01 sweeps port 22 across 300 addresses: the seed's "Netscan detected from host". */
function netscan(start: number): SyntheticFlow[] {
  return Array.from({ length: 300 }, (_, i) => ({
    startMs: start + i * 10,
    endMs: start + i * 10,
    src: '203.0.113.20',
    dst: `198.51.100.${(i % 250) + 1}`,
    protocol: 6,
    srcPort: 41000 + i,
    dstPort: i < 250 ? 22 : 2222,
    tcpFlags: 0x02,
    packets: 1,
    packetSize: 60,
  }));
}

async function main(): Promise<void> {
  // The embedded defaults, with the demo's own store and outbox so every run starts clean.
  rmSync(DEMO_DIR, { recursive: true, force: true });
  const config = loadConfig({
    env: { ...process.env, NETWARDEN_DATABASE__URL: `sqlite:${DEMO_DIR}/netwarden.db`, NETWARDEN_NOTIFY__OUTBOX_DIR: `${DEMO_DIR}/outbox` },
  });
  const logger = createLogger('error');
  const opened: Incident[] = [];
  say('Starting Netwarden with its embedded defaults ...');
  const netwarden = await startNetwarden(config, ['collector', 'detector', 'api', 'worker'], logger, [
    { handle: async (event, incident) => void (event === 'opened' && opened.push(incident)) },
  ]);
  const stop = async (): Promise<void> => {
    await netwarden.stop();
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    await netwarden.inventory.importSnapshot(DEMO_INVENTORY, { type: 'demo', id: 'npm run demo' });
    const token = (await createApiToken(netwarden.repositories.apiTokens, 'demo', ['admin'])).token;
    const accounts = [
      { email: 'admin@muster-webhosting.example', password: 'demo-customer-2026', role: 'customer', customerId: 'K-1001', language: 'de' },
      { email: 'ops@example-shop.example', password: 'demo-customer-2026', role: 'customer', customerId: 'K-1002', language: 'en' },
      { email: 'abuse-desk@provider.example', password: 'demo-staff-2026', role: 'staff', language: 'en' },
    ];
    for (const account of accounts) await createUser(netwarden.repositories, account, { type: 'demo', id: 'npm run demo' });
    const sflowPort = Number(config.collector.sflow[0].split(':').at(-1));
    const netflowPort = Number(config.collector.netflow[0].split(':').at(-1));
    say(`Inventory: ${DEMO_INVENTORY.customers.length} customers, ${DEMO_INVENTORY.servers.length} servers. Sending the scenario over UDP:`);
    say(`  sFlow 1:1000 to 127.0.0.1:${sflowPort} (benign web and DNS traffic, then web02 floods at 135,000 packets/s)`);
    say(`  NetFlow v9 to 127.0.0.1:${netflowPort} (shop01 sweeps port 22)`);
    const start = Date.now() + 300;
    await Promise.all([
      send(sflowPort, toSflowDatagrams([...benign(start, 12), ...flood(start + 3000, 5)], 1000, 42)),
      send(netflowPort, toNetflowV9Datagrams(netscan(start + 6000), start - 60_000)),
    ]);
    // Let the last exports be judged and the outbox write its messages.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const locks = await netwarden.repositories.locks.list();
      const mails = safeList(resolve(config.notify.outboxDir));
      if (locks.length >= 2 && mails.length >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    say('');
    say('Incidents:');
    for (const i of opened) say(`  ${i.kind.padEnd(8)} ${i.direction.padEnd(3)} server ${i.serverId} (${i.address})`);
    say('Locks:');
    for (const l of await netwarden.repositories.locks.list()) say(`  ${l.blockingId}  ${l.state.padEnd(7)} ${l.reason.padEnd(18)} server ${l.serverId}`);
    const outbox = resolve(config.notify.outboxDir);
    say(`E-mails to the customers (with the log attached) in ${outbox}:`);
    for (const f of safeList(outbox)) say(`  ${f}`);
    say('');
    say(`Portal and console: ${netwarden.httpAddress}/`);
    for (const a of accounts) say(`  ${a.role.padEnd(8)} ${a.email.padEnd(34)} password ${a.password}`);
    say(`API:        ${netwarden.httpAddress}/api/docs   (token: ${token})`);
    say(`Log file:   curl -H "Authorization: Bearer ${token}" ${netwarden.httpAddress}/api/v1/locks/<Blocking ID>/log`);
    if (values.exit) {
      await stop();
      return;
    }
    say('Netwarden keeps running; press Ctrl-C to stop.');
  } catch (error) {
    await stop();
    throw error;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exit(1);
});
