/**
 * The one configuration schema. Defaults, validation, `config check`, `config dump` and
 * docs/configuration.md are all derived from it, so a key documented is a key validated.
 * Every object is closed (additionalProperties: false): an unknown key is a mistake.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { LockingSection } from '../cases/locking-config.ts';
import { EnforceSection } from '../enforce/enforce-config.ts';
import { PortalSection } from '../auth/portal-config.ts';
import { TrafficHistorySection } from '../detect/traffic-sampler.ts';
import { NotifySection } from '../notify/notify-config.ts';

const closed = { additionalProperties: false } as const;

/** An object whose every property has a default, so the whole object defaults to {}. */
function Section<T extends Record<string, TSchema>>(description: string, properties: T) {
  return Type.Object(properties, { ...closed, description, default: {} });
}

const ListenAddress = Type.String({
  pattern: '^(\\[[0-9a-fA-F:.]+\\]|[0-9.]+|[0-9a-fA-F:]+|localhost):[0-9]{1,5}$',
  description: 'host:port, IPv6 in brackets ([::1]:2055)',
});

const Prefix = Type.String({ description: 'an IPv4/IPv6 address or CIDR prefix' });

/** Rate thresholds of one direction; 0 switches a metric off. */
function RateThresholds(direction: string, defaults: Record<string, number>) {
  const metric = (key: string, what: string) =>
    Type.Number({ minimum: 0, default: defaults[key] ?? 0, description: `${direction} ${what} per second that opens an incident (0: off)` });
  return Type.Object(
    {
      packetsPerSecond: metric('packetsPerSecond', 'packets'),
      bitsPerSecond: metric('bitsPerSecond', 'bits'),
      flowsPerSecond: metric('flowsPerSecond', 'flows'),
      synPerSecond: metric('synPerSecond', 'TCP SYN packets (without ACK)'),
      udpPerSecond: metric('udpPerSecond', 'UDP packets'),
      icmpPerSecond: metric('icmpPerSecond', 'ICMP/ICMPv6 packets'),
      fragmentsPerSecond: metric('fragmentsPerSecond', 'IP fragments'),
    },
    { ...closed, default: {}, description: `${direction} thresholds` },
  );
}

/** A partial threshold set: only the metrics it names replace the inherited ones. */
const ThresholdOverride = Type.Object(
  {
    outbound: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }), { description: 'metric name -> value' })),
    inbound: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }), { description: 'metric name -> value' })),
  },
  closed,
);

const DetectSection = Type.Object(
  {
    outbound: RateThresholds('outbound', { packetsPerSecond: 100_000, bitsPerSecond: 5_000_000_000, flowsPerSecond: 0 }),
    inbound: RateThresholds('inbound', { packetsPerSecond: 1_000_000, bitsPerSecond: 10_000_000_000, synPerSecond: 100_000 }),
    overrides: Type.Object(
      {
        hostGroups: Type.Record(Type.String(), ThresholdOverride, { default: {}, description: 'host group id -> thresholds' }),
        customers: Type.Record(Type.String(), ThresholdOverride, { default: {}, description: 'customer id -> thresholds' }),
        servers: Type.Record(Type.String(), ThresholdOverride, { default: {}, description: 'server id -> thresholds (most specific wins)' }),
      },
      { ...closed, default: {}, description: 'Per host group, customer and server thresholds; server beats customer beats host group beats the defaults.' },
    ),
    openAfterSeconds: Type.Number({
      minimum: 0,
      maximum: 60,
      default: 0.1,
      description: 'a rate (measured over the last rateWindowSeconds) must stay above its threshold this long before an incident opens',
    }),
    closeAfterSeconds: Type.Number({ minimum: 1, default: 60, description: 'an incident ends after every rate stayed below its threshold this long' }),
    rateWindowSeconds: Type.Number({ minimum: 0.5, maximum: 10, default: 1, description: 'rates are measured over this sliding window (in 100 ms steps)' }),
    watchFraction: Type.Number({
      minimum: 0.01,
      maximum: 1,
      default: 0.1,
      description: 'from this fraction of a threshold on, a server\'s remote peers and sampled packets are kept as evidence',
    }),
    maxLatenessSeconds: Type.Number({ minimum: 0, maximum: 60, default: 2, description: 'flows older than the newest by more than this still count; older ones only go into the summary' }),
    netscan: Type.Object(
      {
        windowSeconds: Type.Number({ minimum: 1, default: 60, description: 'distinct targets are counted over this sliding window' }),
        horizontalAddresses: Type.Integer({ minimum: 2, default: 100, description: 'distinct destination addresses on one port that make a horizontal scan' }),
        verticalPorts: Type.Integer({ minimum: 2, default: 100, description: 'distinct destination ports on one address that make a vertical scan' }),
        minSampledTargets: Type.Integer({
          minimum: 1,
          default: 10,
          description: 'with sampled telemetry, at least this many distinct targets must really be seen (estimates from fewer samples are noise)',
        }),
        maxTrackedTargets: Type.Integer({ minimum: 1000, default: 4_000_000, description: 'distinct (server, target) entries kept at once, all servers together' }),
        maxEvidenceTargets: Type.Integer({ minimum: 10, default: 10_000, description: 'scan attempts kept per incident for the log' }),
        clientUdpPorts: Type.Array(Type.Integer({ minimum: 0, maximum: 65535 }), {
          default: [53, 123, 443, 3478],
          description:
            'UDP destination ports that clients legitimately send to at many addresses (DNS resolvers, NTP, QUIC, STUN): not counted as scan attempts, since sampled telemetry cannot tell a resolver from a scan of them',
        }),
        allowServers: Type.Array(Type.String(), { default: [], description: 'server ids allowed to scan (the provider\'s monitoring, scanners)' }),
        allowHostGroups: Type.Array(Type.String(), { default: [], description: 'host group ids allowed to scan' }),
      },
      { ...closed, default: {}, description: 'Netscan detection' },
    ),
    sourceAddress: Type.Object(
      {
        minPackets: Type.Number({ minimum: 1, default: 100, description: 'packets from a wrong source address (within windowSeconds) before an incident opens' }),
        windowSeconds: Type.Number({ minimum: 1, default: 60, description: 'window for minPackets' }),
      },
      { ...closed, default: {}, description: 'Incorrect network configuration: a server sending from addresses not assigned to it' },
    ),
    evidenceSamples: Type.Integer({ minimum: 0, default: 200, description: 'sampled packet headers kept per incident for the traffic dump and pcap' }),
    maxRemotesPerIncident: Type.Integer({ minimum: 10, default: 2000, description: 'remote addresses summarised per incident (the rest are added up as one line)' }),
    maxActiveServers: Type.Integer({ minimum: 100, default: 1_000_000, description: 'servers with traffic tracked at once (see docs/benchmarks.md for the memory per server)' }),
  },
  { ...closed, default: {}, description: 'Detection: rate thresholds, netscans, wrong source addresses.' },
);

