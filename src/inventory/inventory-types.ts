/** Inventory entities as the rest of Netwarden sees them. */

export type Language = 'en' | 'de';

export interface Customer {
  id: string;
  name: string;
  email: string;
  language: Language;
  createdAt: number;
  updatedAt: number;
}

export interface HostGroup {
  id: string;
  name: string;
  description: string;
}

export interface Server {
  id: string;
  name: string;
  customerId: string;
  hostGroupId: string | null;
  /** Name of the uplink gateway the server sits behind, e.g. `fsn1-dc14-uplink-gw`. */
  uplinkGateway: string;
  /** Assigned addresses and subnets, canonical CIDR text. */
  addresses: string[];
  createdAt: number;
  updatedAt: number;
}

export interface PrefixNote {
  prefix: string;
  description: string;
  createdAt: number;
}

/** What an address resolves to: the server, its owner and the assignment that matched. */
export interface AddressOwner {
  serverId: string;
  customerId: string;
  hostGroupId: string | null;
  uplinkGateway: string;
  prefix: string;
}

/** A whole inventory, as imported or exported. */
export interface InventorySnapshot {
  customers: Array<Omit<Customer, 'createdAt' | 'updatedAt'>>;
  hostGroups: HostGroup[];
  servers: Array<Omit<Server, 'createdAt' | 'updatedAt'>>;
  protectedPrefixes: Array<{ prefix: string; description: string }>;
  providerPrefixes: Array<{ prefix: string; description: string }>;
}
