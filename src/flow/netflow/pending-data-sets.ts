/**
 * A small, strictly bounded buffer for data sets that arrived before their template.
 *
 * After a collector restart, exporters keep sending data while templates come only every
 * few seconds or minutes; some (see netflow-data+templates.pcap) even put a data set in
 * front of its template in the same datagram. Keeping a few such sets and decoding them
 * once the template arrives loses less traffic. The buffer is global, capped in sets and
 * bytes and per exporter, and entries age out, so a hostile sender can at worst evict
 * other pending sets, never grow memory.
 */

export interface PendingHeader {
  readonly format: 9 | 10;
  readonly observationDomain: number;
  readonly exportMs: number;
  /** v9 header sysUptime (ms); 0 for IPFIX. */
  readonly sysUptime: number;
  readonly sequence: number;
}

export interface PendingDataSet {
  readonly exporter: string;
  readonly header: PendingHeader;
  readonly templateId: number;
  /** Copy of the set body (records and padding, without the 4-byte set header). */
  readonly body: Uint8Array;
  readonly receivedAtMs: number;
}

export interface PendingLimits {
  /** Sets held at once across all exporters; 0 disables buffering. */
  maxSets: number;
  /** Bytes held at once across all exporters. */
  maxBytes: number;
  /** Sets one exporter may hold. */
  maxSetsPerExporter: number;
  /** Sets older than this are dropped instead of decoded. */
  maxAgeMs: number;
}

export interface PendingDataSets {
  /** Keeps a copy of the set; returns false when it does not fit (dropped). */
  add(exporter: string, header: PendingHeader, templateId: number, b: Uint8Array, start: number, end: number, nowMs: number): boolean;
  /** Removes and returns the fresh sets waiting for this template (oldest first). */
  take(exporter: string, format: number, observationDomain: number, templateId: number, nowMs: number): PendingDataSet[];
  readonly size: number;
  readonly bytes: number;
}

const NONE: PendingDataSet[] = [];

export function createPendingDataSets(limits: PendingLimits): PendingDataSets {
  let entries: PendingDataSet[] = [];
  let bytes = 0;

  function dropStale(nowMs: number): void {
    if (entries.length === 0 || nowMs - entries[0].receivedAtMs <= limits.maxAgeMs) return;
    entries = entries.filter((e) => nowMs - e.receivedAtMs <= limits.maxAgeMs);
    bytes = 0;
    for (const e of entries) bytes += e.body.length;
  }

  return {
    add(exporter, header, templateId, b, start, end, nowMs) {
      const length = end - start;
      if (limits.maxSets <= 0 || length > limits.maxBytes) return false;
      dropStale(nowMs);
      let mine = 0;
      for (const e of entries) if (e.exporter === exporter) mine++;
      if (mine >= limits.maxSetsPerExporter) return false;
      // Oldest first out, so a burst cannot pin memory.
      while (entries.length >= limits.maxSets || bytes + length > limits.maxBytes) {
        const evicted = entries.shift();
        if (evicted === undefined) break;
        bytes -= evicted.body.length;
      }
      entries.push({ exporter, header, templateId, body: b.slice(start, end), receivedAtMs: nowMs });
      bytes += length;
      return true;
    },
    take(exporter, format, observationDomain, templateId, nowMs) {
      dropStale(nowMs);
      if (entries.length === 0) return NONE;
      const taken: PendingDataSet[] = [];
      const kept: PendingDataSet[] = [];
      for (const e of entries) {
        if (
          e.templateId === templateId &&
          e.exporter === exporter &&
          e.header.format === format &&
          e.header.observationDomain === observationDomain
        ) {
          taken.push(e);
          bytes -= e.body.length;
        } else {
          kept.push(e);
        }
      }
      if (taken.length > 0) entries = kept;
      return taken;
    },
    get size() {
      return entries.length;
    },
    get bytes() {
      return bytes;
    },
  };
}
