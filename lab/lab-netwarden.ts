/**
 * Netwarden as the lab runs it: in this process, which `npm run lab` starts inside the
 * NOC namespace, so the collector listens on the NOC's address where the gateway's
 * pmacctd exports to, and the enforcer reaches the gateway's nftables with
 * `ip netns exec <gw> nft` (enforce.gateways.<name>.via.netns). A real SMTP server runs
 * beside it on the NOC's loopback. Every scenario gets a fresh store.
 */
import type { InventorySnapshot } from '../src/inventory/inventory-types.ts';
import { requireStaticAccessIp } from '../src/enforce/static-access-ip.ts';
import type { NetnsLab } from '../test/helpers/netns.ts';
import { startTestServer, type TestServer } from '../test/helpers/test-server.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../test/helpers/test-smtp-server.ts';
import { clearGateway } from './gateway-state.ts';
import { COLLECTOR_PORTS, LAB_ADDRESSES as A, LAB_GATEWAY } from './lab-addresses.ts';

export const LAB_CUSTOMER = { id: 'LAB-C1', name: 'Lab Customer Ltd', email: 'admin@customer.example', language: 'en' } as const;
export const LAB_SERVERS = {
  scanner: { id: 'LAB-S1', name: 'scanner01', address: A.servers.scanner },
  web: { id: 'LAB-S2', name: 'web01', address: A.servers.web },
} as const;

/**
 * Outbound packet threshold of the lab, instead of the default 100,000 packets/s. The
 * flood through the lab's gateway (veths, one bridge, forwarding in software on a 2-core
 * machine shared with other work) measured between about 25,000 and 130,000 packets/s
 * depending on the machine's load (lab/README.md), so at the default the flood scenario
 * would pass or fail with the load of that second. 5,000/s is far below the slowest
 * flood measured and far above the benign scenario and nmap's scan.
 */
export const LAB_OUTBOUND_PACKETS_PER_SECOND = 5000;

export function labInventory(): InventorySnapshot {
  return {
    customers: [{ ...LAB_CUSTOMER }],
    hostGroups: [],
    servers: Object.values(LAB_SERVERS).map((s) => ({
      id: s.id,
      name: s.name,
      customerId: LAB_CUSTOMER.id,
      hostGroupId: null,
      uplinkGateway: LAB_GATEWAY,
      addresses: [`${s.address}/32`],
    })),
    protectedPrefixes: [{ prefix: `${A.gateway.servers}/32`, description: 'the uplink gateway' }],
    providerPrefixes: [{ prefix: A.serverNetwork, description: 'lab server block' }],
  };
}

/** The fields of the API's lock that the scenarios look at. */
export interface LabLock {
  blockingId: string;
  reason: string;
  state: string;
  enforced: boolean;
  /** ISO time the lock was decided. */
  created: string;
}

export interface LabNetwarden {
  server: TestServer;
  smtp: TestSmtpServer;
  /** API token with the abuse desk's scopes. */
  abuseToken: string;
  stop(): Promise<void>;
}

export async function startLabNetwarden(lab: NetnsLab): Promise<LabNetwarden> {
  // Netwarden applies its (empty) state at start; a table left by an aborted run goes first.
  await clearGateway(lab);
  const smtp = await startTestSmtpServer();
  let server: TestServer | undefined;
  try {
    server = await startTestServer(
      {
        collector: {
          netflow: [`${A.noc}:${COLLECTOR_PORTS.netflow}`],
          ipfix: [`${A.noc}:${COLLECTOR_PORTS.ipfix}`],
          sflow: [`${A.noc}:${COLLECTOR_PORTS.sflow}`],
          exporters: [`${A.gateway.noc}/32`],
          workers: 1,
        },
        detect: { outbound: { packetsPerSecond: LAB_OUTBOUND_PACKETS_PER_SECOND } },
        notify: { from: 'Lab Abuse Desk <abuse@provider.example>', portalUrl: 'https://robot.provider.example', smtp: { host: '127.0.0.1', port: smtp.port, timeoutSeconds: 5 } },
        enforce: {
          gateways: { [LAB_GATEWAY]: { adapter: 'nftables', via: { netns: lab.ns('gw') } } },
          reconcileSeconds: 5,
          commandTimeoutSeconds: 10,
        },
      },
      ['collector', 'detector', 'api', 'worker'],
    );
    const abuseToken = await server.token(['abuse', 'inventory']);
    const imported = await server.request('POST', '/api/v1/inventory/import', { token: abuseToken, body: labInventory() });
    if (imported.status !== 200) throw new Error(`inventory import failed: ${imported.status} ${imported.text}`);
    const running = server;
    return {
      server,
      smtp,
      abuseToken,
      async stop() {
        await running.close();
        await smtp.close();
        await clearGateway(lab);
      },
    };
  } catch (error) {
    await server?.close();
    await smtp.close();
    throw error;
  }
}

/** Registers the customer's static-IP host for a server (as the portal would) and has it enforced. */
export async function addStaticAccessIp(nw: LabNetwarden, serverId: string, address: string): Promise<void> {
  const prefix = requireStaticAccessIp(address);
  const result = await nw.server.netwarden.repositories.staticAccessIps.add({ serverId, prefix, createdAt: Date.now(), createdBy: 'lab' }, nw.server.config.enforce.maxStaticIps);
  if (result !== 'added') throw new Error(`static access IP ${prefix} for ${serverId}: ${result}`);
  nw.server.netwarden.reconciler?.trigger();
}