export const ConfigSchema = Type.Object(
  {
    log: Section('Structured logging (pino, JSON lines on stdout).', {
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
        { default: 'info', description: 'minimum level written' },
      ),
    }),
    http: Section('The HTTP API, portal and /metrics.', {
      host: Type.String({ default: '127.0.0.1', description: 'address the HTTP server binds' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port (0 picks a free one)' }),
      trustProxy: Type.Boolean({
        default: false,
        description: 'trust X-Forwarded-* from a reverse proxy in front (client address for rate limits and audit)',
      }),
      bodyLimitBytes: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024, description: 'largest accepted request body' }),
    }),
    database: Section('Where Netwarden keeps its state.', {
      url: Type.String({
        default: 'sqlite:./data/netwarden.db',
        description: 'sqlite:PATH (embedded; PATH relative to the working directory, or sqlite::memory:) or postgres://user@host:port/db',
        pattern: '^(sqlite:.+|postgres(ql)?://.+)$',
      }),
      poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'PostgreSQL connection pool size' }),
    }),
    collector: Section('Flow intake: UDP listeners and the exporters allowed to send.', {
      sflow: Type.Array(ListenAddress, { default: ['127.0.0.1:6343'], description: 'sFlow v5 listen addresses' }),
      netflow: Type.Array(ListenAddress, {
        default: ['127.0.0.1:2055'],
        description: 'NetFlow v5/v9 listen addresses (IPFIX is accepted here too)',
      }),
      ipfix: Type.Array(ListenAddress, { default: ['127.0.0.1:4739'], description: 'IPFIX listen addresses' }),
      exporters: Type.Array(Prefix, {
        default: ['127.0.0.1/32', '::1/128'],
        description: 'addresses or prefixes of exporters whose datagrams are accepted; others are counted and dropped',
      }),
      workers: Type.Integer({
        minimum: 1,
        maximum: 64,
        default: 2,
        description: 'receive+decode worker threads, each with its own SO_REUSEPORT socket per listener',
      }),
      receiveBufferBytes: Type.Integer({
        minimum: 65536,
        default: 32 * 1024 * 1024,
        description: 'SO_RCVBUF per socket (capped by net.core.rmem_max)',
      }),
      receiver: Type.Union([Type.Literal('auto'), Type.Literal('node'), Type.Literal('recvmmsg')], {
        default: 'auto',
        description:
          "how receive threads take datagrams: 'recvmmsg' (up to 64 per system call, native module built by npm run build:native; startup fails without it), 'node' (Node's dgram, one per event), 'auto' (recvmmsg when built)",
      }),
      maxExporters: Type.Integer({ minimum: 1, default: 2000, description: 'exporters tracked at once (template caches, counters)' }),
      maxTemplatesPerExporter: Type.Integer({
        minimum: 1,
        default: 64,
        description: 'NetFlow v9/IPFIX templates cached per exporter (routers use a handful; about 3 KB each, so the worst case is maxExporters x this x 3 KB)',
      }),
      templateExpirySeconds: Type.Integer({ minimum: 1, default: 1800, description: 'a template not refreshed for this long is dropped' }),
    }),
    detect: DetectSection,
    locking: LockingSection,
    notify: NotifySection,
    enforce: EnforceSection,
    portal: PortalSection,
    trafficHistory: TrafficHistorySection,
    inventory: Section('Customers, servers and addresses.', {
      reloadSeconds: Type.Integer({
        minimum: 0,
        default: 60,
        description: 'how often the address index is rebuilt from the store to pick up changes made by other processes (0: never)',
      }),
    }),
  },
  { ...closed, description: 'Netwarden configuration' },
);

export type Config = Static<typeof ConfigSchema>;
