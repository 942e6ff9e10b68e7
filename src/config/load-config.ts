/**
 * Loads the configuration: embedded defaults, then the YAML file, then NETWARDEN_*
 * environment overrides; then validates the result against the schema and reports every
 * problem with its key path at once, so an operator fixes a file in one go.
 */
import { readFileSync } from 'node:fs';
import type { TObject, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import ipaddr from 'ipaddr.js';
import { parse as parseYaml } from 'yaml';
import { type Config, ConfigSchema } from './config-schema.ts';

export interface ConfigProblem {
  /** Dotted key path, e.g. `collector.exporters[1]`, or the environment variable's name. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: ConfigProblem[];
  constructor(source: string, problems: ConfigProblem[]) {
    super(`${source}: ${problems.length} configuration problem(s):\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  /** YAML file; omitted: embedded defaults only. */
  file?: string;
  /** Environment to read NETWARDEN_* overrides from (process.env by default). */
  env?: Record<string, string | undefined>;
}

const ENV_PREFIX = 'NETWARDEN_';
/** Variables with the prefix that are not configuration keys. */
const ENV_RESERVED = new Set(['NETWARDEN_CONFIG']);

function camelToUpperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The environment variable that overrides a key path, e.g. ['http','port'] -> NETWARDEN_HTTP__PORT. */
export function envNameFor(path: string[]): string {
  return ENV_PREFIX + path.map(camelToUpperSnake).join('__');
}

function isObjectSchema(schema: TSchema): schema is TObject {
  return schema.type === 'object' && typeof schema.properties === 'object';
}

function applyEnvironment(
  target: Record<string, unknown>,
  env: Record<string, string | undefined>,
  problems: ConfigProblem[],
): void {
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || ENV_RESERVED.has(name) || raw === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    let schema: TSchema = ConfigSchema;
    let node: Record<string, unknown> = target;
    const path: string[] = [];
    let failed = false;
    for (let i = 0; i < segments.length; i++) {
      if (!isObjectSchema(schema)) {
        failed = true;
        break;
      }
      const key = Object.keys(schema.properties).find((k) => camelToUpperSnake(k) === segments[i]);
      if (key === undefined) {
        failed = true;
        break;
      }
      path.push(key);
      schema = schema.properties[key];
      if (i < segments.length - 1) {
        const child = node[key];
        if (child === undefined || child === null || typeof child !== 'object') node[key] = {};
        node = node[key] as Record<string, unknown>;
      } else {
        node[key] = schema.type === 'string' ? raw : parseEnvValue(raw, schema);
      }
    }
    if (failed) problems.push({ key: name, message: 'is not a configuration key (see docs/configuration.md)' });
  }
}

function parseEnvValue(raw: string, schema: TSchema): unknown {
  if (schema.type === 'array' && !raw.trimStart().startsWith('[')) {
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => (schema.items?.type === 'string' ? s : parseYaml(s)));
  }
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function pointerToKey(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
}

function describeSchemaError(error: { message: string; schema: TSchema; value: unknown }): string {
  if (error.schema.pattern !== undefined && typeof error.value === 'string') {
    return `${JSON.stringify(error.value)} is not valid: expected ${error.schema.description ?? `a value matching ${error.schema.pattern}`}`;
  }
  return `${error.message.toLowerCase()} (got ${JSON.stringify(error.value)})`;
}

/** Checks that go beyond the JSON schema: values that must parse as addresses. */
function semanticProblems(config: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const collector = (config as { collector?: Record<string, unknown> }).collector ?? {};
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);
  strings(collector.exporters).forEach((prefix, i) => {
    const text = prefix.includes('/') ? prefix : `${prefix}/${prefix.includes(':') ? 128 : 32}`;
    try {
      ipaddr.parseCIDR(text);
    } catch {
      problems.push({ key: `collector.exporters[${i}]`, message: `${JSON.stringify(prefix)} is not an IP address or prefix` });
    }
  });
  for (const listener of ['sflow', 'netflow', 'ipfix'] as const) {
    strings(collector[listener]).forEach((address, i) => {
      const port = Number(address.slice(address.lastIndexOf(':') + 1));
      if (Number.isInteger(port) && (port < 1 || port > 65535)) {
        problems.push({ key: `collector.${listener}[${i}]`, message: `port ${port} is out of range 1-65535` });
      }
    });
  }
  return problems;
}

/** Validates a raw (already merged) configuration object and fills in defaults. */
export function resolveConfig(raw: unknown, source = 'configuration'): Config {
  const problems: ConfigProblem[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [{ key: '(root)', message: 'must be a mapping of keys to values' }]);
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw));
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    const key = pointerToKey(error.path) || '(root)';
    if (error.message === 'Unexpected property') {
      const allowed = Object.keys(schemaAt(error.path.split('/').slice(1, -1))?.properties ?? {});
      problems.push({ key, message: `unknown key (allowed here: ${allowed.join(', ')})` });
      continue;
    }
    problems.push({ key, message: describeSchemaError(error) });
  }
  problems.push(...semanticProblems(withDefaults));
  const unique = dedupe(problems);
  if (unique.length > 0) throw new ConfigError(source, unique);
  return withDefaults as Config;
}

/** The object schema at a key path (numeric segments step into list items). */
function schemaAt(path: string[]): TObject | undefined {
  let schema: TSchema | undefined = ConfigSchema;
  for (const segment of path) {
    if (schema === undefined) return undefined;
    schema = /^\d+$/.test(segment) ? (schema.items as TSchema | undefined) : (schema.properties?.[segment] as TSchema | undefined);
  }
  return schema !== undefined && isObjectSchema(schema) ? schema : undefined;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.key}\0${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Loads defaults + file + environment; throws ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  let raw: Record<string, unknown> = {};
  const source = options.file ?? 'embedded defaults';
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new ConfigError(source, [{ key: '(file)', message: `cannot be read: ${(cause as Error).message}` }]);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (cause) {
      throw new ConfigError(source, [{ key: '(file)', message: `is not valid YAML: ${(cause as Error).message}` }]);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError(source, [{ key: '(root)', message: 'must be a mapping of keys to values' }]);
      }
      raw = parsed as Record<string, unknown>;
    }
  }
  const envProblems: ConfigProblem[] = [];
  applyEnvironment(raw, env, envProblems);
  let config: Config | undefined;
  let schemaProblems: ConfigProblem[] = [];
  try {
    config = resolveConfig(raw, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    schemaProblems = error.problems;
  }
  if (envProblems.length > 0 || schemaProblems.length > 0 || config === undefined) {
    throw new ConfigError(source, [...envProblems, ...schemaProblems]);
  }
  return config;
}
