/**
 * tshark (Debian package `tshark`) is the independent reference decoder the flow
 * conformance tests compare against.
 */
import { execFileSync } from 'node:child_process';

/** One packet of `tshark -T json`: layer name to its fields (values are strings or nested objects/arrays). */
export type TsharkLayers = Record<string, unknown>;

export interface TsharkOptions {
  /** Decode-as rules, e.g. ['udp.port==9990,cflow']. */
  decodeAs?: string[];
}

/** Decodes a capture with tshark and returns each packet's `_source.layers`. */
export function tsharkDecode(file: string, options: TsharkOptions = {}): TsharkLayers[] {
  const args = ['-r', file, '-T', 'json', '-n'];
  for (const rule of options.decodeAs ?? []) args.push('-d', rule);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const packets = JSON.parse(out) as Array<{ _source: { layers: TsharkLayers } }>;
  return packets.map((p) => p._source.layers);
}

/** Depth-first collection of every value stored under `key` anywhere in a tshark JSON tree. */
export function collectField(tree: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(tree)) {
    for (const item of tree) collectField(item, key, out);
  } else if (tree !== null && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) {
      if (k === key) out.push(v);
      collectField(v, key, out);
    }
  }
  return out;
}
