/** Inventory test data in documentation ranges only. */
import type { InventorySnapshot } from '../../src/inventory/inventory-types.ts';

export function sampleSnapshot(): InventorySnapshot {
  return {
    customers: [
      { id: 'K100', name: 'Example Hosting GmbH', email: 'noc@example.com', language: 'de' },
      { id: 'K200', name: 'Acme Web Ltd', email: 'admin@example.org', language: 'en' },
    ],
    hostGroups: [{ id: 'dedicated', name: 'Dedicated servers', description: '' }],
    servers: [
      {
        id: 'EX-1',
        name: 'web01',
        customerId: 'K100',
        hostGroupId: 'dedicated',
        uplinkGateway: 'fsn1-dc14-uplink-gw',
        addresses: ['203.0.113.10/32', '2001:db8:10::/64'],
      },
      {
        id: 'EX-2',
        name: 'db01',
        customerId: 'K200',
        hostGroupId: null,
        uplinkGateway: 'fsn1-dc14-uplink-gw',
        addresses: ['203.0.113.20/32', '198.51.100.0/29'],
      },
    ],
    protectedPrefixes: [{ prefix: '192.0.2.0/28', description: 'provider DNS and routers' }],
    providerPrefixes: [
      { prefix: '203.0.113.0/24', description: 'FSN1 server block' },
      { prefix: '198.51.100.0/24', description: 'FSN1 subnets' },
    ],
  };
}
