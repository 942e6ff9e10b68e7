/** Addresses of the lab (documentation ranges only); see lab-topology.ts for the picture. */
export const LAB_ADDRESSES = {
  gateway: {
    internet: '198.51.100.1',
    home: '198.51.100.17',
    victims: '198.51.100.33',
    noc: '198.51.100.49',
    servers: '203.0.113.1',
  },
  internet: '198.51.100.2',
  /** Owned by the internet host on its loopback: the web server's many clients. */
  clientNetwork: '198.51.100.128/25',
  home: '198.51.100.18',
  victims: '198.51.100.34',
  /** Owned by the victims namespace on its loopback: the whole scanned /24. */
  victimNetwork: '192.0.2.0/24',
  noc: '198.51.100.50',
  servers: { scanner: '203.0.113.10', web: '203.0.113.20' },
  serverNetwork: '203.0.113.0/24',
} as const;

/** The uplink gateway's name, as the inventory's servers and Netwarden's configuration call it. */
export const LAB_GATEWAY = 'lab-uplink-gw';

/** Netwarden's collector ports in the NOC namespace. */
export const COLLECTOR_PORTS = { netflow: 2055, ipfix: 4739, sflow: 6343 } as const;
