/**
 * Templates and sampler state per exporter, version and observation domain (IPFIX) or
 * source id (v9), with refresh, expiry and hard caps.
 *
 * Everything here is keyed first by exporter so that caps can be enforced per exporter:
 * a hostile or broken sender can fill only its own share (maxTemplatesPerExporter), and
 * new exporters beyond maxExporters get no state at all. A domain exists only while it
 * holds at least one template, so spraying domain
 * ids cannot grow memory either (state is created only once a template compiled).
 */
import type { CompiledTemplate } from './template-compiler.ts';

export interface TemplateCacheLimits {
  /** A template neither refreshed nor used for this long is dropped. */
  templateTimeoutMs: number;
  maxExporters: number;
  /** Templates (data + options, all domains) one exporter may hold. */
  maxTemplatesPerExporter: number;
  /** Distinct sampler ids remembered per domain. */
  maxSamplersPerDomain: number;
}

export interface DomainState {
  readonly version: number;
  readonly observationDomain: number;
  readonly templates: Map<number, CompiledTemplate>;
  /** Rate announced by options data without a sampler id; 0 when none. */
  defaultRate: number;
  /** Most recent rate announced in this domain (fallback for unknown sampler ids); 0 when none. */
  lastRate: number;
  /** Rate per sampler / selector id from options data. */
  readonly samplerRates: Map<number, number>;
  /** IPFIX systemInitTimeMilliseconds from options data, to anchor sysUpTime fields; 0 when unknown. */
  systemInitMs: number;
}

export interface ExporterState {
  readonly exporter: string;
  readonly domains: Map<number, DomainState>;
  templateCount: number;
}

export type TemplateCacheStats = {
  exporters: number;
  domains: number;
  templates: number;
  optionsTemplates: number;
};

export interface TemplateCache {
  readonly limits: TemplateCacheLimits;
  /** Hot path: the domain for a datagram, or undefined when nothing is known about it. */
  find(exporter: string, version: number, observationDomain: number): DomainState | undefined;
  /** The exporter's state, creating it unless maxExporters is reached (then undefined). */
  exporterForWrite(exporter: string): ExporterState | undefined;
  /** The domain, creating it (the caller checked the template cap). */
  domainForWrite(state: ExporterState, version: number, observationDomain: number): DomainState;
  /** Stores or replaces a template; the caller checked the cap for new ids. */
  put(state: ExporterState, domain: DomainState, template: CompiledTemplate): void;
  /** Removes one template; returns whether it existed. */
  remove(exporter: string, domain: DomainState, templateId: number): boolean;
  /** Removes all data templates (or all options templates) of a domain; returns how many. */
  removeAll(exporter: string, domain: DomainState, options: boolean): number;
  /** Drops templates, domains and exporters idle for longer than the timeout; returns templates dropped. */
  expire(nowMs: number): number;
  stats(): TemplateCacheStats;
}

const DOMAIN_KEY_SCALE = 2 ** 32;

export function domainKey(version: number, observationDomain: number): number {
  return version * DOMAIN_KEY_SCALE + observationDomain;
}

export function createTemplateCache(limits: TemplateCacheLimits): TemplateCache {
  const exporters = new Map<string, ExporterState>();
  // One-entry lookup cache: most collectors see long runs of datagrams from one exporter.
  let lastExporter = '';
  let lastKey = -1;
  let lastDomain: DomainState | undefined;

  function forget(): void {
    lastExporter = '';
    lastKey = -1;
    lastDomain = undefined;
  }

  function dropDomainIfEmpty(exporter: string, domain: DomainState): void {
    if (domain.templates.size > 0) return;
    const state = exporters.get(exporter);
    if (state === undefined) return;
    state.domains.delete(domainKey(domain.version, domain.observationDomain));
    if (state.domains.size === 0) exporters.delete(exporter);
    forget();
  }

  return {
    limits,
    find(exporter, version, observationDomain) {
      const key = domainKey(version, observationDomain);
      if (key === lastKey && exporter === lastExporter) return lastDomain;
      const domain = exporters.get(exporter)?.domains.get(key);
      lastExporter = exporter;
      lastKey = key;
      lastDomain = domain;
      return domain;
    },
    exporterForWrite(exporter) {
      let state = exporters.get(exporter);
      if (state !== undefined) return state;
      if (exporters.size >= limits.maxExporters) return undefined;
      state = { exporter, domains: new Map(), templateCount: 0 };
      exporters.set(exporter, state);
      return state;
    },
    domainForWrite(state, version, observationDomain) {
      const key = domainKey(version, observationDomain);
      let domain = state.domains.get(key);
      if (domain === undefined) {
        domain = {
          version,
          observationDomain,
          templates: new Map(),
          defaultRate: 0,
          lastRate: 0,
          samplerRates: new Map(),
          systemInitMs: 0,
        };
        state.domains.set(key, domain);
        forget();
      }
      return domain;
    },
    put(state, domain, template) {
      if (!domain.templates.has(template.id)) state.templateCount++;
      domain.templates.set(template.id, template);
    },
    remove(exporter, domain, templateId) {
      if (!domain.templates.delete(templateId)) return false;
      const state = exporters.get(exporter);
      if (state !== undefined) state.templateCount--;
      dropDomainIfEmpty(exporter, domain);
      return true;
    },
    removeAll(exporter, domain, options) {
      let removed = 0;
      for (const [id, template] of domain.templates) {
        if (template.isOptions !== options) continue;
        domain.templates.delete(id);
        removed++;
      }
      const state = exporters.get(exporter);
      if (state !== undefined) state.templateCount -= removed;
      dropDomainIfEmpty(exporter, domain);
      return removed;
    },
    expire(nowMs) {
      let dropped = 0;
      const timeout = limits.templateTimeoutMs;
      for (const [exporter, state] of exporters) {
        for (const [key, domain] of state.domains) {
          for (const [id, template] of domain.templates) {
            if (nowMs - Math.max(template.refreshedMs, template.lastUsedMs) > timeout) {
              domain.templates.delete(id);
              state.templateCount--;
              dropped++;
            }
          }
          if (domain.templates.size === 0) state.domains.delete(key);
        }
        if (state.domains.size === 0) exporters.delete(exporter);
      }
      forget();
      return dropped;
    },
    stats() {
      let domains = 0;
      let templates = 0;
      let optionsTemplates = 0;
      for (const state of exporters.values()) {
        domains += state.domains.size;
        for (const domain of state.domains.values()) {
          for (const template of domain.templates.values()) {
            if (template.isOptions) optionsTemplates++;
            else templates++;
          }
        }
      }
      return { exporters: exporters.size, domains, templates, optionsTemplates };
    },
  };
}
