/**
 * The `enforce` configuration section: how each uplink gateway enforces locks and how
 * Netwarden reaches it, plus the reconciler's timing and the static-access-IP limit.
 * A gateway that is not listed here is enforced in dry-run: nothing reaches a network
 * device unless the configuration says so.
 */
import { type Static, Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

const GATEWAY_NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
const HOST_PORT = '^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$';
const COMMUNITY = '^[0-9]{1,5}:[0-9]{1,5}$';

const SshAccessSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'gateway host name or address' }),
    user: Type.String({ minLength: 1, default: 'netwarden', description: 'login user (needs nft rights, or set sudo)' }),
    keyFile: Type.String({ minLength: 1, description: 'private key file (ssh -i); no passwords, ever' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 22, description: 'SSH port' }),
    knownHostsFile: Type.Optional(Type.String({ minLength: 1, description: 'known_hosts with the gateway\'s host key (checked strictly)' })),
  },
  closed,
);

export const GatewayAccessSchema = Type.Union(
  [
    Type.Literal('local', { description: 'run the commands on this host' }),
    Type.Object({ netns: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'network namespace of this host (tests, lab)' }) }, closed),
    Type.Object({ ssh: SshAccessSchema }, closed),
  ],
  { default: 'local', description: 'how Netwarden reaches the gateway: local, { netns: NAME } or { ssh: { host, user, keyFile, port } }' },
);

export const GatewaySchema = Type.Object(
  {
    adapter: Type.Union([Type.Literal('dry-run'), Type.Literal('nftables'), Type.Literal('bgp')], {
      default: 'dry-run',
      description: 'dry-run logs only; nftables rejects at the gateway (honours static IPs); bgp announces RFC 7999 blackholes',
    }),
    via: GatewayAccessSchema,
    sudo: Type.Boolean({ default: false, description: 'prefix commands with sudo -n (for an unprivileged SSH user)' }),
    table: Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$',
      default: 'netwarden',
      description: 'nftables: the inet table Netwarden owns (replaced on every apply; never put anything else in it)',
    }),
    bgp: Type.Object(
      {
        gobgpApi: Type.String({ pattern: HOST_PORT, default: '127.0.0.1:50051', description: 'gobgpd gRPC API, host:port as seen from where the gobgp CLI runs (via)' }),
        nextHop: Type.String({ default: '192.0.2.1', description: 'IPv4 next hop of blackhole routes (the uplinks\' discard address)' }),
        nextHop6: Type.String({ default: '100::1', description: 'IPv6 next hop of blackhole routes (RFC 6666 discard prefix)' }),
        community: Type.String({ pattern: COMMUNITY, default: '65535:666', description: 'community that marks a blackhole (RFC 7999 BLACKHOLE)' }),
      },
      { ...closed, default: {}, description: 'BGP remote-triggered blackhole' },
    ),
  },
  { ...closed, default: {}, description: 'One uplink gateway' },
);

export const EnforceSection = Type.Object(
  {
    gateways: Type.Record(Type.String({ pattern: GATEWAY_NAME }), GatewaySchema, {
      default: {},
      description: 'uplink gateway name (as servers name it) -> how locks are enforced there; unlisted gateways run dry-run',
    }),
    reconcileSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'every gateway is compared with the database this often; drift is repaired' }),
    debounceMilliseconds: Type.Integer({ minimum: 0, maximum: 10_000, default: 50, description: 'lock changes arriving within this window are applied together' }),
    commandTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 20, description: 'a gateway command (nft, gobgp, ssh) running longer is killed and retried' }),
    retryInitialSeconds: Type.Number({ minimum: 0.1, maximum: 600, default: 1, description: 'first retry delay after a failed apply; doubles per failure' }),
    retryMaxSeconds: Type.Number({ minimum: 1, maximum: 3600, default: 60, description: 'longest retry delay' }),
    maxStaticIps: Type.Integer({ minimum: 0, maximum: 100, default: 5, description: 'static access IPs a customer may register per server' }),
  },
  { ...closed, default: {}, description: 'Enforcement of locks on the uplink gateways.' },
);

export type EnforceConfig = Static<typeof EnforceSection>;
export type GatewayConfig = Static<typeof GatewaySchema>;
