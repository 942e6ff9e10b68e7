/** Every generated pool decodes, through the collector's decoders, to the records it claims. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowDecoders } from '../../src/flow/flow-decoders.ts';
import { snapshotFlow } from '../../src/flow/flow-record.ts';
import { buildTrafficPool, TRAFFIC_KINDS } from './traffic-pool.ts';

const NOW = 1_700_000_000_000;
const PROVIDER = /^(198\.51\.100|203\.0\.113)\./;
const REMOTE = /^198\.(18|19)\./;

describe('traffic pools', () => {
  for (const kind of TRAFFIC_KINDS) {
    it(`${kind}: decodes to the declared records, one side a provider host, no errors`, () => {
      const pool = buildTrafficPool(kind, { exporters: 3, datagramsPerExporter: 5, seed: 7, nowMs: NOW });
      const decoders = new FlowDecoders({ maxExporters: 10, maxTemplatesPerExporter: 10, templateExpirySeconds: 3600 });
      const protocol = kind === 'sflow' ? 'sflow' : 'netflow';
      let records = 0;
      for (const e of pool.exporters) {
        for (const d of e.preamble) assert.equal(decoders.decode(protocol, d, '127.0.0.1', NOW, () => {}), 0);
        e.data.forEach((d, i) => {
          const n = decoders.decode(protocol, d, '127.0.0.1', NOW, (flow) => {
            const f = snapshotFlow(flow);
            records++;
            assert.equal(f.ipVersion, 4);
            assert.ok(PROVIDER.test(f.srcAddr) !== PROVIDER.test(f.dstAddr), `${f.srcAddr} → ${f.dstAddr}`);
            assert.ok(REMOTE.test(f.srcAddr) || REMOTE.test(f.dstAddr));
            assert.ok([1, 6, 17].includes(f.protocol));
            assert.ok(f.packets >= 1 && f.bytes >= f.packets * 40);
            if (kind === 'sflow') assert.equal(f.samplingRate, 1000);
          });
          assert.equal(n, e.flows[i]);
        });
      }
      assert.equal(records, pool.exporters.reduce((sum, e) => sum + e.flows.reduce((a, b) => a + b, 0), 0));
      assert.deepEqual([...decoders.errors.counts], []);
      // Datagram sizes as real exporters send them: under a 1,500-byte MTU.
      for (const e of pool.exporters) for (const d of e.data) assert.ok(d.length > 600 && d.length <= 1472, `${kind} datagram of ${d.length} bytes`);
    });
  }

  it('stamping the export time in place moves the records\' times with it (NetFlow v5/v9)', () => {
    for (const kind of TRAFFIC_KINDS) {
      const pool = buildTrafficPool(kind, { exporters: 1, datagramsPerExporter: 1, seed: 1, nowMs: NOW });
      if (pool.exportSeconds === undefined) continue;
      const datagram = Buffer.from(pool.exporters[0].data[0]);
      const timesAt = (unixSeconds: number): number[] => {
        datagram.writeUInt32BE(unixSeconds, pool.exportSeconds!.offset);
        const decoders = new FlowDecoders({ maxExporters: 1, maxTemplatesPerExporter: 10, templateExpirySeconds: 3600 });
        for (const d of pool.exporters[0].preamble) decoders.decode('netflow', d, '127.0.0.1', NOW, () => {});
        const times: number[] = [];
        decoders.decode('netflow', datagram, '127.0.0.1', NOW, (flow) => times.push(flow.timeMs));
        return times;
      };
      const base = Math.floor(NOW / 1000);
      const before = timesAt(base);
      const after = timesAt(base + 90);
      assert.ok(before.length > 0, kind);
      assert.deepEqual(after, before.map((t) => t + 90_000), kind);
    }
    assert.ok(['netflow-v9', 'netflow-v5'].every((kind) => buildTrafficPool(kind as 'netflow-v9', { exporters: 1, datagramsPerExporter: 1, seed: 1, nowMs: NOW }).exportSeconds !== undefined));
  });

  it('renumbering in place: the sequence field sits where the pool says', () => {
    for (const kind of TRAFFIC_KINDS) {
      const pool = buildTrafficPool(kind, { exporters: 1, datagramsPerExporter: 3, seed: 1, nowMs: NOW });
      const [first, second] = pool.exporters[0].data;
      const step = pool.sequence.counts === 'datagrams' ? 1 : pool.exporters[0].flows[0];
      assert.equal(second.readUInt32BE(pool.sequence.offset) - first.readUInt32BE(pool.sequence.offset), step, kind);
    }
  });
});
