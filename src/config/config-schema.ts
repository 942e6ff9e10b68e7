/**
 * The one configuration schema. Defaults, validation, `config check`, `config dump` and
 * docs/configuration.md are all derived from it, so a key documented is a key validated.
 * Every object is closed (additionalProperties: false): an unknown key is a mistake.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

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
      maxExporters: Type.Integer({ minimum: 1, default: 10000, description: 'exporters tracked at once (template caches, counters)' }),
      maxTemplatesPerExporter: Type.Integer({ minimum: 1, default: 1024, description: 'NetFlow v9/IPFIX templates cached per exporter' }),
      templateExpirySeconds: Type.Integer({ minimum: 1, default: 1800, description: 'a template not refreshed for this long is dropped' }),
    }),
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
